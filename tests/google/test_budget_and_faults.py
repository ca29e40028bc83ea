"""The Google backend against the local Sheets API server: request budget and faults."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
import requests

from openorder_sheets.adapters.google_bodies import CHUNK_BYTES
from openorder_sheets.adapters.gsheet import GoogleSheetBackend, RetryPolicy
from openorder_sheets.core.cells import text
from openorder_sheets.errors import SheetUnreachable
from openorder_sheets.testing.sheets_server import SheetsServer
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

NOW = "2027-02-16 10:00"


def google_shop(folder: Path, server: SheetsServer, orders: int) -> BuiltShop:
    builder = ShopBuilder(folder, backend="google", sheets_server=server)
    builder.product("NASTAR", "Nastar", 85000, capacity=orders // 2 + 1)
    builder.product("KASTENGEL", "Kastengel", 95000)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    for n in range(orders):
        builder.response(
            f"2027-02-02 {10 + n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}",
            f"buyer{n}@example.com",
            f"Pembeli {n}",
            Nastar=1 + n % 2,
            Kastengel=n % 3,
        )
    return builder.build()


def backend(shop: BuiltShop) -> GoogleSheetBackend:
    assert isinstance(shop.backend, GoogleSheetBackend)
    return shop.backend


def counts(shop: BuiltShop) -> dict[str, int]:
    found = dict(backend(shop).requests.counts)
    backend(shop).requests.counts.clear()
    return found


@pytest.mark.parametrize("orders", [10, 5000])
def test_a_sync_makes_two_reads_and_at_most_two_writes(
    tmp_path: Path, sheets_server: SheetsServer, orders: int
) -> None:
    """SPEC §8: ≤ 2 reads and ≤ 2 writes (+1 per extra 2 MB); creating tabs adds one batchUpdate."""
    shop = google_shop(tmp_path, sheets_server, orders)
    counts(shop)
    backend(shop).bytes_sent = 0
    shop.sync(NOW)
    first = counts(shop)
    extra = math.floor(backend(shop).bytes_sent / CHUNK_BYTES)
    assert first["metadata_get"] + first["values_batch_get"] == 2
    assert first["values_batch_update"] <= 2 + extra
    assert first["batch_update"] == 1  # Orders, Summary, … did not exist yet
    assert len(shop.orders()) == orders
    counts(shop)
    shop.sync(NOW)
    again = counts(shop)
    assert again == {"metadata_get": 1, "values_batch_get": 1}


def test_one_500_then_success_completes_the_sync(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """A single server error is retried and the sync completes."""
    shop = google_shop(tmp_path, sheets_server, 3)
    sheets_server.fail_next(500, 1, kind="values_batch_get")
    shop.sync(NOW)
    assert len(shop.orders()) == 3
    assert backend(shop).requests.counts["values_batch_get"] >= 2


def test_a_429_storm_gives_up_with_exit_3_within_the_bound(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """A persistent 429 ends in SheetUnreachable (exit 3) once the retry budget is spent."""
    shop = google_shop(tmp_path, sheets_server, 3)
    backend(shop).retry = RetryPolicy(budget_seconds=2.0, first_delay=0.1)
    sheets_server.fail_next(429, 10_000)
    started = time.monotonic()
    try:
        with pytest.raises(SheetUnreachable, match="429") as caught:
            shop.sync(NOW)
    finally:
        sheets_server.clear_faults()
    assert caught.value.exit_code == 3
    assert time.monotonic() - started < 4.0


def test_the_default_retry_budget_is_about_two_minutes() -> None:
    """gspread's BackOffHTTPClient can retry for hours; ours stops after ~120 s of trying."""
    clock = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    policy = RetryPolicy(sleep=sleep, clock=lambda: clock[0])

    def dropped() -> None:
        raise requests.ConnectionError("reset by peer")

    with pytest.raises(SheetUnreachable, match="kept failing"):
        policy.run("reading", dropped)
    assert 60 <= clock[0] <= 120
    assert max(sleeps) <= 30
    assert len(sleeps) < 20


def test_a_dropped_connection_during_a_write_is_retried_without_duplicates(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """values:batchUpdate writes absolute cells, so resending it after a drop is safe."""
    shop = google_shop(tmp_path, sheets_server, 4)
    sheets_server.drop_next(1, kind="values_batch_update", after_apply=True)
    shop.sync(NOW)
    assert [text(o["Order"]) for o in shop.orders()] == [f"PO-{n:04d}" for n in range(1, 5)]
    assert len(shop.transport.sent) == 4
    assert len(shop.table("emails")) == 4


def test_a_drop_while_creating_tabs_is_repaired_by_the_next_run(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """A dropped tab-creating request stops the run (exit 3); the rerun repairs everything."""
    shop = google_shop(tmp_path, sheets_server, 4)
    sheets_server.drop_next(1, kind="batch_update", after_apply=True)
    with pytest.raises(SheetUnreachable):
        shop.sync(NOW)
    assert shop.transport.sent == []
    shop.sync(NOW)
    shop.sync(NOW)
    assert len(shop.orders()) == 4
    assert len(shop.transport.sent) == 4
    assert len({m["Message-ID"] for m in shop.transport.sent}) == 4


def test_a_seller_edit_between_read_and_write_survives(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """Seller columns are never written, so a tick landing mid-sync is kept."""
    shop = google_shop(tmp_path, sheets_server, 2)
    shop.sync(NOW)
    header = [text(c) for c in shop.grid("orders")[0]]
    paid = header.index("Paid")
    note = header.index("Seller note")
    grid = shop.grid("responses")
    late = list(grid[1])
    late[0] = late[0].replace(hour=12)  # type: ignore[union-attr]
    late[1] = "late@example.com"
    shop.replace_rows("responses", [*grid[1:], late])
    key = backend(shop).key
    letter = chr(ord("A") + paid)
    sheets_server.seller_edit(
        key,
        f"'Orders'!{letter}2:{chr(ord(letter) + 3)}2",
        [[True, "", "", "bayar tunai"]],
        before="values_batch_update",
    )
    shop.sync(NOW)
    first = shop.order("PO-0001")
    assert first["Paid"] is True
    assert first[header[note]] == "bayar tunai"
    assert len(shop.orders()) == 3


def test_a_seller_sort_during_a_write_is_repaired_by_the_next_sync(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """SPEC §3: a sort mid-sync leaves at worst stale tool cells; the next sync repairs them.

    Nothing is lost or duplicated: no new order number, no second confirmation, and each
    seller note stays with its order.
    """
    builder = ShopBuilder(tmp_path, backend="google", sheets_server=sheets_server)
    builder.product("NASTAR", "Nastar", 85000, capacity=100)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    for n, name in enumerate(["Zaki", "Yuni", "Xena", "Wati"]):
        builder.response(
            f"2027-02-02 10:{n:02d}", f"{name.lower()}@example.com", name, Nastar=1 + n
        )
    shop = builder.build()
    shop.sync(NOW)
    shop.set_order_cell("PO-0003", "seller_note", "for Xena")
    shop.set_order_cell("PO-0002", "paid", True)  # so this sync rewrites PO-0002's row
    sheets_server.seller_sort(backend(shop).key, "Orders", "D", before="values_batch_update")
    shop.sync(NOW)
    scrambled = shop.order("PO-0003")
    assert scrambled["Seller note"] == "for Xena"
    shop.sync(NOW)
    shop.sync(NOW)
    orders = {text(o["Order"]): o for o in shop.orders()}
    assert sorted(orders) == ["PO-0001", "PO-0002", "PO-0003", "PO-0004"]
    assert text(orders["PO-0003"]["Email"]) == "xena@example.com"
    assert text(orders["PO-0003"]["Items"]) == "3× Nastar"
    assert orders["PO-0003"]["Seller note"] == "for Xena"
    assert text(orders["PO-0002"]["Progress"]) == "Paid"
    kinds = [(str(m["To"]), str(m["X-OpenOrder-Kind"])) for m in shop.transport.sent]
    assert len(kinds) == len(set(kinds)) == 5


def test_the_summary_chart_follows_the_current_batch(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """When the next batch becomes current, the Filled % chart is pointed at its rows."""
    builder = ShopBuilder(tmp_path, backend="google", sheets_server=sheets_server)
    builder.product("NASTAR", "Nastar", 85000, capacity=10)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-15 21:00")
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=1)
    shop = builder.build()
    shop.sync("2027-02-10 10:00")
    key = backend(shop).key

    def chart_rows() -> tuple[int, int]:
        [chart] = sheets_server.charts(key)
        source = chart["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"]["sources"][0]
        return source["startRowIndex"], source["endRowIndex"]

    assert chart_rows() == (1, 2)  # PO 1's product row
    grid = shop.grid("responses")
    later = list(grid[1])
    later[0] = later[0].replace(month=3)  # type: ignore[union-attr]
    later[1] = "b@example.com"
    shop.replace_rows("responses", [*grid[1:], later])
    counts(shop)
    shop.sync("2027-03-02 10:00")
    assert counts(shop)["batch_update"] == 1
    summary = shop.grid("summary")
    first_po2 = next(i for i, row in enumerate(summary) if row and row[0] == "PO 2")
    assert chart_rows() == (first_po2, first_po2 + 1)
    counts(shop)
    shop.sync("2027-03-02 10:05")
    assert "batch_update" not in counts(shop)
