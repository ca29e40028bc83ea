"""Properties over random shops: never oversold, idempotent, sticky, and never a crash."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openorder_sheets.core.cells import text
from openorder_sheets.errors import OpenOrderError
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


any_cell = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(),
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
            "sent",
        ]
    ),
)
places = st.lists(
    st.tuples(
        st.sampled_from(["products", "batches", "responses", "orders", "emails"]),
        st.integers(0, 5),
        st.integers(0, 12),
        any_cell,
    ),
    max_size=6,
)


@HYPOTHESIS
@given(rows=responses, edits=places)
def test_any_value_in_any_cell_never_crashes_a_sync(
    rows: list[tuple[int, str, list[object]]], edits: list[tuple[str, int, int, object]]
) -> None:
    """SPEC §8: any cell value of any type yields a problem or a config error, never a crash."""
    with tempfile.TemporaryDirectory() as folder:
        shop = build(Path(folder), [(5, 2), (None, None), (3, None)], rows)
        shop.sync(NOW)
        backend = shop.backend
        for key, row, column, value in edits:
            grid = backend.tabs[shop.config.tab(key)]  # type: ignore[attr-defined]
            while len(grid) <= row:
                grid.append([])
            if len(grid[row]) <= column:
                grid[row].extend([None] * (column + 1 - len(grid[row])))
            grid[row][column] = value
        try:
            shop.sync(NOW)
        except OpenOrderError as error:  # a clear error is allowed; anything else fails
            message = str(error)
        else:
            message = "ok"
        assert message
