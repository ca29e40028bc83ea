"""Reading the seller's columns of `Orders` (the rest of `Orders` is a view, never read back).

The tool's own memory lives in its memory tab (:mod:`~openorder_sheets.core.memory`) and the
ledger; of `Orders` only the `Order` cell and the seller's columns (`Paid`, `Seller action`,
`Tracking no.`, `Seller note`) are read. A sheet written before the memory tab existed is read
once by :func:`legacy_priors` to migrate.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

from openorder_sheets.core import cells, seller_words
from openorder_sheets.core.columns import Columns, find_columns
from openorder_sheets.core.labels import STATUS_LABELS, fold, reverse_lookup
from openorder_sheets.core.model import (
    Catalog,
    Credit,
    Decision,
    EmailKind,
    LedgerEntry,
    PaidKind,
    PriorOrder,
    Quantities,
    Response,
    SellerInputs,
    evolve,
)
from openorder_sheets.ports import Cell, Grid

ORDER_TOOL_COLUMNS = (
    "order",
    "batch",
    "submitted",
    "name",
    "email",
    "whatsapp",
    "items",
    "total",
    "amount_to_pay",
    "status",
    "progress",
    "problems",
    "last_email",
    "whatsapp_link",
    "response_row",
)
ORDER_SELLER_COLUMNS = ("paid", "seller_action", "tracking_no", "seller_note")
_STATUSES = reverse_lookup(STATUS_LABELS)
#: The kinds that tell a buyer a decision about their order; their keys carry its version.
DECISION_KINDS = frozenset(
    {
        EmailKind.ORDER_CONFIRMED,
        EmailKind.ORDER_WAITLISTED,
        EmailKind.ORDER_PROMOTED,
        EmailKind.ORDER_REJECTED,
        EmailKind.ORDER_NEEDS_ATTENTION,
        EmailKind.ORDER_UPDATED,
        EmailKind.ORDER_CHANGE_REFUSED,
        EmailKind.ORDER_EXPIRED,
        EmailKind.ORDER_CANCELLED,
    }
)
_NUMBER = re.compile(r"(\d+)\s*$")


def order_serial(number: str) -> int:
    """The running number at the end of an order number (``PO-0042`` → 42), or 0."""
    match = _NUMBER.search(number)
    return int(match.group(1)) if match else 0


def read_seller_inputs(
    tab: str, grid: Grid | None, language: str
) -> tuple[dict[str, SellerInputs], Columns | None, list[str]]:
    """The seller's columns of each `Orders` row, by order number, and where the columns are.

    Only the `Order` cell and the seller's own columns are read: the tool's columns are a view
    of its memory and are never read back. A second row with the same number (a seller's
    copy-paste) is ignored, never merged.
    """
    if grid is None or not grid:
        return {}, None, []
    columns, problems = find_columns(
        tab, grid, ("order",), (*ORDER_TOOL_COLUMNS, *ORDER_SELLER_COLUMNS), language
    )
    if problems:
        return {}, None, problems
    found: dict[str, SellerInputs] = {}
    for index, row in enumerate(grid[1:], start=1):
        number = cells.unescape(cells.text(columns.get(row, "order")))
        if not number or number in found:
            continue
        action, action_text = seller_words.seller_action(columns.get(row, "seller_action"))
        found[number] = SellerInputs(
            sheet_row=index,
            paid=seller_words.paid_mark(columns.get(row, "paid")),
            action=action,
            action_text=action_text,
            tracking_no=cells.unescape(cells.text(columns.get(row, "tracking_no"))),
            seller_note=cells.text(columns.get(row, "seller_note")),
            marks=_marks(tuple(_plain(columns.get(row, key)) for key in ORDER_SELLER_COLUMNS)),
        )
    return found, columns, []


_NO_MARKS: tuple[None, ...] = (None,) * len(ORDER_SELLER_COLUMNS)


def _marks(
    marks: tuple[str | int | float | bool | None, ...],
) -> tuple[str | int | float | bool | None, ...]:
    """The seller's cells of a row; blank ones (most rows) share one tuple."""
    return _NO_MARKS if marks == _NO_MARKS else marks


#: The tool's columns of `Orders` a sync does not read back: what they hold is known from the
#: memory's fingerprint of each row (:func:`row_fingerprint`). `Order` is read, and so is
#: `Response row`, the witness of whose cells a row holds: a seller who sorts the tab while
#: the tool writes it leaves one order's cells beside another's `Order` cell. `Status` is read
#: too: it is the cell a seller types over (`lunas`, `batal`) thinking it decides something,
#: and the next sync must put it right at once, not when the order next changes.
WITNESS_COLUMN = "response_row"
READ_ORDER_COLUMNS = ("order", "status", WITNESS_COLUMN)
UNREAD_ORDER_COLUMNS = tuple(key for key in ORDER_TOOL_COLUMNS if key not in READ_ORDER_COLUMNS)


def row_fingerprint(values: Mapping[str, Cell]) -> str:
    """A short fingerprint of the tool's cells of one `Orders` row (by key; a key left out
    is a cell the tool leaves as it was). `Last email` is not in it: it follows from the
    `Emails` tab, which is read."""
    shown = {key: values[key] for key in (*UNREAD_ORDER_COLUMNS, WITNESS_COLUMN) if key in values}
    shown.pop("last_email", None)
    text = json.dumps(shown, default=str, ensure_ascii=False, sort_keys=True)
    # 48 bits: a changed row passes unseen once in 280 million million. (Versions before
    # kept 72 bits, the same hash: their fingerprints begin with these eight characters.)
    digest = hashlib.blake2b(text.encode(), digest_size=9).digest()[:6]
    return base64.urlsafe_b64encode(digest).decode()


def same_row(remembered: str | None, fingerprint: str) -> bool:
    """Whether the row the memory fingerprinted (``remembered``) is the one ``fingerprint``
    says the tool would write now."""
    return remembered is not None and remembered[: len(fingerprint)] == fingerprint


def seller_inputs_from_marks(marks: tuple[str | int | float | bool | None, ...]) -> SellerInputs:
    """The seller's columns as remembered, for an order whose `Orders` row is gone."""
    paid, action, tracking, note = (*marks, None, None, None, None)[:4]
    parsed_action, action_text = seller_words.seller_action(action)
    return SellerInputs(
        sheet_row=None,
        paid=seller_words.paid_mark(paid),
        action=parsed_action,
        action_text=action_text,
        tracking_no=cells.unescape(cells.text(tracking)),
        seller_note=cells.text(note),
        marks=tuple(marks),
    )


def _plain(cell: Cell) -> str | int | float | bool | None:
    """A cell as a value the memory can keep (dates become text)."""
    if cell is None or isinstance(cell, str | int | float | bool):
        return cell
    return cells.text(cell)


def legacy_priors(
    grid: Grid | None,
    columns: Columns | None,
    inputs: dict[str, SellerInputs],
    catalog: Catalog,
    ledger: list[LedgerEntry],
    zone: ZoneInfo,
    answers: Mapping[int, Response] | None = None,
    credits: Sequence[Credit] = (),
    paid_by: Mapping[int, str] | None = None,
) -> list[PriorOrder]:
    """Orders of a sheet written before the tool kept its memory tab, read once to migrate.

    This is the only place display cells are read back, and only when no memory exists yet:
    the next sync writes the memory and never looks here again. ``answers`` (the form's, by
    sheet row) tell what a buyer whose change was refused last still asks for: that change is
    held, as the memory would have it, so the refusal is not sent again.

    ``credits`` (the statement's transfers now): which transfer paid which order only the lost
    memory knew. ``paid_by`` (statement row → order, from the results the tool wrote beside
    them) gives a ticked order the transfers that paid it, as its tool-ticked statement money
    (else they would read "a second payment: refund it", and an order a later edit left short
    would count as paid); a thanked order whose `Paid` the seller left empty refuses them all
    (she took that payment off).
    """
    if grid is None or columns is None:
        return []
    versions: dict[str, int] = {}
    last_kind: dict[str, str] = {}
    confirmed: dict[str, str] = {}
    receipts: dict[str, int] = {}
    for entry in ledger:
        version = entry.key.rsplit("/", 1)[-1]
        if entry.kind in DECISION_KINDS and version.isdigit():
            if int(version) >= versions.get(entry.order, 0):
                last_kind[entry.order] = entry.kind
            versions[entry.order] = max(versions.get(entry.order, 0), int(version))
            if entry.kind in ("order_confirmed", "order_promoted"):
                confirmed[entry.order] = entry.key
        if entry.kind == "payment_received":
            receipts[entry.order] = receipts.get(entry.order, 0) + 1
    priors: list[PriorOrder] = []
    for number, seller in inputs.items():
        if seller.sheet_row is None or seller.sheet_row >= len(grid):
            continue
        row = grid[seller.sheet_row]
        status = _decision(cells.text(columns.get(row, "status")))
        lines = _items(cells.unescape(cells.text(columns.get(row, "items"))), catalog)
        total = _amount(columns.get(row, "total"))
        to_pay = _amount(columns.get(row, "amount_to_pay"))
        code = None
        if total is not None and to_pay is not None and 1 <= to_pay - total <= 999:
            code = int(to_pay - total)
        confirmed_now = status is Decision.CONFIRMED
        mark = seller.paid
        received = Decimal(0)
        if confirmed_now and mark.kind is PaidKind.YES:
            received = to_pay or Decimal(0)
        elif confirmed_now and mark.kind is PaidKind.AMOUNT:
            received = mark.amount  # the amount the seller typed, not a tick
        paid = confirmed_now and (
            mark.kind is PaidKind.YES
            or (mark.kind is PaidKind.AMOUNT and to_pay is not None and received >= to_pay > 0)
        )
        problems = cells.unescape(cells.text(columns.get(row, "problems")))
        response_row = _row_number(columns.get(row, "response_row"))
        answer = (answers or {}).get(response_row) if response_row is not None else None
        asked, held = lines, None
        taken_off = (
            confirmed_now
            and receipts.get(number, 0) > 0
            and mark.kind in (PaidKind.BLANK, PaidKind.NO)
        )
        refused_last = last_kind.get(number) == EmailKind.ORDER_CHANGE_REFUSED
        if refused_last and confirmed_now and answer is not None and answer.quantities != lines:
            asked = answer.quantities
            held = () if answer.problems else answer.quantities
        priors.append(
            PriorOrder(
                number=number,
                batch=cells.unescape(cells.text(columns.get(row, "batch"))),
                submitted=_moment(columns.get(row, "submitted"), zone),
                email=cells.unescape(cells.text(columns.get(row, "email"))).lower(),
                status=status,
                response_row=response_row,
                lines=lines,
                asked=asked,
                held=held,
                problems=tuple(p for p in problems.split("; ") if p),
                seq=versions.get(number, 0),
                confirmed_key=confirmed.get(number, "") if status is Decision.CONFIRMED else "",
                code=code,
                paid_amount=received,
                paid_memo=seller.paid.memo,
                receipts=receipts.get(number, 0),
                settled=paid,
                refused_credits=tuple(c.key for c in credits) if taken_off else (),
                seller=seller,
                last_action=seller.action,
            )
        )
    if not credits or not paid_by:
        return priors
    bank: dict[str, list[tuple[str, Decimal]]] = {}
    for credit in credits:
        owner = paid_by.get(credit.row) if credit.row is not None else None
        if owner is not None:
            bank.setdefault(owner, []).append((credit.key, credit.amount))
    return [
        evolve(p, bank=tuple(bank[p.number]), bank_ticked=True)
        if p.number in bank
        and p.status is Decision.CONFIRMED
        and p.seller.paid.kind is PaidKind.YES
        else p
        for p in priors
    ]


_ITEM = re.compile(r"(?:^|, )(\d+)× ")


def _items(value: str, catalog: Catalog) -> Quantities:
    """An `Items` cell of a pre-memory sheet (``2× Nastar, 1× Kastengel``) as quantities."""
    parts = _ITEM.split(value)
    names = {product.name: product.sku for product in catalog.products}
    found: list[tuple[str, int]] = []
    for quantity, name in zip(parts[1::2], parts[2::2], strict=False):
        sku = names.get(name.strip())
        if sku is not None:
            found.append((sku, int(quantity)))
    return tuple(found)


def _moment(cell: Cell, zone: ZoneInfo) -> dt.datetime | None:
    try:
        return cells.when(cell, zone)
    except cells.CellError:
        return None


def _amount(cell: Cell) -> Decimal | None:
    try:
        return cells.money(cell)
    except cells.CellError:
        return None


def _decision(word: str) -> Decision | None:
    key = _STATUSES.get(fold(word))
    return Decision(key) if key else None


def _row_number(cell: Cell) -> int | None:
    try:
        return cells.whole_number(cell)
    except cells.CellError:
        return None
