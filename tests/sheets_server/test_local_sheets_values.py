"""spreadsheets.values over HTTP: Google's answer shapes, write rules and errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openorder_sheets.testing.sheets_server import SheetsServer

if TYPE_CHECKING:
    from conftest import Api

ORDERS = [["Name", "Qty", "Paid"], ["Ani", 2, True], [], ["Budi", 3.5, False]]


def _book(server: SheetsServer, **tabs: Any) -> str:
    return server.create_spreadsheet(
        "Shop", tabs or {"Orders": ORDERS, "Form Responses 1": [["x"]]}
    )


def test_whole_tab_read_trims_and_echoes_grid(server: SheetsServer, api: Api) -> None:
    """A whole-tab read echoes the grid box, keeps middle empty rows as [] and drops trailing."""
    call = api.sheets(_book(server))
    body = call("GET", "/values/Orders").json()
    assert body == {
        "range": "Orders!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [["Name", "Qty", "Paid"], ["Ani", "2", "TRUE"], [], ["Budi", "3.5", "FALSE"]],
    }


def test_empty_range_has_no_values_key(server: SheetsServer, api: Api) -> None:
    """An empty range answers range and majorDimension only."""
    call = api.sheets(_book(server))
    assert call("GET", "/values/Orders!E5:F6").json() == {
        "range": "Orders!E5:F6",
        "majorDimension": "ROWS",
    }


def test_range_echo_normalisation(server: SheetsServer, api: Api) -> None:
    """Echoes clip open ranges to the grid, quote names only when needed and order corners."""
    call = api.sheets(_book(server))
    echoes = {
        "Orders!A1:1": "Orders!A1:Z1",
        "Orders!A:B": "Orders!A1:B1000",
        "Orders!A2:C": "Orders!A2:C1000",
        "Orders!C3:A1": "Orders!A1:C3",
        "'Form Responses 1'!A1:B2": "'Form Responses 1'!A1:B2",
        "A1:B2": "Orders!A1:B2",
        "orders!B2": "Orders!B2",
    }
    for asked, echoed in echoes.items():
        assert call("GET", f"/values/{asked}").json()["range"] == echoed, asked


def test_unformatted_and_columns(server: SheetsServer, api: Api) -> None:
    """UNFORMATTED_VALUE gives JSON numbers and booleans; COLUMNS transposes and trims."""
    call = api.sheets(_book(server))
    rows = call("GET", "/values/Orders!A1:C4", valueRenderOption="UNFORMATTED_VALUE").json()[
        "values"
    ]
    assert rows == [["Name", "Qty", "Paid"], ["Ani", 2, True], [], ["Budi", 3.5, False]]
    cols = call("GET", "/values/Orders!A1:B4", majorDimension="COLUMNS").json()["values"]
    assert cols == [["Name", "Ani", "", "Budi"], ["Qty", "2", "", "3.5"]]


def test_bad_ranges_are_400(server: SheetsServer, api: Api) -> None:
    """Unknown tabs and garbage give 'Unable to parse range'; outside the grid gives its limits."""
    call = api.sheets(_book(server))
    answer = call("GET", "/values/Nope!A1")
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {
            "code": 400,
            "message": "Unable to parse range: Nope!A1",
            "status": "INVALID_ARGUMENT",
        }
    }
    beyond = call("GET", "/values/Orders!A1:AA2").json()["error"]["message"]
    assert beyond == "Range (Orders!A1:AA2) exceeds grid limits. Max rows: 1000, max columns: 26"


def test_write_reply_and_spill_grows_grid(server: SheetsServer, api: Api) -> None:
    """A write anchored at one cell may spill past the grid, which grows like Google's."""
    book = _book(server)
    call = api.sheets(book)
    reply = call(
        "PUT", "/values/Orders!Z999", {"values": [[1, 2, 3], [4], [5]]}, valueInputOption="RAW"
    )
    assert reply.json() == {
        "spreadsheetId": book,
        "updatedRange": "Orders!Z999:AB1001",
        "updatedRows": 3,
        "updatedColumns": 3,
        "updatedCells": 5,
    }
    grid = server.sheet_properties(book, "Orders")["gridProperties"]
    assert (grid["rowCount"], grid["columnCount"]) == (1001, 28)


def test_write_must_fit_explicit_range(server: SheetsServer, api: Api) -> None:
    """Data larger than an explicit A1:B2 range is refused with Google's message."""
    call = api.sheets(_book(server))
    rows = call("PUT", "/values/Orders!A1:B2", {"values": [[1], [2], [3]]}, valueInputOption="RAW")
    assert rows.json()["error"]["message"] == (
        "Requested writing within range [Orders!A1:B2], but tried writing to row [3]"
    )
    cols = call("PUT", "/values/Orders!A1:B2", {"values": [[1, 2, 3]]}, valueInputOption="RAW")
    assert cols.json()["error"]["message"].endswith("but tried writing to column [C]")


def test_values_must_be_list_of_lists(server: SheetsServer, api: Api) -> None:
    """A non-list 'values' is the proto error Google gives (recorded by gspread)."""
    call = api.sheets(_book(server))
    error = call("PUT", "/values/Orders!A1", {"values": "X"}, valueInputOption="RAW").json()[
        "error"
    ]
    assert error["message"] == (
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"X\""
    )
    assert error["status"] == "INVALID_ARGUMENT"
    missing = call("PUT", "/values/Orders!A1", {"values": [[1]]}).json()["error"]["message"]
    assert missing == "'valueInputOption' is required but not specified"


def test_user_entered_vs_raw(server: SheetsServer, api: Api) -> None:
    """USER_ENTERED parses numbers, booleans, dates and formulas; RAW stores text verbatim."""
    call = api.sheets(_book(server))
    typed = ["'=1+1", "=B2*2", "TRUE", "2020-01-01", "=FOO(1)", "1,234"]
    call("PUT", "/values/Orders!E2", {"values": [typed]}, valueInputOption="USER_ENTERED")
    call("PUT", "/values/Orders!E3", {"values": [typed]}, valueInputOption="RAW")
    shown = call("GET", "/values/Orders!E2:J3").json()["values"]
    assert shown[0] == ["=1+1", "4", "TRUE", "2020-01-01", "=FOO(1)", "1,234"]
    assert shown[1] == typed
    raw = call("GET", "/values/Orders!E2:J2", valueRenderOption="UNFORMATTED_VALUE").json()[
        "values"
    ]
    assert raw == [["=1+1", 4, True, 43831, "=FOO(1)", 1234]]
    formulas = call("GET", "/values/Orders!F2", valueRenderOption="FORMULA").json()["values"]
    assert formulas == [["=B2*2"]]
    dated = call(
        "GET",
        "/values/Orders!H2",
        valueRenderOption="UNFORMATTED_VALUE",
        dateTimeRenderOption="FORMATTED_STRING",
    ).json()["values"]
    assert dated == [["2020-01-01"]]


def test_null_skips_and_empty_string_clears(server: SheetsServer, api: Api) -> None:
    """null leaves a cell as it was; "" empties it (and empties are trimmed on read)."""
    call = api.sheets(_book(server))
    call("PUT", "/values/Orders!A2", {"values": [[None, "", "X"]]}, valueInputOption="RAW")
    assert call("GET", "/values/Orders!A2:C2").json()["values"] == [["Ani", "", "X"]]


def test_batch_update_totals_and_atomicity(server: SheetsServer, api: Api) -> None:
    """values:batchUpdate reports totals per request and writes nothing if one range is bad."""
    book = _book(server)
    call = api.sheets(book)
    body = {
        "valueInputOption": "RAW",
        "data": [
            {"range": "Orders!E1:F1", "values": [["a", "b"]]},
            {"range": "Orders!E3:F3", "values": [["c", "d"]]},
        ],
    }
    reply = call("POST", "/values:batchUpdate", body).json()
    assert (reply["totalUpdatedRows"], reply["totalUpdatedColumns"]) == (2, 2)
    assert (reply["totalUpdatedCells"], reply["totalUpdatedSheets"]) == (4, 1)
    assert [r["updatedRange"] for r in reply["responses"]] == ["Orders!E1:F1", "Orders!E3:F3"]
    body["data"] = [
        {"range": "Orders!G1", "values": [["kept?"]]},
        {"range": "Nope!A1", "values": [[1]]},
    ]
    assert call("POST", "/values:batchUpdate", body).status_code == 400
    assert call("GET", "/values/Orders!G1").json().get("values") is None


def test_batch_get_and_clear(server: SheetsServer, api: Api) -> None:
    """batchGet answers one ValueRange per range; clear and batchClear echo the cleared boxes."""
    book = _book(server)
    call = api.sheets(book)
    got = call("GET", "/values:batchGet", ranges=["Orders!A1:B1", "Orders!A3:B3"]).json()
    assert got == {
        "spreadsheetId": book,
        "valueRanges": [
            {"range": "Orders!A1:B1", "majorDimension": "ROWS", "values": [["Name", "Qty"]]},
            {"range": "Orders!A3:B3", "majorDimension": "ROWS"},
        ],
    }
    cleared = call("POST", "/values/Orders:clear").json()
    assert cleared == {"spreadsheetId": book, "clearedRange": "Orders!A1:Z1000"}
    many = call(
        "POST", "/values:batchClear", {"ranges": ["Orders!A1", "'Form Responses 1'!A:A"]}
    ).json()
    assert many["clearedRanges"] == ["Orders!A1", "'Form Responses 1'!A1:A1000"]
    assert server.get_values(book, "Form Responses 1") == []


def test_append_finds_table_and_inserts_rows(server: SheetsServer, api: Api) -> None:
    """append writes below the detected table; INSERT_ROWS pushes rows below it down."""
    book = server.create_spreadsheet("Shop", {"Log": [["h1", "h2"], ["a", "b"], [], [], ["note"]]})
    call = api.sheets(book)
    over = call(
        "POST", "/values/Log!A1:B3:append", {"values": [["c", "d"]]}, valueInputOption="RAW"
    )
    assert over.json()["tableRange"] == "Log!A1:B2"
    assert over.json()["updates"]["updatedRange"] == "Log!A3:B3"
    inserted = call(
        "POST",
        "/values/Log!A1:B3:append",
        {"values": [["e", "f"]]},
        valueInputOption="RAW",
        insertDataOption="INSERT_ROWS",
        includeValuesInResponse="true",
    ).json()
    assert inserted["updates"]["updatedRange"] == "Log!A4:B4"
    assert inserted["updates"]["updatedData"]["values"] == [["e", "f"]]
    assert server.get_values(book, "Log")[-1] == ["note"]
    assert len(server.get_values(book, "Log")) == 6


def test_append_to_a_full_sheet_adds_rows(server: SheetsServer, api: Api) -> None:
    """Appending below the last grid row grows the grid instead of failing."""
    book = server.create_spreadsheet("Shop", {"Log": [["h"]]})
    call = api.sheets(book)
    call(
        "POST",
        ":batchUpdate",
        {
            "requests": [
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": 0, "gridProperties": {"rowCount": 1}},
                        "fields": "gridProperties.rowCount",
                    }
                }
            ]
        },
    )
    reply = call(
        "POST", "/values/Log:append", {"values": [["x"], ["y"]]}, valueInputOption="RAW"
    ).json()
    assert reply["updates"]["updatedRange"] == "Log!A2:A3"
    assert server.sheet_properties(book, "Log")["gridProperties"]["rowCount"] == 3


cell = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
    st.integers(-(10**6), 10**6),
    st.booleans(),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(cell, max_size=5), max_size=6))
def test_raw_round_trip_matches_google_trimming(
    server: SheetsServer, api: Api, rows: list[list[Any]]
) -> None:
    """Any RAW grid reads back UNFORMATTED exactly, with Google's trailing-empty trimming."""
    book = server.create_spreadsheet("Fuzz", {"T": []})
    call = api.sheets(book)
    data = [[("" if v is None else v) for v in row] for row in rows]
    call("PUT", "/values/T!A1", {"values": data}, valueInputOption="RAW")
    expected = []
    for row in data:
        trimmed = list(row)
        while trimmed and trimmed[-1] == "":
            trimmed.pop()
        expected.append(trimmed)
    while expected and not expected[-1]:
        expected.pop()
    body = call("GET", "/values/T!A1:E6", valueRenderOption="UNFORMATTED_VALUE").json()
    assert body.get("values", []) == expected


def test_batch_get_by_data_filter(server: SheetsServer, api: Api) -> None:
    """values:batchGetByDataFilter answers a1Range and gridRange filters."""
    call = api.sheets(_book(server))
    grid = {
        "sheetId": 0,
        "startRowIndex": 0,
        "endRowIndex": 1,
        "startColumnIndex": 0,
        "endColumnIndex": 2,
    }
    body = {"dataFilters": [{"a1Range": "Orders!A4:B4"}, {"gridRange": grid}]}
    found = call("POST", "/values:batchGetByDataFilter", body).json()["valueRanges"]
    assert [f["valueRange"]["values"] for f in found] == [[["Budi", "3.5"]], [["Name", "Qty"]]]


def test_concurrent_writers_do_not_lose_updates(server: SheetsServer, api: Api) -> None:
    """Parallel clients writing different rows all land (state is guarded by one lock)."""
    from concurrent.futures import ThreadPoolExecutor

    book = server.create_spreadsheet("Shop", {"T": []})

    def write(index: int) -> int:
        with requests.Session() as session:
            session.headers["Authorization"] = "Bearer t"
            url = f"{server.base_url}/v4/spreadsheets/{book}/values/T!A{index + 1}"
            reply = session.put(url, params={"valueInputOption": "RAW"}, json={"values": [[index]]})
            return reply.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(write, range(40))) == {200}
    assert server.get_values(book, "T", render="UNFORMATTED_VALUE") == [[i] for i in range(40)]


def test_fields_mask_on_values_answers(server: SheetsServer, api: Api) -> None:
    """A ``fields`` partial-response mask trims values answers like Google's."""
    call = api.sheets(_book(server))
    trimmed = call("GET", "/values/Orders!A1:B1", fields="values").json()
    assert trimmed == {"values": [["Name", "Qty"]]}
