"""Drive v3 for spreadsheets: create, get, list, copy, delete; and the server entry points."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import gspread
import pytest
import requests

from openorder_sheets.testing.sheets_server import SheetsServer, local_session

if TYPE_CHECKING:
    from conftest import Api

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"


def test_create_get_delete(server: SheetsServer, api: Api) -> None:
    """Drive create answers the recorded shape; get honours fields; delete gives 204 then 404."""
    created = api.call(
        "POST",
        "/drive/v3/files",
        {"name": "Shop", "mimeType": SHEETS_MIME},
        supportsAllDrives="True",
    )
    file = created.json()
    assert set(file) == {"kind", "id", "name", "mimeType"}
    assert file["kind"] == "drive#file"
    got = api.call(
        "GET", f"/drive/v3/files/{file['id']}", fields="id,name,createdTime,modifiedTime"
    ).json()
    assert set(got) == {"id", "name", "createdTime", "modifiedTime"}
    assert api.call("DELETE", f"/drive/v3/files/{file['id']}").status_code == 204
    assert api.call("GET", f"/v4/spreadsheets/{file['id']}").status_code == 404
    assert (
        api.call("GET", f"/drive/v3/files/{file['id']}").json()["error"]["errors"][0]["reason"]
        == "notFound"
    )


def test_list_filters_and_hides_private(server: SheetsServer, gc: gspread.Client) -> None:
    """files.list filters by mimeType and name and hides spreadsheets the caller can't see."""
    server.create_spreadsheet("Shop A")
    server.create_spreadsheet("Shop B")
    server.create_spreadsheet("Hidden", private=True)
    assert sorted(f["name"] for f in gc.list_spreadsheet_files()) == ["Shop A", "Shop B"]
    assert [f["name"] for f in gc.list_spreadsheet_files(title="Shop B")] == ["Shop B"]
    assert gc.open("Shop A").title == "Shop A"


def test_copy_spreadsheet(server: SheetsServer, gc: gspread.Client) -> None:
    """gspread's Client.copy duplicates the content into a new spreadsheet."""
    book = server.create_spreadsheet("Template", {"Products": [["Name", "Price"], ["Kue", 15000]]})
    copied = gc.copy(book, title="My shop")
    assert copied.id != book
    assert copied.title == "My shop"
    assert server.get_values(copied.id, "Products") == [["Name", "Price"], ["Kue", "15000"]]


def test_local_session_rewrites_google_urls(server: SheetsServer) -> None:
    """local_session sends https://sheets.googleapis.com URLs to the local server with a token."""
    book = server.create_spreadsheet("Shop")
    session = local_session(server.base_url)
    answer = session.get(
        f"https://sheets.googleapis.com/v4/spreadsheets/{book}", params={"fields": "spreadsheetId"}
    )
    assert answer.json() == {"spreadsheetId": book}


def test_server_binds_loopback_only() -> None:
    """The server refuses to bind anything but a loopback address."""
    with pytest.raises(ValueError, match="loopback"):
        SheetsServer("0.0.0.0")


def test_module_entry_point_prints_how_to_connect() -> None:
    """python -m ...sheets_server starts, prints its URL and serves requests."""
    process = subprocess.Popen(
        [sys.executable, "-m", "openorder_sheets.testing.sheets_server", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Local Google Sheets API server listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1].strip()
        assert requests.get(url + "/_control/health", timeout=5).json() == {"ok": True}
    finally:
        process.terminate()
        process.wait(timeout=10)
