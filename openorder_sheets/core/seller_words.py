"""The words sellers really type in `Paid` and `Seller action` (SPEC §4.11), in both languages.

A tick, `TRUE`, `lunas`, `sudah`, `v`, `✓` all mean paid; an amount (`165000`, `Rp165.000`)
is what was received; anything the tool does not understand is kept as a visible problem on the
order, never silently read as "not paid".
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from openorder_sheets.core import cells
from openorder_sheets.core.labels import SELLER_ACTION_LABELS, fold, reverse_lookup
from openorder_sheets.core.model import PaidKind, PaidMark, SellerAction
from openorder_sheets.ports import Cell

PAID_YES = frozenset(
    {
        "true", "yes", "y", "ya", "iya", "v", "x", "✓", "✔", "✔️", "☑", "ok", "oke", "done",
        "paid", "lunas", "sudah", "sdh", "udah", "sudah bayar", "sudah lunas", "sudah transfer",
        "sudah tf", "tf", "transfer", "lunas ya", "1", "received", "diterima",
    }
)  # fmt: skip
PAID_NO = frozenset(
    {"false", "no", "n", "tidak", "tdk", "belum", "blm", "belum bayar", "unpaid", "0", "-"}
)
_ACTION_SYNONYMS = {
    "ok": "confirm",
    "oke": "confirm",
    "acc": "confirm",
    "terima": "confirm",
    "diterima": "confirm",
    "setuju": "confirm",
    "approve": "confirm",
    "confirmed": "confirm",
    "dikonfirmasi": "confirm",
    "konfirm": "confirm",
    "batal": "cancel",
    "dibatalkan": "cancel",
    "cancelled": "cancel",
    "canceled": "cancel",
    "ditolak": "reject",
    "rejected": "reject",
    "stop": "stop_emails",
    "stop email": "stop_emails",
    "jangan email": "stop_emails",
    "berhenti email": "stop_emails",
    "unsubscribe": "stop_emails",
}
_ACTIONS = {**reverse_lookup(SELLER_ACTION_LABELS), **_ACTION_SYNONYMS}
_AMOUNT = re.compile(r"^(?:rp|idr)?\s*([\d.,]+)\s*(?:,-|\.-)?$")


_BLANK = PaidMark()  # most rows: one record, shared


def paid_mark(cell: Cell) -> PaidMark:
    """What a `Paid` cell says."""
    if cell is None or cell == "":
        return _BLANK
    if isinstance(cell, bool):
        return PaidMark(PaidKind.YES if cell else PaidKind.NO, text=str(cell))
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if cell in (0, 1):
            return PaidMark(PaidKind.YES if cell == 1 else PaidKind.NO, text=str(cell))
        written = cells.text(cell)  # (str() refuses integers of over 4,300 digits)
        return _amount(written) or PaidMark(PaidKind.UNKNOWN, text=written)
    raw = cells.text(cell)
    word = fold(raw).strip(" .!")
    if not word:
        return PaidMark()
    if word in PAID_YES:
        return PaidMark(PaidKind.YES, text=raw)
    if word in PAID_NO:
        return PaidMark(PaidKind.NO, text=raw)
    return _amount(word) or PaidMark(PaidKind.UNKNOWN, text=raw)


def _amount(word: str) -> PaidMark | None:
    match = _AMOUNT.match(word.replace(" ", ""))
    if not match:
        return None
    digits = match.group(1)
    # Indonesian thousands use dots (165.000); English exports use commas (165,000.00).
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", digits):
        digits = digits.replace(".", "").replace(",", ".")
    else:
        digits = digits.replace(",", "")
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 1 or amount > Decimal(10) ** 12:
        return None
    return PaidMark(PaidKind.AMOUNT, amount, word)


def seller_action(cell: Cell) -> tuple[SellerAction, str]:
    """The action a `Seller action` cell asks for, and the text when it is not understood."""
    raw = cells.text(cell)
    word = fold(raw).strip(" .!")
    if not word or word == "-":
        return SellerAction.NONE, ""
    key = _ACTIONS.get(word)
    if key is None:
        return SellerAction.NONE, raw
    return SellerAction(key), ""
