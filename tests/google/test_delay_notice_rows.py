"""A delay notice's key names the batch and the buyer, not the order; on a sheet whose `Emails`
`Order` column is left unread (Google; the in-memory sheet does the same) the order it was
about is worked out each sync. It must come out as the one the notice was about (the ledger's),
or once that order stops being confirmed another order of the same buyer takes it over, its
`Last email` row no longer matches, and `Orders` is written again at every sync for ever.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from openorder_sheets.core.cells import text
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder


@pytest.mark.parametrize("backend", ["memory", "google"])
def test_a_buyer_s_other_order_does_not_take_over_the_delay_notice_of_an_expired_one(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue("sheets_server") if backend == "google" else None
    builder = ShopBuilder(
        tmp_path,
        backend=backend,
        sheets_server=server,
        rules={"payment_due_hours": 48, "payment_reminder_hours": 12},
    )
    builder.product("NASTAR", "Nastar", 85000, capacity=3)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.response("2027-02-01 09:10", "ani@example.com", "Ani")  # nothing chosen
    builder.response("2027-02-01 09:20", "ani@example.com", "Ani", Nastar=1)
    shop: BuiltShop = builder.build()
    shop.sync("2027-02-01T10:00")
    shop.set_cell("batches", 1, "Ships on", dt.date(2027, 2, 23))
    shop.sync("2027-02-02T10:00")  # batch_delayed, about PO-0002
    shop.sync("2027-02-02T22:00")  # payment_reminder
    shop.sync("2027-02-03T11:00")  # order_expired: Ani has no confirmed order left
    assert shop.status_of("PO-0002") == "Expired"
    shown = {text(row["Order"]): text(row["Last email"]) for row in shop.orders()}
    assert shown["PO-0001"].startswith("Request to fix sent")

    for hour in ("12:00", "13:00"):
        report = shop.sync(f"2027-02-03T{hour}")
        assert report.tabs_written == [], report.tabs_written
    assert {text(row["Order"]): text(row["Last email"]) for row in shop.orders()} == shown
