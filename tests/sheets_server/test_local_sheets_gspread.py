"""Real gspread 6 against the local server: the calls the project makes work end to end."""

from __future__ import annotations

import gspread
import pytest
from gspread.utils import ValidationConditionType

from openorder_sheets.testing.sheets_server import SheetsServer, local_client


def test_open_by_key_and_get_all_values(server: SheetsServer, gc: gspread.Client) -> None:
    """open_by_key + get_all_values returns the rectangular grid gspread builds from our answer."""
    book = server.create_spreadsheet(
        "Shop", {"Orders": [["Name", "Qty"], ["Ani", 2], [], ["Budi"]]}
    )
    sheet = gc.open_by_key(book)
    assert sheet.title == "Shop"
    assert sheet.locale == "en_US"
    assert sheet.timezone == "Etc/GMT"
    rows = sheet.worksheet("Orders").get_all_values()
    assert rows == [["Name", "Qty"], ["Ani", "2"], ["", ""], ["Budi", ""]]


def test_create_add_and_delete_worksheets(server: SheetsServer, gc: gspread.Client) -> None:
    """Client.create, add_worksheet and del_worksheet go through Drive and batchUpdate."""
    sheet = gc.create("New shop")
    tab = sheet.add_worksheet("Orders", rows=10, cols=5)
    assert [w.title for w in sheet.worksheets()] == ["Sheet1", "Orders"]
    assert (tab.row_count, tab.col_count) == (10, 5)
    sheet.del_worksheet(sheet.sheet1)
    assert server.sheet_titles(sheet.id) == ["Orders"]
    assert [f["name"] for f in gc.list_spreadsheet_files()] == ["New shop"]


def test_update_batch_get_and_unformatted_serials(server: SheetsServer, gc: gspread.Client) -> None:
    """update (USER_ENTERED) then batch_get / values_batch_get with UNFORMATTED + SERIAL_NUMBER."""
    sheet = gc.open_by_key(server.create_spreadsheet("Shop"))
    ws = sheet.sheet1
    ws.update([["Date", "Total"], ["2024-01-05", "=2*3"]], "A1", value_input_option="USER_ENTERED")
    assert ws.batch_get(["A1:B1", "A2:B2"]) == [[["Date", "Total"]], [["2024-01-05", "6"]]]
    params = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
    reply = sheet.values_batch_get(["Sheet1!A2:B2"], params=params)
    assert reply["valueRanges"][0]["values"] == [[45296, 6]]


def test_append_row_and_batch_update(server: SheetsServer, gc: gspread.Client) -> None:
    """append_row lands under the table; Worksheet.batch_update writes several ranges at once."""
    book = server.create_spreadsheet("Shop", {"Orders": [["Name", "Qty"], ["Ani", 2]]})
    ws = gc.open_by_key(book).worksheet("Orders")
    reply = ws.append_row(["Budi", 3])
    assert reply["updates"]["updatedRange"] == "Orders!A3:B3"
    ws.batch_update(
        [{"range": "C1", "values": [["Paid"]]}, {"range": "C2:C3", "values": [[True], [False]]}]
    )
    assert server.get_values(book, "Orders") == [
        ["Name", "Qty", "Paid"],
        ["Ani", "2", "TRUE"],
        ["Budi", "3", "FALSE"],
    ]


def test_freeze_format_and_validation(server: SheetsServer, gc: gspread.Client) -> None:
    """freeze, format and add_validation are stored and inspectable from Python."""
    book = server.create_spreadsheet("Shop", {"Orders": [["Name", "Paid"]]})
    ws = gc.open_by_key(book).worksheet("Orders")
    ws.freeze(rows=1, cols=1)
    ws.format("A1:B1", {"textFormat": {"bold": True}, "backgroundColor": {"red": 1, "green": 0.9}})
    ws.add_validation("B2:B5", ValidationConditionType.boolean, [], strict=True)
    assert server.frozen(book, "Orders") == (1, 1)
    assert ws.frozen_row_count == 1
    fmt = server.cell_format(book, "Orders", "B1")
    assert fmt == {
        "textFormat": {"bold": True},
        "backgroundColor": {"red": 1, "green": 0.9},
        "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 0.9}},
    }
    assert server.data_validation(book, "Orders", "B3") == {
        "condition": {"type": "BOOLEAN", "values": []},
        "showCustomUi": False,
        "strict": True,
    }
    assert server.data_validation(book, "Orders", "B6") is None


def test_not_found_and_private(server: SheetsServer, gc: gspread.Client) -> None:
    """Unknown ids raise SpreadsheetNotFound; private ones raise gspread's PermissionError path."""
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key("no-such-spreadsheet")
    book = server.create_spreadsheet("Secret", private=True)
    with pytest.raises(PermissionError):
        gc.open_by_key(book)
    server.mark_private(book, False)
    assert gc.open_by_key(book).title == "Secret"


def test_reader_access_refuses_writes(server: SheetsServer, gc: gspread.Client) -> None:
    """A spreadsheet shared read-only answers reads and 403s writes (APIError with code 403)."""
    book = server.create_spreadsheet("Shared", {"Orders": [["a"]]})
    ws = gc.open_by_key(book).worksheet("Orders")
    server.set_access(book, "reader")
    assert ws.get_all_values() == [["a"]]
    with pytest.raises(gspread.exceptions.APIError) as caught:
        ws.update([["b"]], "A1")
    assert caught.value.code == 403
    assert caught.value.error["status"] == "PERMISSION_DENIED"


def test_api_error_carries_google_body(server: SheetsServer, gc: gspread.Client) -> None:
    """Bad ranges surface as APIError with Google's message and status."""
    ws = gc.open_by_key(server.create_spreadsheet("Shop")).sheet1
    with pytest.raises(gspread.exceptions.APIError) as caught:
        ws.spreadsheet.values_get("Missing!A1")
    assert caught.value.code == 400
    assert caught.value.error["message"] == "Unable to parse range: Missing!A1"


def test_session_without_token_is_unauthenticated(server: SheetsServer) -> None:
    """A missing bearer token gets Google's 401 UNAUTHENTICATED."""
    book = server.create_spreadsheet("Shop")
    client = local_client(server.base_url)
    del client.http_client.session.headers["Authorization"]
    with pytest.raises(gspread.exceptions.APIError) as caught:
        client.open_by_key(book)
    assert caught.value.code == 401
    assert caught.value.error["status"] == "UNAUTHENTICATED"


def test_sort_and_get_all_records(server: SheetsServer, gc: gspread.Client) -> None:
    """Worksheet.sort (sortRange) reorders rows; blanks stay last; records follow the header."""
    rows = [["Name", "Qty"], ["Cici", 3], ["Ani", ""], ["Budi", 1]]
    ws = gc.open_by_key(server.create_spreadsheet("Shop", {"Orders": rows})).worksheet("Orders")
    ws.sort((2, "des"), range="A2:B4")
    assert ws.get_all_records() == [
        {"Name": "Cici", "Qty": 3},
        {"Name": "Budi", "Qty": 1},
        {"Name": "Ani", "Qty": ""},
    ]
