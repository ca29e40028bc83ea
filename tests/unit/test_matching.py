"""Matching bank-statement credits to orders: each rule, and a 1,200-row statement."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pytest

from openorder_sheets.core.matching import (
    Expected,
    Match,
    Outcome,
    kept_after,
    match,
    received_by_order,
)
from openorder_sheets.core.model import Credit

D = Decimal


def order(
    serial: int,
    owed: int,
    code: int | None = None,
    received: int = 0,
    name: str = "",
    seller_paid: bool = False,
    batch: str = "PO 1",
) -> Expected:
    return Expected(f"PO-{serial:04d}", batch, D(owed), code, D(received), name, seller_paid)


def credit(amount: int | str, description: str = "", key: str | None = None) -> Credit:
    key = key if key is not None else f"{amount}|{description}"
    return Credit(key, None, None, D(amount), description)


SHOP = [
    order(1, 85_123, code=123, name="Siti Aminah"),
    order(2, 95_045, code=45, name="Budi"),
    order(3, 170_777, code=777, received=100_000, name="Dewi Lestari"),
    order(4, 255_301, code=301, seller_paid=True, name="Rina"),
    order(5, 180_009, code=9, received=180_009, name="Agus"),  # paid by an earlier statement
]

# Per credit: (outcome, order, candidates, missing, extra)
Verdict = tuple[Outcome, str | None, tuple[str, ...], int, int]


@dataclass
class Case:
    credits: list[Credit]
    rows: list[Verdict]
    kept: dict[str, str] = field(default_factory=dict)
    refused: frozenset[tuple[str, str]] = frozenset()
    orders: list[Expected] = field(default_factory=lambda: SHOP)


# Short names keep each case on a line or two.
P, C, U, A = Outcome.PAID, Outcome.COMPLETES, Outcome.UNDERPAID, Outcome.AGAIN
OV, CM, UN = Outcome.OVERPAID, Outcome.CODE_MISSING, Outcome.UNMATCHED
AM, R = Outcome.AMBIGUOUS, Outcome.REPEATED

CASES = {
    "exact_amount_of_one_unpaid_order_pays_it": Case(
        [credit(85_123, "TRSF E-BANKING CR")], [(P, "PO-0001", (), 0, 0)]
    ),
    "exact_rest_of_a_partly_paid_order_completes_it": Case(
        [credit(70_777)], [(C, "PO-0003", (), 0, 0)]
    ),
    "reference_with_exact_amount_pays_that_order": Case(
        [credit(95_045, "bayar PO-0002 nastar")], [(P, "PO-0002", (), 0, 0)]
    ),
    "reference_is_read_without_dash_or_zeros": Case(
        [credit(95_045, "po 2")], [(P, "PO-0002", (), 0, 0)]
    ),
    "reference_is_read_glued_to_the_prefix": Case(
        [credit(95_045, "PO0002/BUDI")], [(P, "PO-0002", (), 0, 0)]
    ),
    "reference_with_less_is_underpaid_and_says_what_is_missing": Case(
        [credit(50_000, "PO-0001")], [(U, "PO-0001", (), 35_123, 0)]
    ),
    "reference_with_more_is_overpaid_and_says_the_excess": Case(
        [credit(90_000, "PO-0001")], [(OV, "PO-0001", (), 0, 4_877)]
    ),
    "reference_with_the_rest_after_an_underpayment_completes": Case(
        [credit(50_000, "PO-0001"), credit(35_123, "PO-0001 sisa")],
        [(U, "PO-0001", (), 35_123, 0), (C, "PO-0001", (), 0, 0)],
    ),
    "exact_rest_after_an_underpayment_completes_without_reference": Case(
        [credit(50_000, "PO-0001"), credit(35_123)],
        [(U, "PO-0001", (), 35_123, 0), (C, "PO-0001", (), 0, 0)],
    ),
    "reference_beats_the_amount_of_another_order": Case(
        [credit(85_123, "PO-0002")], [(U, "PO-0002", (), 9_922, 0)]
    ),
    "reference_to_a_paid_order_is_again": Case(
        [credit(10_000, "PO-0005")], [(A, "PO-0005", (), 0, 0)]
    ),
    "reference_to_an_unknown_order_falls_back_to_the_amount": Case(
        [credit(85_123, "PO-0099")], [(P, "PO-0001", (), 0, 0)]
    ),
    "two_references_are_no_reference_the_amount_decides": Case(
        [credit(95_045, "PO-0001 PO-0002")], [(P, "PO-0002", (), 0, 0)]
    ),
    "a_longer_word_ending_in_the_prefix_is_no_reference": Case(
        [credit(85_123, "REPO-0002")], [(P, "PO-0001", (), 0, 0)]
    ),
    "a_second_credit_of_a_paid_amount_is_again_not_paid": Case(
        [credit(85_123, key="a"), credit(85_123, key="b")],
        [(P, "PO-0001", (), 0, 0), (A, "PO-0001", (), 0, 0)],
    ),
    "an_overpaid_order_gets_no_more_money": Case(
        [credit(90_000, "PO-0001"), credit(85_123)],
        [(OV, "PO-0001", (), 0, 4_877), (A, "PO-0001", (), 0, 0)],
    ),
    "the_amount_of_a_seller_ticked_order_is_again_the_seller_wins": Case(
        [credit(255_301)], [(A, "PO-0004", (), 0, 0)]
    ),
    "the_owed_amount_of_an_order_paid_before_is_again": Case(
        [credit(180_009)], [(A, "PO-0005", (), 0, 0)]
    ),
    "two_open_orders_owing_the_same_is_ambiguous_never_a_guess": Case(
        [credit(60_000)],
        [(AM, None, ("PO-0007", "PO-0008"), 0, 0)],
        orders=[order(8, 60_000, code=None), order(7, 60_000, code=None)],
    ),
    "ambiguous_lists_the_named_buyer_first": Case(
        [credit(60_000, "dari ANI")],
        [(AM, None, ("PO-0008", "PO-0007"), 0, 0)],
        orders=[order(8, 60_000, name="Ani"), order(7, 60_000, name="Budi")],
    ),
    "the_total_without_the_unique_code_is_code_missing": Case(
        [credit(85_000)], [(CM, None, ("PO-0001",), 0, 0)]
    ),
    "code_missing_lists_every_open_order_with_that_total": Case(
        [credit(85_000)],
        [(CM, None, ("PO-0001", "PO-0002"), 0, 0)],
        orders=[order(2, 85_045, code=45), order(1, 85_123, code=123)],
    ),
    "a_paid_order_is_no_code_missing_candidate": Case(
        [credit(85_123), credit(85_000)],
        [(P, "PO-0001", (), 0, 0), (UN, None, (), 0, 0)],
        orders=[order(1, 85_123, code=123)],
    ),
    "a_near_miss_within_one_percent_is_a_candidate": Case(
        [credit(85_200)], [(UN, None, ("PO-0001",), 0, 0)]
    ),
    "beyond_one_percent_there_is_no_candidate": Case([credit(86_500)], [(UN, None, (), 0, 0)]),
    "the_buyers_name_in_the_description_makes_a_candidate": Case(
        [credit(1_000, "TRSF SITI AMINAH")], [(UN, None, ("PO-0001",), 0, 0)]
    ),
    "part_of_a_name_is_no_name": Case([credit(1_000, "TRSF SITI")], [(UN, None, (), 0, 0)]),
    "at_most_three_candidates_named_ones_first_then_nearest": Case(
        [credit(100_050, "dari Budi")],
        [(UN, None, ("PO-0005", "PO-0002", "PO-0003"), 0, 0)],
        orders=[
            order(1, 100_900),
            order(2, 100_030),
            order(3, 100_080),
            order(4, 99_950),
            order(5, 50_000, name="Budi"),
        ],
    ),
    "the_same_statement_row_twice_counts_once": Case(
        [credit(85_123, key="row"), credit(85_123, key="row")],
        [(P, "PO-0001", (), 0, 0), (R, None, (), 0, 0)],
    ),
    "a_zero_or_negative_amount_is_unmatched": Case(
        [credit(0, "PO-0001"), credit(-85_123)], [(UN, None, (), 0, 0), (UN, None, (), 0, 0)]
    ),
    "a_kept_credit_stays_with_its_order_whatever_the_description": Case(
        [credit(85_123, "PO-0002", key="k")], [(P, "PO-0001", (), 0, 0)], kept={"k": "PO-0001"}
    ),
    "a_kept_credit_is_decided_against_its_order_not_by_amount": Case(
        [credit(95_045, key="k")], [(OV, "PO-0001", (), 0, 9_922)], kept={"k": "PO-0001"}
    ),
    "a_refused_kept_pair_is_unmatched_with_that_order_as_candidate": Case(
        [credit(85_123, key="k")],
        [(UN, None, ("PO-0001",), 0, 0)],
        kept={"k": "PO-0001"},
        refused=frozenset({("k", "PO-0001")}),
    ),
    "a_refused_pair_is_never_made_again_by_amount": Case(
        [credit(85_123, key="k")],
        [(UN, None, ("PO-0001",), 0, 0)],
        refused=frozenset({("k", "PO-0001")}),
    ),
    "a_refused_pair_is_never_made_again_by_reference": Case(
        [credit(85_123, "PO-0001", key="k")],
        [(UN, None, ("PO-0001",), 0, 0)],
        refused=frozenset({("k", "PO-0001")}),
    ),
    "a_refusal_of_another_credit_does_not_matter": Case(
        [credit(85_123, key="k")],
        [(P, "PO-0001", (), 0, 0)],
        refused=frozenset({("other", "PO-0001")}),
    ),
    "money_kept_for_an_order_no_longer_expected_is_not_given_to_another": Case(
        [credit(85_123, key="k")], [(UN, None, ("PO-0042",), 0, 0)], kept={"k": "PO-0042"}
    ),
    "several_paid_orders_owing_the_same_is_again_without_an_order": Case(
        [credit(60_000)],
        [(A, None, ("PO-0007", "PO-0008"), 0, 0)],
        orders=[order(7, 60_000, received=60_000), order(8, 60_000, seller_paid=True)],
    ),
    "a_seller_ticked_order_named_with_money_still_missing_completes": Case(
        [credit(55_123, "PO-0001")],
        [(C, "PO-0001", (), 0, 0)],
        orders=[order(1, 85_123, code=123, received=30_000, seller_paid=True)],
    ),
    "a_partly_ticked_order_is_not_paid_by_amount": Case(
        [credit(55_123)],
        [(UN, None, (), 0, 0)],
        orders=[order(1, 85_123, code=123, received=30_000, seller_paid=True)],
    ),
}


def _rows(matches: list[Match]) -> list[Verdict]:
    return [(m.outcome, m.order, m.candidates, int(m.missing), int(m.extra)) for m in matches]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_rule(case: Case) -> None:
    """Each rule of the matching table, named by the reason it exists."""
    matches = match(case.credits, case.orders, case.kept, case.refused)
    assert _rows(matches) == case.rows
    assert [m.credit for m in matches] == case.credits


def test_another_prefix_is_read_and_po_is_not() -> None:
    """The shop's own order prefix is the reference; the default `PO` then means nothing."""
    orders = [Expected("INV-7", "b", D(50_000), None, D(0), "", False)]
    orders.append(Expected("INV-8", "b", D(60_000), None, D(0), "", False))
    found = match([credit(50_000, "inv 8"), credit(60_000, "PO-7")], orders, {}, prefix="INV")
    assert [(m.outcome, m.order) for m in found] == [
        (Outcome.UNDERPAID, "INV-8"),
        (Outcome.UNMATCHED, None),
    ]


def test_received_by_order_adds_money_outcomes_and_never_again() -> None:
    """PAID, COMPLETES, UNDERPAID and OVERPAID count in full; AGAIN is for a refund."""
    credits = [
        credit(50_000, "PO-0001"),
        credit(35_123),
        credit(85_123, key="again"),
        credit(100_000, "PO-0002"),
        credit(70_777),
    ]
    found = match(credits, SHOP, {})
    assert [m.outcome for m in found] == [U, C, A, OV, C]
    assert received_by_order(found) == {
        "PO-0001": D(85_123),
        "PO-0002": D(100_000),
        "PO-0003": D(70_777),
    }


def test_kept_after_remembers_only_money_put_towards_an_order() -> None:
    """The next sync keeps credit → order for money outcomes, not AGAIN or the unmatched."""
    credits = [credit(85_123, key="a"), credit(85_123, key="b"), credit(1, key="c")]
    assert kept_after(match(credits, SHOP, {})) == {"a": "PO-0001"}


def test_a_later_sync_decides_the_old_rows_as_before() -> None:
    """Rows added to the statement leave the earlier rows' outcomes as they were."""
    first = [credit(50_000, "PO-0001", key="a")]
    then = [*first, credit(35_123, key="b"), credit(85_123, key="c")]
    earlier = match(first, SHOP, {})
    assert match(then, SHOP, kept_after(earlier)) == match(then, SHOP, {})


# --- A 1,000-order shop and a 1,200-row statement -------------------------------------------

PRICES = [85_000, 95_000, 120_000, 150_000, 175_000]
FIRST = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Wati", "Joko", "Putri", "Eko", "Ani"]
LAST = ["Aminah", "Santoso", "Lestari", "Wijaya", "Hartono", "Susanti", "Pratama", "Sari"]
NONE = (UN, None, (), 0, 0)


@dataclass
class Row:
    """One statement row as written, with the outcome it was written for."""

    amount: int
    description: str
    expected: Verdict
    target: str | None = None  # CODE_MISSING: among the candidates; UNMATCHED: a near miss


def _shop(rng: random.Random) -> list[Expected]:
    """1,000 unpaid orders in two batches, every amount to pay different."""
    orders: list[Expected] = []
    taken: set[int] = set()
    for serial in range(1, 1001):
        total = rng.choice(PRICES) * rng.randint(1, 3)
        code = rng.randint(1, 999)
        while total + code in taken:
            code = rng.randint(1, 999)
        taken.add(total + code)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        batch = "Lebaran 1" if serial <= 600 else "Lebaran 2"
        orders.append(order(serial, total + code, code, name=name, batch=batch))
    return orders


def _statement(rng: random.Random, orders: list[Expected]) -> tuple[list[Expected], list[Row]]:
    """The orders (20 of them ticked by the seller) and a statement of every situation."""
    by_number = {o.number: o for o in orders}
    numbers = list(by_number)
    rng.shuffle(numbers)
    paid, under, over = numbers[:700], numbers[700:740], numbers[740:770]
    seller, code_missing, near = numbers[770:790], numbers[790:830], numbers[830:890]
    orders = [replace(o, seller_paid=o.number in seller) for o in orders]
    owed = {o.number: int(o.owed) for o in orders}
    busy = set(owed.values()) | {int(o.owed) - (o.code or 0) for o in orders}

    def ref(number: str, spelling: int = 0) -> str:
        serial = int(number[3:])
        return [f"PO-{serial:04d}", f"po {serial}", f"PO{serial:04d}", f"PO-{serial}"][spelling]

    # Phase 1, in any order: first payments, short and long ones, noise.
    texts = ["TRSF E-BANKING CR", "PO-9999 salah"]  # an unknown order: the amount decides
    first = [
        Row(owed[n], [*texts, ref(n), ref(n, 1), ref(n, 2)][i % 5], (P, n, (), 0, 0))
        for i, n in enumerate(paid)
    ]
    rests = {n: 20_000 if i < 2 else 30_000 + i for i, n in enumerate(under)}
    first += [Row(owed[n] - rests[n], f"DP {ref(n, 1)}", (U, n, (), rests[n], 0)) for n in under]
    first += [
        Row(owed[n] + 1_000 + i, ref(n, 3), (OV, n, (), 0, 1_000 + i)) for i, n in enumerate(over)
    ]
    first += [Row(owed[n], "TRSF", (A, n, (), 0, 0)) for n in seller]
    first += [Row(5_000 + i, "TRSF E-BANKING CR", NONE) for i in range(100)]
    first += [
        Row(owed[n] - (by_number[n].code or 0), "TRSF", (CM, None, (), 0, 0), n)
        for n in code_missing
    ]
    first += [
        Row(owed[n] + owed[n] // 200, "TRSF", NONE, n)
        for n in near
        if owed[n] + owed[n] // 200 not in busy
    ]
    rng.shuffle(first)
    # Phase 2: what only makes sense after phase 1.
    second = [Row(owed[n], "TRSF ulang", (A, n, (), 0, 0)) for n in paid[:50]]
    second += [Row(5_500, f"{ref(n)} tambah", (A, n, (), 0, 0)) for n in over[:10]]
    second += [Row(rests[n], f"lunas {ref(n)}", (C, n, (), 0, 0)) for n in under[2:14]]
    second += [Row(rests[n], "pelunasan", (C, n, (), 0, 0)) for n in under[14:30]]
    both = tuple(sorted(under[:2]))
    second.append(Row(20_000, "pelunasan", (AM, None, both, 0, 0)))
    rng.shuffle(second)
    return orders, first + second


def test_a_statement_of_1200_rows_against_1000_orders() -> None:
    """Every row of a busy statement gets the outcome it was written for, in one pass."""
    rng = random.Random(2027)
    orders, rows = _statement(rng, _shop(rng))
    credits = [
        Credit(f"row{i}", None, None, D(row.amount), row.description, "BCA")
        for i, row in enumerate(rows)
    ]
    repeats = [credits[(i * 37) % len(credits)] for i in range(1_200 - len(credits))]
    expected = [row.expected for row in rows] + [(R, None, (), 0, 0)] * len(repeats)
    targets = [row.target for row in rows] + [None] * len(repeats)
    assert len({o.owed for o in orders}) == 1_000
    assert len(credits + repeats) == 1_200

    found = match(credits + repeats, orders, {})

    # Where there are many candidates (rows with a target), they are checked one by one below.
    verdicts = zip(_rows(found), targets, strict=True)
    shown = [(o, n, () if target else c, mi, ex) for (o, n, c, mi, ex), target in verdicts]
    assert shown == expected
    assert {row[0] for row in expected} == set(Outcome)
    owed = {o.number: o.owed for o in orders}
    for row, got in zip(rows, found[: len(rows)], strict=True):
        if row.expected[0] is CM:
            assert row.target in got.candidates
        elif row.target is not None:
            assert got.candidates
            assert all(abs(owed[n] - got.credit.amount) * 100 <= owed[n] for n in got.candidates)
    money: dict[str, Decimal] = {}
    for row in rows:
        outcome, number = row.expected[:2]
        if outcome in (P, C, U, OV) and number is not None:
            money[number] = money.get(number, D(0)) + row.amount
    assert received_by_order(found) == money


def test_a_transfer_older_than_the_order_is_never_put_towards_it() -> None:
    """Rule 11: a January transfer naming PO-0012 cannot pay an order placed in December; the
    seller sees it with that order as the one to check."""
    import datetime as dt
    from decimal import Decimal

    from openorder_sheets.core.matching import Expected, Outcome, match
    from openorder_sheets.core.model import Credit

    order = Expected(
        "PO-0012", "PO 1", Decimal(150123), 123, Decimal(0), "Siti", False, dt.date(2026, 12, 1)
    )
    old = Credit("k1", dt.date(2026, 1, 2), None, Decimal(150123), "TRSF PO-0012 SITI")
    new = Credit("k2", dt.date(2026, 12, 2), None, Decimal(150123), "TRSF SITI")
    first, second = match([old, new], [order], {})
    assert (first.outcome, first.order, first.candidates) == (Outcome.UNMATCHED, None, ("PO-0012",))
    assert (second.outcome, second.order) == (Outcome.PAID, "PO-0012")
