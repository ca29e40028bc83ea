"""Fixtures: one local Sheets server per test session, reset before every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import gspread
import pytest
import requests

from openorder_sheets.testing.sheets_server import SheetsServer, local_client


@pytest.fixture(scope="session")
def session_server() -> Iterator[SheetsServer]:
    with SheetsServer(seed=20240101) as server:
        yield server


@pytest.fixture
def server(session_server: SheetsServer) -> Iterator[SheetsServer]:
    session_server.reset()
    yield session_server
    session_server.clear_faults()
    session_server.set_latency(0)


@pytest.fixture
def gc(server: SheetsServer) -> gspread.Client:
    return local_client(server.base_url, timeout=10)


class Api:
    """Raw HTTP access to one spreadsheet on the server (for Google-shape assertions)."""

    def __init__(self, server: SheetsServer) -> None:
        self.server = server
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer test"

    def url(self, path: str) -> str:
        return self.server.base_url + path

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> requests.Response:
        return self.http.request(
            method, self.url(path), json=body, params=params or None, timeout=10
        )

    def sheets(self, book_id: str) -> Callable[..., requests.Response]:
        def call(
            method: str, suffix: str = "", body: Any = None, **params: Any
        ) -> requests.Response:
            return self.call(method, f"/v4/spreadsheets/{book_id}{suffix}", body, **params)

        return call


@pytest.fixture
def api(server: SheetsServer) -> Iterator[Api]:
    client = Api(server)
    yield client
    client.http.close()
