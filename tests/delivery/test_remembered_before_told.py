"""On the local workbook, what a sync tells buyers is in the workbook's memory before the first
message leaves (ARCHITECTURE.md "One sync, one way", step 4 before step 5).

The local journal alone does not make that order safe to drop (one save after delivery instead
of a save before and one after): a journal records the messages sent, not the decisions and
the order numbers they told. A sync killed after telling a buyer "PO-0002", followed by a seller
edit before the rerun (an earlier answer deleted), would give that number to somebody else and
tell the buyer again under another number. These tests kill the sync at each point of its
delivery and prove nothing is lost, renumbered or sent twice.
"""

from __future__ import annotations

from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import pytest

from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.core.cells import text
from openorder_sheets.core.memory import read_memory
from openorder_sheets.ports import DeliveryResult
from openorder_sheets.testing.fakes import RecordingTransport
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

ANI, BUDI, CITRA = "ani@example.com", "budi@example.com", "citra@example.com"


class _Died(BaseException):
    """Stands for the process dying: nothing after it runs."""


class DiesAtSend(RecordingTransport):
    """Delivers ``allowed`` messages, then the process dies as the next one would leave."""

    def __init__(self, allowed: int, delivered: list[EmailMessage]) -> None:
        super().__init__()
        self.allowed = allowed
        self.sent = delivered  # one mailbox across runs: what buyers really received

    def send(self, message: EmailMessage) -> DeliveryResult:
        if self.allowed == 0:
            raise _Died
        self.allowed -= 1
        return super().send(message)


def three_answers(folder: Path) -> BuiltShop:
    builder = ShopBuilder(folder, backend="workbook")
    builder.product("NASTAR", "Nastar", 85000, capacity=10)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00")
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    builder.response("2027-02-01 09:30", CITRA, "Citra", Nastar=1)
    return builder.build()


def _numbers_told(messages: list[EmailMessage]) -> dict[str, set[str]]:
    """Per order number, the buyers told it."""
    told: dict[str, set[str]] = {}
    for message in messages:
        order = str(message["X-OpenOrder-Order"] or "")
        if order:
            told.setdefault(order, set()).add(str(message["To"]))
    return told


@pytest.mark.parametrize("delivered_before_death", [0, 1, 2, 3])
def test_killed_during_delivery_then_an_answer_deleted_no_number_is_given_twice(
    tmp_path: Path, delivered_before_death: int
) -> None:
    shop = three_answers(tmp_path)
    assert isinstance(shop.backend, WorkbookBackend)
    mailbox: list[EmailMessage] = []
    shop.shop.make_transport = lambda: DiesAtSend(delivered_before_death, mailbox)
    if delivered_before_death < 3:
        with pytest.raises(_Died):
            shop.sync("2027-02-01 10:00")
    else:
        shop.sync("2027-02-01 10:00")
    # Before the rerun the seller deletes Ani's answer (a test order, say).
    rows = shop.grid("responses")[1:]
    shop.replace_rows("responses", [row for row in rows if text(row[1]) != ANI])

    shop.shop.make_transport = lambda: DiesAtSend(100, mailbox)
    shop.sync("2027-02-01 10:30")
    shop.sync("2027-02-01 11:00")

    confirmations = [m for m in mailbox if m["X-OpenOrder-Kind"] == "order_confirmed"]
    per_buyer = Counter(str(m["To"]) for m in confirmations)
    assert per_buyer[BUDI] == per_buyer[CITRA] == 1  # told once each
    assert all(len(buyers) == 1 for buyers in _numbers_told(mailbox).values())
    numbers = {str(m["To"]): str(m["X-OpenOrder-Order"]) for m in confirmations}
    assert (numbers[BUDI], numbers[CITRA]) == ("PO-0002", "PO-0003")  # never renumbered
    live = {text(row["Order"]): text(row["Email"]) for row in shop.orders()}
    assert live["PO-0002"] == BUDI
    assert live["PO-0003"] == CITRA


def test_the_workbook_holds_the_memory_before_the_first_message_leaves(tmp_path: Path) -> None:
    shop = three_answers(tmp_path)
    mailbox: list[EmailMessage] = []
    shop.shop.make_transport = lambda: DiesAtSend(0, mailbox)
    with pytest.raises(_Died):
        shop.sync("2027-02-01 10:00")
    assert mailbox == []
    remembered = read_memory(shop.grid("state"))
    assert remembered is not None
    assert set(remembered.orders) == {"PO-0001", "PO-0002", "PO-0003"}
