"""The seller's overviews: `Summary`, `Materials needed` and `Packing list` (SPEC §3).

Over-capacity (possible only by a seller `Confirm`) shows as a negative `Remaining` and a
`Filled %` above 100 — shown, never hidden.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from openorder_sheets.core import cells, formatting
from openorder_sheets.core.labels import STAGE_LABELS, label
from openorder_sheets.core.model import Batch, Catalog, Decision, Order, Stage
from openorder_sheets.core.orders_tab import phone_display
from openorder_sheets.core.rules import items_text
from openorder_sheets.ports import Cell

_WORDS = {
    "total": {"en": "Total", "id": "Total"},
    "window": {
        "en": "Window {opens} → {closes} · Stage: {stage} · Ships on: {ships}",
        "id": "Buka {opens} → tutup {closes} · Tahap: {stage} · Kirim: {ships}",
    },
    "none": {"en": "—", "id": "—"},
}


def _word(key: str, language: str) -> str:
    return _WORDS[key].get(language, _WORDS[key]["en"])


def _num(value: Decimal | int) -> int | float:
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else round(as_float, 4)


def current_batch(catalog: Catalog, now: dt.datetime) -> Batch | None:
    """The batch open now, else the one that opened most recently, else the next one."""
    open_now = catalog.batch_at(now)
    if open_now is not None:
        return open_now
    started = [b for b in catalog.batches if b.opens <= now]
    if started:
        return max(started, key=lambda b: b.opens)
    return catalog.next_batch_after(now)


def _review_cells(figures: tuple[int, Decimal | None] | None) -> list[Cell]:
    if figures is None:
        return [None, None]
    count, average = figures
    return [count, float(average) if average is not None else None]


@dataclass
class ProductFill:
    """How much of one product one batch's orders hold."""

    confirmed: int = 0
    waitlisted: int = 0
    paid: Decimal = Decimal(0)  # the subtotal of confirmed lines on paid orders


def product_fill(orders: Iterable[Order]) -> dict[tuple[str, str], ProductFill]:
    """Per (batch, SKU): quantities confirmed and waitlisted, and what paid orders paid for
    them. The one tally behind `Summary`, `status` and the sync's report."""
    fill: dict[tuple[str, str], ProductFill] = defaultdict(ProductFill)
    for order in orders:
        if order.batch is None or order.status not in (Decision.CONFIRMED, Decision.WAITLISTED):
            continue
        for line in order.lines:
            tally = fill[(order.batch.name, line.product.sku)]
            if order.status is Decision.CONFIRMED:
                tally.confirmed += line.quantity
                if order.paid:
                    tally.paid += line.subtotal
            else:
                tally.waitlisted += line.quantity
    return fill


def summary_rows(
    catalog: Catalog,
    orders: list[Order],
    language: str,
    reviews: Mapping[str, tuple[int, Decimal | None]] | None = None,
    archived: Collection[str] = (),
) -> tuple[list[list[Cell]], dict[str, tuple[int, int]]]:
    """Rows under the header, and per batch the (first, last) 0-based sheet rows of products.

    ``reviews``: per batch, how many reviews came back and their average stars (on the
    batch's total row). ``archived``: batches archived: left out once none of their orders is
    live (their figures are in the archive; here they would read as empty, a year of them)."""
    fill = product_fill(orders)
    live = {order.batch.name for order in orders if order.batch is not None}
    rows: list[list[Cell]] = []
    spans: dict[str, tuple[int, int]] = {}
    for batch in sorted(catalog.batches, key=lambda b: b.opens):
        if batch.name in archived and batch.name not in live:
            continue
        first = len(rows) + 1
        done_total, waiting_total = 0, 0
        revenue_total, paid_total = Decimal(0), Decimal(0)
        for product in catalog.products:
            tally = fill.get((batch.name, product.sku), ProductFill())
            done, waiting = tally.confirmed, tally.waitlisted
            if not product.active and not done and not waiting:
                continue
            revenue = product.price * done
            capacity = product.capacity
            rows.append(
                [
                    cells.safe_text(batch.name),
                    product.sku,
                    cells.safe_text(product.name),
                    capacity,
                    done,
                    waiting,
                    None if capacity is None else capacity - done,
                    None if not capacity else round(done / capacity, 4),
                    _num(revenue),
                    _num(tally.paid),
                    None,
                    None,
                ]
            )
            done_total += done
            waiting_total += waiting
            revenue_total += revenue
            paid_total += tally.paid
        spans[batch.name] = (first, len(rows))
        rows.append(
            [
                cells.safe_text(batch.name),
                "",
                _word("total", language),
                None,
                done_total,
                waiting_total,
                None,
                None,
                _num(revenue_total),
                _num(paid_total),
                *_review_cells((reviews or {}).get(batch.name)),
            ]
        )
        stage = (
            label(STAGE_LABELS, batch.stage.value, language)
            if batch.stage is not Stage.NONE
            else _word("none", language)
        )
        window = _word("window", language).format(
            opens=formatting.day_and_time(batch.opens, language),
            closes=formatting.day_and_time(batch.closes, language),
            stage=stage,
            ships=(
                formatting.long_date(batch.ships_on, language)
                if batch.ships_on
                else _word("none", language)
            ),
        )
        rows.append(
            [cells.safe_text(batch.name), "", window, None, None, None, None, None, None, None]
        )
        rows.append([None] * 10)
    return rows, spans


def materials_rows(catalog: Catalog, orders: list[Order]) -> list[list[Cell]]:
    """Per batch and material: confirmed quantities × bill of materials."""
    needed: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for order in orders:
        if order.status is not Decision.CONFIRMED or order.batch is None:
            continue
        for line in order.lines:
            for material in catalog.materials:
                if material.sku == line.product.sku:
                    key = (order.batch.name, material.material, material.unit)
                    needed[key] += material.per_unit * line.quantity
    return [
        [cells.safe_text(batch), cells.safe_text(material), _num(amount), unit]
        for (batch, material, unit), amount in sorted(needed.items())
    ]


_PAID_WORDS = {True: {True: "Lunas", False: "Belum"}, False: {True: "Paid", False: "Unpaid"}}


def paid_word(order: Order, language: str, currency: str = "IDR") -> str:
    """`Lunas` / `Belum` / `Kurang Rp20.000`: never `Lunas` for an order that owes more."""
    if order.partly_paid:
        missing = formatting.money(order.amount_to_pay - order.paid_amount, currency, language)
        return ("Kurang " if language == "id" else "Owes ") + missing
    return _PAID_WORDS[language == "id"][order.paid]


def packing_rows(
    catalog: Catalog, orders: list[Order], language: str = "en", currency: str = "IDR"
) -> list[list[Cell]]:
    """Per batch, a heading row then one row per confirmed order, in queue order."""
    rows: list[list[Cell]] = []
    for batch in sorted(catalog.batches, key=lambda b: b.opens):
        mine = [
            o
            for o in orders
            if o.status is Decision.CONFIRMED and o.batch is not None and o.batch.name == batch.name
        ]
        if not mine:
            continue
        rows.append(
            [cells.safe_text(f"— {batch.name} —"), None, None, None, None, None, None, None]
        )
        for order in mine:
            response = order.response
            rows.append(
                [
                    order.number,
                    cells.safe_text(response.name) if response else "",
                    phone_display(response.phone, response.phone_grouped) if response else "",
                    cells.safe_text(response.address) if response else "",
                    cells.safe_text(response.delivery) if response else "",
                    cells.safe_text(items_text(order.lines)),
                    cells.safe_text(response.notes) if response else "",
                    paid_word(order, language, currency),
                ]
            )
    return rows
