"""Fault injection (Python API and /_control endpoints) and request counting."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import gspread
import pytest
import requests

from openorder_sheets.testing.sheets_server import SheetsServer

if TYPE_CHECKING:
    from conftest import Api

ROWS = [["Name", "Qty", "Paid"], ["Cici", 3, False], ["Ani", 1, False], ["Budi", 2, False]]


def _orders(server: SheetsServer, gc: gspread.Client) -> tuple[str, gspread.Worksheet]:
    book = server.create_spreadsheet("Shop", {"Orders": ROWS})
    return book, gc.open_by_key(book).worksheet("Orders")


def test_429_for_the_next_n_requests(server: SheetsServer, gc: gspread.Client) -> None:
    """fail_next(429, 2) answers Google's quota error twice, then requests succeed again."""
    _, ws = _orders(server, gc)
    server.fail_next(429, count=2, kind="read")
    for _ in range(2):
        with pytest.raises(gspread.exceptions.APIError) as caught:
            ws.get_all_values()
        assert caught.value.code == 429
        assert caught.value.error["status"] == "RESOURCE_EXHAUSTED"
        assert "Quota exceeded for quota metric 'Read requests'" in caught.value.error["message"]
    assert ws.get_all_values()[0] == ["Name", "Qty", "Paid"]
    assert server.stats()["faults_injected"] == 2


def test_500_and_503_bodies(server: SheetsServer, api: Api) -> None:
    """Injected 500/503 carry Google's INTERNAL / UNAVAILABLE bodies."""
    call = api.sheets(server.create_spreadsheet("Shop"))
    server.fail_next(500)
    server.fail_next(503)
    assert call("GET").json()["error"] == {
        "code": 500,
        "message": "Internal error encountered.",
        "status": "INTERNAL",
    }
    assert call("GET").json()["error"]["status"] == "UNAVAILABLE"
    assert call("GET").status_code == 200


def test_drop_before_apply_loses_the_write(server: SheetsServer, gc: gspread.Client) -> None:
    """A connection dropped before applying raises ConnectionError and nothing is written."""
    book, ws = _orders(server, gc)
    server.drop_next(kind="values_update")
    with pytest.raises(requests.exceptions.ConnectionError):
        ws.update([["lost"]], "D1")
    assert server.get_values(book, "Orders!D1") == []
    ws.update([["kept"]], "D1")
    assert server.get_values(book, "Orders!D1") == [["kept"]]


def test_drop_after_apply_keeps_the_write(server: SheetsServer, gc: gspread.Client) -> None:
    """A connection dropped after applying raises ConnectionError but the write landed."""
    book, ws = _orders(server, gc)
    server.drop_next(kind="values_batch_update", after_apply=True)
    ws.get_all_values()  # other kinds pass untouched
    with pytest.raises(requests.exceptions.ConnectionError):
        ws.batch_update([{"range": "D1", "values": [["landed"]]}])
    assert server.get_values(book, "Orders!D1") == [["landed"]]


def test_seller_edit_between_read_and_write(server: SheetsServer, gc: gspread.Client) -> None:
    """A seller edit queued for the next batch write happens after the read and before the write."""
    book, ws = _orders(server, gc)
    server.seller_edit(book, "'Orders'!C3", [[True]], before="values_batch_update")
    assert ws.get_all_values()[2] == ["Ani", "1", "FALSE"]  # the read does not see it yet
    ws.batch_update([{"range": "D1", "values": [["Status"]]}])
    assert server.get_values(book, "Orders")[2] == ["Ani", "1", "TRUE"]
    assert server.pending_faults() == []


def test_seller_sort_before_next_request(server: SheetsServer, gc: gspread.Client) -> None:
    """seller_sort reorders a tab's data rows (header kept) just before the chosen request."""
    book, ws = _orders(server, gc)
    server.seller_sort(book, "Orders", "A", before="values_get")
    names = [row[0] for row in ws.get_all_values()]
    assert names == ["Name", "Ani", "Budi", "Cici"]


def test_delay_and_latency(server: SheetsServer, api: Api) -> None:
    """delay_next slows exactly the next matching request."""
    call = api.sheets(server.create_spreadsheet("Shop"))
    server.delay_next(0.3, kind="metadata_get")
    started = time.monotonic()
    call("GET")
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    call("GET")
    assert time.monotonic() - started < 0.3


def test_request_counting(server: SheetsServer, gc: gspread.Client) -> None:
    """Requests are counted by kind, as reads/writes, with body bytes; reset zeroes them."""
    _, ws = _orders(server, gc)
    server.reset_stats()
    ws.get_all_values()
    ws.batch_get(["A1:B2", "C1"])
    ws.update([["x"]], "E1")
    ws.batch_update([{"range": "F1", "values": [["y"]]}])
    ws.append_row(["z"])
    ws.spreadsheet.batch_update(
        {
            "requests": [
                {"autoResizeDimensions": {"dimensions": {"sheetId": ws.id, "dimension": "COLUMNS"}}}
            ]
        }
    )
    stats = server.stats()
    assert stats["requests"] == {
        "batch_update": 1,
        "values_append": 1,
        "values_batch_get": 1,
        "values_batch_update": 1,
        "values_get": 1,
        "values_update": 1,
    }
    assert (stats["reads"], stats["writes"], server.request_count("write")) == (2, 4, 4)
    assert stats["bytes_received"] > 0
    assert stats["bytes_sent"] > stats["bytes_received"]
    server.reset_stats()
    assert server.stats()["total"] == 0


def test_control_endpoints_over_http(server: SheetsServer, api: Api) -> None:
    """/_control endpoints seed, fault, edit and report for a sync running in another process."""
    created = api.call(
        "POST", "/_control/spreadsheets", {"title": "Shop", "sheets": {"Orders": ROWS}}
    )
    book = created.json()["spreadsheetId"]
    call = api.sheets(book)
    api.call("POST", "/_control/fail", {"status": 429, "count": 1, "kind": "values_get"})
    api.call(
        "POST",
        "/_control/seller_edit",
        {"spreadsheetId": book, "range": "Orders!C2", "values": [[True]], "kind": "values_get"},
    )
    assert len(api.call("GET", "/_control/faults").json()["pending"]) == 2
    assert call("GET", "/values/Orders!C2").status_code == 429
    assert call("GET", "/values/Orders!C2").json()["values"] == [["TRUE"]]
    api.call("POST", "/_control/drop", {"kind": "values_update", "when": "after"})
    with pytest.raises(requests.exceptions.ConnectionError):
        call("PUT", "/values/Orders!D1", {"values": [["d"]]}, valueInputOption="RAW")
    values = api.call("GET", "/_control/values", spreadsheetId=book, range="Orders!D1").json()
    assert values == {"values": [["d"]]}
    stats = api.call("GET", "/_control/stats").json()
    assert stats["requests"]["values_get"] == 2
    assert stats["faults_injected"] == 2
    api.call("POST", "/_control/access", {"spreadsheetId": book, "access": "none"})
    assert call("GET").json()["error"]["message"] == "The caller does not have permission"
    assert api.call("POST", "/_control/nope", {}).status_code == 404


def test_unknown_kind_is_refused(server: SheetsServer) -> None:
    """A fault aimed at a misspelt request kind is refused instead of never firing."""
    with pytest.raises(ValueError, match="unknown request kind"):
        server.fail_next(429, kind="values_batchupdate")
