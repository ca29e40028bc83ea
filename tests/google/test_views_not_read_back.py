"""A sync reads only what it decides from: the views it rewrites whole (Summary, Packing list,
Materials needed, Payments, Public status) are not read back once the memory holds a
fingerprint of what was written; a deleted view is still rebuilt at once."""

from __future__ import annotations

from pathlib import Path

from openorder_sheets.testing.fakes import ReadRecorder
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

VIEWS = {"Summary", "Packing list", "Materials needed", "Payments", "Public status"}


def shop_on_google(folder: Path, server: object) -> BuiltShop:
    builder = ShopBuilder(folder, backend="google", sheets_server=server)
    builder.product("NASTAR", "Nastar", 85000, capacity=3)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00")
    for minute in range(10, 50, 10):
        builder.response(f"2027-02-01 09:{minute}", f"b{minute}@example.com", "B", Nastar=1)
    builder.statement = []
    return builder.build()


def test_a_resync_reads_no_view_and_a_deleted_view_comes_back(
    tmp_path: Path, sheets_server: object
) -> None:
    shop = shop_on_google(tmp_path, sheets_server)
    shop.sync("2027-02-01T10:00")
    reading = ReadRecorder(shop.shop.backend)
    shop.shop.backend = reading  # type: ignore[assignment]
    shop.sync("2027-02-01T10:05")
    assert len(reading.asked) == 1
    assert not reading.asked[0] & VIEWS
    packing = shop.grid("packing")
    assert len(packing) == 5  # header, the batch heading and three confirmed orders

    google = reading.inner
    tab = shop.shop.config.tab("packing")
    sheet_id = sheets_server.sheet_properties(google.key, tab)["sheetId"]  # type: ignore[attr-defined]
    google.http.batch_update(google.key, {"requests": [{"deleteSheet": {"sheetId": sheet_id}}]})  # type: ignore[attr-defined]
    shop.sync("2027-02-01T10:10")
    assert shop.grid("packing") == packing


def test_a_view_that_shrinks_leaves_no_old_rows_behind(
    tmp_path: Path, sheets_server: object
) -> None:
    shop = shop_on_google(tmp_path, sheets_server)
    shop.sync("2027-02-01T10:00")
    shop.sync("2027-02-01T10:05")  # fingerprints in memory; views no longer read back
    for number in ("PO-0001", "PO-0002"):
        shop.set_order_cell(number, "seller_action", "Cancel")
    shop.sync("2027-02-01T11:00")
    rows = [row for row in shop.grid("packing")[1:] if any(c not in (None, "") for c in row)]
    assert [row[0] for row in rows] == ["— PO 1 —", "PO-0003", "PO-0004"]  # nothing left over
