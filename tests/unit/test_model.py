"""The values (core/model.py): a batch window includes its opening and excludes its closing; an
order owes its total plus its unique code; paid means paid in full."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from openorder_sheets.core.model import (
    Batch,
    Catalog,
    Decision,
    Line,
    Order,
    PaidKind,
    PaidMark,
    PriorOrder,
    Product,
    Stage,
    evolve,
    quantities_of,
)

ZONE = dt.timezone(dt.timedelta(hours=7))
OPENS = dt.datetime(2027, 2, 1, 9, tzinfo=ZONE)
PO1 = Batch("PO 1", OPENS, OPENS + dt.timedelta(days=7), None, Stage.NONE, "", 2)
PO2 = Batch(
    "PO 2", OPENS + dt.timedelta(days=14), OPENS + dt.timedelta(days=21), None, Stage.NONE, "", 3
)
NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", None, None, True, "", 2)
PUTRI = Product("PUTRI", "Putri Salju", Decimal(75000), "jar", None, None, True, "", 3)
CATALOG = Catalog((NASTAR, PUTRI), (), (PO2, PO1))


def order(paid: int = 0, code: int | None = 123) -> Order:
    lines = (Line(NASTAR, 2), Line(PUTRI, 1))
    return Order(
        "PO-0001",
        None,
        None,
        PO1,
        OPENS,
        lines,
        Decision.CONFIRMED,
        (),
        code=code,
        paid_amount=Decimal(paid),
    )


def test_a_window_holds_its_opening_moment_but_not_its_closing_one() -> None:
    """An answer at exactly the closing time belongs to no batch."""
    assert CATALOG.batch_at(OPENS) is PO1
    assert CATALOG.batch_at(PO1.closes - dt.timedelta(seconds=1)) is PO1
    assert CATALOG.batch_at(PO1.closes) is None


def test_the_catalog_finds_products_and_batches_by_name_and_the_next_window() -> None:
    """Lookups by SKU and name; the next batch is the earliest that opens later."""
    assert CATALOG.product("PUTRI") is PUTRI
    assert CATALOG.product("KASTENGEL") is None
    assert CATALOG.batch_named("PO 2") is PO2
    assert CATALOG.batch_named("PO 3") is None
    assert CATALOG.next_batch_after(OPENS - dt.timedelta(days=1)) is PO1
    assert CATALOG.next_batch_after(OPENS) is PO2
    assert CATALOG.next_batch_after(PO2.opens) is None


def test_an_order_owes_its_total_plus_its_unique_code() -> None:
    """2 × 85,000 + 75,000 = 245,000; with code 123 the buyer transfers 245,123."""
    assert order().total == Decimal(245000)
    assert order().amount_to_pay == Decimal(245123)
    assert order(code=None).amount_to_pay == Decimal(245000)
    assert quantities_of(order().lines) == (("NASTAR", 2), ("PUTRI", 1))


def test_paid_means_paid_in_full_and_partly_paid_is_anything_less() -> None:
    """Nothing received is neither; less than owed is partly paid; all of it is paid."""
    assert (order().paid, order().partly_paid) == (False, False)
    assert (order(100000).paid, order(100000).partly_paid) == (False, True)
    assert (order(245123).paid, order(245123).partly_paid) == (True, False)


def test_only_confirmed_and_waitlisted_orders_hold_a_place() -> None:
    """Rejected, duplicate, cancelled or expired orders do not count against limits."""
    assert {d for d in Decision if d.is_counted} == {Decision.CONFIRMED, Decision.WAITLISTED}


def test_a_paid_mark_is_remembered_as_its_kind_or_amount() -> None:
    """The memo compares one sync's Paid cell with the next one's."""
    assert PaidMark().memo == "blank"
    assert PaidMark(PaidKind.YES).memo == "yes"
    assert (
        PaidMark(PaidKind.AMOUNT, Decimal(165000)).memo
        != PaidMark(PaidKind.AMOUNT, Decimal(1)).memo
    )


def test_evolve_is_replace_without_init_and_refuses_unknown_fields() -> None:
    """`evolve` (the sync's fast `dataclasses.replace`) gives the same value, leaves the
    original as it was, and names a field the value does not have."""
    prior = PriorOrder("PO-0001", "PO 1", None, "a@example.com", None, 2)
    changed = evolve(prior, status=Decision.CONFIRMED, seq=3)
    assert changed == dataclasses.replace(prior, status=Decision.CONFIRMED, seq=3)
    assert hash(changed) == hash(dataclasses.replace(prior, status=Decision.CONFIRMED, seq=3))
    assert prior.status is None
    assert prior.seq == 0
    with pytest.raises(TypeError, match="no field colour"):
        evolve(prior, colour="red")
