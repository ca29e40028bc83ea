"""What the `Orders` tab shows the seller: emails in words, phone numbers as people write them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openorder_sheets.core import cells
from openorder_sheets.core.labels import EMAIL_KIND_LABELS, EMAIL_STATE_LABELS, LANGUAGES
from openorder_sheets.core.ledger import ledger_rows
from openorder_sheets.core.model import (
    Decision,
    EmailKind,
    EmailState,
    LedgerEntry,
    Order,
    Response,
)
from openorder_sheets.core.orders_tab import (
    last_email_text,
    last_email_texts,
    order_values,
    phone_display,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
SENT_AT = dt.datetime(2026, 12, 1, 11, 19, tzinfo=JAKARTA)


def entry(kind: str, state: EmailState, when: dt.datetime | None = None) -> LedgerEntry:
    return LedgerEntry(f"PO-0001/{kind}", "PO-0001", kind, "a@example.com", state, 1, when)


def test_every_email_kind_and_state_has_words_in_both_languages() -> None:
    assert set(EMAIL_KIND_LABELS) == {kind.value for kind in EmailKind}
    assert set(EMAIL_STATE_LABELS) == {state.value for state in EmailState}
    for table in (EMAIL_KIND_LABELS, EMAIL_STATE_LABELS):
        for words in table.values():
            assert set(words) == set(LANGUAGES)
            assert all(words.values())


def test_last_email_names_a_sent_message_and_its_short_time_in_the_sellers_language() -> None:
    sent = [entry("order_confirmed", EmailState.SENT, SENT_AT)]
    assert last_email_text(sent, "id") == "Konfirmasi terkirim · 1 Des 11.19"
    assert last_email_text(sent, "en") == "Confirmation sent · 1 Dec 11:19"


def test_last_email_prefers_the_newest_sent_message() -> None:
    ledger = [
        entry("order_confirmed", EmailState.SENT, SENT_AT),
        entry("payment_received", EmailState.SENT, SENT_AT + dt.timedelta(days=2, hours=-3)),
        entry("order_shipped", EmailState.QUEUED),
    ]
    assert last_email_text(ledger, "en") == "Payment receipt sent · 3 Dec 08:19"


def test_last_email_says_when_nothing_went_out_yet_or_it_failed() -> None:
    queued = [entry("order_confirmed", EmailState.QUEUED)]
    failed = [entry("order_confirmed", EmailState.FAILED, SENT_AT)]
    assert last_email_text(queued, "id") == "Konfirmasi menunggu dikirim"
    assert last_email_text(queued, "en") == "Confirmation waiting to send"
    assert last_email_text(failed, "id") == "Konfirmasi gagal"
    assert last_email_text(failed, "en") == "Confirmation failed"
    assert last_email_text([], "id") == ""


def test_last_email_never_shows_a_kind_code() -> None:
    for kind in EmailKind:
        for language in LANGUAGES:
            shown = last_email_text([entry(kind.value, EmailState.SENT, SENT_AT)], language)
            assert kind.value not in shown
            assert "_" not in shown


def test_the_emails_tab_keeps_its_machine_codes() -> None:
    (row,) = ledger_rows([entry("order_confirmed", EmailState.SENT, SENT_AT)])
    assert row[2] == "order_confirmed"
    assert row[4] == "sent"


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("+6281234567890", "+62 812-3456-7890"),
        ("+628123456789", "+62 812-3456-789"),
        ("+12025550123", "+1 202-555-0123"),
    ],
)
def test_a_normalised_phone_number_is_grouped_and_has_no_apostrophe(phone: str, shown: str) -> None:
    assert phone_display(phone) == shown


def test_a_phone_answer_the_tool_could_not_read_stays_formula_safe() -> None:
    assert phone_display("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert phone_display("+62 call me") == "'+62 call me"
    assert phone_display("ask my sister") == "ask my sister"
    assert phone_display("") == ""


def order_with_phone(phone: str) -> Order:
    response = Response(2, SENT_AT, "a@example.com", True, "Sari", phone, "", "", "", None, (), ())
    return Order("PO-0001", response, None, None, SENT_AT, (), Decision.NEEDS_ATTENTION, ())


def test_the_orders_tab_writes_the_grouped_number_and_the_email_words() -> None:
    ledger = [entry("order_confirmed", EmailState.QUEUED)]
    values = order_values(order_with_phone("+6281234567890"), ledger, "Toko", "IDR", "id")
    assert values["whatsapp"] == "+62 812-3456-7890"
    assert values["last_email"] == "Konfirmasi menunggu dikirim"
    # The WhatsApp link still dials the plain number.
    assert str(values["whatsapp_link"]).startswith("https://wa.me/6281234567890?")
    assert cells.unescape(str(values["whatsapp"])) == "+62 812-3456-7890"


def test_an_integer_too_long_for_str_in_a_header_or_paid_cell_is_only_text() -> None:
    """Python refuses str() of an integer over 4,300 digits; a pasted number that long in a
    header (any tab) or in `Paid` is read as an unclear word, never a crash (found by the
    any-value-in-any-cell property)."""
    from openorder_sheets.core.model import PaidKind
    from openorder_sheets.core.responses_tab import looks_like_responses
    from openorder_sheets.core.seller_words import paid_mark
    from openorder_sheets.core.statement_tab import read_statement

    huge = 10**5000
    assert paid_mark(huge).kind is PaidKind.UNKNOWN
    assert not looks_like_responses([huge, "Email"])
    assert read_statement([[huge, "Keterangan"]], "id").credits == []


_messages = st.lists(
    st.builds(
        LedgerEntry,
        key=st.just("k"),
        order=st.sampled_from(["", "PO-0001", "PO-0002", "PO-0003"]),
        kind=st.sampled_from([kind.value for kind in EmailKind]),
        to=st.just("a@example.com"),
        state=st.sampled_from(list(EmailState)),
        attempts=st.integers(0, 2),
        last_attempt=st.one_of(
            st.none(), st.sampled_from([SENT_AT + dt.timedelta(hours=h) for h in range(3)])
        ),
    ),
    max_size=12,
)


@given(_messages, st.sampled_from(LANGUAGES))
def test_last_email_of_every_order_in_one_pass_is_each_orders_own(
    entries: list[LedgerEntry], language: str
) -> None:
    """A sync finds every order's `Last email` in one pass over the ledger: for each order it
    is what that order's own messages say (orders with none are left out, and show "")."""
    mine: dict[str, list[LedgerEntry]] = {}
    for item in entries:
        if item.order:
            mine.setdefault(item.order, []).append(item)
    expected = {number: last_email_text(own, language) for number, own in mine.items()}
    found = last_email_texts(entries, language)
    assert {n: t for n, t in found.items() if t} == {n: t for n, t in expected.items() if t}
    assert all(found.get(number, "") == text for number, text in expected.items())
