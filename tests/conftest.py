"""Shared fixtures: shops built on every backend, so each scenario runs on all of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openorder_sheets.testing.sheets_server import SheetsServer
from openorder_sheets.testing.shops import ShopBuilder

BACKENDS = ["memory", "workbook", "google"]


@pytest.fixture(scope="session")
def sheets_server() -> Iterator[SheetsServer]:
    """The local Sheets API server on 127.0.0.1, shared by the tests of a run."""
    with SheetsServer() as server:
        yield server


@pytest.fixture(params=BACKENDS)
def builder(request: pytest.FixtureRequest, tmp_path: Path) -> ShopBuilder:
    """A shop with two products and one batch (February 2027), on each backend in turn."""
    server = request.getfixturevalue("sheets_server") if request.param == "google" else None
    shop = ShopBuilder(tmp_path, backend=request.param, sheets_server=server)
    shop.product("NASTAR", "Nastar", 85000, capacity=10, max_per_buyer=5)
    shop.product("KASTENGEL", "Kastengel", 95000, capacity=4)
    shop.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00", ships_on=None)
    return shop
