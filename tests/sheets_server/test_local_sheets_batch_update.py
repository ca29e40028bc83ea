"""spreadsheets:batchUpdate: the requests the project sends, their replies and their errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openorder_sheets.testing.sheets_server import SheetsServer

if TYPE_CHECKING:
    from conftest import Api


def _batch(api: Api, book: str, *requests: dict[str, Any]) -> Any:
    return api.sheets(book)("POST", ":batchUpdate", {"requests": list(requests)})


def test_add_sheet_reply_and_index_moves(server: SheetsServer, api: Api) -> None:
    """addSheet answers full properties; updateSheetProperties.index moves tabs Google's way."""
    book = server.create_spreadsheet("Shop")
    reply = _batch(
        api,
        book,
        {"addSheet": {"properties": {"title": "Orders", "gridProperties": {"rowCount": 5}}}},
    )
    props = reply.json()["replies"][0]["addSheet"]["properties"]
    assert props["title"] == "Orders"
    assert props["index"] == 1
    assert props["sheetType"] == "GRID"
    assert props["gridProperties"] == {"rowCount": 5, "columnCount": 26}
    _batch(api, book, {"addSheet": {"properties": {"title": "Stats"}}})
    sheet1 = 0
    _batch(
        api,
        book,
        {
            "updateSheetProperties": {
                "properties": {"sheetId": sheet1, "index": 2},
                "fields": "index",
            }
        },
    )
    assert server.sheet_titles(book) == ["Orders", "Sheet1", "Stats"]


def test_update_sheet_properties_masks(server: SheetsServer, api: Api) -> None:
    """Only masked fields change; zero frozen counts disappear from metadata like Google's."""
    book = server.create_spreadsheet("Shop")
    props = {
        "sheetId": 0,
        "title": "Renamed",
        "gridProperties": {"frozenRowCount": 2, "rowCount": 9},
    }
    _batch(
        api,
        book,
        {"updateSheetProperties": {"properties": props, "fields": "gridProperties/frozenRowCount"}},
    )
    grid = server.sheet_properties(book, "Sheet1")["gridProperties"]
    assert grid == {"rowCount": 1000, "columnCount": 26, "frozenRowCount": 2}
    _batch(
        api,
        book,
        {
            "updateSheetProperties": {
                "properties": props,
                "fields": "title,gridProperties(rowCount)",
            }
        },
    )
    assert server.sheet_properties(book, "Renamed")["gridProperties"]["rowCount"] == 9
    unfreeze = {"sheetId": 0, "gridProperties": {"frozenRowCount": 0}}
    _batch(
        api,
        book,
        {
            "updateSheetProperties": {
                "properties": unfreeze,
                "fields": "gridProperties.frozenRowCount",
            }
        },
    )
    assert "frozenRowCount" not in server.sheet_properties(book, "Renamed")["gridProperties"]


def test_repeat_cell_with_fields_mask_and_read_back(server: SheetsServer, api: Api) -> None:
    """repeatCell applies only masked format fields; grid data answers through a fields mask."""
    book = server.create_spreadsheet("Shop", {"Orders": [["Qty"], [1234.5]]})
    fmt = {"numberFormat": {"type": "NUMBER", "pattern": "#,##0.00"}, "textFormat": {"bold": True}}
    grid_range = {
        "sheetId": 0,
        "startRowIndex": 1,
        "endRowIndex": 2,
        "startColumnIndex": 0,
        "endColumnIndex": 1,
    }
    _batch(
        api,
        book,
        {
            "repeatCell": {
                "range": grid_range,
                "cell": {"userEnteredFormat": fmt},
                "fields": "userEnteredFormat.numberFormat",
            }
        },
    )
    assert server.cell_format(book, "Orders", "A2") == {"numberFormat": fmt["numberFormat"]}
    assert server.get_values(book, "Orders") == [["Qty"], ["1,234.50"]]
    data = api.sheets(book)(
        "GET",
        "",
        ranges="Orders!A2",
        fields="sheets.data.rowData.values(formattedValue,effectiveValue)",
    )
    assert data.json() == {
        "sheets": [
            {
                "data": [
                    {
                        "rowData": [
                            {
                                "values": [
                                    {
                                        "effectiveValue": {"numberValue": 1234.5},
                                        "formattedValue": "1,234.50",
                                    },
                                ]
                            }
                        ]
                    }
                ]
            }
        ]
    }


def test_dimensions_insert_delete_append(server: SheetsServer, api: Api) -> None:
    """insertDimension/deleteDimension move data and resize; appendDimension grows the grid."""
    book = server.create_spreadsheet("Shop", {"T": [["a", "b"], ["c", "d"]]})
    rows = {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2}
    cols = {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}
    _batch(api, book, {"insertDimension": {"range": rows}}, {"deleteDimension": {"range": cols}})
    assert server.get_values(book, "T") == [["b"], [], ["d"]]
    _batch(api, book, {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 10}})
    grid = server.sheet_properties(book, "T")["gridProperties"]
    assert (grid["rowCount"], grid["columnCount"]) == (1011, 25)


def test_sort_range_sorts_rows(server: SheetsServer, api: Api) -> None:
    """sortRange sorts the rows of a range (numbers before text, blanks last)."""
    book = server.create_spreadsheet(
        "Shop", {"T": [["h", "n"], ["x", 3], ["y", ""], ["z", 1], ["w", "t"]]}
    )
    spec = {
        "range": {
            "sheetId": 0,
            "startRowIndex": 1,
            "endRowIndex": 5,
            "startColumnIndex": 0,
            "endColumnIndex": 2,
        },
        "sortSpecs": [{"dimensionIndex": 1, "sortOrder": "ASCENDING"}],
    }
    _batch(api, book, {"sortRange": spec})
    assert server.get_values(book, "T") == [["h", "n"], ["z", "1"], ["x", "3"], ["w", "t"], ["y"]]


def test_chart_protected_range_and_metadata(server: SheetsServer, api: Api) -> None:
    """addChart answers a chartId and the spec; charts and protected ranges show in metadata."""
    book = server.create_spreadsheet("Shop")
    chart = {
        "spec": {"title": "Sales", "basicChart": {"chartType": "COLUMN"}},
        "position": {"overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": 1}}},
    }
    protect = {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1}, "warningOnly": True}
    replies = _batch(
        api,
        book,
        {"addChart": {"chart": chart}},
        {"addProtectedRange": {"protectedRange": protect}},
    )
    first, second = replies.json()["replies"]
    assert first["addChart"]["chart"]["spec"] == chart["spec"]
    assert isinstance(first["addChart"]["chart"]["chartId"], int)
    assert second["addProtectedRange"]["protectedRange"]["warningOnly"] is True
    meta = api.sheets(book)("GET", "", fields="sheets.charts,sheets.protectedRanges").json()
    assert meta["sheets"][0]["charts"][0]["chartId"] == first["addChart"]["chart"]["chartId"]
    assert len(server.charts(book)) == 1
    assert len(server.protected_ranges(book)) == 1


def test_spreadsheet_properties_and_accepted_requests(server: SheetsServer, api: Api) -> None:
    """updateSpreadsheetProperties changes title/locale/timeZone; resize requests are accepted."""
    book = server.create_spreadsheet("Shop")
    props = {"title": "Toko", "locale": "id_ID", "timeZone": "Asia/Jakarta"}
    dims = {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 3}
    reply = _batch(
        api,
        book,
        {"updateSpreadsheetProperties": {"properties": props, "fields": "title,locale,timeZone"}},
        {"autoResizeDimensions": {"dimensions": dims}},
        {
            "updateDimensionProperties": {
                "range": dims,
                "properties": {"pixelSize": 150},
                "fields": "pixelSize",
            }
        },
    )
    assert reply.json()["replies"] == [{}, {}, {}]
    meta = server.spreadsheet(book)["properties"]
    assert (meta["title"], meta["locale"], meta["timeZone"]) == ("Toko", "id_ID", "Asia/Jakarta")


def test_unknown_request_and_atomic_failure(server: SheetsServer, api: Api) -> None:
    """Unknown kinds get Google's 'Unknown name' 400; a failing batch leaves nothing applied."""
    book = server.create_spreadsheet("Shop")
    unknown = _batch(api, book, {"frobnicate": {}})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == (
        "Invalid JSON payload received. "
        "Unknown name \"frobnicate\" at 'requests[0]': Cannot find field."
    )
    failing = _batch(
        api,
        book,
        {"addSheet": {"properties": {"title": "Orders"}}},
        {"deleteSheet": {"sheetId": 42}},
    )
    assert failing.json()["error"] == {
        "code": 400,
        "message": "Invalid requests[1].deleteSheet: No sheet with id: 42",
        "status": "INVALID_ARGUMENT",
    }
    assert server.sheet_titles(book) == ["Sheet1"]


def test_out_of_grid_and_last_sheet_errors(server: SheetsServer, api: Api) -> None:
    """Ranges outside the grid and deleting the only sheet are refused like Google."""
    book = server.create_spreadsheet("Shop")
    beyond = {
        "sheetId": 0,
        "startRowIndex": 999,
        "endRowIndex": 1001,
        "startColumnIndex": 0,
        "endColumnIndex": 1,
    }
    bad = _batch(
        api, book, {"repeatCell": {"range": beyond, "cell": {}, "fields": "userEnteredFormat"}}
    )
    assert bad.json()["error"]["message"] == (
        "Invalid requests[0].repeatCell: Range (Sheet1!A1000:A1001) exceeds grid limits. "
        "Max rows: 1000, max columns: 26"
    )
    last = _batch(api, book, {"deleteSheet": {"sheetId": 0}})
    assert last.json()["error"]["message"] == (
        "Invalid requests[0].deleteSheet: You can't remove all the sheets in a document."
    )


def test_failed_batch_rolls_back_values_and_formats(server: SheetsServer, api: Api) -> None:
    """A batch whose last request fails leaves earlier value and format changes undone."""
    book = server.create_spreadsheet("Shop", {"T": [["a", "b"]]})
    cell = {
        "sheetId": 0,
        "startRowIndex": 0,
        "endRowIndex": 1,
        "startColumnIndex": 0,
        "endColumnIndex": 1,
    }
    bold = {
        "userEnteredFormat": {"textFormat": {"bold": True}},
        "userEnteredValue": {"stringValue": "z"},
    }
    reply = _batch(
        api,
        book,
        {
            "repeatCell": {
                "range": cell,
                "cell": bold,
                "fields": "userEnteredFormat,userEnteredValue",
            }
        },
        {
            "insertDimension": {
                "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 2}
            }
        },
        {"deleteSheet": {"sheetId": 99}},
    )
    assert reply.status_code == 400
    assert server.get_values(book, "T") == [["a", "b"]]
    assert server.cell_format(book, "T", "A1") is None
    assert server.sheet_properties(book, "T")["gridProperties"]["rowCount"] == 1000


def test_update_cells_and_grid_data(server: SheetsServer, api: Api) -> None:
    """updateCells writes values and notes; includeGridData answers CellData for them."""
    book = server.create_spreadsheet("Shop")
    rows = [{"values": [{"userEnteredValue": {"numberValue": 2.5}, "note": "price"}, {}]}]
    start = {"sheetId": 0, "rowIndex": 1, "columnIndex": 1}
    _batch(
        api,
        book,
        {"updateCells": {"rows": rows, "start": start, "fields": "userEnteredValue,note"}},
    )
    data = api.sheets(book)("GET", "", ranges="Sheet1!B2", includeGridData="true").json()
    grid = data["sheets"][0]["data"][0]
    assert (grid["startRow"], grid["startColumn"]) == (1, 1)
    cell = grid["rowData"][0]["values"][0]
    assert cell["userEnteredValue"] == {"numberValue": 2.5}
    assert cell["formattedValue"] == "2.5"
    assert cell["note"] == "price"
    assert cell["effectiveFormat"]["textFormat"]["fontFamily"] == "arial,sans,sans-serif"


def test_create_spreadsheet_with_sheets(server: SheetsServer, api: Api) -> None:
    """POST /v4/spreadsheets creates the requested tabs and answers the Spreadsheet resource."""
    body = {
        "properties": {"title": "Toko", "locale": "id_ID"},
        "sheets": [{"properties": {"title": "Produk"}}, {"properties": {"title": "Pesanan"}}],
    }
    created = api.call("POST", "/v4/spreadsheets", body).json()
    assert created["properties"]["title"] == "Toko"
    assert created["properties"]["locale"] == "id_ID"
    assert [s["properties"]["title"] for s in created["sheets"]] == ["Produk", "Pesanan"]
    assert [s["properties"]["index"] for s in created["sheets"]] == [0, 1]
    assert created["spreadsheetUrl"].endswith(f"/d/{created['spreadsheetId']}/edit")
