"""Archived orders stay packed in the memory: a sync reads a few facts about them, and unpacks
the orders only when something it meets could be one of theirs (a year of them would otherwise
cost every sync). Whatever it unpacks or not, it decides exactly as if it had them all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from openorder_sheets.core import memory as mem
from openorder_sheets.core.cells import text
from openorder_sheets.errors import SheetSetupError
from openorder_sheets.service.archive import archive_batches
from openorder_sheets.testing.fakes import MemorySheet
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder
from tests.archive.test_archive import two_batches_builder

ANI, BUDI, CITRA, DEDI = "ani@example.com", "budi@example.com", "citra@example.com", "d@x.id"
RULES = {"payment_due_hours": 48, "review_after_days": 0}


def archived_shop(folder: Path, backend: str, statement: bool = False) -> BuiltShop:
    """PO 1 sold (Ani opted in, Citra waitlisted), paid, shipped and archived; PO 2 ahead."""
    builder = two_batches_builder(folder, backend)
    if statement:
        builder.statement = []
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    if statement:
        paste(shop, [STATEMENT_ROW])
    else:
        shop.set_order_cell("PO-0001", "paid", True)
    shop.set_order_cell("PO-0002", "paid", True)
    shop.sync("2027-02-02T10:00")
    assert shop.order("PO-0001")["Paid"] is True
    shop.set_cell("batches", 1, "Stage", "Shipped")
    shop.sync("2027-02-21T10:00")
    (result,) = archive_batches(shop.shop, at(shop, "2027-02-22T10:00"), archive=MemorySheet())
    assert result.not_finished == []
    assert result.orders == 3
    return shop


STATEMENT_ROW = ["02/02/2027", "10:01:00", "TRSF PO-0001 ANI", 85000, "BCA"]


def paste(shop: BuiltShop, rows: list[list[Any]]) -> None:
    grid = shop.grid("statement")
    kept = [list(row[:5]) for row in grid[1:] if any(c not in (None, "") for c in row[:5])]
    shop.replace_rows("statement", [*kept, *rows])


def at(shop: BuiltShop, when: str) -> dt.datetime:
    return dt.datetime.fromisoformat(when).replace(tzinfo=shop.config.shop.zone)


def answer(when: str, email: str, name: str, quantity: int = 1, opt_in: str = "") -> list[Any]:
    moment = dt.datetime.fromisoformat(when)
    return [moment, email, name, "081234567890", "Jl. Melati 1", "Courier", "", opt_in, quantity]


@pytest.fixture
def unpacked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a sync unpacked the archived orders."""
    calls: list[int] = []
    real = mem.Archive.orders

    def counting(self: mem.Archive) -> dict[str, mem.ArchivedOrder]:
        if self._orders is None:
            calls.append(1)
        return real(self)

    monkeypatch.setattr(mem.Archive, "orders", counting)
    return calls


@pytest.mark.parametrize("backend", ["memory", "workbook"])
def test_a_batch_after_archiving_is_announced_and_sold_without_unpacking_the_archive(
    tmp_path: Path, backend: str, unpacked: list[int]
) -> None:
    shop = archived_shop(tmp_path, backend)
    state_before = [shop.grid("state"), shop.grid("archived")]
    unpacked.clear()
    shop.replace_rows("responses", [answer("2027-03-01 09:30", DEDI, "Dedi")])

    shop.sync("2027-03-01T10:00")

    assert unpacked == []
    assert [text(r["Order"]) for r in shop.orders()] == ["PO-0004"]  # numbers go on
    news = sorted(m["To"] for m in shop.transport.sent if m["X-OpenOrder-Kind"] == "batch_open")
    assert news == [ANI, CITRA]  # the opted-in buyer and the waitlisted one, both archived
    archived_after = shop.grid("archived")
    assert archived_after == state_before[1]  # the archived orders' tab is left as it was
    facts = [row for row in shop.grid("state") if text(row[0]).startswith(("archive", "voice"))]
    assert facts == [r for r in state_before[0] if text(r[0]).startswith(("archive", "voice"))]


@pytest.mark.parametrize("backend", ["memory", "workbook"])
def test_archived_answers_pasted_back_are_claimed_again_not_new_orders(
    tmp_path: Path, backend: str, unpacked: list[int]
) -> None:
    """The seller undoes the archive's deletion in the form's tab: those answers are as old as
    the archive, so the sync unpacks it and the archived orders claim them."""
    shop = archived_shop(tmp_path, backend)
    sent = len(shop.transport.sent)
    unpacked.clear()
    shop.replace_rows(
        "responses",
        [
            answer("2027-02-01 09:10", ANI, "Ani", opt_in="Yes"),
            answer("2027-02-01 09:20", BUDI, "Budi"),
            answer("2027-02-01 09:30", CITRA, "Citra"),
        ],
    )

    shop.sync("2027-02-23T10:00")

    assert unpacked, "the archived orders were unpacked"
    assert shop.orders() == []
    assert len(shop.transport.sent) == sent


def test_a_repeat_buyers_new_answer_on_her_archived_answers_row_is_a_new_order(
    tmp_path: Path,
) -> None:
    """On a workbook the archive deletes the answers, so Ani's next answer lands on the row her
    archived one had: it is a new order all the same, confirmed and told."""
    shop = archived_shop(tmp_path, "workbook")
    shop.replace_rows("responses", [answer("2027-03-01 09:30", ANI, "Ani Lestari")])

    shop.sync("2027-03-01T10:00")

    assert [(text(r["Order"]), text(r["Status"])) for r in shop.orders()] == [
        ("PO-0004", "Confirmed")
    ]
    assert shop.transport.kinds_to(ANI)[-1] == "order_confirmed"


def test_her_new_answer_stays_a_new_order_when_an_old_one_is_pasted_back_too(
    tmp_path: Path,
) -> None:
    """Both at once on a workbook: Budi's archived answer is pasted back (so the archive is
    read) while Ani's new answer sits on the row her archived one had. Budi's old answer is
    claimed by his archived order; Ani's new one is a new order."""
    shop = archived_shop(tmp_path, "workbook")
    shop.replace_rows(
        "responses",
        [
            answer("2027-03-01 09:30", ANI, "Ani Lestari"),
            answer("2027-02-01 09:20", BUDI, "Budi"),
        ],
    )

    shop.sync("2027-03-01T10:00")

    assert [(text(r["Order"]), text(r["Email"])) for r in shop.orders()] == [("PO-0004", ANI)]
    assert shop.transport.kinds_to(ANI)[-1] == "order_confirmed"


@pytest.mark.parametrize("backend", ["memory", "workbook"])
def test_a_statement_pasted_again_after_archiving_pays_nothing_twice(
    tmp_path: Path, backend: str, unpacked: list[int]
) -> None:
    """The archive took the transfer that paid PO-0001 with it; pasted again, it is as old as
    the archive's credits, so the sync unpacks the archive and says it was counted already."""
    shop = archived_shop(tmp_path, backend, statement=True)
    assert shop.table("statement") == []  # the paying row left with its order
    shop.replace_rows("responses", [answer("2027-03-01 09:30", ANI, "Ani", opt_in="Yes")])
    shop.sync("2027-03-01T10:00")
    unpacked.clear()
    sent = len(shop.transport.sent)

    paste(shop, [STATEMENT_ROW])
    shop.sync("2027-03-01T11:00")

    assert unpacked, "the archived orders were unpacked"
    assert shop.order("PO-0004")["Paid"] in (None, "", False)
    (row,) = shop.table("statement")
    assert "PO-0001" in text(row["Result"])
    assert "archived" in text(row["Result"])
    assert len(shop.transport.sent) == sent


def test_a_memory_from_before_the_archive_tab_moves_its_archived_orders_there(
    tmp_path: Path,
) -> None:
    """The previous version kept the archived orders' packs in the memory tab, with no facts
    and no tab of their own: the next sync reads them there, decides the same, and moves them
    (their tab, the facts and the buyers' voices written; the memory tab no longer holds them).
    """
    shop = archived_shop(tmp_path, "workbook")
    packs = [list(row) for row in shop.grid("archived")[1:]]
    assert [text(row[0]) for row in packs] == ["archives:0"]
    kept = [row for row in shop.grid("state")[1:] if not text(row[0]).startswith("archive")]
    kept = [row for row in kept if not text(row[0]).startswith("voice")]
    shop.replace_rows("state", [*kept[:-1], *packs, kept[-1]])
    shop.replace_rows("archived", [])
    shop.replace_rows("responses", [answer("2027-03-01 09:30", DEDI, "Dedi")])

    shop.sync("2027-03-01T10:00")

    news = sorted(m["To"] for m in shop.transport.sent if m["X-OpenOrder-Kind"] == "batch_open")
    assert news == [ANI, CITRA]
    assert [text(r["Order"]) for r in shop.orders()] == ["PO-0004"]
    keys = [text(row[0]) for row in shop.grid("state")]
    assert "archive" in keys
    assert "voices:0" in keys
    assert "archives:0" not in keys
    assert [list(row) for row in shop.grid("archived")[1:]] == packs
    memory = mem.read_memory(shop.grid("state"))
    assert memory is not None
    assert len(memory.archive) == 3
    assert memory.archive.batches == {"PO 1"}


@pytest.mark.parametrize("backend", ["memory", "workbook"])
def test_a_waitlisted_buyer_who_said_no_hears_nothing_after_archiving(
    tmp_path: Path, backend: str
) -> None:
    """Citra was left waiting but answered no to news of new batches: her no is archived with
    her order (kept, not dropped as a blank), so the next batch is not announced to her."""
    builder = ShopBuilder(tmp_path, backend=backend, rules=dict(RULES))
    builder.product("NASTAR", "Nastar", 85000, capacity=2)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-10 21:00")
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    builder.response("2027-02-01 09:30", CITRA, "Citra", Nastar=1, opt_in="No")  # waitlisted
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    assert shop.status_of("PO-0003") == "Waitlisted"
    for number in ("PO-0001", "PO-0002"):
        shop.set_order_cell(number, "paid", True)
    shop.sync("2027-02-02T10:00")
    shop.set_cell("batches", 1, "Stage", "Shipped")
    shop.sync("2027-02-21T10:00")
    archive_batches(shop.shop, at(shop, "2027-02-22T10:00"), archive=MemorySheet())
    shop.replace_rows("responses", [answer("2027-03-01 09:30", DEDI, "Dedi")])

    shop.sync("2027-03-01T10:00")

    assert "batch_open" not in shop.transport.kinds_to(CITRA)


def test_a_deleted_archive_tab_is_reported_and_no_old_answer_becomes_a_new_order(
    tmp_path: Path,
) -> None:
    """The seller deletes the hidden archive tab by mistake: syncs go on (the facts in the
    memory still count every archived buyer), `doctor` says what is missing and how to get it
    back, and a sync that meets an old answer stops instead of confirming it again."""
    from openpyxl import load_workbook

    from openorder_sheets.service import doctor

    shop = archived_shop(tmp_path, "workbook")
    now = at(shop, "2027-02-23T10:00")

    def run_doctor() -> list[doctor.Check]:  # the spreadsheet's checks, on this shop
        return list(doctor._sheet(shop.shop, shop.config, now))

    assert not [c for c in run_doctor() if "archived orders is missing" in c.text]
    book = load_workbook(shop.backend.path)
    del book[shop.config.tab("archived")]
    book.save(shop.backend.path)

    checks = run_doctor()

    (warning,) = [c for c in checks if "archived orders is missing" in c.text]
    assert warning.warning
    assert "3 archived orders" in warning.text
    assert "version history" in warning.text
    shop.replace_rows("responses", [answer("2027-03-01 09:30", DEDI, "Dedi")])
    shop.sync("2027-03-01T10:00")
    news = sorted(m["To"] for m in shop.transport.sent if m["X-OpenOrder-Kind"] == "batch_open")
    assert news == [ANI, CITRA]

    # An archived answer pasted back while the record is gone: the sync stops and says so,
    # rather than take it for a new order and confirm it again.
    sent = len(shop.transport.sent)
    old_answer = answer("2027-02-01 09:20", BUDI, "Budi")
    shop.replace_rows("responses", [answer("2027-03-01 09:30", DEDI, "Dedi"), old_answer])
    with pytest.raises(SheetSetupError, match="version history") as stopped:
        shop.sync("2027-03-01T11:00")
    assert "3 archived orders" in str(stopped.value)
    assert len(shop.transport.sent) == sent
    assert [text(r["Order"]) for r in shop.orders()] == ["PO-0004"]
