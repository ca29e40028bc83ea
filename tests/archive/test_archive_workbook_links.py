"""Archiving on the workbook deletes whole rows: the cells left keep their WhatsApp links on
their own rows. (openpyxl moves a cell up but not its hyperlink's address: every archived
order used to leave a ghost row in `Orders` holding just its link, so the live tab grew with
every order of the year and the fast reader had to hand the tab to openpyxl.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.core.cells import text
from openorder_sheets.service.archive import archive_batches
from openorder_sheets.testing.shops import ShopBuilder

RULES = {"payment_due_hours": 48, "review_after_days": 0}


def test_archived_rows_leave_no_link_behind_and_live_links_follow_their_rows(
    tmp_path: Path,
) -> None:
    builder = ShopBuilder(tmp_path, backend="workbook", rules=dict(RULES))
    builder.product("NASTAR", "Nastar", 85000)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.batch("PO 2", "2027-02-13 09:00", "2027-03-10 21:00")
    for minute, name in ((10, "Ani"), (20, "Budi"), (30, "Citra")):
        builder.response(f"2027-02-01 09:{minute}", f"{name.lower()}@example.com", name, Nastar=1)
    builder.response("2027-02-13 09:10", "dedi@example.com", "Dedi", Nastar=2)
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    for number in ("PO-0001", "PO-0002", "PO-0003"):
        shop.set_order_cell(number, "paid", True)
    shop.sync("2027-02-02T10:00")
    shop.set_cell("batches", 1, "Stage", "Shipped")
    shop.sync("2027-02-21T10:00")
    assert isinstance(shop.backend, WorkbookBackend)
    now = dt.datetime(2027, 2, 22, 10, 0, tzinfo=shop.config.shop.zone)

    (result, *_) = archive_batches(shop.shop, now, ["PO 1"], archive=None)
    assert result.orders == 3

    sheet = load_workbook(shop.backend.path)[shop.config.tab("orders")]
    assert sheet.max_row == 2  # the header and Dedi's order: no ghost rows below
    linked = [cell for row in sheet.iter_rows() for cell in row if cell.hyperlink]
    links = [(cell.coordinate, cell.hyperlink.ref) for cell in linked]
    assert links  # Dedi's WhatsApp link
    assert [here for here, _ in links] == [ref for _, ref in links]  # each link on its cell
    assert all(int("".join(c for c in ref if c.isdigit())) == 2 for _, ref in links)
    shop.sync("2027-02-22T11:00")
    assert [text(row["Order"]) for row in shop.orders()] == ["PO-0004"]
    assert len(shop.grid("orders")) == 2
