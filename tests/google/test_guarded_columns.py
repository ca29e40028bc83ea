"""On Google the cells the tool rewrites every sync are guarded: a seller typing `lunas` into
`Progress` (or anything into a view) is asked by Google to confirm first, because the next sync
replaces it — and on Google those cells are not read back, so the word would sit there until
its order changed. The seller's own columns (`Paid`, `Seller action`, `Tracking no.`, `Seller
note`; the statement's pasted columns; the set-up tabs) stay free, and nothing stops the tool.
"""

from __future__ import annotations

from pathlib import Path

from openorder_sheets.adapters.google_bodies import GUARD_DESCRIPTION
from openorder_sheets.core.layouts import tab_layout
from openorder_sheets.testing.sheets_server import SheetsServer
from openorder_sheets.testing.shops import ShopBuilder


def guarded_columns(server: SheetsServer, key: str) -> dict[str, set[int]]:
    """Tab title → the column indexes a warning-only protection covers (whole columns)."""
    titles = {
        sheet["properties"]["sheetId"]: sheet["properties"]["title"]
        for sheet in server.spreadsheet(key)["sheets"]
    }
    found: dict[str, set[int]] = {}
    for protected in server.protected_ranges(key):
        span = protected["range"]
        assert protected["warningOnly"] is True  # a warning, never a lock
        assert protected["description"] == GUARD_DESCRIPTION
        assert "startRowIndex" not in span  # whole columns: rows added later too
        assert "endRowIndex" not in span
        columns = range(span["startColumnIndex"], span["endColumnIndex"])
        found.setdefault(titles[span["sheetId"]], set()).update(columns)
    return found


def test_the_tools_columns_are_guarded_and_the_sellers_are_not(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    builder = ShopBuilder(tmp_path, backend="google", sheets_server=sheets_server)
    builder.product("NASTAR", "Nastar", 85000, capacity=4)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    builder.response("2027-02-02 10:00", "ani@example.com", "Ani", Nastar=1)
    builder.statement = []
    shop = builder.build()
    shop.sync("2027-02-02T11:00")
    shop.set_order_cell("PO-0001", "paid", True)  # the tool's own write is not stopped
    shop.sync("2027-02-02T12:00")
    assert shop.order("PO-0001")["Paid"] is True

    key = shop.backend.key  # type: ignore[attr-defined]
    guarded = guarded_columns(sheets_server, key)
    headers = [spec.header for spec in tab_layout("orders", "en").columns]
    free = {headers.index(h) for h in ("Paid", "Seller action", "Tracking no.", "Seller note")}
    assert guarded["Orders"] == set(range(len(headers))) - free
    statement = [spec.header for spec in tab_layout("statement", "en").columns]
    assert {statement[i] for i in guarded["Bank statement"]} == {
        "Result",
        "Paid order",
        "Orders to check",
    }
    for view in ("Summary", "Packing list", "Emails", "Payments"):
        width = len(shop.grid(view.lower().replace(" list", "").replace(" ", "_"))[0])
        assert guarded[view] >= set(range(width)), view
    assert "openorder (do not edit)" in guarded  # the memory, hidden as well
    for sellers in ("Products", "Batches", "Form Responses 1"):
        assert sellers not in guarded
