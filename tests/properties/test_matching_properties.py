"""Properties of matching over random shops and statements.

Amounts are drawn from a small pool (what orders owe, their totals without the code, rests,
strays) so that ties, partial payments and repeats are common rather than rare.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from openorder_sheets.core.matching import (
    MONEY,
    Expected,
    Match,
    Outcome,
    kept_after,
    match,
    received_by_order,
)
from openorder_sheets.core.model import Credit

D = Decimal
NAMES = ["Ani", "Budi", "Siti Aminah", "", "Eko"]
SPELLINGS = ["PO-{:04d}", "po {}", "PO{:04d}", "bayar PO-{} ya"]


@dataclass(frozen=True)
class Statement:
    orders: list[Expected]
    credits: list[Credit]
    named: dict[str, frozenset[int]]  # credit key → the order serials its description names


@st.composite
def orders(draw: st.DrawFn) -> list[Expected]:
    serials = draw(st.lists(st.integers(1, 8), min_size=1, max_size=8, unique=True))
    shop = []
    for serial in serials:
        total = draw(st.sampled_from([10_000, 20_000, 30_000]))
        code = draw(st.sampled_from([None, 1, 2, 3]))
        owed = total + (code or 0)
        received = draw(st.sampled_from([0, 0, 0, 5_000, owed]))
        shop.append(
            Expected(
                f"PO-{serial:04d}",
                draw(st.sampled_from(["Lebaran 1", "Lebaran 2"])),
                D(owed),
                code,
                D(received),
                draw(st.sampled_from(NAMES)),
                draw(st.sampled_from([False, False, False, True])),  # seller ticked
            )
        )
    return shop


@st.composite
def rows(draw: st.DrawFn, shop: list[Expected], start: int = 0) -> list[Credit]:
    """New statement rows (keys from `start`), with the amounts the shop makes likely."""
    pool = sorted({o.owed for o in shop} | {o.owed - (o.code or 0) for o in shop})
    pool += [o.owed - o.received for o in shop] + [D(5_000), D(4_999), D(10_050), D(0)]
    fresh = []
    for index in range(start, start + draw(st.integers(0, 8))):
        amount = draw(st.one_of(st.sampled_from(pool), st.integers(1, 40_000).map(D)))
        words = [draw(st.sampled_from(["TRSF", "dari", "lunas", "DP"]))]
        for serial in draw(st.lists(st.integers(1, 10), max_size=2)):
            words.append(draw(st.sampled_from(SPELLINGS)).format(serial))
        words.append(draw(st.sampled_from(NAMES)))
        fresh.append(Credit(f"k{index}", None, None, amount, " ".join(words)))
    return fresh


@st.composite
def statements(draw: st.DrawFn) -> Statement:
    shop = draw(orders())
    credits = draw(rows(shop))
    for _ in range(draw(st.integers(0, 3)) if credits else 0):  # the same row pasted again
        copy = draw(st.sampled_from(credits))
        credits.insert(draw(st.integers(credits.index(copy) + 1, len(credits))), copy)
    named = {c.key: _named(c.description) for c in credits}
    return Statement(shop, credits, named)


def _named(description: str) -> frozenset[int]:
    """The serials the strategy wrote into a description (it writes no other digits)."""
    digits = "".join(ch if ch.isdigit() else " " for ch in description)
    return frozenset(int(word) for word in digits.split())


def _serial(number: str) -> int:
    return int(number[3:])


@given(statements())
def test_no_order_is_paid_twice_or_beyond_what_it_owes(statement: Statement) -> None:
    """PAID once per order, and only an OVERPAID credit takes an order past what it owes."""
    found = match(statement.credits, statement.orders, {})
    paid = Counter(m.order for m in found if m.outcome is Outcome.PAID)
    assert all(count == 1 for count in paid.values())
    received = received_by_order(found)
    for order in statement.orders:
        extra = sum((m.extra for m in found if m.order == order.number), D(0))
        owed = max(order.owed - order.received, D(0))
        assert received.get(order.number, D(0)) - extra <= owed


@given(statements())
def test_money_goes_by_amount_unless_the_description_names_the_order(
    statement: Statement,
) -> None:
    """Without a single named order, a credit only goes to an order owing exactly that."""
    found = match(statement.credits, statement.orders, {})
    by_number = {o.number: o for o in statement.orders}
    rest = {o.number: o.owed - o.received for o in statement.orders}
    for m in found:
        if m.order is None:
            continue
        order = by_number[m.order]
        known = {s for s in statement.named[m.credit.key] if f"PO-{s:04d}" in by_number}
        if known != {_serial(m.order)}:
            assert not order.seller_paid or m.outcome is Outcome.AGAIN
            if m.outcome is Outcome.AGAIN:
                assert m.credit.amount == order.owed
            else:
                assert m.outcome in (Outcome.PAID, Outcome.COMPLETES)
                assert m.credit.amount == rest[m.order]
        if m.outcome in MONEY:
            rest[m.order] -= m.credit.amount


@given(statements())
def test_repeated_exactly_for_a_key_seen_before(statement: Statement) -> None:
    """A statement row counts once: REPEATED marks every later copy and nothing else."""
    found = match(statement.credits, statement.orders, {})
    seen: set[str] = set()
    for m in found:
        assert (m.outcome is Outcome.REPEATED) == (m.credit.key in seen)
        seen.add(m.credit.key)


@given(statements(), st.data())
def test_the_order_of_the_orders_does_not_matter(statement: Statement, data: st.DataObject) -> None:
    """Matching depends on the statement's order only, never on how orders were listed."""
    shuffled = data.draw(st.permutations(statement.orders))
    assert match(statement.credits, shuffled, {}) == match(statement.credits, statement.orders, {})


@given(statements(), st.data())
def test_kept_pairs_stay_unless_refused(statement: Statement, data: st.DataObject) -> None:
    """A kept credit stays with its order; a refused pair never comes back."""
    keys = st.sampled_from([f"k{i}" for i in range(8)])  # the keys `rows` writes
    numbers = st.sampled_from([o.number for o in statement.orders] + ["PO-0099"])
    kept = data.draw(st.dictionaries(keys, numbers))
    refused = data.draw(st.frozensets(st.sampled_from(sorted(kept.items())))) if kept else set()
    refused |= data.draw(st.frozensets(st.tuples(keys, numbers), max_size=2))
    found = match(statement.credits, statement.orders, kept, refused)
    known = {o.number for o in statement.orders}
    for m in found:
        assert (m.credit.key, m.order) not in refused
        number = kept.get(m.credit.key)
        if number is None or m.outcome is Outcome.REPEATED or m.credit.amount <= 0:
            continue
        if (m.credit.key, number) in refused or number not in known:
            assert (m.outcome, m.candidates) == (Outcome.UNMATCHED, (number,))
        else:
            assert m.order == number
            assert m.outcome in {*MONEY, Outcome.AGAIN}


@settings(max_examples=60, stateful_step_count=8)  # a season is a handful of syncs
class Syncs(RuleBasedStateMachine):
    """Rows arrive over several syncs, the tool remembering what it kept each time: every sync
    says what matching the whole statement at once says."""

    @initialize(shop=orders())
    def open_shop(self, shop: list[Expected]) -> None:
        self.shop = shop
        self.credits: list[Credit] = []
        self.kept: dict[str, str] = {}
        self.last: list[Match] = []

    @rule(data=st.data())
    def rows_arrive_and_sync(self, data: st.DataObject) -> None:
        fresh = data.draw(rows(self.shop, start=len(self.credits)))
        if self.credits:
            fresh += data.draw(st.lists(st.sampled_from(self.credits), max_size=2))
        self.credits += fresh
        self.last = match(self.credits, self.shop, self.kept)
        before = self.kept
        self.kept = kept_after(self.last)
        assert before.items() <= self.kept.items()

    @invariant()
    def same_as_everything_at_once(self) -> None:
        assert self.last == match(self.credits, self.shop, {})


TestSyncs = Syncs.TestCase
