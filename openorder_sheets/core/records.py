"""Reading back what earlier syncs recorded: the `Orders` tab and the `Emails` ledger.

These two tabs are the tool's memory (SPEC §4: every sync decides from the sheet plus the
previous decisions recorded here), so moving the cron job to another machine loses nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from openorder_sheets.core import cells
from openorder_sheets.core.labels import SELLER_ACTION_LABELS, STATUS_LABELS, reverse_lookup
from openorder_sheets.core.model import Decision, EmailState, LedgerEntry, PriorOrder, SellerAction
from openorder_sheets.core.tables import Columns, find_columns
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
EMAIL_COLUMNS = (
    "key",
    "order",
    "kind",
    "to",
    "state",
    "attempts",
    "last_attempt",
    "message_id",
    "error",
)

#: How far along a message is; a later state never goes back to an earlier one.
STATE_RANK = {
    EmailState.QUEUED: 0,
    EmailState.DEFERRED: 1,
    EmailState.SENDING: 2,
    EmailState.FAILED: 3,
    EmailState.SENT: 4,
}
_STATUSES = reverse_lookup(STATUS_LABELS)
_ACTIONS = reverse_lookup(SELLER_ACTION_LABELS)
_NUMBER = re.compile(r"(\d+)\s*$")


def order_serial(number: str) -> int:
    """The running number at the end of an order number (``PO-0042`` → 42), or 0."""
    match = _NUMBER.search(number)
    return int(match.group(1)) if match else 0


def read_prior_orders(
    tab: str, grid: Grid | None, zone: ZoneInfo, language: str
) -> tuple[list[PriorOrder], Columns | None, list[str]]:
    """The orders earlier syncs wrote, with the seller's columns; rows without a number skipped.

    A second row with the same order number (a seller's copy-paste) is ignored, never merged.
    """
    if grid is None or not grid:
        return [], None, []
    columns, problems = find_columns(
        tab, grid, ("order",), (*ORDER_TOOL_COLUMNS, *ORDER_SELLER_COLUMNS), language
    )
    if problems:
        return [], None, problems
    priors: list[PriorOrder] = []
    seen: set[str] = set()
    for index, row in enumerate(grid[1:], start=1):
        number = cells.unescape(cells.text(columns.get(row, "order")))
        if not number or number in seen:
            continue
        seen.add(number)
        priors.append(
            PriorOrder(
                number=number,
                sheet_row=index,
                batch=cells.unescape(cells.text(columns.get(row, "batch"))),
                submitted=_moment(columns.get(row, "submitted"), zone),
                email=cells.unescape(cells.text(columns.get(row, "email"))).lower(),
                items_text=cells.unescape(cells.text(columns.get(row, "items"))),
                status=_decision(cells.text(columns.get(row, "status"))),
                response_row=_row_number(columns.get(row, "response_row")),
                paid=_checked(columns.get(row, "paid")),
                seller_action=_action(cells.text(columns.get(row, "seller_action"))),
                tracking_no=cells.unescape(cells.text(columns.get(row, "tracking_no"))),
                seller_note=cells.text(columns.get(row, "seller_note")),
                problems=cells.unescape(cells.text(columns.get(row, "problems"))),
                total=_amount(columns.get(row, "total")),
                amount_to_pay=_amount(columns.get(row, "amount_to_pay")),
            )
        )
    return priors, columns, []


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
    key = _STATUSES.get(" ".join(word.split()).casefold())
    return Decision(key) if key else None


def _action(word: str) -> SellerAction:
    key = _ACTIONS.get(" ".join(word.split()).casefold())
    return SellerAction(key) if key else SellerAction.NONE


def _checked(cell: Cell) -> bool:
    try:
        return cells.boolean(cell)
    except cells.CellError:
        return False


def _row_number(cell: Cell) -> int | None:
    try:
        return cells.whole_number(cell)
    except cells.CellError:
        return None


def read_ledger(
    tab: str, grid: Grid | None, zone: ZoneInfo, language: str
) -> tuple[list[LedgerEntry], list[str]]:
    """Every message the `Emails` tab records, by key; unreadable rows are skipped."""
    if grid is None or not grid:
        return [], []
    columns, problems = find_columns(tab, grid, ("key", "state"), EMAIL_COLUMNS, language)
    if problems:
        return [], problems
    entries: dict[str, LedgerEntry] = {}
    for row in grid[1:]:
        key = cells.text(columns.get(row, "key"))
        if not key:
            continue
        try:
            state = EmailState(cells.text(columns.get(row, "state")).lower())
        except ValueError:
            state = EmailState.QUEUED
        attempts = _row_number(columns.get(row, "attempts")) or 0
        entry = LedgerEntry(
            key=key,
            order=cells.text(columns.get(row, "order")),
            kind=cells.text(columns.get(row, "kind")),
            to=cells.text(columns.get(row, "to")),
            state=state,
            attempts=attempts,
            last_attempt=_moment(columns.get(row, "last_attempt"), zone),
            message_id=cells.text(columns.get(row, "message_id")),
            error=cells.text(columns.get(row, "error")),
        )
        earlier = entries.get(key)
        # A key twice (a seller's copy-paste): the furthest-along row wins, so a stale
        # `queued` copy can never make a new machine resend what was sent.
        if earlier is None or STATE_RANK[entry.state] >= STATE_RANK[earlier.state]:
            entries[key] = entry
    return list(entries.values()), []
