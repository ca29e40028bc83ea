"""Properties over random shops: never oversold, idempotent, sticky, and never a crash.

The crash properties put values of every type (huge and non-finite numbers too) into every
tab, on the in-memory sheet and in a real `.xlsx` with merged ranges, and check that every
order the edits did not touch is still processed.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet

from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.core.cells import text
from openorder_sheets.errors import ConfigError, OpenOrderError
from openorder_sheets.testing.fakes import MemorySheet
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

NOW = "2027-02-20 10:00"
OPENS = dt.datetime(2027, 2, 1, 9)
EMAILS = ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]
NAMES = ["Nastar", "Kastengel", "Putri"]

quantities = st.one_of(st.integers(0, 4), st.sampled_from(["1", "2 jar", "3x", "dua", "", "-"]))
responses = st.lists(
    st.tuples(
        st.integers(-24 * 60, 16 * 24 * 60),
        st.sampled_from(EMAILS),
        st.lists(quantities, min_size=3, max_size=3),
    ),
    max_size=14,
)
products = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(0, 6)), st.one_of(st.none(), st.integers(1, 4))),
    min_size=1,
    max_size=3,
)

HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build(
    folder: Path,
    specs: list[tuple[int | None, int | None]],
    rows: list[tuple[int, str, list[object]]],
) -> BuiltShop:
    builder = ShopBuilder(folder)
    for index, (capacity, limit) in enumerate(specs):
        builder.product(f"P{index}", NAMES[index], 10000, capacity=capacity, max_per_buyer=limit)
    builder.batch("PO 1", OPENS, OPENS + dt.timedelta(days=14))
    for minutes, email, amounts in rows:
        by_name = {NAMES[i]: amounts[i] for i in range(len(specs))}
        builder.response(OPENS + dt.timedelta(minutes=minutes), email, email[0].upper(), **by_name)  # type: ignore[arg-type]
    return builder.build()


def confirmed_units(shop: BuiltShop) -> dict[str, int]:
    units: dict[str, int] = defaultdict(int)
    for order in shop.orders():
        if order["Status"] != "Confirmed":
            continue
        for part in text(order["Items"]).split(", "):
            if part:
                amount, name = part.split("× ", 1)
                units[name] += int(amount)
    return units


def assert_never_oversold(shop: BuiltShop, specs: list[tuple[int | None, int | None]]) -> None:
    units = confirmed_units(shop)
    for index, (capacity, _) in enumerate(specs):
        if capacity is not None:
            assert units[NAMES[index]] <= capacity


@HYPOTHESIS
@given(specs=products, rows=responses, cancel=st.sets(st.integers(1, 14), max_size=3))
def test_never_oversold_and_a_second_sync_is_a_no_op(
    specs: list[tuple[int | None, int | None]],
    rows: list[tuple[int, str, list[object]]],
    cancel: set[int],
) -> None:
    """Never more confirmed than capacity; a re-sync writes no cell and sends no email."""
    with tempfile.TemporaryDirectory() as folder:
        shop = build(Path(folder), specs, rows)
        shop.sync(NOW)
        assert_never_oversold(shop, specs)
        snapshot = {key: shop.grid(key) for key in ("orders", "summary", "emails")}
        sent = len(shop.transport.sent)
        report = shop.sync(NOW)
        assert report.tabs_written == []
        assert {key: shop.grid(key) for key in snapshot} == snapshot
        assert len(shop.transport.sent) == sent
        for number in cancel:
            if number <= len(shop.orders()):
                shop.set_order_cell(f"PO-{number:04d}", "seller_action", "Cancel")
        shop.sync(NOW)
        assert_never_oversold(shop, specs)
        keys = [row["Key"] for row in shop.table("emails")]
        assert len(keys) == len(set(keys))
        assert len(shop.transport.sent) == len({m["Message-ID"] for m in shop.transport.sent})


@HYPOTHESIS
@given(specs=products, rows=responses, lower=st.integers(0, 3))
def test_confirmed_orders_are_sticky_when_capacity_drops(
    specs: list[tuple[int | None, int | None]],
    rows: list[tuple[int, str, list[object]]],
    lower: int,
) -> None:
    """A confirmed order stays confirmed when capacity is lowered below what is confirmed."""
    with tempfile.TemporaryDirectory() as folder:
        shop = build(Path(folder), specs, rows)
        shop.sync(NOW)
        confirmed = {text(o["Order"]) for o in shop.orders() if o["Status"] == "Confirmed"}
        shop.set_cell("products", 1, "Capacity", lower)
        shop.sync(NOW)
        still = {text(o["Order"]) for o in shop.orders() if o["Status"] == "Confirmed"}
        assert confirmed <= still


#: The decision words a processed order shows (SPEC §3).
STATUS_WORDS = {
    "Confirmed",
    "Waitlisted",
    "Rejected",
    "Needs attention",
    "Duplicate",
    "Cancelled",
    "Expired",
}
#: How many shops each fuzz property generates (raise it to hunt: OPENORDER_FUZZ_EXAMPLES=2000).
FUZZ_EXAMPLES = int(os.environ.get("OPENORDER_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES or 60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
FUZZ_WORKBOOK = settings(FUZZ, max_examples=FUZZ_EXAMPLES or 20)

huge_numbers = st.sampled_from(
    [
        1e24,
        -1e24,
        1.7976931348623157e308,
        5e-324,
        float("inf"),
        float("-inf"),
        float("nan"),
        10**15,
        10**24,
        -(10**30),
    ]
)
#: Ints past a double (str() of the second raises in Python ≥ 3.11). No real sheet holds one
#: (Excel and Google store doubles), so they go into the tabs the tool only reads; in a tab
#: the tool writes, see tests/robustness/test_huge_numbers.py (a known crash, xfail).
beyond_a_double = st.sampled_from([10**400, -(10**400), 10**5000])
TOOL_WRITTEN = {"orders", "summary", "materials_needed", "packing", "emails", "state"}
huge_texts = st.sampled_from(
    ["1e24", "1E400", "-1e24", "9" * 400, "Infinity", "-inf", "NaN", "sNaN", "Rp 1e30", "1e-999999"]
)
any_cell = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    huge_numbers,
    huge_texts,
    st.text(max_size=30),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(),
    st.times(),
    st.sampled_from(
        [
            "=1+1",
            "TRUE",
            "Ya",
            "dua",
            "1.5",
            "-",
            "Rp 85.000",
            "Confirmed",
            "Cancel",
            "PO-0001",
            "PO-0002",
            "sent",
            "sending",
            "2027-02-02 10:00",
            "'=cmd",
        ]
    ),
)
#: Every tab a shop has: the seller's, the responses, the tool's views and its memory.
TAB_KEYS = list(ShopBuilder(Path(".")).config().tabs)
places = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(TAB_KEYS), st.integers(0, 6), st.integers(0, 20), any_cell),
        st.tuples(
            st.sampled_from([key for key in TAB_KEYS if key not in TOOL_WRITTEN]),
            st.integers(0, 6),
            st.integers(0, 20),
            beyond_a_double,
        ),
    ),
    max_size=8,
)
#: (tab, first row, first column, rows, columns) of a range a seller merges (1-based).
merges = st.lists(
    st.tuples(
        st.sampled_from(TAB_KEYS),
        st.integers(1, 6),
        st.integers(1, 20),
        st.integers(1, 3),
        st.integers(1, 4),
    ).filter(lambda m: m[3] * m[4] > 1),
    max_size=4,
)


def _fuzz_shop(folder: Path, rows: list[tuple[int, str, list[object]]], backend: str) -> BuiltShop:
    builder = ShopBuilder(folder, backend=backend)
    for index, (capacity, limit) in enumerate([(5, 2), (None, None), (3, None)]):
        builder.product(f"P{index}", NAMES[index], 10000, capacity=capacity, max_per_buyer=limit)
    builder.batch("PO 1", OPENS, OPENS + dt.timedelta(days=14))
    for minutes, email, amounts in rows:
        by_name = {NAMES[i]: amounts[i] for i in range(3)}
        builder.response(OPENS + dt.timedelta(minutes=minutes), email, email[0].upper(), **by_name)  # type: ignore[arg-type]
    return builder.build()


def _response_rows(shop: BuiltShop) -> dict[int, tuple[object, ...]]:
    """Sheet row number → the response row's cells (non-empty rows only), as stored."""
    name = shop.config.tab("responses")
    grid = shop.backend.read([name]).tabs[name] or []
    return {
        number: tuple(row)
        for number, row in enumerate(grid[1:], start=2)
        if any(cell not in (None, "") for cell in row)
    }


def assert_sync_survives(shop: BuiltShop, before: dict[int, tuple[object, ...]]) -> None:
    """SPEC §8: a sync ends normally or with a one-sentence configuration error, never a crash;
    when it ends normally, every response row the edits did not touch is still an order with a
    decision word, and a second sync ends the same way."""
    after = _response_rows(shop)
    untouched = {number for number, row in before.items() if after.get(number) == row}
    for attempt in range(2):
        failure: OpenOrderError | None = None
        try:
            shop.sync(NOW)
        except OpenOrderError as error:  # allowed only as a clear configuration error
            failure = error
        if failure is not None:
            message = str(failure)
            assert isinstance(failure, ConfigError), f"{type(failure).__name__}: {message}"
            assert message.strip(), "an error without words"
            assert "\n" not in message.strip(), f"not one sentence: {message!r}"
            assert "Traceback" not in message
            return
        status_of_row = {
            text(order["Response row"]): text(order["Status"]) for order in shop.orders()
        }
        for number in untouched:
            status = status_of_row.get(str(number))
            assert status in STATUS_WORDS, (
                f"attempt {attempt + 1}: response row {number} (not edited) shows {status!r}"
            )


def _edit_memory(shop: BuiltShop, edits: list[tuple[str, int, int, object]]) -> None:
    backend = shop.backend
    assert isinstance(backend, MemorySheet)
    for key, row, column, value in edits:
        grid = backend.tabs.setdefault(shop.config.tab(key), [])
        while len(grid) <= row:
            grid.append([])
        if len(grid[row]) <= column:
            grid[row].extend([None] * (column + 1 - len(grid[row])))
        grid[row][column] = value  # type: ignore[assignment]


def _edit_workbook(
    shop: BuiltShop,
    edits: list[tuple[str, int, int, object]],
    merged: list[tuple[str, int, int, int, int]],
) -> None:
    """Edit and merge cells the way a seller's spreadsheet program would, and save."""
    backend = shop.backend
    assert isinstance(backend, WorkbookBackend)
    book = load_workbook(backend.path)

    def sheet(key: str) -> Worksheet:
        name = shop.config.tab(key)
        return book[name] if name in book.sheetnames else book.create_sheet(name)

    for key, row, column, value in edits:
        cell = sheet(key).cell(row=row + 1, column=column + 1)
        if isinstance(cell, MergedCell):
            continue
        try:
            cell.value = value
        except (IllegalCharacterError, ValueError, TypeError):
            continue  # no spreadsheet program can put that into a cell either
    for key, row, column, height, width in merged:
        last_row, last_column = row + height - 1, column + width - 1
        sheet(key).merge_cells(
            start_row=row, start_column=column, end_row=last_row, end_column=last_column
        )
    try:
        book.save(backend.path)
    except (ValueError, TypeError, OverflowError, AttributeError):  # openpyxl cannot write it
        assume(False)


@FUZZ
@given(rows=responses, edits=places)
def test_any_value_in_any_cell_never_crashes_a_sync(
    rows: list[tuple[int, str, list[object]]], edits: list[tuple[str, int, int, object]]
) -> None:
    """SPEC §8 (memory sheet): any value of any type — huge and non-finite numbers included —
    in any cell of any tab is a problem or a configuration error, and the other orders go on."""
    with tempfile.TemporaryDirectory() as folder:
        shop = _fuzz_shop(Path(folder), rows, "memory")
        shop.sync(NOW)
        before = _response_rows(shop)
        _edit_memory(shop, edits)
        assert_sync_survives(shop, before)


@FUZZ_WORKBOOK
@given(rows=responses, edits=places, merged=merges)
def test_any_value_or_merge_in_any_workbook_tab_never_crashes_a_sync(
    rows: list[tuple[int, str, list[object]]],
    edits: list[tuple[str, int, int, object]],
    merged: list[tuple[str, int, int, int, int]],
) -> None:
    """SPEC §8 (.xlsx): values of every type and merged ranges in every tab, saved by another
    program, never crash a sync, and every order the edits did not touch is still processed."""
    with tempfile.TemporaryDirectory() as folder:
        shop = _fuzz_shop(Path(folder), rows[:6], "workbook")
        shop.sync(NOW)
        before = _response_rows(shop)
        _edit_workbook(shop, edits, merged)
        assert_sync_survives(shop, before)
