"""The tool's memory tab deleted by mistake: the next sync rebuilds what it knew from the
`Orders` tab and the `Emails` ledger (the one time views are read back), and no buyer hears
anything twice — whatever the seller typed in `Paid` (a tick, `lunas`, the amount that came
in), a change that was refused, or a statement payment the seller took off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from openorder_sheets.testing.fakes import MemorySheet
from openorder_sheets.testing.shops import BuiltShop
from tests.lifecycle.test_thirteen_situations import ANI, BUDI, CITRA, Shop, bakery

MEMORY_TAB = "openorder (do not edit)"


def lose_the_memory(shop: BuiltShop) -> None:
    """The seller unhides the memory tab and deletes it (in-memory sheet or workbook)."""
    name = shop.config.tab("state")
    if isinstance(shop.backend, MemorySheet):
        del shop.backend.tabs[name]
        return
    path = shop.config.sheet.workbook
    assert path is not None
    book = load_workbook(path)
    del book[name]
    book.save(path)


@pytest.mark.parametrize("paid", [True, "lunas", 85001, 90000], ids=str)
def test_a_paid_order_is_not_thanked_again_after_the_memory_tab_is_deleted(
    tmp_path: Path, paid: Any
) -> None:
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    builder.response("2027-02-01 09:30", CITRA, "Citra", Kastengel=1)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")
    owed = shop.cell("PO-0001", "Amount to pay")
    shop.seller("PO-0001", "Paid", paid)
    shop.seller("PO-0002", "Paid", 40000)  # a part: still owed
    mails = shop.sync("2027-02-01T11:00")
    assert [(m.to, m.kind) for m in mails] == [(ANI, "payment_received")], owed
    progress = {n: shop.cell(n, "Progress") for n in ("PO-0001", "PO-0002", "PO-0003")}

    shop.delete_tab(MEMORY_TAB)
    assert shop.sync("2027-02-01T12:00") == []
    assert shop.sync("2027-02-01T13:00") == []
    assert {n: shop.cell(n, "Progress") for n in progress} == progress
    assert shop.kinds(ANI).count("payment_received") == 1
    assert "payment_received" not in shop.kinds(BUDI)


def test_a_refused_change_is_not_refused_again_after_the_memory_tab_is_deleted(
    tmp_path: Path,
) -> None:
    """The buyer still asks for the change that did not fit: it stays held, not news again;
    once there is room it is applied (told once, as an update)."""
    builder = bakery(tmp_path)  # Nastar: 3 jars
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=2)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")
    shop.edit(1, "2027-02-01 10:30", Nastar=3)
    assert shop.kinds(ANI, shop.sync("2027-02-01T11:00")) == ["order_change_refused"]

    shop.delete_tab(MEMORY_TAB)
    assert shop.sync("2027-02-01T12:00") == []
    assert shop.cell("PO-0001", "Items") == "1× Nastar"
    assert shop.sync("2027-02-01T13:00") == []

    shop.seller("PO-0002", "Seller action", "Cancel")  # room for Ani's change now
    mails = shop.sync("2027-02-01T14:00")
    assert sorted((m.to, m.kind) for m in mails) == [
        (ANI, "order_updated"),
        (BUDI, "order_cancelled"),
    ]
    assert shop.cell("PO-0001", "Items") == "3× Nastar"
    assert shop.kinds(ANI).count("order_change_refused") == 1


@pytest.mark.parametrize("backend", ["memory", "workbook"])
def test_a_payment_the_seller_took_off_is_not_counted_again_after_the_memory_tab_is_deleted(
    tmp_path: Path, backend: str
) -> None:
    """The statement paid Ani's order, the seller took the tick off (the money was not good):
    only the memory knew which transfer that was, so after it is lost no transfer now in the
    statement pays that order again — she ticks by hand if it should."""
    from openorder_sheets.core.cells import text
    from tests.payments.test_bank_statement_sync import bakery as statement_bakery
    from tests.payments.test_bank_statement_sync import kinds, owed, paste, results

    shop = statement_bakery(tmp_path, backend).build()
    shop.sync("2027-02-01T10:00")
    paste(shop, [["02/02/2027", "10:01:00", "TRSF ANI", owed(shop, "PO-0001"), "BCA"]])
    shop.sync("2027-02-02T11:00")
    shop.set_order_cell("PO-0001", "paid", False)
    shop.sync("2027-02-02T12:00")
    assert results(shop)[0] == ("Matches no order: check it", "", "PO-0001")

    lose_the_memory(shop)
    shop.sync("2027-02-02T13:00")
    shop.sync("2027-02-02T14:00")
    assert kinds(shop, ANI) == ["order_confirmed", "payment_received"]
    assert shop.order("PO-0001")["Paid"] in (False, None, "")
    assert text(shop.order("PO-0001")["Progress"]) == "Awaiting payment"
    assert results(shop)[0] == ("Matches no order: check it", "", "PO-0001")


@pytest.mark.parametrize("backend", ["memory", "workbook"])
def test_transfers_that_paid_orders_still_pay_them_after_the_memory_tab_is_deleted(
    tmp_path: Path, backend: str
) -> None:
    """The transfer that paid Ani's order (and ticked `Paid`) must not turn into "a second
    payment: refund it" once the memory that knew it is lost; Budi's part payment stays part."""
    from tests.payments.test_bank_statement_sync import bakery as statement_bakery
    from tests.payments.test_bank_statement_sync import kinds, owed, paste, results

    shop = statement_bakery(tmp_path, backend).build()
    shop.sync("2027-02-01T10:00")
    paste(
        shop,
        [
            ["02/02/2027", "10:01:00", "TRSF ANI", owed(shop, "PO-0001"), "BCA"],
            ["02/02/2027", "10:05:00", "PO-0002 BUDI", 50000, "BCA"],
        ],
    )
    shop.sync("2027-02-02T11:00")
    before = (results(shop), shop.table("payments"), len(shop.transport.sent))
    assert before[0][0] == ("Paid in full", "PO-0001", "")

    lose_the_memory(shop)
    shop.sync("2027-02-02T13:00")
    shop.sync("2027-02-02T14:00")
    assert (results(shop), shop.table("payments"), len(shop.transport.sent)) == before
    assert kinds(shop, ANI) == ["order_confirmed", "payment_received"]
    assert kinds(shop, BUDI) == ["order_confirmed", "payment_short"]


@pytest.mark.parametrize("backend", ["memory", "workbook"])
def test_an_order_a_later_edit_left_short_is_not_taken_as_paid_after_the_memory_tab_is_deleted(
    tmp_path: Path, backend: str
) -> None:
    """The statement paid Ani's two jars (the tool ticked `Paid`), then she added a third: the
    tick stays but the order is short. Rebuilt, it must stay short — not paid in full by that
    tick (it would have told her it shipped before she paid the rest)."""
    import datetime as dt

    from openorder_sheets.core.cells import text
    from tests.payments.test_bank_statement_sync import bakery as statement_bakery
    from tests.payments.test_bank_statement_sync import paste, results

    shop = statement_bakery(tmp_path, backend).build()
    shop.sync("2027-02-01T10:00")
    paste(
        shop,
        [["02/02/2027", "10:01:00", "TRSF ANI", shop.order("PO-0001")["Amount to pay"], "BCA"]],
    )
    shop.sync("2027-02-02T11:00")
    shop.set_cell("responses", 1, "Nastar", 3)
    shop.set_cell("responses", 1, "Timestamp", dt.datetime(2027, 2, 2, 11, 30))
    shop.sync("2027-02-02T12:00")
    assert text(shop.order("PO-0001")["Progress"]) == "Partly paid"
    before = (results(shop), text(shop.order("PO-0001")["Problems"]), len(shop.transport.sent))

    lose_the_memory(shop)
    shop.sync("2027-02-02T13:00")
    shop.set_cell("batches", 1, "Stage", "Shipped")
    shop.sync("2027-02-02T14:00")
    assert text(shop.order("PO-0001")["Progress"]) == "Shipped"
    sent = [m["X-OpenOrder-Kind"] for m in shop.transport.sent[before[2] :] if m["To"] == ANI]
    assert "order_shipped" not in sent  # unpaid orders hear once they pay
    assert results(shop) == before[0]
