"""`openorder archive`: finished batches leave the live tabs and nothing is lost, re-sent or
renumbered; a run killed half-way is finished by the next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from openorder_sheets.core.cells import text
from openorder_sheets.service.archive import archive_batches
from openorder_sheets.testing.fakes import MemorySheet
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

ANI, BUDI, CITRA = "ani@example.com", "budi@example.com", "citra@example.com"
DEDI = "dedi@example.com"
RULES = {"payment_due_hours": 48, "review_after_days": 0}


def two_batches_builder(folder: Path, backend: str = "memory") -> ShopBuilder:
    """PO 1 (Ani opted in to news, Budi, Citra waitlisted) and PO 2 ahead, not built yet."""
    builder = ShopBuilder(folder, backend=backend, rules=dict(RULES))
    builder.product("NASTAR", "Nastar", 85000, capacity=2)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-10 21:00")
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1, opt_in="Yes")
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    builder.response("2027-02-01 09:30", CITRA, "Citra", Nastar=1)  # waitlisted
    return builder


def two_batches(folder: Path, backend: str = "memory") -> BuiltShop:
    return two_batches_builder(folder, backend).build()


def finish_batch_one(shop: BuiltShop) -> None:
    shop.sync("2027-02-01T10:00")
    for number in ("PO-0001", "PO-0002"):
        shop.set_order_cell(number, "paid", True)
    shop.sync("2027-02-02T10:00")
    stage = shop.grid("batches")[0].index("Stage")
    shop.set_cell("batches", 1, "Stage", "Shipped")
    del stage
    shop.sync("2027-02-21T10:00")


@pytest.mark.parametrize("backend", ["memory", "workbook"])
def test_a_finished_batch_moves_out_and_nothing_is_lost_or_sent_again(
    tmp_path: Path, backend: str
) -> None:
    shop = two_batches(tmp_path, backend)
    finish_batch_one(shop)
    sent_before = len(shop.transport.sent)
    archive = MemorySheet()

    (result,) = archive_batches(
        shop.shop, dt.datetime(2027, 2, 22, 10, 0, tzinfo=shop.config.shop.zone), archive=archive
    )

    assert result.not_finished == []
    assert (result.orders, result.answers) == (3, 3)
    assert result.emails >= 5
    assert [text(r[0]) for r in archive.tabs["Orders"][1:]] == ["PO-0001", "PO-0002", "PO-0003"]
    assert len(archive.tabs["Emails"]) - 1 == result.emails
    assert shop.orders() == []
    assert shop.table("emails") == []
    assert shop.table("responses") == []

    # A sync after archiving: nothing sent, nothing renumbered, nothing comes back.
    shop.sync("2027-02-22T11:00")
    assert len(shop.transport.sent) == sent_before
    assert shop.orders() == []
    assert {text(row["Batch"]) for row in shop.table("summary")} == {"PO 2"}
    # A new order continues the numbers; PO 2's announcement still reaches the opted-in Ani
    # and the waitlisted Citra, whose orders are archived.
    builder_row = ["2027-03-01 09:30", "dedi@example.com", "Dedi"]
    shop.replace_rows(
        "responses",
        [
            [
                dt.datetime.fromisoformat(builder_row[0]),
                builder_row[1],
                builder_row[2],
                "081234567890",
                "Jl. Melati 1",
                "Courier",
                "",
                "",
                1,
            ]
        ],
    )
    shop.sync("2027-03-01T10:00")
    assert [text(r["Order"]) for r in shop.orders()] == ["PO-0004"]
    news = [m["To"] for m in shop.transport.sent if m["X-OpenOrder-Kind"] == "batch_open"]
    assert sorted(news) == [ANI, CITRA]


@pytest.mark.parametrize("backend", ["memory", "workbook"])
def test_an_answer_sent_before_the_batch_opened_leaves_with_it(
    tmp_path: Path, backend: str
) -> None:
    """An early answer is rejected (outside every batch) and told so: it belongs to no batch,
    but it leaves with the first batch archived after it, or it would stay in Orders for
    ever. One sent after that batch closed waits for the next."""
    builder = ShopBuilder(tmp_path, backend=backend, rules=dict(RULES))
    builder.product("NASTAR", "Nastar", 85000, capacity=2)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-10 21:00")
    builder.response("2027-01-31 20:00", DEDI, "Dedi", Nastar=1)  # before PO 1 opens
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    builder.response("2027-02-20 09:20", CITRA, "Citra", Nastar=1)  # between batches
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    assert shop.status_of("PO-0001") == "Rejected"
    assert shop.transport.kinds_to(DEDI) == ["order_rejected"]
    for number in ("PO-0002", "PO-0003"):
        shop.set_order_cell(number, "paid", True)
    shop.sync("2027-02-02T10:00")
    shop.set_cell("batches", 1, "Stage", "Shipped")
    shop.sync("2027-02-21T10:00")
    assert shop.status_of("PO-0004") == "Rejected"
    sent = len(shop.transport.sent)
    archive = MemorySheet()

    (result,) = archive_batches(
        shop.shop, dt.datetime(2027, 2, 22, 10, 0, tzinfo=shop.config.shop.zone), archive=archive
    )

    assert (result.orders, result.answers) == (3, 3)
    assert [text(r[0]) for r in archive.tabs["Orders"][1:]] == ["PO-0001", "PO-0002", "PO-0003"]
    assert [text(r["Order"]) for r in shop.orders()] == ["PO-0004"]  # after PO 1 closed
    shop.sync("2027-02-22T11:00")
    assert len(shop.transport.sent) == sent
    assert [text(r["Order"]) for r in shop.orders()] == ["PO-0004"]


def test_an_unfinished_batch_stays_with_the_reason(tmp_path: Path) -> None:
    shop = two_batches(tmp_path)
    shop.sync("2027-02-01T10:00")
    now = dt.datetime(2027, 2, 22, 10, 0, tzinfo=shop.config.shop.zone)
    (result,) = archive_batches(shop.shop, now, ["PO 1"], archive=MemorySheet())
    assert result.orders == 0
    assert "Stage is not Shipped or Cancelled" in result.not_finished[0]
    shop.set_cell("batches", 1, "Stage", "Shipped")
    (result,) = archive_batches(shop.shop, now, ["PO 1"], archive=MemorySheet())
    assert "PO-0001, PO-0002 still owe money" in result.not_finished[0]
    assert len(shop.orders()) == 3


class DiesDeleting(MemorySheet):
    """A live sheet whose first row deletion is cut short, as a laptop lid closing."""

    def __init__(self, inner: MemorySheet) -> None:
        super().__init__(inner.tabs)
        self.layouts = inner.layouts
        self.died = False

    def delete_rows(self, tab: str, rows: Sequence[int]) -> None:
        if not self.died:
            self.died = True
            raise KeyboardInterrupt
        super().delete_rows(tab, rows)


def test_killed_half_way_a_rerun_finishes_without_doubles(tmp_path: Path) -> None:
    shop = two_batches(tmp_path)
    finish_batch_one(shop)
    assert isinstance(shop.shop.backend, MemorySheet)
    dying = DiesDeleting(shop.shop.backend)
    shop.shop.backend = dying
    archive = MemorySheet()
    now = dt.datetime(2027, 2, 22, 10, 0, tzinfo=shop.config.shop.zone)
    with pytest.raises(KeyboardInterrupt):
        archive_batches(shop.shop, now, ["PO 1"], archive=archive)
    assert len(shop.orders()) == 3  # still live: the deletion never happened
    sent = len(shop.transport.sent)
    shop.sync("2027-02-22T10:30")  # a cron sync in between changes nothing
    assert len(shop.transport.sent) == sent

    (result,) = archive_batches(shop.shop, now, ["PO 1"], archive=archive)
    assert result.not_finished == []
    assert shop.orders() == []
    assert [text(r[0]) for r in archive.tabs["Orders"][1:]] == ["PO-0001", "PO-0002", "PO-0003"]


def test_status_says_when_the_sheet_passes_60_percent_of_googles_cells(tmp_path: Path) -> None:
    from openorder_sheets.cli_text import status_text
    from openorder_sheets.service.views import shop_status

    shop = two_batches(tmp_path)
    shop.sync("2027-02-01T10:00")
    now = dt.datetime(2027, 2, 2, 10, 0, tzinfo=shop.config.shop.zone)
    status = shop_status(shop.shop, now)
    assert 0 < status.cells_used < 10_000  # a small shop
    assert "archive" not in status_text(status, shop.config)
    status.cells_used = 6_500_000
    assert (
        "The spreadsheet is filling up: 6,500,000 of 10,000,000 cells (65%) — run "
        "`openorder archive` to move finished batches out." in status_text(status, shop.config)
    )


def test_on_google_the_rows_move_to_the_archive_spreadsheet_and_answers_stay(
    tmp_path: Path, sheets_server: object
) -> None:
    from gspread.http_client import HTTPClient

    from openorder_sheets.adapters.gsheet import GoogleSheetBackend
    from openorder_sheets.testing.sheets_server import local_session

    builder = ShopBuilder(
        tmp_path, backend="google", sheets_server=sheets_server, rules=dict(RULES)
    )
    builder.product("NASTAR", "Nastar", 85000, capacity=2)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-10 21:00")
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1, opt_in="Yes")
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    builder.response("2027-02-01 09:30", CITRA, "Citra", Nastar=1)
    shop = builder.build()
    finish_batch_one(shop)
    key = sheets_server.create_spreadsheet("Toko — arsip")  # type: ignore[attr-defined]
    http = HTTPClient(auth=None, session=local_session(sheets_server.base_url))  # type: ignore[attr-defined,arg-type]
    archive = GoogleSheetBackend(http, key)
    now = dt.datetime(2027, 2, 22, 10, 0, tzinfo=shop.config.shop.zone)

    (result,) = archive_batches(shop.shop, now, archive=archive)

    assert (result.orders, result.answers) == (3, 0)
    saved = archive.read(["Orders", "Emails"]).tabs
    assert [text(r[0]) for r in (saved["Orders"] or [])[1:]] == ["PO-0001", "PO-0002", "PO-0003"]
    assert len(saved["Emails"] or []) - 1 == result.emails
    assert shop.orders() == []
    assert len(shop.table("responses")) == 3  # the form's own tab is left as it is
    sent = len(shop.transport.sent)
    shop.sync("2027-02-22T11:00")
    assert len(shop.transport.sent) == sent
    assert shop.orders() == []  # the answers that stay are not taken for new orders


def test_buyer_text_moved_to_an_archive_workbook_stays_text(tmp_path: Path) -> None:
    """A buyer's name that looks like a formula is text in the archive too, never a formula."""
    from openpyxl import load_workbook

    from openorder_sheets.adapters.workbook import WorkbookBackend

    builder = ShopBuilder(tmp_path, backend="workbook", rules=dict(RULES))
    builder.product("NASTAR", "Nastar", 85000, capacity=5)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.response("2027-02-01 09:10", ANI, '=HYPERLINK("http://x","klik")', Nastar=1)
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    shop.set_order_cell("PO-0001", "paid", True)
    shop.sync("2027-02-02T10:00")
    shop.set_cell("batches", 1, "Stage", "Shipped")
    shop.sync("2027-02-21T10:00")
    archive = WorkbookBackend(tmp_path / "shop-archive.xlsx")
    now = dt.datetime(2027, 2, 22, 10, 0, tzinfo=shop.config.shop.zone)
    (result,) = archive_batches(shop.shop, now, archive=archive)
    assert result.orders == 1
    book = load_workbook(tmp_path / "shop-archive.xlsx")
    names = [
        cell for row in book["Orders"].iter_rows() for cell in row if "HYPERLINK" in str(cell.value)
    ]
    assert names
    assert all(cell.data_type != "f" for cell in names)


def test_a_buyer_the_seller_stopped_mail_to_hears_nothing_after_archiving(tmp_path: Path) -> None:
    """`Stop emails` outlives the order: the opted-in Ani, stopped by the seller, is not sent
    PO 2's announcement once her PO 1 order is archived."""
    shop = two_batches(tmp_path)
    shop.sync("2027-02-01T10:00")
    shop.set_order_cell("PO-0001", "seller_action", "Stop emails")
    finish_batch_one(shop)
    (result,) = archive_batches(
        shop.shop, dt.datetime(2027, 2, 22, 10, 0, tzinfo=shop.config.shop.zone), archive=None
    )
    assert result.not_finished == []
    shop.sync("2027-03-01T10:00")
    news = [m["To"] for m in shop.transport.sent if m["X-OpenOrder-Kind"] == "batch_open"]
    assert news == [CITRA]
