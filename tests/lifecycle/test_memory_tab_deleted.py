"""The tool's memory tab deleted by mistake: the next sync rebuilds what it knew from the
`Orders` tab and the `Emails` ledger (the one time views are read back), and no buyer hears
anything twice — whatever the seller typed in `Paid`: a tick, `lunas`, or the amount that came
in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.lifecycle.test_thirteen_situations import ANI, BUDI, CITRA, Shop, bakery

MEMORY_TAB = "openorder (do not edit)"


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
