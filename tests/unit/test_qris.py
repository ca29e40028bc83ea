"""QRIS texts: reading the seller's static QRIS and making each order's dynamic one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openorder_sheets.core import qris
from openorder_sheets.core.qris import QrisError


def field(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def sealed(*fields: str) -> str:
    """The fields joined, with tag 63 and its CRC computed by our own crc16."""
    body = "".join(fields) + "6304"
    return body + qris.crc16(body)


# A made-up shop: the bank GUID, PAN, merchant ID and NMID belong to no one.
ACQUIRER = field("26", field("00", "ID.CO.CONTOHBANK.WWW") + field("01", "9360099912345678901"))
NATIONAL = field("51", field("00", "ID.CO.QRIS.WWW") + field("02", "ID1029384756012"))


def static_qris(name: str = "TOKO KUE BU SARI", *extra: str) -> str:
    return sealed(
        field("00", "01"),
        field("01", "11"),
        ACQUIRER + NATIONAL,
        field("52", "5812"),
        field("53", "360"),
        *extra,
        field("58", "ID"),
        field("59", name),
        field("60", "JAKARTA SELATAN"),
        field("61", "12345"),
        field("62", field("07", "KASIR 01")),
    )


STATIC = static_qris()
TIP_FIELDS = (field("55", "02"), field("56", "1000"))


def without(fields: tuple[tuple[str, str], ...], tags: set[str]) -> list[tuple[str, str]]:
    return [(tag, value) for tag, value in fields if tag not in tags]


def assert_one_sentence(message: str) -> None:
    assert message[0].isupper()
    assert message.endswith(".")
    assert ". " not in message


def test_crc16_matches_the_published_check_value_of_ccitt_false() -> None:
    """CRC-16/CCITT-FALSE of '123456789' is 29B1 (the catalogue's check value), uppercase."""
    assert qris.crc16("123456789") == "29B1"
    assert qris.crc16("") == "FFFF"


def test_parse_reads_the_shop_fields_of_a_static_qris() -> None:
    """Name, city, no amount, static, CRC, and every field in the order of the text."""
    payload = qris.parse(STATIC)
    assert payload.merchant_name == "TOKO KUE BU SARI"
    assert payload.city == "JAKARTA SELATAN"
    assert payload.amount is None
    assert not payload.is_dynamic
    assert payload.crc == STATIC[-4:]
    assert [tag for tag, _ in payload.fields] == [
        "00", "01", "26", "51", "52", "53", "58", "59", "60", "61", "62", "63",
    ]  # fmt: skip
    assert payload.text == STATIC


def test_parse_tolerates_paste_noise_around_and_line_breaks_inside() -> None:
    """Spaces, tabs, CR/LF and a BOM around the text, and a wrapped line inside, are ignored."""
    wrapped = STATIC[:100] + "\r\n" + STATIC[100:]
    assert qris.parse(f"\ufeff  {wrapped}\r\n\t ").text == STATIC


def test_parse_keeps_spaces_inside_values() -> None:
    """A merchant name with inner and double spaces is read as it is, not squeezed."""
    assert qris.parse(static_qris("  KUE  BU SARI ")).merchant_name == "  KUE  BU SARI "


def test_parse_accepts_a_lowercase_crc() -> None:
    """Some generators write the CRC in lowercase hex; the digits are still right."""
    assert qris.parse(STATIC[:-4] + STATIC[-4:].lower()).merchant_name == "TOKO KUE BU SARI"


@pytest.mark.parametrize(
    ("payload", "key_phrase"),
    [
        ("", "The QRIS text is empty"),
        (" \r\n ", "The QRIS text is empty"),
        (STATIC[: STATIC.index(".WWW") + 4], "The QRIS text is cut short after '…CONTOHBANK.WWW'"),
        (STATIC[:-2], "is cut short"),
        (STATIC[:-4] + "0000", "check digits (CRC) are wrong"),
        (STATIC.replace("BU SARI", "BU SAR1"), "check digits (CRC) are wrong"),
        ("https://example.com/qris.png", "should start with 000201 but starts with 'https:'"),
        (STATIC + field("64", "ID"), "goes on after its check digits"),
        (sealed("000201", "52X45812"), "damaged after '000201' (letters where numbers belong)"),
        (STATIC[:-8], "no check digits at the end"),
        (STATIC[:-8] + "6303ABC", "check digits are damaged"),
        (sealed(field("00", "01"), field("01", "11"), field("60", "BOGOR")), "no shop name"),
    ],
    ids=[
        "empty",
        "blank",
        "truncated",
        "truncated-crc",
        "bad-crc",
        "edited",
        "wrong-start",
        "crc-not-last",
        "non-numeric-length",
        "no-crc",
        "crc-length",
        "no-name",
    ],
)
def test_each_unusable_qris_text_is_one_seller_sentence_with_the_fix(
    payload: str, key_phrase: str
) -> None:
    """parse raises QrisError (a ValueError): what is wrong and what to do, in one sentence."""
    with pytest.raises(QrisError) as raised:
        qris.parse(payload)
    message = str(raised.value)
    assert key_phrase in message
    assert_one_sentence(message)
    assert any(fix in message for fix in ("copy", "paste"))
    assert isinstance(raised.value, ValueError)


def test_validate_finds_nothing_wrong_with_a_good_static_qris() -> None:
    """doctor shows no QRIS problem for the shop's printed sticker text."""
    assert qris.validate(STATIC) == []


def test_validate_reports_the_parse_problem_in_seller_words() -> None:
    """A broken text gives the same single sentence parse would raise."""
    assert qris.validate(STATIC[:-4] + "0000") == [
        "The QRIS text's check digits (CRC) are wrong — it was probably changed or copied "
        "incompletely; copy it again from the QR sticker (scan it with a QR reader app)."
    ]


def test_validate_lists_every_rule_a_readable_qris_breaks() -> None:
    """A dynamic code, foreign currency and country, no city or account: one sentence each."""
    payload = sealed(
        field("00", "01"),
        field("01", "12"),
        field("53", "840"),
        field("58", "US"),
        field("59", "TOKO KUE"),
        field("62", "07XX"),
    )
    problems = qris.validate(payload)
    expected = [
        "one-time code",
        "not for payments in rupiah",
        "not from Indonesia",
        "no city",
        "no account to pay into",
        "(field 62) is damaged",
    ]
    assert len(problems) == len(expected)
    for problem, phrase in zip(problems, expected, strict=True):
        assert phrase in problem
        assert_one_sentence(problem)


def test_with_amount_makes_a_dynamic_qris_with_the_amount_in_tag_order() -> None:
    """Tag 01 becomes 12, tag 54 holds whole rupiah between 53 and 58, and the CRC is new."""
    dynamic = qris.with_amount(STATIC, Decimal("150123"))
    payload = qris.parse(dynamic)
    assert payload.is_dynamic
    assert payload.amount == Decimal("150123")
    assert "5303360" + "5406150123" + "5802ID" in dynamic
    assert dynamic.endswith("6304" + qris.crc16(dynamic[:-4]))
    assert payload.crc != qris.parse(STATIC).crc


def test_with_amount_keeps_the_stickers_tip_and_fee_fields() -> None:
    """Convenience-fee tags 55–57 stay as they are, after the new amount."""
    dynamic = qris.with_amount(static_qris("TOKO KUE", *TIP_FIELDS), Decimal(85000))
    assert "540585000" + "550202" + "56041000" + "5802ID" in dynamic


def test_with_amount_replaces_the_amount_of_an_already_dynamic_qris() -> None:
    """Making an order's QRIS from another order's leaves exactly one, new, amount."""
    first = qris.with_amount(STATIC, Decimal(1000))
    second = qris.parse(qris.with_amount(first, Decimal("2500.00")))
    assert [tag for tag, _ in second.fields].count("54") == 1
    assert second.amount == Decimal(2500)
    assert second.text == qris.with_amount(STATIC, Decimal(2500))


def test_with_amount_refuses_a_broken_static_qris() -> None:
    """A corrupted sticker text is never 'repaired' into a valid-looking QRIS by a fresh CRC."""
    with pytest.raises(QrisError, match="check digits"):
        qris.with_amount(STATIC.replace("SARI", "SARA"), Decimal(1000))


@pytest.mark.parametrize(
    ("amount", "key_phrase"),
    [
        (Decimal(0), "must be more than Rp 0"),
        (Decimal(-5000), "must be more than Rp 0"),
        (Decimal("NaN"), "must be more than Rp 0"),
        (Decimal("15000.50"), "QRIS takes whole rupiah"),
        (Decimal("1E13"), "too large for QRIS (at most 13 digits)"),
    ],
)
def test_with_amount_refuses_amounts_qris_cannot_carry(amount: Decimal, key_phrase: str) -> None:
    """Zero, negative, fractional rupiah and over 13 digits: one sentence saying so."""
    with pytest.raises(QrisError) as raised:
        qris.with_amount(STATIC, amount)
    assert key_phrase in str(raised.value)
    assert_one_sentence(str(raised.value))


def test_with_amount_takes_the_largest_thirteen_digit_amount() -> None:
    """9,999,999,999,999 rupiah is the longest amount QRIS's 13 characters hold."""
    largest = Decimal(10**13 - 1)
    assert qris.parse(qris.with_amount(STATIC, largest)).amount == largest


NAMES = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF).filter(str.isprintable),
    min_size=1,
    max_size=25,
).filter(str.strip)


@given(
    amount=st.integers(min_value=1, max_value=9_999_999_999),
    name=NAMES,
    tip=st.booleans(),
)
def test_with_amount_round_trips_for_any_amount_and_shop_name(
    amount: int, name: str, tip: bool
) -> None:
    """The result parses, carries the amount, ends in a valid CRC, other fields unchanged."""
    static = static_qris(name, *(TIP_FIELDS if tip else ()))
    dynamic = qris.with_amount(static, Decimal(amount))
    payload = qris.parse(dynamic)
    assert payload.amount == amount
    assert payload.is_dynamic
    assert payload.merchant_name == name
    assert dynamic[-8:] == "6304" + qris.crc16(dynamic[:-4])
    touched = {"01", "54", "63"}
    assert without(payload.fields, touched) == without(qris.parse(static).fields, touched)
