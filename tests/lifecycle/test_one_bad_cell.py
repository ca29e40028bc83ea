"""One mistyped product cell holds back only that cell: the sync goes on with the product's last
good value and says so; a product never read fine still stops the sync with the fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from openorder_sheets.errors import SheetSetupError
from openorder_sheets.testing.shops import ShopBuilder


def bakery(folder: Path) -> ShopBuilder:
    builder = ShopBuilder(folder)
    builder.product("NASTAR", "Nastar", 85000, capacity=2)
    builder.product("KASTENGEL", "Kastengel", 95000, capacity=5)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.response("2027-02-01 09:10", "ani@example.com", "Ani", Nastar=2)
    return builder


def test_a_mistyped_capacity_keeps_its_last_value_and_every_buyer_is_still_served(
    tmp_path: Path,
) -> None:
    builder = bakery(tmp_path)
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    shop.set_cell("products", 1, "Capacity", "sepuluh")  # NASTAR's capacity, mistyped
    shop.replace_rows(
        "responses",
        [
            builder.responses[0],
            [dt.datetime(2027, 2, 1, 11, 0), "budi@example.com", "Budi", "081234567890",
             "Jl. Melati 1", "Courier", "", "", 1, None],
            [dt.datetime(2027, 2, 1, 11, 5), "citra@example.com", "Citra", "081234567890",
             "Jl. Melati 1", "Courier", "", "", None, 2],
        ],
    )  # fmt: skip
    report = shop.sync("2027-02-01T12:00")
    assert any("'sepuluh'" in w and "last value (2) is used" in w for w in report.setup_warnings)
    assert shop.status_of("PO-0002") == "Waitlisted"  # Nastar is still full at 2
    assert shop.status_of("PO-0003") == "Confirmed"  # Kastengel buyers are not held back
    told = {(m["To"], m["X-OpenOrder-Kind"]) for m in shop.transport.sent}
    assert told == {
        ("ani@example.com", "order_confirmed"),
        ("budi@example.com", "order_waitlisted"),
        ("citra@example.com", "order_confirmed"),
    }


def test_a_new_product_with_a_bad_cell_still_stops_with_the_fix(tmp_path: Path) -> None:
    builder = bakery(tmp_path)
    builder.products[0][4] = "sepuluh"
    shop = builder.build()
    with pytest.raises(SheetSetupError) as stopped:
        shop.sync("2027-02-01T10:00")
    assert "enter a whole number or leave it blank for unlimited" in str(stopped.value.problems)
