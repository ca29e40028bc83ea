"""The tool's own memory, kept in a tab of the spreadsheet the seller is not expected to edit.

What the tool must remember between syncs lives here (SPEC §3 "Memory and views"): which
response is which order, its decided status and items, the buyer's change held back, how many
decisions the buyer was told (it versions the message keys), the message that started the
payment clock, the deadline, the unique code, what was paid, the seller's last marks (so a
deleted `Orders` tab can be rebuilt with them), the ship date last told per batch and the last
order number given. The display tabs (`Orders`, `Summary`, …) are views built from it: nothing
is ever read back from them to learn what happened.

One row per record: a key (``order:PO-0001``, ``batch:PO Lebaran 1``, ``shop``) and a JSON
object. The tab lives in the spreadsheet, so a new machine repeats nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openorder_sheets.core import cells
from openorder_sheets.core.model import Decision, PriorOrder, Product, Quantities, SellerInputs
from openorder_sheets.ports import Cell, Grid

HEADER = ("Key", "Data")
_ORDER, _BATCH, _SHOP, _ARCHIVED = "order:", "batch:", "shop", "archived:"
_PRODUCT = "product:"
_VIEW = "view:"


@dataclass(frozen=True)
class ViewMark:
    """What the tool last wrote into a view it rewrites whole: a fingerprint of its cells and
    how many rows it had, so the next sync need not read the view back to compare."""

    fingerprint: str
    rows: int


@dataclass(frozen=True)
class ArchivedOrder:
    """An order moved to the archive: kept so its form answer is never taken for a new order,
    its number is never given again, and its buyer's opt-in still counts for announcements."""

    number: str
    batch: str
    email: str
    submitted: dt.datetime | None
    response_row: int | None
    status: Decision | None
    name: str = ""
    opt_in: bool | None = None
    answered: dt.datetime | None = None  # the time of the answer the opt-in comes from
    credits: tuple[str, ...] = ()  # the bank-statement rows that paid it: never counted again

    def as_prior(self) -> PriorOrder:
        return PriorOrder(
            self.number, self.batch, self.submitted, self.email, self.status, self.response_row
        )


@dataclass(frozen=True)
class BatchMemory:
    name: str
    ships_told: dt.date | None = None  # the ship date buyers were last told


@dataclass
class Memory:
    """Everything the tool remembers; ``orders`` in the order they were first numbered."""

    orders: dict[str, PriorOrder] = field(default_factory=dict)
    batches: dict[str, BatchMemory] = field(default_factory=dict)
    last_serial: int = 0  # order numbers are never reused, even when a response is deleted
    archived: dict[str, ArchivedOrder] = field(default_factory=dict)
    #: Each product as last read fine: a cell the seller mistypes later keeps its last value.
    products: dict[str, Product] = field(default_factory=dict)
    views: dict[str, ViewMark] = field(default_factory=dict)  # by tab key


def read_memory(grid: Grid | None) -> Memory | None:
    """The memory the last sync wrote; ``None`` when the tab does not exist yet.

    A row that cannot be read is skipped: it was not written by the tool.
    """
    if grid is None:
        return None
    memory = Memory()
    for row in grid[1:]:
        key = cells.text(row[0]) if row else ""
        raw = row[1] if len(row) > 1 else None
        if not key or not isinstance(raw, str):
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        try:
            if key.startswith(_ORDER):
                order = _order(key[len(_ORDER) :], data)
                memory.orders[order.number] = order
            elif key.startswith(_BATCH):
                name = key[len(_BATCH) :]
                memory.batches[name] = BatchMemory(name, _date(data.get("ships_told")))
            elif key.startswith(_VIEW):
                view = key[len(_VIEW) :]
                memory.views[view] = ViewMark(str(data["hash"]), int(data["rows"]))
            elif key.startswith(_PRODUCT):
                product = _product(key[len(_PRODUCT) :], data)
                memory.products[product.sku] = product
            elif key.startswith(_ARCHIVED):
                gone = _archived(key[len(_ARCHIVED) :], data)
                memory.archived[gone.number] = gone
            elif key == _SHOP:
                memory.last_serial = int(data.get("last_serial", 0))
        except (TypeError, ValueError, KeyError, InvalidOperation):
            continue
    return memory


def memory_rows(memory: Memory) -> list[list[Cell]]:
    """The rows of the memory tab under its header, in a stable order."""
    rows: list[list[Cell]] = []
    for name in sorted(memory.batches):
        batch = memory.batches[name]
        rows.append([_BATCH + name, _dump({"ships_told": _iso(batch.ships_told)})])
    for view in sorted(memory.views):
        mark = memory.views[view]
        rows.append([_VIEW + view, _dump({"hash": mark.fingerprint, "rows": mark.rows})])
    for sku in sorted(memory.products):
        rows.append([_PRODUCT + sku, _dump(_product_data(memory.products[sku]))])
    for number, gone in memory.archived.items():
        rows.append([_ARCHIVED + number, _dump(_archived_data(gone))])
    for number, order in memory.orders.items():
        rows.append([_ORDER + number, _dump(_order_data(order))])
    # Last, so a write cut short never records a last number whose orders did not land.
    rows.append([_SHOP, _dump({"last_serial": memory.last_serial})])
    return rows


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _order_data(order: PriorOrder) -> dict[str, Any]:
    data: dict[str, Any] = {
        "batch": order.batch,
        "submitted": _iso(order.submitted),
        "email": order.email,
        "status": order.status.value if order.status else None,
        "row": order.response_row,
        "lines": _pairs(order.lines),
        "asked": _pairs(order.asked) if order.asked is not None else None,
        "held": _pairs(order.held) if order.held is not None else None,
        "problems": list(order.problems),
        "seq": order.seq,
        "confirmed_key": order.confirmed_key,
        "deadline": _iso(order.deadline),
        "reminder_sent": _iso(order.reminder_sent),
        "code": order.code,
        "paid": str(order.paid_amount),
        "paid_memo": order.paid_memo,
        "receipts": order.receipts,
        "settled": order.settled,
        "unmatched_like": list(order.unmatched_like),
        "bank": [[key, str(amount)] for key, amount in order.bank],
        "bank_ticked": order.bank_ticked,
        "refused": list(order.refused_credits),
        "marks": list(order.seller.marks)
        if any(m not in (None, "") for m in order.seller.marks)
        else None,
    }
    # Keep rows short: defaults are left out (an empty `asked` or `held` is not a default).
    keep = {"asked", "held"}
    return {
        k: v
        for k, v in data.items()
        if v is not None and (k in keep or v not in ("", [], 0, False, "0", "blank"))
    }


def _product_data(product: Product) -> dict[str, Any]:
    return {
        "name": product.name,
        "price": str(product.price),
        "unit": product.unit,
        "capacity": product.capacity,
        "max_per_buyer": product.max_per_buyer,
        "active": product.active,
        "form_question": product.form_question,
        "row": product.row,
    }


def _product(sku: str, data: dict[str, Any]) -> Product:
    capacity, limit = data.get("capacity"), data.get("max_per_buyer")
    return Product(
        sku=sku,
        name=str(data.get("name", sku)),
        price=Decimal(str(data.get("price", "0"))),
        unit=str(data.get("unit", "")),
        capacity=int(capacity) if capacity is not None else None,
        max_per_buyer=int(limit) if limit is not None else None,
        active=bool(data.get("active", True)),
        form_question=str(data.get("form_question", "")),
        row=int(data.get("row", 0)),
    )


def _archived_data(order: ArchivedOrder) -> dict[str, Any]:
    data: dict[str, Any] = {
        "batch": order.batch,
        "email": order.email,
        "submitted": _iso(order.submitted),
        "row": order.response_row,
        "status": order.status.value if order.status else None,
        "name": order.name,
        "opt_in": order.opt_in,
        "answered": _iso(order.answered),
        "credits": list(order.credits),
    }
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def _archived(number: str, data: dict[str, Any]) -> ArchivedOrder:
    status = data.get("status")
    opt_in = data.get("opt_in")
    return ArchivedOrder(
        number=number,
        batch=str(data.get("batch", "")),
        email=str(data.get("email", "")),
        submitted=_moment(data.get("submitted")),
        response_row=int(data["row"]) if data.get("row") is not None else None,
        status=Decision(status) if status else None,
        name=str(data.get("name", "")),
        opt_in=opt_in if isinstance(opt_in, bool) else None,
        answered=_moment(data.get("answered")),
        credits=tuple(str(key) for key in data.get("credits", [])),
    )


def _order(number: str, data: dict[str, Any]) -> PriorOrder:
    status = data.get("status")
    return PriorOrder(
        number=number,
        batch=str(data.get("batch", "")),
        submitted=_moment(data.get("submitted")),
        email=str(data.get("email", "")),
        status=Decision(status) if status else None,
        response_row=int(data["row"]) if data.get("row") is not None else None,
        lines=_quantities(data.get("lines")) or (),
        asked=_quantities(data.get("asked")),
        held=_quantities(data.get("held")),
        problems=tuple(str(p) for p in data.get("problems", [])),
        seq=int(data.get("seq", 0)),
        confirmed_key=str(data.get("confirmed_key", "")),
        deadline=_moment(data.get("deadline")),
        reminder_sent=_moment(data.get("reminder_sent")),
        code=int(data["code"]) if data.get("code") is not None else None,
        paid_amount=Decimal(str(data.get("paid", "0"))),
        paid_memo=str(data.get("paid_memo", "blank")),
        receipts=int(data.get("receipts", 0)),
        settled=bool(data.get("settled", False)),
        unmatched_like=tuple(str(n) for n in data.get("unmatched_like", [])),
        bank=tuple((str(key), Decimal(str(amount))) for key, amount in data.get("bank", [])),
        bank_ticked=bool(data.get("bank_ticked", False)),
        refused_credits=tuple(str(key) for key in data.get("refused", [])),
        seller=SellerInputs(marks=tuple(_mark(m) for m in data.get("marks") or ())),
    )


def _mark(value: Any) -> str | int | float | bool | None:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _pairs(quantities: Quantities) -> list[list[Any]]:
    return [[sku, quantity] for sku, quantity in quantities]


def _quantities(value: Any) -> Quantities | None:
    if value is None:
        return None
    return tuple((str(sku), int(quantity)) for sku, quantity in value)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
