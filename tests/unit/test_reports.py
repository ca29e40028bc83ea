"""The seller's reports (core/reports.py): one tally of what each batch's orders hold per
product, behind `Summary`, `status` and the sync's report."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from openorder_sheets.core.model import Batch, Catalog, Decision, Line, Order, Product, Stage
from openorder_sheets.core.reports import ProductFill, product_fill, summary_rows

ZONE = dt.timezone(dt.timedelta(hours=7))
OPENS = dt.datetime(2027, 2, 1, 9, tzinfo=ZONE)
PO1 = Batch("PO 1", OPENS, OPENS + dt.timedelta(days=7), None, Stage.NONE, "", 2)
PO2 = replace(PO1, name="PO 2", opens=OPENS + dt.timedelta(days=14), row=3)
NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", 10, None, True, "", 2)
KASTENGEL = Product("KASTENGEL", "Kastengel", Decimal(90000), "jar", 5, None, True, "", 3)


def order(number: str, batch: Batch, status: Decision, *lines: Line, paid: int = 0) -> Order:
    base = Order(number, None, None, batch, OPENS, lines, status, ())
    return replace(base, paid_amount=Decimal(paid))


ORDERS = [
    order("PO-0001", PO1, Decision.CONFIRMED, Line(NASTAR, 2), Line(KASTENGEL, 1), paid=260000),
    order("PO-0002", PO1, Decision.CONFIRMED, Line(NASTAR, 3)),
    order("PO-0003", PO1, Decision.WAITLISTED, Line(KASTENGEL, 4)),
    order("PO-0004", PO1, Decision.REJECTED, Line(NASTAR, 9)),
    order("PO-0005", PO2, Decision.CONFIRMED, Line(NASTAR, 1)),
]


def test_each_batch_and_product_counts_confirmed_waitlisted_and_what_paid_orders_paid() -> None:
    """Rejected orders hold nothing; a paid order's lines count in full, an unpaid one's not."""
    fill = product_fill(ORDERS)
    assert fill[("PO 1", "NASTAR")] == ProductFill(5, 0, Decimal(170000))
    assert fill[("PO 1", "KASTENGEL")] == ProductFill(1, 4, Decimal(90000))
    assert fill[("PO 2", "NASTAR")] == ProductFill(1, 0, Decimal(0))
    assert ("PO 2", "KASTENGEL") not in fill


def test_summary_rows_show_the_same_tally() -> None:
    """Summary's Confirmed, Waitlisted and Paid revenue columns are the tally's."""
    catalog = Catalog(products=(NASTAR, KASTENGEL), materials=(), batches=(PO1, PO2))
    rows, spans = summary_rows(catalog, ORDERS, "en")
    by_product = {(row[0], row[1]): row for row in rows if row[1]}
    assert by_product[("PO 1", "NASTAR")][4:6] == [5, 0]
    assert by_product[("PO 1", "KASTENGEL")][4:6] == [1, 4]
    assert by_product[("PO 1", "NASTAR")][9] == 170000
    assert set(spans) == {"PO 1", "PO 2"}


def test_an_archived_batch_leaves_the_summary_once_none_of_its_orders_is_live() -> None:
    """Its figures are in the archive; here a year of batches would read as empty."""
    catalog = Catalog(products=(NASTAR, KASTENGEL), materials=(), batches=(PO1, PO2))
    rows, spans = summary_rows(catalog, ORDERS[4:], "en", archived={"PO 1"})
    assert set(spans) == {"PO 2"}
    assert {row[0] for row in rows if row[1]} == {"PO 2"}
    _, spans = summary_rows(catalog, ORDERS, "en", archived={"PO 1"})  # still live orders
    assert set(spans) == {"PO 1", "PO 2"}
