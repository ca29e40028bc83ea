"""QRIS: read the text of a seller's static QRIS sticker and make each order's dynamic QRIS.

Hand-written rather than built on qriskit 0.2.0: qriskit is MIT and dependency-free, but it is an
alpha, its `to_dynamic` drops the sticker's tip and fee tags 55–57 and accepts cents, and its
messages are developer codes we would translate anyway — the ~100 lines we need are ours to keep.

The text is EMVCo merchant-presented mode: fields of a two-digit tag, a two-digit length and the
value, tag 00 ("01") first and tag 63 (CRC-16/CCITT-FALSE check digits) last. Lengths count
characters and the CRC covers the UTF-8 bytes, as QRIS generators and readers do.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from decimal import Decimal

START = "000201"
STATIC = "11"
DYNAMIC = "12"
MAX_AMOUNT_DIGITS = 13

_FORMAT, _INITIATION, _AMOUNT, _CURRENCY = "00", "01", "54", "53"
_COUNTRY, _NAME, _CITY, _ADDITIONAL, _CRC = "58", "59", "60", "62", "63"
_ACCOUNT_TAGS = frozenset(f"{tag:02d}" for tag in range(26, 52))
# Copy-paste leaves spaces, line breaks, no-break spaces and a byte-order mark around the text.
_PASTE_NOISE = " \t\r\n\v\f\u00a0\ufeff"
_AMOUNT_TEXT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")

_COPY_AGAIN = "copy the whole text from your QRIS sticker again"
_OWN_SHOP = "copy the QRIS of your own shop, from the sticker your bank or e-wallet gave you"


class QrisError(ValueError):
    """The QRIS text or amount cannot be used; the message says why and the fix, in seller words."""


@dataclass(frozen=True)
class QrisPayload:
    """A QRIS read field by field, in the order of the text: ((tag, value), …)."""

    fields: tuple[tuple[str, str], ...]

    def get(self, tag: str) -> str | None:
        """The value of the first field with `tag`, or None when the QRIS has no such field."""
        return next((value for field_tag, value in self.fields if field_tag == tag), None)

    @property
    def merchant_name(self) -> str:
        """The shop name buyers see in their banking app; `parse` refuses a QRIS without one."""
        return self.get(_NAME) or ""

    @property
    def city(self) -> str | None:
        return self.get(_CITY)

    @property
    def amount(self) -> Decimal | None:
        """The amount to pay, or None on a static QRIS (the buyer types it in)."""
        text = self.get(_AMOUNT)
        return Decimal(text) if text is not None and _AMOUNT_TEXT.fullmatch(text) else None

    @property
    def is_dynamic(self) -> bool:
        return self.get(_INITIATION) == DYNAMIC

    @property
    def crc(self) -> str:
        return self.get(_CRC) or ""

    @property
    def text(self) -> str:
        """The QRIS text, exactly as it goes into the QR code."""
        return "".join(_encode(tag, value) for tag, value in self.fields)


def crc16(text: str) -> str:
    """CRC-16/CCITT-FALSE of `text` (UTF-8) as four uppercase hex digits: '123456789' → '29B1'."""
    # crc_hqx is CRC-16 with polynomial 0x1021, not reflected; seeded with 0xFFFF it is CCITT-FALSE.
    return f"{binascii.crc_hqx(text.encode('utf-8'), 0xFFFF):04X}"


def parse(payload: str) -> QrisPayload:
    """Read a QRIS text; raises QrisError when it is not whole, changed, or has no shop name.

    Spaces and line breaks around the text are ignored, and so are line breaks inside it (a QRIS
    never contains one; the CRC still proves nothing else changed); spaces inside stay.
    """
    text = payload.strip(_PASTE_NOISE).replace("\r", "").replace("\n", "")
    if not text:
        raise QrisError(
            "The QRIS text is empty: paste the text inside your QRIS sticker "
            "(scan the sticker with a QR reader app to see it)."
        )
    if not text.startswith(START) and not START.startswith(text):
        raise QrisError(
            f"The QRIS text should start with {START} but starts with '{text[:6]}': "
            f"{_COPY_AGAIN}, from its very first character."
        )
    qris = QrisPayload(_read_fields(text))
    if qris.crc.upper() != crc16(text[:-4]):
        raise QrisError(
            "The QRIS text's check digits (CRC) are wrong — it was probably changed or copied "
            "incompletely; copy it again from the QR sticker (scan it with a QR reader app)."
        )
    if not qris.merchant_name.strip():
        raise QrisError(f"The QRIS text has no shop name (merchant name) in it: {_OWN_SHOP}.")
    return qris


def validate(payload: str) -> list[str]:
    """Every problem that stops the text working as the shop's static QRIS, in seller words."""
    try:
        qris = parse(payload)
    except QrisError as error:
        return [str(error)]
    problems = []
    if qris.get(_INITIATION) not in (STATIC, DYNAMIC):
        problems.append(
            "The QRIS text does not say whether it is a printed (static) or a one-time (dynamic) "
            f"code: {_COPY_AGAIN}."
        )
    if qris.is_dynamic:
        problems.append(
            "This QRIS is a one-time code for a single payment (dynamic), not your printed "
            "sticker (static): paste the text of your printed QRIS sticker instead."
        )
    if qris.get(_CURRENCY) != "360":
        problems.append(
            "This QRIS is not for payments in rupiah (it should contain currency code 360): "
            "use your shop's Indonesian QRIS."
        )
    if qris.get(_COUNTRY) != "ID":
        problems.append(
            "This QRIS is not from Indonesia (it should contain country code ID): "
            "use your shop's Indonesian QRIS."
        )
    if not qris.city:
        problems.append(f"The QRIS text has no city (merchant city) in it: {_OWN_SHOP}.")
    if not any(tag in _ACCOUNT_TAGS for tag, _ in qris.fields):
        problems.append(f"This QRIS names no account to pay into: {_OWN_SHOP}.")
    for tag, value in qris.fields:
        if tag in _ACCOUNT_TAGS | {_ADDITIONAL} and not _is_fields(value):
            problems.append(f"Part of the QRIS text (field {tag}) is damaged: {_COPY_AGAIN}.")
    return problems


def with_amount(static_payload: str, amount: Decimal) -> str:
    """The dynamic QRIS text for one payment of `amount` rupiah, made from the shop's QRIS.

    Tag 01 becomes 12 (dynamic), any amount (54) is replaced by `amount` in its place in tag
    order, the CRC is recomputed; every other field, tip and fee tags 55–57 too, stays as it is.
    """
    rupiah = _rupiah(amount)
    fields = [
        (tag, DYNAMIC if tag == _INITIATION else value)
        for tag, value in parse(static_payload).fields
        if tag not in (_AMOUNT, _CRC)
    ]
    if all(tag != _INITIATION for tag, _ in fields):
        fields.insert(1, (_INITIATION, DYNAMIC))
    after = next((i for i, (tag, _) in enumerate(fields) if i > 0 and tag > _AMOUNT), len(fields))
    fields.insert(after, (_AMOUNT, rupiah))
    body = "".join(_encode(tag, value) for tag, value in fields) + _CRC + "04"
    return body + crc16(body)


def _rupiah(amount: Decimal) -> str:
    """`amount` as QRIS writes whole rupiah ('150123'), or QrisError saying what is wrong."""
    if not amount.is_finite() or amount <= 0:
        raise QrisError(
            f"The amount to pay must be more than Rp 0, not '{amount}': check the total."
        )
    if amount != amount.to_integral_value():
        raise QrisError(
            f"QRIS takes whole rupiah, but the amount is Rp {amount}: round the price or total "
            "to whole rupiah."
        )
    text = str(int(amount))
    if len(text) > MAX_AMOUNT_DIGITS:
        raise QrisError(
            f"The amount Rp {text} is too large for QRIS (at most {MAX_AMOUNT_DIGITS} digits): "
            "check the total."
        )
    return text


def _encode(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _read_fields(text: str) -> tuple[tuple[str, str], ...]:
    """Split the whole text into fields; the last must be tag 63 with four check characters."""
    fields = []
    position = 0
    while position < len(text):
        header = text[position : position + 4]
        tag, length = header[:2], header[2:]
        if len(header) == 4 and not (_two_digits(tag) and _two_digits(length)):
            raise QrisError(
                f"The QRIS text is damaged after '{_shown_before(text, position)}' (letters where "
                f"numbers belong): {_COPY_AGAIN}, without changing anything."
            )
        end = position + 4 + int(length) if len(header) == 4 else len(text) + 1
        if end > len(text):
            raise QrisError(
                f"The QRIS text is cut short after '{_shown_before(text, len(text))}': "
                f"{_COPY_AGAIN}."
            )
        if tag == _CRC and length != "04":
            raise QrisError(
                f"The QRIS text's check digits are damaged ('{text[position:end]}' should be 6304 "
                f"and four characters): {_COPY_AGAIN}."
            )
        if tag == _CRC and end < len(text):
            raise QrisError(
                f"The QRIS text goes on after its check digits ('{text[position:end]}'), which "
                "must come last: copy only the QRIS text, with nothing added after it."
            )
        fields.append((tag, text[position + 4 : end]))
        position = end
    if fields[-1][0] != _CRC:
        raise QrisError(
            "The QRIS text has no check digits at the end (it should end with 6304 and four "
            f"more characters): {_COPY_AGAIN}."
        )
    return tuple(fields)


def _is_fields(value: str) -> bool:
    """True when a template's value is itself whole tag-length-value fields (tags 26–51, 62)."""
    position = 0
    while position + 4 <= len(value):
        tag, length = value[position : position + 2], value[position + 2 : position + 4]
        if not (_two_digits(tag) and _two_digits(length)):
            return False
        position += 4 + int(length)
    return position == len(value)


def _two_digits(text: str) -> bool:
    return len(text) == 2 and text.isascii() and text.isdigit()


def _shown_before(text: str, position: int, width: int = 14) -> str:
    start = max(0, position - width)
    return ("…" if start else "") + text[start:position]
