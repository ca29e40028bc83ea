"""Bank statements tick `Paid` by themselves: a whole story on every backend.

A seller pastes rows from internet banking into the `Bank statement` tab; each sync matches
credits to unpaid orders by their amount to pay (unique code included) or the order number in
the description. The buyer hears `payment_received` as when the seller ticks `Paid`, or
`payment_short` with what is missing; everything else is shown beside the row for the seller.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from openorder_sheets.core.cells import text
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

ANI, BUDI, CITRA = "ani@example.com", "budi@example.com", "citra@example.com"


def bakery(folder: Path, backend: str, server: Any = None) -> ShopBuilder:
    builder = ShopBuilder(
        folder,
        backend=backend,
        sheets_server=server,
        rules={"unique_code": True, "payment_due_hours": 48, "payment_reminder_hours": 12},
    )
    builder.product("NASTAR", "Nastar", 85000, capacity=10)
    builder.product("KASTENGEL", "Kastengel", 95000, capacity=10)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.response("2027-02-01 09:10", ANI, "Ani Lestari", Nastar=2)
    builder.response("2027-02-01 09:20", BUDI, "Budi Santoso", Nastar=1)
    builder.response("2027-02-01 09:30", CITRA, "Citra Dewi", Kastengel=1)
    builder.statement = []
    return builder


def owed(shop: BuiltShop, number: str) -> int:
    return int(shop.order(number)["Amount to pay"] or 0)


def paste(shop: BuiltShop, rows: list[list[Any]]) -> None:
    """The seller pastes rows under what is already in the `Bank statement` tab."""
    grid = shop.grid("statement")
    kept = [list(row[:5]) for row in grid[1:] if any(c not in (None, "") for c in row[:5])]
    shop.replace_rows("statement", [*kept, *rows])


def results(shop: BuiltShop) -> list[tuple[str, str, str]]:
    return [
        (text(row.get("Result")), text(row.get("Paid order")), text(row.get("Orders to check")))
        for row in shop.table("statement")
    ]


def kinds(shop: BuiltShop, to: str) -> list[str]:
    return [m["X-OpenOrder-Kind"] for m in shop.transport.sent if m["To"] == to]


@pytest.fixture(params=["memory", "workbook", "google"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_statement_pays_orders_and_tells_buyers_and_seller(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue("sheets_server") if backend == "google" else None
    shop = bakery(tmp_path, backend, server).build()
    shop.sync("2027-02-01T10:00")
    ani, budi = owed(shop, "PO-0001"), owed(shop, "PO-0002")
    assert ani % 1000, "a unique code is added to each amount to pay"
    assert budi % 1000

    exact = [
        "02/02/2027",
        "10:01:00",
        "TRSF E-BANKING CR 0202/FTSCY/WS95031 ANI LESTARI",
        ani,
        "BCA",
    ]
    paste(
        shop,
        [
            exact,
            exact,  # pasted twice by mistake: counts once
            ["02/02/2027", "11:15:00", "TRSF PO-0002 BUDI", 50000, "BCA"],
            ["02/02/2027", "12:00:00", "SETORAN TUNAI", 123456, "BCA"],
            ["02/02/2027", "12:30:00", '=HYPERLINK("http://x","klik")', 777, "BCA"],
        ],
    )
    shop.sync("2027-02-02T13:00")

    assert shop.order("PO-0001")["Paid"] is True  # ticked by the tool
    assert text(shop.order("PO-0001")["Progress"]) == "Paid"
    assert kinds(shop, ANI) == ["order_confirmed", "payment_received"]
    assert kinds(shop, BUDI) == ["order_confirmed", "payment_short"]
    short = next(m for m in shop.transport.sent if m["X-OpenOrder-Kind"] == "payment_short")
    body = short.get_body(preferencelist=("plain",)).get_content()
    assert "Rp50.000" in body.replace("\xa0", " ") or "IDR" in body
    assert "still missing" in body
    assert shop.order("PO-0002")["Paid"] in (None, "", False)
    assert text(shop.order("PO-0002")["Progress"]) == "Partly paid"

    got = results(shop)
    assert got[0] == ("Paid in full", "PO-0001", "")
    assert got[1][0].startswith("The same date, time, amount and description as")
    assert "counts once" in got[1][0]
    assert got[2][0].startswith("Short by")
    assert got[2][1] == "PO-0002"
    assert got[3][0] == "Matches no order: check it"
    assert got[4][0] == "Matches no order: check it"
    # Buyer text in a description stays text: the cell still holds exactly what was pasted.
    assert text(shop.table("statement")[4]["Description"]) in (
        '=HYPERLINK("http://x","klik")',
        '\'=HYPERLINK("http://x","klik")',
    )

    payments = shop.table("payments")
    total = payments[-1]
    assert text(total["Batch"]) == "All batches"
    assert total["Paid orders"] == 1
    assert total["Unpaid orders"] == 2
    assert total["Transfers matched"] == 2
    assert total["Transfers to check"] == 2
    assert total["Received"] == ani + 50000

    # A re-sync changes nothing and sends nothing.
    before = len(shop.transport.sent)
    shop.sync("2027-02-02T14:00")
    assert len(shop.transport.sent) == before
    assert results(shop) == got

    # Budi pays the rest, naming his order: paid in full, receipt sent.
    paste(shop, [["03/02/2027", "09:00:00", "PO-0002 sisa", budi - 50000, "BCA"]])
    shop.sync("2027-02-03T10:00")
    assert kinds(shop, BUDI) == ["order_confirmed", "payment_short", "payment_received"]
    assert shop.order("PO-0002")["Paid"] is True
    assert results(shop)[5][0] == "Pays the rest: now paid in full"


def test_the_sellers_untick_wins_and_the_money_is_not_counted_again(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue("sheets_server") if backend == "google" else None
    shop = bakery(tmp_path, backend, server).build()
    shop.sync("2027-02-01T10:00")
    ani = owed(shop, "PO-0001")
    paste(shop, [["02/02/2027", "10:01:00", "TRSF ANI", ani, "BCA"]])
    shop.sync("2027-02-02T11:00")
    assert shop.order("PO-0001")["Paid"] is True

    shop.set_order_cell("PO-0001", "paid", False)  # the seller takes the tick off
    shop.sync("2027-02-02T12:00")
    order = shop.order("PO-0001")
    assert text(order["Progress"]) == "Awaiting payment"
    assert "you unticked Paid" in text(order["Problems"])
    assert results(shop)[0] == ("Matches no order: check it", "", "PO-0001")
    assert kinds(shop, ANI) == ["order_confirmed", "payment_received"]  # nothing more
    # Said for as long as that transfer is in the statement, and a re-run writes nothing.
    assert shop.sync("2027-02-02T13:00").tabs_written == []
    assert shop.order("PO-0001")["Paid"] in (False, None, "")
    assert "you unticked Paid" in text(shop.order("PO-0001")["Problems"])


def test_the_sellers_own_tick_wins_and_a_transfer_for_it_is_a_second_payment(
    tmp_path: Path,
) -> None:
    shop = bakery(tmp_path, "memory").build()
    shop.sync("2027-02-01T10:00")
    citra = owed(shop, "PO-0003")
    shop.set_order_cell("PO-0003", "paid", True)  # paid in cash at the market
    shop.sync("2027-02-01T11:00")
    paste(shop, [["02/02/2027", "", "TRSF CITRA DEWI", citra, "BNI"]])
    shop.sync("2027-02-02T11:00")
    assert results(shop)[0][0] == "A second payment for a paid order: refund it"
    assert "second payment" in text(shop.order("PO-0003")["Problems"])
    assert kinds(shop, CITRA) == ["order_confirmed", "payment_received"]


def paste_over_the_header(shop: BuiltShop, rows: list[list[Any]]) -> None:
    """The seller selects A1 of an empty `Bank statement` tab and pastes rows without headers."""
    from openpyxl import load_workbook

    from openorder_sheets.adapters.google_bodies import quote_tab
    from openorder_sheets.adapters.gsheet import GoogleSheetBackend
    from openorder_sheets.adapters.workbook import WorkbookBackend
    from openorder_sheets.testing.fakes import MemorySheet

    name = shop.config.tab("statement")
    backend = shop.backend
    if isinstance(backend, MemorySheet):
        backend.tabs[name] = [list(row) for row in rows]
    elif isinstance(backend, GoogleSheetBackend):
        assert shop.sheets_server is not None
        shop.sheets_server.set_values(backend.key, f"{quote_tab(name)}!A1:E{len(rows)}", rows)
    else:
        assert isinstance(backend, WorkbookBackend)
        book = load_workbook(backend.path)
        sheet = book[name]
        sheet.delete_rows(1, sheet.max_row)
        for row in rows:
            sheet.append(row)
        book.save(backend.path)


def test_a_paste_over_the_header_row_shows_the_first_transfer_s_result_too(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """Without a header row the first transfer has no row of its own for its result: it is
    written under the tool's headers, so every transfer the tool counted says so beside it,
    and the next sync reads the tab the same way (nothing sent, nothing moved).

    Google hands dates back as day numbers, which cannot be told from amounts without a
    header: there the seller is told, in the sheet, to add one; nothing is guessed."""
    server = request.getfixturevalue("sheets_server") if backend == "google" else None
    shop = bakery(tmp_path, backend, server).build()
    shop.sync("2027-02-01T10:00")
    ani, citra = owed(shop, "PO-0001"), owed(shop, "PO-0003")
    paste_over_the_header(
        shop,
        [
            ["02/02/2027", "10:01:00", "TRSF ANI LESTARI", ani, "BCA"],
            ["02/02/2027", "11:15:00", "TRSF CITRA", citra, "BCA"],
        ],
    )
    report = shop.sync("2027-02-02T13:00")
    if backend == "google":
        add_one = (
            "The Bank statement tab has no header row and its columns cannot be told apart"
            " — add one: Date, Time, Description, Amount."
        )
        assert report.statement_problems == [add_one]
        assert text(shop.grid("statement")[0][5]) == f"Result\n{add_one}"
        assert kinds(shop, ANI) == kinds(shop, CITRA) == ["order_confirmed"]
        shop.sheets_server.set_values(  # type: ignore[union-attr]
            shop.backend.key,  # type: ignore[attr-defined]
            "'Bank statement'!A1:E3",
            [
                ["Date", "Time", "Description", "Amount", "Bank"],
                ["02/02/2027", "10:01:00", "TRSF ANI LESTARI", ani, "BCA"],
                ["02/02/2027", "11:15:00", "TRSF CITRA", citra, "BCA"],
            ],
        )
        shop.sync("2027-02-02T13:30")
        assert kinds(shop, ANI) == kinds(shop, CITRA) == ["order_confirmed", "payment_received"]
        assert text(shop.grid("statement")[0][5]) == "Result"
        return
    assert kinds(shop, ANI) == ["order_confirmed", "payment_received"]
    assert kinds(shop, CITRA) == ["order_confirmed", "payment_received"]
    grid = shop.grid("statement")
    assert [text(cell) for cell in grid[0][5:8]] == [
        "Result\nPaid in full",
        "Paid order\nPO-0001",
        "Orders to check",
    ]
    assert [text(cell) for cell in grid[1][5:7]] == ["Paid in full", "PO-0003"]
    sent = len(shop.transport.sent)
    shop.sync("2027-02-02T14:00")
    assert len(shop.transport.sent) == sent
    assert shop.grid("statement") == grid
    assert shop.table("payments")[-1]["Transfers matched"] == 2


def test_the_sync_after_a_transfer_ticked_paid_writes_nothing(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """The tool's own tick is remembered as the seller's mark it becomes: the next sync finds
    the row as it left it and writes nothing (it rewrote the memory once, found by the
    lifecycle machine given transfers)."""
    server = request.getfixturevalue("sheets_server") if backend == "google" else None
    shop = bakery(tmp_path, backend, server).build()
    shop.sync("2027-02-01T10:00")
    paste(shop, [["02/02/2027", "10:30:00", "TRSF ANI", owed(shop, "PO-0001"), "BCA"]])
    shop.sync("2027-02-02T11:00")
    assert shop.order("PO-0001")["Paid"] is True
    assert shop.sync("2027-02-02T11:00").tabs_written == []
    assert shop.sync("2027-02-02T12:00").tabs_written == []


def test_a_cancelled_order_s_transfer_never_pays_a_newer_order_owing_the_same(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """Ani paid, then the seller cancelled her order: her transfer is hers to refund, shown
    beside it at every sync — not "no order" one sync later and then Budi's payment when he
    orders the same (it paid Budi, and thanked him, before)."""
    server = request.getfixturevalue("sheets_server") if backend == "google" else None
    builder = ShopBuilder(tmp_path, backend=backend, sheets_server=server)  # no unique codes
    builder.product("NASTAR", "Nastar", 85000, capacity=10)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.response("2027-02-01 09:10", ANI, "Ani Lestari", Nastar=2)
    builder.statement = []
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    paste(shop, [["02/02/2027", "10:01:00", "TRSF E-BANKING 0202", 170000, "BCA"]])
    shop.sync("2027-02-02T11:00")
    assert kinds(shop, ANI) == ["order_confirmed", "payment_received"]

    shop.set_order_cell("PO-0001", "seller_action", "Cancel")
    shop.sync("2027-02-02T12:00")
    refund = ("Matches no order: check it", "", "PO-0001")
    assert results(shop)[0] == refund
    assert shop.sync("2027-02-02T12:00").tabs_written == []
    assert results(shop)[0] == refund

    grid = shop.grid("responses")
    row = list(grid[1])
    row[0], row[1] = dt.datetime(2027, 2, 2, 13, 0), BUDI
    shop.replace_rows("responses", [*grid[1:], row])
    shop.sync("2027-02-02T14:00")
    shop.sync("2027-02-02T15:00")
    assert kinds(shop, BUDI) == ["order_confirmed"]
    assert shop.order("PO-0002")["Paid"] in (False, None, "")
    assert results(shop)[0] == refund
