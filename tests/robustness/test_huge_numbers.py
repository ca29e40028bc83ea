"""Issue 16 point 3: huge and non-finite numbers are a problem on one order, never a traceback."""

from __future__ import annotations

import decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from openorder_sheets.core import cells
from openorder_sheets.core.cells import text
from openorder_sheets.errors import SheetSetupError
from openorder_sheets.testing.shops import ShopBuilder

NOW = "2027-02-16 10:00"

HUGE = [1e24, 1.7e308, 10**24, 10**400, 10**5000, "1e24", "9" * 5000, "1e400"]
NOT_FINITE = [float("inf"), float("-inf"), float("nan")]


def _id(value: object) -> str:
    """A short test id (``repr`` itself raises on an int of 5,000 digits)."""
    return f"{type(value).__name__}:{cells.text(value)[:16]}"  # type: ignore[arg-type]


def _shop(tmp_path: Path, backend: str = "memory") -> ShopBuilder:
    shop = ShopBuilder(tmp_path, backend=backend)
    shop.product("NASTAR", "Nastar", 85000, capacity=10)
    shop.product("KASTENGEL", "Kastengel", 95000, capacity=4)
    shop.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    return shop


@pytest.mark.parametrize("value", HUGE + NOT_FINITE, ids=_id)
def test_every_cell_reader_refuses_huge_and_non_finite_numbers_with_a_cell_error(
    value: object,
) -> None:
    """Each number reader answers a huge/inf/nan value with CellError, never another exception."""
    for read in (cells.whole_number, cells.quantity, cells.money, cells.decimal_number):
        with pytest.raises(cells.CellError):
            read(value)  # type: ignore[arg-type]
    with pytest.raises(cells.CellError):  # a timestamp: no OverflowError from math.isfinite
        cells.when(value, ZoneInfo("Asia/Jakarta"))  # type: ignore[arg-type]
    assert cells.text(value)  # type: ignore[arg-type]  # showable, even with 5,000 digits


def test_the_largest_allowed_numbers_still_read_and_multiply_safely() -> None:
    """The bounds leave room: the largest quantity times the largest price formats fine."""
    assert cells.quantity(999_999_999) == 999_999_999
    assert cells.whole_number("999999999") == 999_999_999
    price = cells.money(10**12)
    assert price is not None
    with decimal.localcontext() as context:
        context.traps[decimal.Inexact] = False
        line = price * 999_999_999 * 1000  # a thousand such lines in one batch
        assert line.quantize(decimal.Decimal("0.01"))  # babel's step: must not trap
    assert cells.decimal_number("1e-999999") == 0  # no 999,999-digit sums later


@pytest.mark.parametrize("value", [1e24, 10**30, float("inf"), float("nan"), "1e24"], ids=_id)
def test_a_huge_quantity_makes_only_that_order_need_attention(
    tmp_path: Path, value: object
) -> None:
    """A 1e24 (or inf/nan) quantity: that order Needs attention naming the column; others go on."""
    shop = _shop(tmp_path)
    shop.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=value)  # type: ignore[arg-type]
    shop.response("2027-02-02 11:00", "b@example.com", "Budi", Nastar=2)
    built = shop.build()
    report = built.sync(NOW)
    assert built.status_of("PO-0001") == "Needs attention"
    problems = text(built.order("PO-0001")["Problems"])
    assert "Nastar" in problems
    assert cells.one_line(cells.text(value))[:12] in problems  # type: ignore[arg-type]
    assert built.status_of("PO-0002") == "Confirmed"
    assert built.transport.kinds_to("b@example.com") == ["order_confirmed"]
    assert report.emails_sent >= 1


def test_a_huge_quantity_in_the_workbook_syncs_and_emails_the_others(tmp_path: Path) -> None:
    """The reported crash: 1e24 in an .xlsx answer no longer stops every email after the write."""
    shop = _shop(tmp_path, backend="workbook")
    shop.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=1e24, Kastengel=1)
    shop.response("2027-02-02 11:00", "b@example.com", "Budi", Nastar=2)
    built = shop.build()
    built.sync(NOW)
    assert built.status_of("PO-0001") == "Needs attention"
    assert "1e+24" in text(built.order("PO-0001")["Problems"])
    assert built.transport.kinds_to("b@example.com") == ["order_confirmed"]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Price", 1e24),
        ("Price", 10**5000),
        ("Price", "1e400"),
        ("Price", float("nan")),
        ("Capacity", 1e24),
        ("Capacity", 10**30),
        ("Capacity", float("inf")),
        ("Max per buyer", 1e24),
    ],
    ids=_id,
)
def test_a_huge_price_or_capacity_is_a_setup_problem_naming_the_row(
    tmp_path: Path, column: str, value: object
) -> None:
    """A huge Price/Capacity/Max per buyer is a sheet set-up problem naming row and column."""
    shop = _shop(tmp_path)
    shop.response("2027-02-02 11:00", "b@example.com", "Budi", Nastar=2)
    built = shop.build()
    built.set_cell("products", 1, column, value)  # type: ignore[arg-type]
    with pytest.raises(SheetSetupError) as raised:
        built.sync(NOW)
    message = str(raised.value)
    assert "row 2" in message
    assert f"'{column}'" in message


def test_an_int_past_a_double_in_a_tool_tab_does_not_crash_a_sync(tmp_path: Path) -> None:
    """A 400-digit int in a tool tab's cell (memory sheet) is rewritten, not a crash."""
    shop = _shop(tmp_path)
    shop.response("2027-02-02 11:00", "b@example.com", "Budi", Nastar=2)
    built = shop.build()
    built.sync(NOW)
    built.set_cell("orders", 1, "Total", 10**400)
    built.sync(NOW)
    assert built.status_of("PO-0001") == "Confirmed"
