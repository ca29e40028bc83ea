"""Behaviours added to close the gaps to Google (issue 15): GridRanges without a zero sheetId,
dimension groups, copy/cut paste, Drive CSV export and import, and the smaller semantics."""

from __future__ import annotations

import socket
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from openorder_sheets.testing.sheets_server import SheetsServer
from openorder_sheets.testing.sheets_server.autosize import text_pixels
from openorder_sheets.testing.sheets_server.formats import float32
from openorder_sheets.testing.sheets_server.paste import shift_formula

if TYPE_CHECKING:
    from conftest import Api


def _batch(api: Api, book: str, *requests: dict[str, Any]) -> Any:
    return api.sheets(book)("POST", ":batchUpdate", {"requests": list(requests)})


def _ok(api: Api, book: str, *requests: dict[str, Any]) -> dict[str, Any]:
    answer = _batch(api, book, *requests)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _box(sheet_id: int, r0: int, r1: int, c0: int, c1: int) -> dict[str, int]:
    return {
        "sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1,
        "startColumnIndex": c0, "endColumnIndex": c1,
    }  # fmt: skip


def _sheet(api: Api, book: str, index: int = 0) -> dict[str, Any]:
    sheet: dict[str, Any] = api.sheets(book)("GET").json()["sheets"][index]
    return sheet


# --- GridRanges, merges, filters, named and protected ranges ---------------------------------


def test_zero_sheet_id_is_left_out_of_grid_ranges(server: SheetsServer, api: Api) -> None:
    """Merges, named ranges, protected ranges and filters on sheet 0 carry no sheetId."""
    book = server.create_spreadsheet("Shop")
    other = _ok(api, book, {"addSheet": {"properties": {"title": "Two", "sheetId": 7}}})
    assert other["replies"][0]["addSheet"]["properties"]["sheetId"] == 7
    replies = _ok(
        api, book,
        {"mergeCells": {"range": _box(0, 0, 2, 0, 2), "mergeType": "MERGE_ALL"}},
        {"mergeCells": {"range": _box(7, 0, 2, 0, 2), "mergeType": "MERGE_ALL"}},
        {"addNamedRange": {"namedRange": {"name": "Top", "range": _box(0, 0, 1, 0, 3)}}},
        {"addProtectedRange": {"protectedRange": {"range": _box(0, 4, 5, 0, 1)}}},
        {"setBasicFilter": {"filter": {"range": {"sheetId": 0}}}},
    )["replies"]  # fmt: skip
    assert replies[2]["addNamedRange"]["namedRange"]["range"] == {
        "startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 3,
    }  # fmt: skip
    assert "sheetId" not in replies[3]["addProtectedRange"]["protectedRange"]["range"]
    meta = api.sheets(book)("GET").json()
    first, second = meta["sheets"]
    assert first["merges"] == [
        {"startRowIndex": 0, "endRowIndex": 2, "startColumnIndex": 0, "endColumnIndex": 2}
    ]
    assert second["merges"][0]["sheetId"] == 7
    assert "sheetId" not in meta["namedRanges"][0]["range"]
    assert "sheetId" not in first["protectedRanges"][0]["range"]
    # A filter on the whole sheet is stored with explicit bounds.
    assert first["basicFilter"]["range"] == {
        "startRowIndex": 0, "endRowIndex": 1000, "startColumnIndex": 0, "endColumnIndex": 26,
    }  # fmt: skip


def test_a_new_merge_replaces_the_merges_it_overlaps(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop")
    _ok(api, book, {"mergeCells": {"range": _box(0, 0, 2, 0, 2), "mergeType": "MERGE_ROWS"}})
    _ok(api, book, {"mergeCells": {"range": _box(0, 5, 6, 0, 2), "mergeType": "MERGE_ALL"}})
    assert len(_sheet(api, book)["merges"]) == 3
    _ok(api, book, {"mergeCells": {"range": _box(0, 0, 2, 0, 2), "mergeType": "MERGE_ALL"}})
    merges = _sheet(api, book)["merges"]
    assert [(m["startRowIndex"], m["endRowIndex"]) for m in merges] == [(5, 6), (0, 2)]


def test_protected_range_lists_the_caller_as_editor(api: Api) -> None:
    """requestingUserCanEdit is true; the caller heads the editors unless warningOnly."""
    with SheetsServer(caller_email="owner@shop.example") as server:
        api.server = server
        book = server.create_spreadsheet("Shop")
        protected = {
            "range": _box(0, 0, 2, 0, 2),
            "warningOnly": False,
            "requestingUserCanEdit": False,
            "editors": {"users": ["helper@shop.example"], "groups": []},
        }
        reply = _ok(api, book, {"addProtectedRange": {"protectedRange": protected}})
        added = reply["replies"][0]["addProtectedRange"]["protectedRange"]
        assert added["requestingUserCanEdit"] is True
        assert "warningOnly" not in added
        assert added["editors"] == {"users": ["owner@shop.example", "helper@shop.example"]}
        warning = {"range": _box(0, 3, 4, 0, 1), "warningOnly": True, "editors": {"users": []}}
        reply = _ok(api, book, {"addProtectedRange": {"protectedRange": warning}})
        added = reply["replies"][0]["addProtectedRange"]["protectedRange"]
        assert added["warningOnly"] is True
        assert added["requestingUserCanEdit"] is True
        assert "editors" not in added


def test_named_range_qualified_by_its_sheet_and_updated(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop", {"Sheet1": [["a", "b"], ["c", "d"]]})
    reply = _ok(
        api, book, {"addNamedRange": {"namedRange": {"name": "Pair", "range": _box(0, 0, 1, 0, 2)}}}
    )
    named_id = reply["replies"][0]["addNamedRange"]["namedRange"]["namedRangeId"]
    call = api.sheets(book)
    answer = call("GET", "/values/'Sheet1'!Pair").json()
    assert answer == {"range": "Sheet1!A1:B1", "majorDimension": "ROWS", "values": [["a", "b"]]}
    assert call("GET", "/values/Nope!Pair").status_code == 400
    _ok(
        api, book,
        {"updateNamedRange": {
            "namedRange": {
                "namedRangeId": named_id, "name": "Column", "range": _box(0, 0, 2, 1, 2),
            },
            "fields": "name,range",
        }},
    )  # fmt: skip
    assert call("GET", "/values/Column").json()["values"] == [["b"], ["d"]]
    assert call("GET", "/values/Pair").status_code == 400
    missing = _batch(
        api, book,
        {"updateNamedRange": {
            "namedRange": {"namedRangeId": "nope", "name": "X"}, "fields": "name",
        }},
    )  # fmt: skip
    assert missing.status_code == 400


# --- dimension groups --------------------------------------------------------------------------


def _groups(api: Api, book: str, key: str) -> list[tuple[int, int, int]]:
    return [
        (g["range"]["startIndex"], g["range"]["endIndex"], g["depth"])
        for g in _sheet(api, book).get(key, [])
    ]


def test_dimension_groups_follow_googles_depth_model(server: SheetsServer, api: Api) -> None:
    """The examples of the API reference: [C:D] + [B:E] → [B:E, 1], [C:D, 2]; deleting [D:E]
    then leaves [B:D, 1] and [C:C, 2] (columns as letters, both ends included)."""
    book = server.create_spreadsheet("Shop")

    def columns(start: int, end: int) -> dict[str, Any]:
        return {"range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": start,
                          "endIndex": end}}  # fmt: skip

    reply = _ok(api, book, {"addDimensionGroup": columns(2, 4)})
    assert reply["replies"][0]["addDimensionGroup"]["dimensionGroups"] == [
        {"range": {"dimension": "COLUMNS", "startIndex": 2, "endIndex": 4}, "depth": 1}
    ]
    _ok(api, book, {"addDimensionGroup": columns(1, 5)})
    assert _groups(api, book, "columnGroups") == [(1, 5, 1), (2, 4, 2)]
    _ok(api, book, {"deleteDimensionGroup": columns(3, 5)})
    assert _groups(api, book, "columnGroups") == [(1, 4, 1), (2, 3, 2)]
    _ok(api, book, {"deleteDimensionGroup": columns(0, 10)})
    reply = _ok(api, book, {"deleteDimensionGroup": columns(0, 10)})
    assert reply["replies"][0] == {"deleteDimensionGroup": {}}
    assert "columnGroups" not in _sheet(api, book)
    assert _batch(api, book, {"deleteDimensionGroup": columns(0, 10)}).status_code == 400


def test_row_groups_move_with_inserted_rows_and_collapse(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop")
    rows = {"sheetId": 0, "dimension": "ROWS", "startIndex": 2, "endIndex": 5}
    _ok(api, book, {"addDimensionGroup": {"range": rows}})
    _ok(api, book, {"insertDimension": {"range": {**rows, "startIndex": 0, "endIndex": 1}}})
    _ok(api, book, {"insertDimension": {"range": {**rows, "startIndex": 4, "endIndex": 6}}})
    assert _groups(api, book, "rowGroups") == [(3, 8, 1)]
    group = {"range": {**rows, "startIndex": 3, "endIndex": 8}, "depth": 1, "collapsed": True}
    _ok(api, book, {"updateDimensionGroup": {"dimensionGroup": group, "fields": "collapsed"}})
    assert _sheet(api, book)["rowGroups"][0]["collapsed"] is True


# --- copy and cut -----------------------------------------------------------------------------


def test_shift_formula_moves_relative_references_only() -> None:
    text = "=SUM(A1:B2)+$C$3+C$4+\"A1\"+'My A1'!D5+A:B+LOG10(2)"
    assert shift_formula(text, 1, 2) == "=SUM(C2:D3)+$C$3+E$4+\"A1\"+'My A1'!F6+C:D+LOG10(2)"
    assert shift_formula("=A1", -1, 0) == "=#REF!"


def test_copy_paste_tiles_and_shifts_formulas(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop", {"Sheet1": [[1, 2, "=A1+B1"]]})
    server.set_values(book, "Sheet1!A1", [[1, 2, "=A1+B1"]])
    _ok(api, book, {"copyPaste": {
        "source": _box(0, 0, 1, 0, 3), "destination": _box(0, 2, 4, 0, 3),
    }})  # fmt: skip
    assert server.get_values(book, "Sheet1", "FORMULA") == [
        [1, 2, "=A1+B1"], [], [1, 2, "=A3+B3"], [1, 2, "=A4+B4"],
    ]  # fmt: skip
    _ok(api, book, {"copyPaste": {
        "source": _box(0, 0, 1, 0, 3), "destination": _box(0, 5, 6, 0, 1),
        "pasteType": "PASTE_VALUES", "pasteOrientation": "TRANSPOSE",
    }})  # fmt: skip
    assert server.get_values(book, "Sheet1!A6:A8", "FORMULA") == [[1], [2], [3]]


def test_cut_paste_moves_values_and_formats(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop", {"Sheet1": [["a"], ["b"]]})
    bold = {"userEnteredFormat": {"textFormat": {"bold": True}}}
    _ok(api, book, {"repeatCell": {"range": _box(0, 0, 1, 0, 1), "cell": bold,
                                   "fields": "userEnteredFormat.textFormat.bold"}})  # fmt: skip
    destination = {"sheetId": 0, "rowIndex": 0, "columnIndex": 2}
    _ok(api, book, {"cutPaste": {"source": _box(0, 0, 2, 0, 1), "destination": destination}})
    assert server.get_values(book, "Sheet1") == [["", "", "a"], ["", "", "b"]]
    assert server.cell_format(book, "Sheet1", "A1") is None
    assert server.cell_format(book, "Sheet1", "C1") == {"textFormat": {"bold": True}}


# --- Drive CSV -------------------------------------------------------------------------------


def test_drive_export_csv(server: SheetsServer, api: Api) -> None:
    """The first sheet's shown values, padded rows, CRLF between rows and none at the end."""
    book = server.create_spreadsheet("Shop", {"Sheet1": [["a,b", 'say "hi"', 3], ["x"]]})
    answer = api.call("GET", f"/drive/v3/files/{book}/export", mimeType="text/csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert answer.content == b'"a,b","say ""hi""",3\r\nx,,'
    pdf = api.call("GET", f"/drive/v3/files/{book}/export", mimeType="application/pdf")
    assert pdf.status_code == 400
    server.mark_private(book)
    assert api.call("GET", f"/drive/v3/files/{book}/export", mimeType="text/csv").status_code == 404


def test_drive_import_csv_replaces_the_spreadsheet_contents(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop", {"Sheet1": [["old"] * 5], "Other": [["gone"]]})
    answer = api.http.put(
        api.url(f"/upload/drive/v2/files/{book}"),
        params={"uploadType": "media", "convert": "true"},
        data=b"name,qty\nAni,2\n",
        headers={"Content-Type": "text/csv"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == book
    assert server.sheet_titles(book) == ["Sheet1"]
    assert server.get_values(book, "Sheet1", "UNFORMATTED_VALUE") == [["name", "qty"], ["Ani", 2]]
    server.set_access(book, "reader")
    denied = api.http.put(
        api.url(f"/upload/drive/v2/files/{book}?uploadType=media&convert=true"),
        data=b"a", timeout=10,
    )  # fmt: skip
    assert denied.status_code == 403


# --- smaller semantics ------------------------------------------------------------------------


def test_the_last_visible_sheet_cannot_be_hidden(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop")
    hide = {"updateSheetProperties": {"properties": {"sheetId": 0, "hidden": True},
                                      "fields": "hidden"}}  # fmt: skip
    answer = _batch(api, book, hide)
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == (
        "Invalid requests[0].updateSheetProperties: You can't hide all the sheets in a document."
    )
    _ok(api, book, {"addSheet": {"properties": {"title": "Two"}}})
    _ok(api, book, hide)
    assert _sheet(api, book)["properties"]["hidden"] is True


def test_tab_colour_is_rounded_and_can_be_cleared(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop")
    colour = {"red": 1.0, "green": 0.0, "blue": 127 / 255}
    _ok(api, book, {"updateSheetProperties": {
        "properties": {"sheetId": 0, "tabColorStyle": {"rgbColor": colour}},
        "fields": "tabColorStyle",
    }})  # fmt: skip
    props = _sheet(api, book)["properties"]
    assert props["tabColor"] == {"red": 1, "blue": 0.49803922}
    assert props["tabColorStyle"] == {"rgbColor": {"red": 1, "blue": 0.49803922}}
    answer = _ok(api, book, {"updateSheetProperties": {
        "properties": {"sheetId": 0, "tabColorStyle": {"rgbColor": None}},
        "fields": "tabColorStyle",
    }})  # fmt: skip
    assert answer["replies"] == [{}]
    props = _sheet(api, book)["properties"]
    assert "tabColor" not in props
    assert "tabColorStyle" not in props


def test_float32_rounding() -> None:
    assert float32(127 / 255) == 0.49803922
    assert float32(1.0) == 1
    assert isinstance(float32(1.0), int)
    assert float32(0.2) == 0.2


def test_values_update_does_not_count_null_cells(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop", {"Sheet1": [["keep", "keep", "keep"]]})
    answer = api.sheets(book)(
        "PUT", "/values/Sheet1!A1", {"values": [[None, "x", None], [None, None, None]]},
        valueInputOption="RAW",
    ).json()  # fmt: skip
    assert answer == {
        "spreadsheetId": book, "updatedRange": "Sheet1!A1:C2",
        "updatedRows": 1, "updatedColumns": 1, "updatedCells": 1,
    }  # fmt: skip
    assert server.get_values(book, "Sheet1") == [["keep", "x", "keep"]]
    answer = api.sheets(book)(
        "PUT", "/values/Sheet1!A1", {"values": [[None]]}, valueInputOption="RAW"
    ).json()
    assert answer == {"spreadsheetId": book, "updatedRange": "Sheet1!A1"}
    batch = api.sheets(book)("POST", "/values:batchUpdate", {
        "valueInputOption": "RAW",
        "data": [{"range": "Sheet1!A1", "values": [["a", None]]},
                 {"range": "Sheet1!A3", "values": [[None, "b"]]}],
    }).json()  # fmt: skip
    assert (batch["totalUpdatedRows"], batch["totalUpdatedColumns"]) == (2, 2)
    assert batch["totalUpdatedCells"] == 2


def test_an_empty_note_removes_the_note(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop")
    for note in ("remember", ""):
        _ok(api, book, {"repeatCell": {"range": _box(0, 0, 1, 0, 1), "cell": {"note": note},
                                       "fields": "note"}})  # fmt: skip
    meta = api.sheets(book)("GET", includeGridData="true", ranges="A1").json()
    assert meta["sheets"][0]["data"][0].get("rowData", []) == []


def test_auto_resize_sizes_columns_to_their_text(server: SheetsServer, api: Api) -> None:
    book = server.create_spreadsheet("Shop", {"Sheet1": [["A" * 40, "i"], ["", "W"]]})
    dims = {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 3}
    _ok(api, book, {"autoResizeDimensions": {"dimensions": dims}})
    meta = api.sheets(book)("GET", fields="sheets.data.columnMetadata").json()
    sizes = [c["pixelSize"] for c in meta["sheets"][0]["data"][0]["columnMetadata"][:3]]
    assert sizes[0] > 300
    assert 10 < sizes[1] < 30
    assert sizes[2] == 100  # empty: unchanged
    assert text_pixels("W") > text_pixels("i")


# --- the command line -------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "openorder_sheets.testing.sheets_server", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_cli_seeds_a_private_spreadsheet(api: Api) -> None:
    private = "1jIKzPs8LsiZZdLdeMEP-5ZIHw6RkjiOmj1LrJN706Yc"
    process = _cli("--port", "0", "--private", private)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = first.rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:")
        sheets = api.http.get(f"{url}/v4/spreadsheets/{private}", timeout=10)
        assert sheets.status_code == 403
        assert api.http.get(f"{url}/drive/v3/files/{private}", timeout=10).status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cli_port_in_use_is_one_sentence() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _cli("--port", str(port))
        _, err = process.communicate(timeout=30)
    assert process.returncode != 0
    assert "Traceback" not in err
    assert err.strip() == (
        f"sheets server: port {port} on 127.0.0.1 is already in use; "
        "choose another with --port (0 picks a free one)."
    )
