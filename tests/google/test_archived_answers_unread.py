"""A Google form's tab cannot lose rows, so after a year most of it holds the answers of batches
long archived (issue 12). A sync leaves those at the top of the tab unread — and still loses
nothing, sends nothing twice and takes no old answer for a new order when the seller deletes,
inserts or sorts rows there, or an earlier buyer orders again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from gspread.http_client import HTTPClient

from openorder_sheets.adapters.gsheet import GoogleSheetBackend
from openorder_sheets.core.cells import text
from openorder_sheets.ports import SheetSnapshot
from openorder_sheets.service.archive import archive_batches
from openorder_sheets.service.sync import SyncReport
from openorder_sheets.testing.fakes import ReadRecorder
from openorder_sheets.testing.sheets_server import local_session
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder, at

ANI, BUDI, CITRA, DEDI = "ani@example.com", "budi@example.com", "citra@example.com", "dedi@x.id"
RULES = {"payment_due_hours": 48, "review_after_days": 0}


def archived_shop(folder: Path, server: Any) -> BuiltShop:
    """Batch PO 1 (three answers) shipped and archived; PO 2 open with two orders."""
    builder = ShopBuilder(folder, backend="google", sheets_server=server, rules=dict(RULES))
    builder.product("NASTAR", "Nastar", 85000, capacity=2)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-10 21:00")
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1, opt_in="Yes")
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    builder.response("2027-02-01 09:30", CITRA, "Citra", Nastar=1)  # waitlisted
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    for number in ("PO-0001", "PO-0002"):
        shop.set_order_cell(number, "paid", True)
    shop.sync("2027-02-02T10:00")
    shop.set_cell("batches", 1, "Stage", "Shipped")
    shop.sync("2027-02-21T10:00")
    key = server.create_spreadsheet("Toko — arsip")
    archive = GoogleSheetBackend(HTTPClient(auth=None, session=local_session(server.base_url)), key)  # type: ignore[arg-type]
    moment = dt.datetime(2027, 2, 22, 10, 0, tzinfo=shop.config.shop.zone)
    (result,) = archive_batches(shop.shop, moment, archive=archive)
    assert result.orders == 3
    add_answers(shop, ["2027-03-01 09:05", DEDI, "Dedi"], ["2027-03-01 09:15", BUDI, "Budi"])
    shop.sync("2027-03-01T10:00")
    return shop


def sync(shop: BuiltShop, now: str) -> tuple[SyncReport, list[SheetSnapshot]]:
    """A sync, and every snapshot it read."""
    backend = shop.shop.backend
    reading = ReadRecorder(backend)
    shop.shop.backend = reading  # type: ignore[assignment]
    try:
        return shop.sync(now), reading.snapshots
    finally:
        shop.shop.backend = backend


def add_answers(shop: BuiltShop, *answers: list[str]) -> None:
    """New form answers at the bottom of the tab (one Nastar each)."""
    header = [text(cell) for cell in shop.grid("responses")[0]]
    rows = []
    for when, email, name in answers:
        row: list[Any] = [None] * len(header)
        row[:3] = [at(when), email, name]
        row[header.index("WhatsApp")] = "081234567890"
        row[header.index("Nastar")] = 1
        rows.append(row)
    shop.replace_rows("responses", [*shop.grid("responses")[1:], *rows])


def live(shop: BuiltShop) -> dict[str, str]:
    return {text(row["Order"]): text(row["Email"]) for row in shop.orders()}


def read_from(snapshots: list[SheetSnapshot], shop: BuiltShop) -> int:
    """The first row of the form's tab a sync's one read began at (0: all of it)."""
    return snapshots[0].rows_from.get(shop.config.tab("responses"), 0)


def test_the_archived_answers_at_the_top_are_not_read_and_nothing_changes(
    tmp_path: Path, sheets_server: object
) -> None:
    shop = archived_shop(tmp_path, sheets_server)
    before = (live(shop), len(shop.transport.sent), shop.grid("state"))
    report, snapshots = sync(shop, "2027-03-01T11:00")
    assert read_from(snapshots, shop) == 4  # rows 2–4 of the sheet: PO 1's three answers
    assert len(snapshots) == 1  # one request, nothing read again
    assert report.tabs_written == []
    assert (live(shop), len(shop.transport.sent), shop.grid("state")) == before
    assert live(shop) == {"PO-0004": DEDI, "PO-0005": BUDI}


def test_an_earlier_buyer_ordering_again_is_a_plain_new_order(
    tmp_path: Path, sheets_server: object
) -> None:
    """Budi's PO 1 answer is unread: his new order must not be taken for a lost answer of it."""
    shop = archived_shop(tmp_path, sheets_server)
    add_answers(shop, ["2027-03-01 12:00", ANI, "Ani"])
    _, snapshots = sync(shop, "2027-03-01T13:00")
    assert read_from(snapshots, shop) == 4
    assert shop.transport.kinds_to(ANI)[-1] == "order_waitlisted"  # capacity 2: PO 2 is full
    assert shop.transport.kinds_to(BUDI)[-1] == "order_confirmed"
    assert text(shop.order("PO-0005")["Problems"]) == ""
    assert live(shop) == {"PO-0004": DEDI, "PO-0005": BUDI, "PO-0006": ANI}


def test_a_deleted_archived_answer_makes_the_sync_read_everything_once(
    tmp_path: Path, sheets_server: object
) -> None:
    """The seller deletes Ani's old answer: Dedi's moves up into the rows left unread. The
    sync misses it, reads the whole tab (and the archived orders, to claim the old answers),
    loses nothing and sends nothing."""
    shop = archived_shop(tmp_path, sheets_server)
    sent = len(shop.transport.sent)
    shop.replace_rows("responses", shop.grid("responses")[2:])
    report, snapshots = sync(shop, "2027-03-01T11:00")
    # The lean read, the whole form's tab, then the archived orders' tab: the answers read
    # now include ones as old as the archive, which its orders claim.
    assert [bool(s.rows_from) for s in snapshots] == [True, False, False]
    assert list(snapshots[2].tabs) == [shop.config.tab("archived")]
    assert live(shop) == {"PO-0004": DEDI, "PO-0005": BUDI}
    assert len(shop.transport.sent) == sent
    assert [text(row["Response row"]) for row in shop.orders()] == ["4", "5"]
    assert shop.config.tab("orders") in report.tabs_written  # the rows moved: shown again
    report, snapshots = sync(shop, "2027-03-01T12:00")
    assert report.tabs_written == []
    assert read_from(snapshots, shop) == 3
    assert len(snapshots) == 1


def test_a_row_inserted_or_the_tab_sorted_takes_no_old_answer_for_a_new_order(
    tmp_path: Path, sheets_server: object
) -> None:
    """A blank row at the top pushes an archived answer into the rows read: it is still
    claimed by its archived order. Sorted newest first, the live answers move up into the
    unread rows: everything is read again. Never a new order, never a message."""
    shop = archived_shop(tmp_path, sheets_server)
    sent = len(shop.transport.sent)
    answers = shop.grid("responses")[1:]
    shop.replace_rows("responses", [[], *answers])
    shop.sync("2027-03-01T11:00")
    assert live(shop) == {"PO-0004": DEDI, "PO-0005": BUDI}
    newest_first = sorted(answers, key=lambda row: row[0], reverse=True)
    shop.replace_rows("responses", newest_first)
    shop.sync("2027-03-01T12:00")
    assert live(shop) == {"PO-0004": DEDI, "PO-0005": BUDI}
    assert len(shop.transport.sent) == sent
    report, snapshots = sync(shop, "2027-03-01T13:00")
    assert report.tabs_written == []
    assert read_from(snapshots, shop) == 0  # the archived answers are at the bottom now


def test_an_archived_answer_pasted_again_below_is_not_a_new_order(
    tmp_path: Path, sheets_server: object
) -> None:
    """The seller copies Ani's old answer (archived, in the rows left unread) to the bottom:
    an answer no newer than the archived ones makes every archived order claim its answer
    again, and the copy is Ani's archived order, not a new one."""
    shop = archived_shop(tmp_path, sheets_server)
    sent = len(shop.transport.sent)
    answers = shop.grid("responses")[1:]
    shop.replace_rows("responses", [*answers, list(answers[0])])
    _, snapshots = sync(shop, "2027-03-01T11:00")
    assert read_from(snapshots, shop) == 4
    assert live(shop) == {"PO-0004": DEDI, "PO-0005": BUDI}
    assert len(shop.transport.sent) == sent
