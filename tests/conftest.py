"""Shared fixtures: shops built on every backend, so each scenario runs on all of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from openorder_sheets.testing.shops import ShopBuilder

BACKENDS = ["memory", "workbook"]


@pytest.fixture(params=BACKENDS)
def builder(request: pytest.FixtureRequest, tmp_path: Path) -> ShopBuilder:
    """A shop with two products and one batch (February 2027), on each backend in turn."""
    shop = ShopBuilder(tmp_path, backend=request.param)
    shop.product("NASTAR", "Nastar", 85000, capacity=10, max_per_buyer=5)
    shop.product("KASTENGEL", "Kastengel", 95000, capacity=4)
    shop.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00", ships_on=None)
    return shop
