"""A stateful property: random shops driven through random sequences of everything that happens
to orders (answers, double submissions, edits, seller actions and words, Paid ticks, bank
transfers pasted into the statement, time passing, stages, ship dates, lost tabs), checked after
every sync against a reference model.

Invariants (SPEC §4, the lifecycle issue):
- never oversold: the orders the rules confirmed fit each capacity (only a seller's Confirm
  may go over);
- every message is sent at most once (one Message-ID, one key), and nothing due is lost: the
  last decision message each reachable buyer received tells the status their order is in;
- re-running changes nothing and sends nothing;
- a duplicate never becomes live without the seller (or the buyer changing it);
- no order expires without a payment reminder sent at least `payment_reminder_hours` earlier;
- `Paid` never shows for an order whose recorded payment is below what it owes;
- deleting a view or the memory tab (or blanking a Status cell) changes nothing a buyer sees.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections import defaultdict
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from openorder_sheets.core.cells import text
from openorder_sheets.core.memory import read_memory
from openorder_sheets.core.model import Decision
from openorder_sheets.testing.fakes import MemorySheet
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

EMAILS = ["a@example.com", "b@example.com", "c@example.com", "d@example.com"]
CAPACITY = {"NASTAR": 3, "KASTENGEL": 2}
NAMES = {"NASTAR": "Nastar", "KASTENGEL": "Kastengel"}
START = dt.datetime(2027, 2, 1, 10, 0)
REMINDER_HOURS = 12
ZONE = ZoneInfo("Asia/Jakarta")
PAID_WORDS = [True, False, None, "lunas", "sudah", "v", "belum", "hmm?", 999_999_999, 85000, 20000]
ACTIONS = [None, "Confirm", "Cancel", "Reject", "batal", "konfirmasi", "whatever"]
STAGES = [None, "In production", "Ready", "Shipped"]
#: Tabs a seller may delete by mistake: the views, and the tool's hidden memory (rebuilt from
#: `Orders` and the `Emails` ledger, the one time views are read back).
LOST_TABS = ["orders", "summary", "packing", "materials_needed", "state"]

#: The status a decision message tells the buyer (updates keep the status they had).
TELLS = {
    "order_confirmed": "Confirmed",
    "order_promoted": "Confirmed",
    "order_waitlisted": "Waitlisted",
    "order_rejected": "Rejected",
    "order_needs_attention": "Needs attention",
    "order_cancelled": "Cancelled",
    "order_expired": "Expired",
}


class LifecycleMachine(RuleBasedStateMachine):
    """One shop on one backend; ``backend`` is set by the subclasses below."""

    backend = "memory"

    @initialize()
    def build(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="lifecycle-"))
        builder = ShopBuilder(
            self.folder,
            backend=self.backend,
            rules={"payment_due_hours": 48, "payment_reminder_hours": REMINDER_HOURS},
        )
        builder.product("NASTAR", "Nastar", 85000, capacity=3, max_per_buyer=3)
        builder.product("KASTENGEL", "Kastengel", 95000, capacity=2)
        builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
        builder.statement = []
        self.shop: BuiltShop = builder.build()
        self.transfers = 0
        self.now = START
        self.rows: list[str] = []  # the email of each response row (1-based rows after header)
        self.seller_confirmed: set[str] = set()  # orders a seller's Confirm ever touched
        self.duplicates: set[str] = set()  # orders decided Duplicate and untouched since
        self.reminded_at: dict[str, dt.datetime] = {}
        self.stopped = False
        self.synced = False

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- what buyers do ----------------------------------------------------------------------
    @rule(
        buyer=st.sampled_from(EMAILS),
        nastar=st.sampled_from([0, 1, 2, 3, "dua"]),
        kastengel=st.integers(0, 2),
        opt_in=st.sampled_from(["", "Yes", "No"]),
    )
    def answer(self, buyer: str, nastar: object, kastengel: int, opt_in: str) -> None:
        """A buyer sends the form."""
        self._append([self.now, buyer, "Buyer", "0812", "Jl. 1", "Courier", "", opt_in,
                      nastar or None, kastengel or None])  # fmt: skip

    @precondition(lambda self: bool(self.rows))
    @rule(data=st.data())
    def send_again(self, data: st.DataObject) -> None:
        """A buyer double-submits: the same answer again a minute later."""
        grid = self.shop.grid("responses")
        row = list(grid[data.draw(st.integers(1, len(grid) - 1))])
        row[0] = self.now + dt.timedelta(minutes=1)
        self._append(row)

    @precondition(lambda self: bool(self.rows))
    @rule(data=st.data(), nastar=st.integers(0, 3), kastengel=st.integers(0, 2))
    def edit(self, data: st.DataObject, nastar: int, kastengel: int) -> None:
        """A buyer edits their answer (Google refreshes the timestamp)."""
        row = data.draw(st.integers(1, len(self.rows)))
        stamp = self.shop.grid("responses")[row][0]
        later = max(self.now, stamp) if isinstance(stamp, dt.datetime) else self.now
        self.shop.set_cell("responses", row, "Nastar", nastar or None)
        self.shop.set_cell("responses", row, "Kastengel", kastengel or None)
        self.shop.set_cell("responses", row, "Timestamp", later)
        number = self._number_of_row(row)
        if number:
            self.duplicates.discard(number)

    # -- what the seller does ----------------------------------------------------------------
    @precondition(lambda self: self.synced)
    @rule(data=st.data(), word=st.sampled_from(ACTIONS))
    def seller_action(self, data: st.DataObject, word: str | None) -> None:
        number = self._pick_order(data)
        if number is None:
            return
        self.shop.set_order_cell(number, "seller_action", word)
        if word in ("Confirm", "konfirmasi"):
            self.seller_confirmed.add(number)
            self.duplicates.discard(number)

    @precondition(lambda self: self.synced)
    @rule(data=st.data(), word=st.sampled_from(PAID_WORDS))
    def paid(self, data: st.DataObject, word: object) -> None:
        number = self._pick_order(data)
        if number is not None:
            self.shop.set_order_cell(number, "paid", word)  # type: ignore[arg-type]

    @precondition(lambda self: self.synced)
    @rule(data=st.data(), share=st.sampled_from([1, 1, 1, 0.5, 2]), named=st.booleans())
    def transfer(self, data: st.DataObject, share: float, named: bool) -> None:
        """A buyer transfers what the order owes (or half, or double), naming it or not; the
        seller pastes the row into `Bank statement`."""
        number = self._pick_order(data)
        if number is None:
            return
        owed = self.shop.order(number).get("Amount to pay") or 0
        amount = int(float(owed) * share) if owed else 50000  # type: ignore[arg-type]
        self.transfers += 1
        what = f"TRSF {number if named else 'X'} {self.transfers}"
        row = [self.now.strftime("%d/%m/%Y"), self.now.strftime("%H:%M:%S"), what, amount, "BCA"]
        grid = self.shop.grid("statement")
        kept = [list(r[:5]) for r in grid[1:] if any(c not in (None, "") for c in r[:5])]
        self.shop.replace_rows("statement", [*kept, row])

    @rule(stage=st.sampled_from(STAGES))
    def stage(self, stage: str | None) -> None:
        self.shop.set_cell("batches", 1, "Stage", stage)

    @rule(days=st.integers(0, 3))
    def move_ships_on(self, days: int) -> None:
        self.shop.set_cell("batches", 1, "Ships on", dt.date(2027, 2, 20 + days))

    @rule(hours=st.sampled_from([1, 6, 13, 37, 49, 120]))
    def time_passes(self, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)

    # -- syncing and the invariants ----------------------------------------------------------
    @rule()
    def sync(self) -> None:
        before = {n: self._status(n) for n in self._numbers()}
        sent_before = len(self.shop.transport.sent)
        self.shop.sync(self.now)
        self.synced = True
        self._after_sync(before, sent_before)
        self._rerun_changes_nothing()

    @precondition(lambda self: self.synced)
    @rule(tab=st.sampled_from(LOST_TABS), blank_status=st.booleans())
    def lose_a_view(self, tab: str, blank_status: bool) -> None:
        """A seller deletes a tool tab (or blanks a Status cell): buyers see no difference."""
        self.shop.sync(self.now)  # settle what is due first
        statuses = {n: self._status(n) for n in self._numbers()}
        sent = len(self.shop.transport.sent)
        if blank_status and self._numbers():
            self.shop.set_order_cell(self._numbers()[0], "status", None)
        else:
            self._delete_tab(tab)
        self.shop.sync(self.now)
        assert len(self.shop.transport.sent) == sent, self._kinds(self.shop.transport.sent[sent:])
        assert {n: self._status(n) for n in self._numbers()} == statuses

    @invariant()
    def each_message_once(self) -> None:
        ids = [str(m["Message-ID"]) for m in self.shop.transport.sent]
        assert len(ids) == len(set(ids)), "a message was sent twice"

    # -- helpers -----------------------------------------------------------------------------
    def _after_sync(self, before: dict[str, str], sent_before: int) -> None:
        memory = read_memory(self.shop.grid("state"))
        assert memory is not None
        # never oversold by the rules
        confirmed: dict[str, int] = defaultdict(int)
        for number, order in memory.orders.items():
            if order.status is Decision.CONFIRMED and number not in self.seller_confirmed:
                for sku, quantity in order.lines:
                    confirmed[sku] += quantity
        for sku, used in confirmed.items():
            assert used <= CAPACITY[sku], f"{sku} oversold: {used} > {CAPACITY[sku]}"
        # reminders actually sent, and expiries
        for message in self.shop.transport.sent:  # any sync's (a lost view's too)
            if message["X-OpenOrder-Kind"] == "payment_reminder":
                when = parsedate_to_datetime(str(message["Date"])).astimezone(ZONE)
                self.reminded_at.setdefault(
                    str(message["X-OpenOrder-Order"]), when.replace(tzinfo=None)
                )
        for number, order in memory.orders.items():
            if order.status is Decision.EXPIRED and before.get(number) != "Expired":
                reminded = self.reminded_at.get(number)
                assert reminded is not None, f"{number} expired without a reminder"
                assert self.now - reminded >= dt.timedelta(hours=REMINDER_HOURS)
            if order.status is Decision.DUPLICATE:
                self.duplicates.add(number)
            elif number in self.duplicates and order.status.is_counted:
                raise AssertionError(f"duplicate {number} became {order.status} by itself")
        # nothing lost: the last decision message tells the status the order is in
        told: dict[str, str] = {}
        for message in self.shop.transport.sent:
            kind = str(message["X-OpenOrder-Kind"])
            if kind in TELLS:
                told[str(message["X-OpenOrder-Order"])] = TELLS[kind]
        for row in self.shop.orders():
            number, status = text(row["Order"]), text(row["Status"])
            email = text(row["Email"])
            order = memory.orders[number]
            reachable = "@" in email and not order.unmatched_like
            if status in TELLS.values() and reachable:
                assert told.get(number) == status, (number, status, told.get(number))
            # Paid shows only for what is paid in full
            owed = row["Amount to pay"]
            if text(row["Progress"]) == "Paid":
                assert order.paid_amount >= owed, (number, order.paid_amount, owed)  # type: ignore[operator]

    def _rerun_changes_nothing(self) -> None:
        sent = len(self.shop.transport.sent)
        backend = self.shop.backend
        writes = backend.requests.counts.get("write", 0) if isinstance(backend, MemorySheet) else 0
        report = self.shop.sync(self.now)
        assert len(self.shop.transport.sent) == sent
        assert report.tabs_written == [], report.tabs_written
        if isinstance(backend, MemorySheet):
            assert backend.requests.counts.get("write", 0) == writes

    def _append(self, row: list[object]) -> None:
        grid = self.shop.grid("responses")
        self.shop.replace_rows("responses", [*grid[1:], row])  # type: ignore[list-item]
        self.rows.append(str(row[1]))

    def _numbers(self) -> list[str]:
        return [text(row["Order"]) for row in self.shop.orders()]

    def _status(self, number: str) -> str:
        return self.shop.status_of(number)

    def _number_of_row(self, row: int) -> str | None:
        """The order the tool remembers for form row ``row`` (0-based under the header)."""
        memory = read_memory(self.shop.grid("state"))
        for order in memory.orders.values() if memory else ():
            if order.response_row == row + 1:
                return order.number
        return None

    def _pick_order(self, data: st.DataObject) -> str | None:
        numbers = self._numbers()
        return data.draw(st.sampled_from(numbers)) if numbers else None

    def _delete_tab(self, key: str) -> None:
        name = self.shop.config.tab(key)
        backend = self.shop.backend
        if isinstance(backend, MemorySheet):
            backend.tabs.pop(name, None)
            return
        from openpyxl import load_workbook

        book = load_workbook(self.shop.config.sheet.workbook)  # type: ignore[arg-type]
        if name in book.sheetnames:
            del book[name]
            book.save(self.shop.config.sheet.workbook)  # type: ignore[arg-type]

    @staticmethod
    def _kinds(messages: list[object]) -> list[str]:
        return [str(m["X-OpenOrder-Kind"]) for m in messages]  # type: ignore[index]


class MemoryLifecycle(LifecycleMachine):
    backend = "memory"


class WorkbookLifecycle(LifecycleMachine):
    backend = "workbook"


MemoryLifecycle.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
WorkbookLifecycle.TestCase.settings = settings(
    max_examples=6,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_lifecycle_on_the_memory_sheet = MemoryLifecycle.TestCase
test_lifecycle_on_the_workbook = WorkbookLifecycle.TestCase
