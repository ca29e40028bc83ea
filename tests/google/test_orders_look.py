"""The Google `Orders` tab's look: filter buttons and status colours, within the request budget.

Print settings are not part of the Sheets API (Google asks for them in File → Print), so the
print layout is the workbook's alone; here: filter, colours, and what they cost in requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openorder_sheets.adapters import google_bodies as build
from openorder_sheets.adapters.gsheet import GoogleSheetBackend
from openorder_sheets.core.layouts import tab_layout
from openorder_sheets.service.setup import tool_tabs
from openorder_sheets.testing.sheets_server import SheetsServer
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

NOW = "2027-02-16 10:00"
ORDERS = tab_layout("orders", "en")
STATUS = [spec.header for spec in ORDERS.columns].index("Status")
PROGRESS = STATUS + 1


def _builder(folder: Path, server: SheetsServer, orders: int = 6) -> ShopBuilder:
    builder = ShopBuilder(folder, backend="google", sheets_server=server)
    builder.product("NASTAR", "Nastar", 85000, capacity=4)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    for n in range(orders):
        builder.response(f"2027-02-02 10:{n:02d}", f"b{n}@example.com", f"Buyer {n}", Nastar=1)
    return builder


def _respond(shop: BuiltShop, n: int) -> None:
    """One more form answer, as Google Forms appends it."""
    grid = shop.grid("responses")
    row = list(grid[1])
    stamp = row[0]
    assert isinstance(stamp, dt.datetime)
    row[0] = stamp.replace(minute=30 + n)
    row[1] = f"late{n}@example.com"
    shop.replace_rows("responses", [*grid[1:], row])


def _backend(shop: BuiltShop) -> GoogleSheetBackend:
    assert isinstance(shop.backend, GoogleSheetBackend)
    return shop.backend


def _counts(shop: BuiltShop) -> dict[str, int]:
    found = dict(_backend(shop).requests.counts)
    _backend(shop).requests.counts.clear()
    return found


def _tab(server: SheetsServer, key: str, title: str) -> dict[str, Any]:
    sheets = server.spreadsheet(key)["sheets"]
    found: dict[str, Any] = next(s for s in sheets if s["properties"]["title"] == title)
    return found


def _rules_by_column(tab: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for rule in tab.get("conditionalFormats", []):
        found.setdefault(rule["ranges"][0]["startColumnIndex"], []).append(rule)
    return found


def _colour_of(rules: list[dict[str, Any]], word: str) -> dict[str, float] | None:
    for rule in rules:
        formula = rule["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
        if f'="{word}"' in formula:
            colour: dict[str, float] = rule["booleanRule"]["format"]["backgroundColor"]
            return colour
    return None


def test_the_first_sync_gives_orders_filter_buttons_and_status_colours_in_one_batch_update(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """Orders gets a filter over its whole header row and colours on Status and Progress."""
    shop = _builder(tmp_path, sheets_server).build()
    _counts(shop)
    shop.sync(NOW)
    assert _counts(shop)["batch_update"] == 1  # the tabs, their look: one request
    tab = _tab(sheets_server, _backend(shop).key, "Orders")
    grid = tab["basicFilter"]["range"]
    assert (grid["startRowIndex"], grid["startColumnIndex"]) == (0, 0)
    assert grid["endColumnIndex"] >= len(ORDERS.columns)
    assert grid["endRowIndex"] == tab["properties"]["gridProperties"]["rowCount"]
    rules = _rules_by_column(tab)
    assert set(rules) == {STATUS, PROGRESS}
    status = rules[STATUS]
    green = _colour_of(status, "Confirmed")
    assert green is not None
    assert green["green"] > green["red"]
    assert _colour_of(status, "Dikonfirmasi") == green  # a shop that switches language
    amber, red, grey = (_colour_of(status, w) for w in ("Waitlisted", "Rejected", "Expired"))
    assert amber is not None
    assert red is not None
    assert grey is not None
    assert red["red"] > red["green"]
    assert _colour_of(status, "Needs attention") == red
    assert max(grey.values()) - min(grey.values()) < 0.01  # a grey
    assert _colour_of(status, "Duplicate") == _colour_of(status, "Cancelled") == grey
    assert _colour_of(rules[PROGRESS], "Paid") == green
    assert _colour_of(rules[PROGRESS], "Awaiting payment") is None
    for rule in status:  # relative to the first row under the header, so it moves down
        assert rule["ranges"][0]["startRowIndex"] == 1
        assert "endRowIndex" not in rule["ranges"][0]  # however long the tab grows
    packing = _rules_by_column(_tab(sheets_server, _backend(shop).key, "Packing list"))
    assert _colour_of(packing[7], "Paid") == green
    orders = {str(o["Order"]): o for o in shop.orders()}
    assert {str(o["Status"]) for o in orders.values()} >= {"Confirmed", "Waitlisted"}


def test_a_resync_and_a_sync_that_writes_orders_add_no_request_for_the_look(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """Once the look is there, it costs nothing: not on a no-op, not when orders are added."""
    shop = _builder(tmp_path, sheets_server).build()
    shop.sync(NOW)
    _counts(shop)
    shop.sync(NOW)
    assert _counts(shop) == {"metadata_get": 1, "values_batch_get": 1}
    _respond(shop, 1)
    shop.sync(NOW)
    assert "batch_update" not in _counts(shop)
    tab = _tab(sheets_server, _backend(shop).key, "Orders")
    assert len(tab["conditionalFormats"]) == 6  # four on Status, two on Progress: never twice


def test_tabs_made_by_init_have_the_look_and_the_first_sync_adds_none(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """`init` creates the tool tabs with their look; the sync then has none of it to add."""
    shop = _builder(tmp_path, sheets_server).build()
    backend = _backend(shop)
    created = backend.create_tabs(tool_tabs(shop.config))
    assert "Orders" in created
    tab = _tab(sheets_server, backend.key, "Orders")
    assert "basicFilter" in tab
    assert len(tab["conditionalFormats"]) == 6
    sent: list[str] = []
    send = backend.http.batch_update

    def recorded(key: str, body: Mapping[str, Any] | None = None) -> Any:
        assert body is not None
        sent.extend(kind for request in body["requests"] for kind in request)
        return send(key, body)

    backend.http.batch_update = recorded  # type: ignore[method-assign,assignment]
    shop.sync(NOW)
    assert "setBasicFilter" not in sent
    assert "addConditionalFormatRule" not in sent


def test_a_tab_without_the_look_gets_it_once(tmp_path: Path, sheets_server: SheetsServer) -> None:
    """An Orders tab made by an older version (or stripped by the seller) is completed by the
    next sync that writes it, in one batchUpdate; the sync after adds nothing."""
    shop = _builder(tmp_path, sheets_server).build()
    shop.sync(NOW)
    backend = _backend(shop)
    sheet_id = _tab(sheets_server, backend.key, "Orders")["properties"]["sheetId"]
    stripped = [{"clearBasicFilter": {"sheetId": sheet_id}}]
    stripped += [{"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": 0}}] * 6
    backend.http.batch_update(backend.key, {"requests": stripped})
    assert "basicFilter" not in _tab(sheets_server, backend.key, "Orders")
    _respond(shop, 1)
    _counts(shop)
    shop.sync(NOW)
    assert _counts(shop)["batch_update"] == 1
    tab = _tab(sheets_server, backend.key, "Orders")
    assert "basicFilter" in tab
    assert len(tab["conditionalFormats"]) == 6
    _respond(shop, 2)
    shop.sync(NOW)
    assert "batch_update" not in _counts(shop)


def test_the_sellers_filter_grows_with_the_tab_and_keeps_what_she_chose(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """When new orders need more rows, the filter reaches them, with her sort and hidden values."""
    shop = _builder(tmp_path, sheets_server, orders=3).build()
    shop.sync(NOW)
    backend = _backend(shop)
    sheet_id = _tab(sheets_server, backend.key, "Orders")["properties"]["sheetId"]
    rows = 5  # a grid just big enough for the three orders: the next ones make it grow
    chosen: dict[str, Any] = {
        **build.whole_grid_filter(sheet_id, rows, len(ORDERS.columns)),
        "sortSpecs": [{"dimensionIndex": 0, "sortOrder": "DESCENDING"}],
        "filterSpecs": [{"columnIndex": STATUS, "filterCriteria": {"hiddenValues": ["Cancelled"]}}],
    }
    backend.http.batch_update(
        backend.key,
        {
            "requests": [
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sheet_id, "gridProperties": {"rowCount": rows}},
                        "fields": "gridProperties.rowCount",
                    }
                },
                build.set_basic_filter(chosen),
            ]
        },
    )
    for n in range(3):
        _respond(shop, n)
    shop.sync(NOW)
    tab = _tab(sheets_server, backend.key, "Orders")
    grown = tab["properties"]["gridProperties"]["rowCount"]
    assert grown > rows
    kept = tab["basicFilter"]
    assert kept["range"]["endRowIndex"] == grown
    assert kept["sortSpecs"] == chosen["sortSpecs"]
    assert kept["filterSpecs"] == chosen["filterSpecs"]
    assert len(shop.orders()) == 6


def test_a_filter_on_part_of_the_tab_is_left_as_the_seller_set_it() -> None:
    """Only a filter that reached the grid's edge follows it; a filter on A1:D20 stays."""
    part = {"range": {"sheetId": 1, "startRowIndex": 0, "endRowIndex": 20, "endColumnIndex": 4}}
    assert build.grown_filter(part, 1000, 19, 1500, 19) is None
    whole = {"range": {"sheetId": 1, "endRowIndex": 1000, "endColumnIndex": 19}, "criteria": {}}
    grown = build.grown_filter(whole, 1000, 19, 1500, 21)
    assert grown is not None
    assert grown["range"] == {"sheetId": 1, "endRowIndex": 1500, "endColumnIndex": 21}


def test_a_rule_google_rewrote_is_recognised_and_not_added_again() -> None:
    """Google may store `=OR( $J2 = "Confirmed" …)` differently spaced or cased: still ours."""
    status = ORDERS.columns[STATUS]
    formulas: set[str] = set()
    first = build.look_requests(
        7, [(STATUS, status)], 1000, 19, has_filter=False, formulas=formulas
    )
    assert len(first) == 1 + len(status.highlights)
    stored = first[1]["addConditionalFormatRule"]["rule"]
    text = stored["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
    stored["booleanRule"]["condition"]["values"][0]["userEnteredValue"] = (
        text.replace("J2", "$J2").replace(",", ", ").lower()
    )
    known = {build.rule_formula(r["addConditionalFormatRule"]["rule"]) for r in first[1:]}
    known.add(build.rule_formula(stored))
    again = build.look_requests(7, [(STATUS, status)], 1000, 19, has_filter=True, formulas=known)
    assert again == []
