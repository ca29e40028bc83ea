"""A Google sync reads only the cells it decides from (issue 12): of `Orders` the `Order`,
`Response row` and seller columns, of `Emails` all but the columns that follow from the key;
what the tool last wrote elsewhere is known from the memory. Every promise still holds: the
seller's columns are read where the seller put them, and a memory an older version wrote is
read and packed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openorder_sheets.adapters.google_bodies import api_value, quote_tab
from openorder_sheets.adapters.local_journal import JOURNAL_NAME
from openorder_sheets.core import memory as mem
from openorder_sheets.core.cells import text
from openorder_sheets.core.memory import HEADER, read_memory
from openorder_sheets.ports import Cell
from openorder_sheets.service.decide import decide_shop
from openorder_sheets.testing.fakes import ReadRecorder
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder, at

NOW = "2027-02-03 10:00"


def _shop(folder: Path, server: object) -> BuiltShop:
    builder = ShopBuilder(folder, backend="google", sheets_server=server)
    builder.product("NASTAR", "Nastar", 85000, capacity=2)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00")
    for minute, name in ((10, "Ani"), (20, "Budi"), (30, "Citra")):
        builder.response(f"2027-02-01 09:{minute}", f"{name.lower()}@example.com", name, Nastar=1)
    return builder.build()


def _put(shop: BuiltShop, key: str, rows: list[list[Cell]]) -> None:
    """Overwrite a tab's cells from A1, as a seller pasting over it."""
    name = shop.config.tab(key)
    values = [[api_value(cell) for cell in row] for row in rows]
    shop.sheets_server.set_values(shop.backend.key, f"{quote_tab(name)}!A1", values)  # type: ignore[attr-defined]


def test_a_resync_reads_no_derived_column_and_writes_nothing(
    tmp_path: Path, sheets_server: object
) -> None:
    """The second sync leaves the tool's Orders cells and Kind/To/Message-ID unread, in one
    request, and still finds nothing to write."""
    shop = _shop(tmp_path, sheets_server)
    shop.sync(NOW)
    reading = ReadRecorder(shop.shop.backend)
    shop.shop.backend = reading  # type: ignore[assignment]
    before = {key: shop.grid(key) for key in ("orders", "emails", "state")}
    reads = len(reading.snapshots)
    report = shop.sync("2027-02-03 10:05")
    assert report.tabs_written == []
    assert len(reading.snapshots) == reads + 1
    skipped = reading.snapshots[-1].skipped
    assert set(skipped) == {shop.config.tab("orders"), shop.config.tab("emails")}
    assert {key: shop.grid(key) for key in before} == before


def test_a_seller_who_moves_the_paid_column_is_still_read_right(
    tmp_path: Path, sheets_server: object
) -> None:
    """Paid moved onto a column the tool would leave unread: the header says so, the tab is
    read whole, and the tick is honoured."""
    shop = _shop(tmp_path, sheets_server)
    shop.sync(NOW)
    grid = shop.grid("orders")
    headers = [text(cell) for cell in grid[0]]
    status, paid = headers.index("Status"), headers.index("Paid")
    width = len(headers)
    swapped = []
    for row in grid:
        cells = [*row, *([None] * (width - len(row)))]
        cells[status], cells[paid] = cells[paid], cells[status]
        swapped.append(cells)
    _put(shop, "orders", swapped)
    shop.set_order_cell("PO-0001", "paid", True)
    shop.sync("2027-02-03 11:00")
    assert text(shop.order("PO-0001")["Progress"]) == "Paid"
    assert shop.transport.kinds_to("ani@example.com")[-1] == "payment_received"
    assert shop.sync("2027-02-03 11:05").tabs_written == []


def test_a_memory_written_one_row_per_order_is_read_and_packed(
    tmp_path: Path, sheets_server: object
) -> None:
    """A shop an older version synced (one JSON row per order, no fingerprints) loses
    nothing, is sent nothing again, and its memory is packed by the next sync."""
    shop = _shop(tmp_path, sheets_server)
    shop.sync(NOW)
    orders = shop.grid("orders")
    memory = read_memory(shop.grid("state"))
    assert memory is not None
    old: list[list[Cell]] = [list(HEADER)]
    for number, order in memory.orders.items():
        old.append(["order:" + number, mem._dump(mem._order_data(order))])
    old.append(["shop", mem._dump({"last_serial": memory.last_serial})])
    while len(old) < len(shop.grid("state")):
        old.append([None, None])
    _put(shop, "state", old)
    sent = len(shop.transport.sent)
    shop.sync("2027-02-03 10:05")
    assert len(shop.transport.sent) == sent
    assert shop.grid("orders") == orders
    keys = [text(row[0]) for row in shop.grid("state")[1:] if row and row[0]]
    assert "orders:0" in keys
    assert not any(key.startswith("order:") for key in keys)
    assert shop.sync("2027-02-03 10:10").tabs_written == []


def test_a_delay_is_about_the_buyers_order_though_its_order_cell_is_not_read(
    tmp_path: Path, sheets_server: object
) -> None:
    """`Order` of an `Emails` row is not read back: it follows from the key, except for
    `batch_delayed`, whose key names the batch. The sync finds that order again (the buyer's
    first confirmed order in the batch), so the delay shows on the buyer's orders row, the
    `Order` cell stays what the tool wrote, and the next sync has nothing to write."""
    builder = ShopBuilder(tmp_path, backend="google", sheets_server=sheets_server)
    builder.product("NASTAR", "Nastar", 85000, capacity=10)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.response("2027-02-01 09:10", "ani@example.com", "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", "budi@example.com", "Budi", Nastar=2)
    shop = builder.build()
    shop.sync(NOW)
    shop.set_cell("batches", 1, "Ships on", dt.datetime(2027, 2, 25))
    shop.sync("2027-02-04 10:00")
    assert shop.transport.kinds_to("ani@example.com")[-1] == "batch_delayed"
    emails = shop.table("emails")
    delayed = {
        text(row["To"]): text(row["Order"]) for row in emails if row["Kind"] == "batch_delayed"
    }
    assert delayed == {"ani@example.com": "PO-0001", "budi@example.com": "PO-0002"}
    before = shop.grid("emails")
    report = shop.sync("2027-02-04 10:05")
    assert report.tabs_written == []
    assert shop.grid("emails") == before
    assert "batch_delayed" not in shop.transport.kinds_to("ani@example.com")[:-1]
    # What a later sync knows (a delay deferred by the daily limit is built from this), on a
    # machine without this one's delivery journal.
    (shop.shop.state_dir / JOURNAL_NAME).unlink()
    moment = at("2027-02-04 10:10").replace(tzinfo=shop.config.shop.zone)
    decided = decide_shop(shop.shop, moment, lean=True)
    known = {e.to: e.order for e in decided.entries if e.kind == "batch_delayed"}
    assert known == {"ani@example.com": "PO-0001", "budi@example.com": "PO-0002"}


def test_a_new_shops_first_sync_reads_once(tmp_path: Path, sheets_server: object) -> None:
    """The tool's tabs made by `init` (no memory yet, `Emails` with only its header): nothing
    to read again whole (a first sync's budget: one metadata read, one `values:batchGet`)."""
    from openorder_sheets.service.setup import tool_tabs

    shop = _shop(tmp_path, sheets_server)
    shop.backend.create_tabs(tool_tabs(shop.config))  # type: ignore[attr-defined]
    counts = shop.backend.requests.counts  # type: ignore[attr-defined]
    before = dict(counts)
    shop.sync(NOW)
    reads = {k: counts.get(k, 0) - before.get(k, 0) for k in ("metadata_get", "values_batch_get")}
    assert reads == {"metadata_get": 1, "values_batch_get": 1}


def test_a_row_that_only_gets_a_new_last_email_is_written_whole_and_right(
    tmp_path: Path, sheets_server: object
) -> None:
    """A re-sync keeps no cells of the rows it finds unchanged. When a payment reminder goes
    to a buyer whose row is otherwise unchanged, that row is written whole with what the tool
    says of the order (not blanks where its cells were let go); a row with no news is left
    as it was, and the next sync finds nothing to write."""
    shop = _shop(tmp_path, sheets_server)
    shop.sync(NOW)
    before = {number: shop.order(number) for number in ("PO-0001", "PO-0002", "PO-0003")}
    shop.sync("2027-02-04 23:00")  # 37 hours on: the reminders are due
    assert shop.transport.kinds_to("ani@example.com")[-1] == "payment_reminder"
    assert "Citra" in text(before["PO-0003"]["Name"])
    assert shop.order("PO-0003") == before["PO-0003"]
    for number in ("PO-0001", "PO-0002"):
        after = shop.order(number)
        changed = {column for column in after if after[column] != before[number][column]}
        assert changed == {"Last email"}, changed
        assert text(after["Last email"]) != text(before[number]["Last email"])
    assert shop.sync("2027-02-04 23:10").tabs_written == []


def test_an_order_whose_answer_is_gone_keeps_its_name_when_its_row_is_written_again(
    tmp_path: Path, sheets_server: object
) -> None:
    """The seller deletes a buyer's form answer: the order stays, and its `Orders` row keeps
    the name, email and WhatsApp the tool showed (they are no longer known from an answer).
    A later sync that writes that row again for a new `Last email` (a payment reminder)
    must read those cells first, not blank them."""
    shop = _shop(tmp_path, sheets_server)
    shop.sync(NOW)
    answers = shop.grid("responses")
    shop.replace_rows("responses", answers[2:])  # Ani's answer deleted
    shop.sync("2027-02-03 11:00")
    kept = shop.order("PO-0001")
    assert text(kept["Name"]) == "Ani"
    shop.sync("2027-02-04 23:00")  # 37 hours on: the reminders are due
    assert shop.transport.kinds_to("ani@example.com")[-1] == "payment_reminder"
    after = shop.order("PO-0001")
    assert text(after["Last email"]) != text(kept["Last email"])
    for column in ("Name", "Email", "WhatsApp"):
        assert after[column] == kept[column], column
