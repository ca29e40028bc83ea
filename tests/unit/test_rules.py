"""The order rules (core/rules.py) on plain values: capacity, waitlist, limits, window, stickiness.

Every test builds responses and earlier orders by hand and calls :func:`decide` — no sheet, no
clock, no mail. Buyers are ``a@…``, ``b@…``; products are ``NASTAR`` and ``KASTENGEL``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from openorder_sheets.core.identity import Identified
from openorder_sheets.core.model import (
    Batch,
    Catalog,
    Decision,
    Order,
    PaidKind,
    PaidMark,
    PriorOrder,
    Product,
    Quantities,
    Response,
    SellerAction,
    SellerInputs,
    Stage,
)
from openorder_sheets.core.rules import Settings, decide, items_text, lines_of

ZONE = dt.timezone(dt.timedelta(hours=7))
OPENS = dt.datetime(2027, 2, 1, 9, tzinfo=ZONE)
CLOSES = dt.datetime(2027, 2, 15, 21, tzinfo=ZONE)
EN = Settings(language="en", now=dt.datetime(2027, 2, 16, 10, tzinfo=ZONE))


def product(sku: str, capacity: int | None = None, max_per_buyer: int | None = None) -> Product:
    return Product(sku, sku.title(), Decimal(85000), "jar", capacity, max_per_buyer, True, "", 2)


def batch(
    name: str = "PO 1",
    opens: dt.datetime = OPENS,
    closes: dt.datetime = CLOSES,
    stage: Stage = Stage.NONE,
) -> Batch:
    return Batch(name, opens, closes, None, stage, "", 2)


def shop(*products: Product, batches: tuple[Batch, ...] = (batch(),)) -> Catalog:
    return Catalog(products, (), batches)


def at(minutes: float) -> dt.datetime:
    """``minutes`` after the first batch opens."""
    return OPENS + dt.timedelta(minutes=minutes)


def answer(
    row: int,
    when: dt.datetime,
    email: str = "a@example.com",
    problems: tuple[str, ...] = (),
    **quantities: int,
) -> Response:
    items = tuple((sku.upper(), n) for sku, n in quantities.items())
    return Response(row, when, email, True, "Buyer", "", "", "", "", None, items, problems)


def prior(
    number: str,
    status: Decision,
    response: Response,
    *,
    lines: Quantities | None = None,
    action: SellerAction = SellerAction.NONE,
    **fields: object,
) -> PriorOrder:
    """What the memory says of an order decided earlier from ``response``."""
    remembered = PriorOrder(
        number,
        "PO 1",
        response.timestamp,
        response.email,
        status,
        response.row,
        lines=response.quantities if lines is None else lines,
        asked=response.quantities,
        seller=SellerInputs(action=action),
    )
    return replace(remembered, **fields)  # type: ignore[arg-type]


def new(number: str, response: Response) -> Identified:
    return Identified(number, response, None, response.timestamp)


def again(earlier: PriorOrder, response: Response | None) -> Identified:
    return Identified(earlier.number, response, earlier, earlier.submitted)


def statuses(orders: list[Order]) -> dict[str, Decision]:
    return {order.number: order.status for order in orders}


def items(order: Order) -> dict[str, int]:
    return {line.product.sku: line.quantity for line in order.lines}


# -- capacity and the waitlist ---------------------------------------------------------------


def test_orders_are_confirmed_while_they_fit_and_the_first_that_does_not_is_waitlisted() -> None:
    """Rule 7: first come, first served; an order that does not fit waits, naming what is short."""
    catalog = shop(product("NASTAR", capacity=5))
    orders = decide(
        [
            new("PO-0001", answer(2, at(0), "a@example.com", nastar=2)),
            new("PO-0002", answer(3, at(1), "b@example.com", nastar=3)),
            new("PO-0003", answer(4, at(2), "c@example.com", nastar=1)),
        ],
        catalog,
        EN,
    )
    assert statuses(orders) == {
        "PO-0001": Decision.CONFIRMED,
        "PO-0002": Decision.CONFIRMED,
        "PO-0003": Decision.WAITLISTED,
    }
    assert orders[2].problems == ("Nastar: 1 jar wanted, 0 left",)


def test_a_later_smaller_order_that_fits_is_confirmed_past_a_bigger_waiting_one() -> None:
    """Rule 7: a waitlisted order holds no capacity, so what is left goes to an order it fits."""
    catalog = shop(product("NASTAR", capacity=3))
    orders = decide(
        [
            new("PO-0001", answer(2, at(0), "a@example.com", nastar=2)),
            new("PO-0002", answer(3, at(1), "b@example.com", nastar=2)),
            new("PO-0003", answer(4, at(2), "c@example.com", nastar=1)),
        ],
        catalog,
        EN,
    )
    assert [o.status for o in orders] == [
        Decision.CONFIRMED,
        Decision.WAITLISTED,
        Decision.CONFIRMED,
    ]
    # The reason is computed once every order is decided: nothing is left for the waiting one.
    assert orders[1].problems == ("Nastar: 2 jar wanted, 0 left",)


def test_an_order_must_fit_on_every_line_to_be_confirmed() -> None:
    """Rule 7: one line that does not fit waitlists the whole order, naming only that line."""
    catalog = shop(product("NASTAR", capacity=10), product("KASTENGEL", capacity=1))
    [order] = decide([new("PO-0001", answer(2, at(0), nastar=2, kastengel=2))], catalog, EN)
    assert order.status is Decision.WAITLISTED
    assert order.problems == ("Kastengel: 2 jar wanted, 1 left",)


def test_a_blank_capacity_is_unlimited() -> None:
    """Products sheet: a blank Capacity never waitlists anyone."""
    catalog = shop(product("NASTAR", capacity=None))
    orders = decide(
        [new(f"PO-{n:04d}", answer(n + 1, at(n), f"b{n}@example.com", nastar=50)) for n in (1, 2)],
        catalog,
        EN,
    )
    assert {o.status for o in orders} == {Decision.CONFIRMED}


def test_capacity_is_counted_per_batch() -> None:
    """The same product's capacity is counted separately in each batch."""
    later = batch("PO 2", CLOSES + dt.timedelta(days=1), CLOSES + dt.timedelta(days=10))
    catalog = shop(product("NASTAR", capacity=2), batches=(batch(), later))
    orders = decide(
        [
            new("PO-0001", answer(2, at(0), "a@example.com", nastar=2)),
            new("PO-0002", answer(3, later.opens, "b@example.com", nastar=2)),
        ],
        catalog,
        EN,
    )
    assert [(o.batch.name if o.batch else None, o.status) for o in orders] == [
        ("PO 1", Decision.CONFIRMED),
        ("PO 2", Decision.CONFIRMED),
    ]


def test_a_cancellation_promotes_the_first_waiting_order_in_queue_order() -> None:
    """Rules 9–10: freed capacity goes to the waitlist in submission order, not by size."""
    catalog = shop(product("NASTAR", capacity=2))
    first = answer(2, at(0), "a@example.com", nastar=2)
    second = answer(3, at(1), "b@example.com", nastar=2)
    third = answer(4, at(2), "c@example.com", nastar=1)
    before = [
        prior("PO-0001", Decision.CONFIRMED, first, action=SellerAction.CANCEL),
        prior("PO-0002", Decision.WAITLISTED, second),
        prior("PO-0003", Decision.WAITLISTED, third),
    ]
    orders = decide(
        [again(p, r) for p, r in zip(before, (first, second, third), strict=True)], catalog, EN
    )
    assert statuses(orders) == {
        "PO-0001": Decision.CANCELLED,
        "PO-0002": Decision.CONFIRMED,
        "PO-0003": Decision.WAITLISTED,
    }


# -- per-buyer limits ------------------------------------------------------------------------


def test_the_per_buyer_limit_counts_the_buyers_earlier_orders_in_the_batch() -> None:
    """Rule 6: going over Max per buyer across orders rejects the later one, saying the sum."""
    catalog = shop(product("NASTAR", capacity=20, max_per_buyer=5))
    orders = decide(
        [
            new("PO-0001", answer(2, at(0), "a@example.com", nastar=3)),
            new("PO-0002", answer(3, at(60), "a@example.com", nastar=3)),
            new("PO-0003", answer(4, at(61), "b@example.com", nastar=5)),
        ],
        catalog,
        EN,
    )
    assert statuses(orders) == {
        "PO-0001": Decision.CONFIRMED,
        "PO-0002": Decision.REJECTED,
        "PO-0003": Decision.CONFIRMED,
    }
    assert orders[1].problems == ("Nastar: at most 5 jar per buyer in this batch (6 ordered)",)


def test_a_waitlisted_order_counts_toward_the_limit_but_a_rejected_one_does_not() -> None:
    """Rule 6: only orders that hold a place (confirmed, waitlisted) count for the limit."""
    catalog = shop(product("NASTAR", capacity=2, max_per_buyer=4))
    orders = decide(
        [
            new("PO-0001", answer(2, at(0), "z@example.com", nastar=2)),
            new("PO-0002", answer(3, at(60), "a@example.com", nastar=3)),  # waits: holds 3
            new("PO-0003", answer(4, at(120), "a@example.com", nastar=2)),  # 3 + 2 > 4
            new("PO-0004", answer(5, at(180), "a@example.com", nastar=1)),  # 3 + 1: fine
        ],
        catalog,
        EN,
    )
    assert [o.status for o in orders] == [
        Decision.CONFIRMED,
        Decision.WAITLISTED,
        Decision.REJECTED,
        Decision.WAITLISTED,
    ]


# -- the window ------------------------------------------------------------------------------


def test_an_order_before_the_window_is_rejected_naming_the_batch_that_opens_next() -> None:
    """Rule 3: a response before Opens names the batch and when it opens."""
    catalog = shop(product("NASTAR"))
    early = decide(
        [new("PO-0001", answer(2, at(-30), nastar=1))], catalog, replace(EN, now=at(-10))
    )
    [order] = early
    assert order.status is Decision.REJECTED
    assert order.batch is None
    [reason] = order.problems
    assert reason.startswith("outside the open-order window (sent before PO 1 opens,")


def test_an_order_sent_just_before_opening_and_decided_after_is_told_to_send_again() -> None:
    """Rule 3: when the batch has opened by the time of the sync, the reason says so."""
    catalog = shop(product("NASTAR"))
    [order] = decide(
        [new("PO-0001", answer(2, at(-2), nastar=1))], catalog, replace(EN, now=at(60))
    )
    assert order.status is Decision.REJECTED
    assert "it is open now — please send the form again" in order.problems[0]


def test_an_order_after_the_last_window_is_rejected_as_outside_it() -> None:
    """Rule 3: the window's Closes is not included; with no later batch the reason is plain."""
    catalog = shop(product("NASTAR"))
    [order] = decide([new("PO-0001", answer(2, CLOSES, nastar=1))], catalog, EN)
    assert order.status is Decision.REJECTED
    assert order.problems == ("outside the open-order window",)


# -- answers that cannot be read, duplicates -------------------------------------------------


def test_a_response_with_problems_needs_attention_with_those_problems() -> None:
    """Rule 2: an unreadable answer is never guessed at; its problems are the reasons."""
    catalog = shop(product("NASTAR", capacity=1))
    bad = answer(2, at(0), problems=("column \"Nastar\" has 'dua'",))
    orders = decide(
        [new("PO-0001", bad), new("PO-0002", answer(3, at(1), "b@example.com", nastar=1))],
        catalog,
        EN,
    )
    assert orders[0].status is Decision.NEEDS_ATTENTION
    assert orders[0].problems == ("column \"Nastar\" has 'dua'",)
    assert orders[1].status is Decision.CONFIRMED  # it held no capacity


def test_the_same_order_again_within_the_window_is_a_duplicate_naming_the_first() -> None:
    """Rule 5: same buyer, batch and items within 30 minutes → Duplicate of the earlier order."""
    catalog = shop(product("NASTAR", capacity=10))
    orders = decide(
        [
            new("PO-0001", answer(2, at(0), nastar=2)),
            new("PO-0002", answer(3, at(2), nastar=2)),
        ],
        catalog,
        EN,
    )
    assert [o.status for o in orders] == [Decision.CONFIRMED, Decision.DUPLICATE]
    assert orders[1].problems == ("same order as PO-0001 sent 2 min earlier",)
    assert orders[1].lines == orders[0].lines  # its items hold no capacity: only one counted


def test_the_same_items_after_the_window_or_other_items_are_a_new_order() -> None:
    """Rule 5: 31 minutes later, or different quantities, is a second real order."""
    catalog = shop(product("NASTAR", capacity=10))
    orders = decide(
        [
            new("PO-0001", answer(2, at(0), nastar=2)),
            new("PO-0002", answer(3, at(5), nastar=3)),
            new("PO-0003", answer(4, at(36), nastar=3)),
        ],
        catalog,
        EN,
    )
    assert [o.status for o in orders] == [
        Decision.CONFIRMED,
        Decision.CONFIRMED,
        Decision.CONFIRMED,
    ]


def test_a_duplicate_stays_a_duplicate_when_the_original_is_cancelled() -> None:
    """Rule 5 and 8: a duplicate never becomes a live order without the seller's Confirm."""
    catalog = shop(product("NASTAR", capacity=10))
    first, second = answer(2, at(0), nastar=2), answer(3, at(2), nastar=2)
    orders = decide(
        [
            again(prior("PO-0001", Decision.CONFIRMED, first, action=SellerAction.CANCEL), first),
            again(prior("PO-0002", Decision.DUPLICATE, second), second),
        ],
        catalog,
        EN,
    )
    assert [o.status for o in orders] == [Decision.CANCELLED, Decision.DUPLICATE]


# -- sticky decisions ------------------------------------------------------------------------


def test_a_confirmed_order_stays_confirmed_when_capacity_drops_below_it() -> None:
    """Rule 8: a lower capacity never un-confirms anyone; new orders find no room."""
    catalog = shop(product("NASTAR", capacity=1))
    kept = answer(2, at(0), "a@example.com", nastar=3)
    orders = decide(
        [
            again(prior("PO-0001", Decision.CONFIRMED, kept), kept),
            new("PO-0002", answer(3, at(5), "b@example.com", nastar=1)),
        ],
        catalog,
        EN,
    )
    assert [o.status for o in orders] == [Decision.CONFIRMED, Decision.WAITLISTED]
    assert items(orders[0]) == {"NASTAR": 3}


def test_confirmed_orders_take_their_capacity_before_an_earlier_new_response() -> None:
    """Rule 8: a row arriving late with an earlier timestamp cannot take a confirmed place."""
    catalog = shop(product("NASTAR", capacity=2))
    kept = answer(2, at(60), "a@example.com", nastar=2)
    orders = decide(
        [
            new("PO-0002", answer(3, at(0), "b@example.com", nastar=2)),  # earlier in the queue
            again(prior("PO-0001", Decision.CONFIRMED, kept), kept),
        ],
        catalog,
        EN,
    )
    assert statuses(orders) == {"PO-0002": Decision.WAITLISTED, "PO-0001": Decision.CONFIRMED}


def test_rejected_cancelled_and_expired_orders_keep_their_status_on_a_later_sync() -> None:
    """Rule 8: decided orders are not decided again when nothing changed."""
    catalog = shop(product("NASTAR", capacity=10))
    rows = [answer(n + 2, at(n * 60), f"b{n}@example.com", nastar=1) for n in range(3)]
    decided = [Decision.REJECTED, Decision.CANCELLED, Decision.EXPIRED]
    before = [
        prior(f"PO-000{n + 1}", status, rows[n], problems=("why",))
        for n, status in enumerate(decided)
    ]
    orders = decide([again(p, r) for p, r in zip(before, rows, strict=True)], catalog, EN)
    assert [o.status for o in orders] == decided
    assert [o.problems for o in orders] == [("why",)] * 3


def test_a_buyers_edit_reopens_a_rejected_order_but_not_a_cancelled_one() -> None:
    """Rule 8: an edit decides a rejected (or duplicate) order again; a cancellation stands."""
    catalog = shop(product("NASTAR", capacity=10, max_per_buyer=2))
    rejected = answer(2, at(0), "a@example.com", nastar=3)
    cancelled = answer(3, at(1), "b@example.com", nastar=1)
    fixed = replace(rejected, quantities=(("NASTAR", 2),))
    edited = replace(cancelled, quantities=(("NASTAR", 2),))
    orders = decide(
        [
            again(prior("PO-0001", Decision.REJECTED, rejected), fixed),
            again(prior("PO-0002", Decision.CANCELLED, cancelled), edited),
        ],
        catalog,
        EN,
    )
    assert [o.status for o in orders] == [Decision.CONFIRMED, Decision.CANCELLED]
    assert items(orders[1]) == {"NASTAR": 1}  # a cancelled order keeps what it was decided with


def test_a_waitlisted_order_is_not_promoted_once_the_batch_has_a_stage() -> None:
    """Rule 10: once production starts (Stage set), a place that frees up promotes nobody."""
    catalog = shop(product("NASTAR", capacity=2), batches=(batch(stage=Stage.IN_PRODUCTION),))
    first = answer(2, at(0), "a@example.com", nastar=2)
    waiting = answer(3, at(1), "b@example.com", nastar=2)
    orders = decide(
        [
            again(prior("PO-0001", Decision.CONFIRMED, first, action=SellerAction.CANCEL), first),
            again(prior("PO-0002", Decision.WAITLISTED, waiting), waiting),
        ],
        catalog,
        EN,
    )
    assert [o.status for o in orders] == [Decision.CANCELLED, Decision.WAITLISTED]


def test_an_order_whose_response_row_is_gone_keeps_its_status_and_says_why() -> None:
    """SPEC §4.1: a deleted response row never loses the order: status kept, row named."""
    catalog = shop(product("NASTAR", capacity=10))
    gone = answer(7, at(0), nastar=2)
    [order] = decide([again(prior("PO-0001", Decision.CONFIRMED, gone), None)], catalog, EN)
    assert order.status is Decision.CONFIRMED
    assert items(order) == {"NASTAR": 2}
    assert order.problems == ("its response (row 7 of Form Responses 1) is no longer there",)


def test_a_response_that_resembles_a_lost_order_needs_attention_never_a_silent_new_order() -> None:
    """SPEC §4.1: a row that cannot be matched safely waits for the seller, naming the order."""
    catalog = shop(product("NASTAR", capacity=10))
    moved = answer(3, at(5), nastar=2)
    item = Identified("PO-0002", moved, None, moved.timestamp, ("PO-0001",))
    [order] = decide([item], catalog, EN)
    assert order.status is Decision.NEEDS_ATTENTION
    assert "PO-0001" in order.problems[0]
    assert order.unmatched_like == ("PO-0001",)


# -- a confirmed buyer's edit: applied when it fits, held when it does not ------------------------


def test_a_confirmed_buyers_edit_that_fits_is_applied() -> None:
    """Rule 8 / SPEC §4.1: a confirmed order's change is applied when there is room."""
    catalog = shop(product("NASTAR", capacity=5))
    before = answer(2, at(0), nastar=2)
    [order] = decide(
        [
            again(
                prior("PO-0001", Decision.CONFIRMED, before),
                replace(before, quantities=(("NASTAR", 4),)),
            )
        ],
        catalog,
        EN,
    )
    assert order.status is Decision.CONFIRMED
    assert items(order) == {"NASTAR": 4}
    assert order.edited
    assert order.held is None


def test_a_confirmed_buyers_edit_that_does_not_fit_is_held_and_the_old_items_kept() -> None:
    """SPEC §4.1: an edit never costs a buyer what they had; the change waits, with reasons."""
    catalog = shop(product("NASTAR", capacity=3))
    mine = answer(2, at(0), "a@example.com", nastar=2)
    other = answer(3, at(1), "b@example.com", nastar=1)
    bigger = replace(mine, quantities=(("NASTAR", 3),))
    orders = decide(
        [
            again(prior("PO-0001", Decision.CONFIRMED, mine), bigger),
            again(prior("PO-0002", Decision.CONFIRMED, other), other),
        ],
        catalog,
        EN,
    )
    held = orders[0]
    assert held.status is Decision.CONFIRMED
    assert items(held) == {"NASTAR": 2}
    assert held.held is not None
    assert [(line.product.sku, line.quantity) for line in held.held] == [("NASTAR", 3)]
    assert not held.edited
    assert held.problems == ("Nastar: 3 jar wanted, 2 left",)  # its own 2 count as room
    assert held.refused  # news to the buyer this sync


def test_a_held_change_is_applied_once_room_frees_up() -> None:
    """SPEC §4.1: the held change goes through on a later sync when another order frees room."""
    catalog = shop(product("NASTAR", capacity=3))
    mine = answer(2, at(0), "a@example.com", nastar=2)
    other = answer(3, at(1), "b@example.com", nastar=1)
    bigger = replace(mine, quantities=(("NASTAR", 3),))
    waiting = prior("PO-0001", Decision.CONFIRMED, mine, held=(("NASTAR", 3),))
    orders = decide(
        [
            again(replace(waiting, asked=mine.quantities), bigger),
            again(prior("PO-0002", Decision.CONFIRMED, other, action=SellerAction.CANCEL), other),
        ],
        catalog,
        EN,
    )
    assert statuses(orders) == {"PO-0001": Decision.CONFIRMED, "PO-0002": Decision.CANCELLED}
    assert items(orders[0]) == {"NASTAR": 3}
    assert orders[0].edited
    assert orders[0].held is None


def test_a_confirmed_buyers_unreadable_edit_keeps_the_order_and_names_the_problem() -> None:
    """Rule 2 for a confirmed order: the order keeps its items; the problem is shown."""
    catalog = shop(product("NASTAR", capacity=5))
    before = answer(2, at(0), nastar=2)
    spoilt = replace(before, quantities=(), problems=("column \"Nastar\" has 'banyak'",))
    [order] = decide([again(prior("PO-0001", Decision.CONFIRMED, before), spoilt)], catalog, EN)
    assert order.status is Decision.CONFIRMED
    assert items(order) == {"NASTAR": 2}
    assert order.problems == ("column \"Nastar\" has 'banyak'",)
    assert not order.edited


def test_an_edit_over_the_per_buyer_limit_is_held_not_applied() -> None:
    """Rule 6 for a confirmed order: a change over the limit waits like one that does not fit."""
    catalog = shop(product("NASTAR", capacity=20, max_per_buyer=3))
    before = answer(2, at(0), nastar=2)
    over = replace(before, quantities=(("NASTAR", 4),))
    [order] = decide([again(prior("PO-0001", Decision.CONFIRMED, before), over)], catalog, EN)
    assert items(order) == {"NASTAR": 2}
    assert order.held is not None
    assert order.problems == ("Nastar: at most 3 jar per buyer in this batch (4 ordered)",)


# -- the seller's word -----------------------------------------------------------------------


def test_the_sellers_confirm_confirms_over_capacity_and_says_so() -> None:
    """Rule 10: Confirm wins over capacity; Problems records that the seller confirmed it."""
    catalog = shop(product("NASTAR", capacity=1))
    first = answer(2, at(0), "a@example.com", nastar=1)
    waiting = answer(3, at(1), "b@example.com", nastar=2)
    orders = decide(
        [
            again(prior("PO-0001", Decision.CONFIRMED, first), first),
            again(
                prior("PO-0002", Decision.WAITLISTED, waiting, action=SellerAction.CONFIRM), waiting
            ),
        ],
        catalog,
        EN,
    )
    assert [o.status for o in orders] == [Decision.CONFIRMED, Decision.CONFIRMED]
    assert orders[1].problems == ("confirmed by the seller",)


def test_the_sellers_reject_rejects_and_frees_the_place() -> None:
    """Rule 10: Reject rejects a confirmed order; its capacity goes to the next order."""
    catalog = shop(product("NASTAR", capacity=1))
    first = answer(2, at(0), "a@example.com", nastar=1)
    orders = decide(
        [
            again(prior("PO-0001", Decision.CONFIRMED, first, action=SellerAction.REJECT), first),
            new("PO-0002", answer(3, at(1), "b@example.com", nastar=1)),
        ],
        catalog,
        EN,
    )
    assert [o.status for o in orders] == [Decision.REJECTED, Decision.CONFIRMED]
    assert orders[0].problems == ("rejected by the seller",)


def test_a_confirm_acts_once_so_an_expired_order_stays_expired_under_the_same_confirm() -> None:
    """README: to confirm an expired order again, clear the cell and choose Confirm again."""
    catalog = shop(product("NASTAR", capacity=5))
    row = answer(2, at(0), nastar=1)
    expired = prior(
        "PO-0001",
        Decision.EXPIRED,
        row,
        action=SellerAction.CONFIRM,
        last_action=SellerAction.CONFIRM,
        problems=("not paid by the deadline (2027-02-03 11:00)",),
    )
    [order] = decide([again(expired, row)], catalog, EN)
    assert order.status is Decision.EXPIRED
    fresh = replace(expired, last_action=SellerAction.NONE)
    [order] = decide([again(fresh, row)], catalog, EN)
    assert order.status is Decision.CONFIRMED


# -- expiry (rule 11) ------------------------------------------------------------------------


def _unpaid(paid: PaidMark | None = None) -> tuple[Identified, dict[str, dt.datetime]]:
    paid = paid or PaidMark()
    row = answer(2, at(0), nastar=1)
    remembered = prior("PO-0001", Decision.CONFIRMED, row, seller=SellerInputs(paid=paid))
    return again(remembered, row), {"PO-0001": at(48 * 60)}


def test_an_unpaid_order_expires_once_its_deadline_passed_after_a_reminder() -> None:
    """Rule 11: past the deadline, with the reminder sent long enough ago, the order expires."""
    item, deadlines = _unpaid()
    settings = replace(EN, now=at(48 * 60), deadlines=deadlines, reminded={"PO-0001": at(30 * 60)})
    [order] = decide([item], shop(product("NASTAR", capacity=5)), settings)
    assert order.status is Decision.EXPIRED
    assert order.problems[0].startswith("not paid by the deadline (")


def test_an_unpaid_order_does_not_expire_before_its_reminder_went_out() -> None:
    """Rule 11: no reminder sent yet (the laptop was closed), no expiry."""
    item, deadlines = _unpaid()
    settings = replace(EN, now=at(60 * 60), deadlines=deadlines, reminded={})
    [order] = decide([item], shop(product("NASTAR", capacity=5)), settings)
    assert order.status is Decision.CONFIRMED


def test_a_paid_or_unclear_paid_cell_holds_an_order_past_its_deadline() -> None:
    """Rule 11: a tick, an amount or a word the tool cannot read all keep the order."""
    for mark in (
        PaidMark(PaidKind.YES),
        PaidMark(PaidKind.AMOUNT, Decimal(1000)),
        PaidMark(PaidKind.UNKNOWN, text="hmm"),
    ):
        item, deadlines = _unpaid(mark)
        settings = replace(
            EN, now=at(72 * 60), deadlines=deadlines, reminded={"PO-0001": at(30 * 60)}
        )
        [order] = decide([item], shop(product("NASTAR", capacity=5)), settings)
        assert order.status is Decision.CONFIRMED, mark


# -- small helpers ---------------------------------------------------------------------------


def test_items_text_reads_like_the_orders_tab() -> None:
    """``2× Nastar, 1× Kastengel``: the words the Orders tab and the emails use."""
    catalog = shop(product("NASTAR"), product("KASTENGEL"))
    lines = lines_of((("NASTAR", 2), ("KASTENGEL", 1)), catalog)
    assert items_text(lines) == "2× Nastar, 1× Kastengel"


def test_lines_of_drops_products_that_no_longer_exist() -> None:
    """A product removed from the Products tab is left out rather than crashing the sync."""
    catalog = shop(product("NASTAR"))
    assert [line.product.sku for line in lines_of((("GONE", 1), ("NASTAR", 2)), catalog)] == [
        "NASTAR"
    ]
