"""Payments (core/payments.py): deadlines, expiry, reminders, unique codes and what was paid.

Deadlines count from when the confirmation was actually sent (the `Emails` ledger), rounded up
to the next full hour; no order expires before its reminder went out; a tick records what was
owed when ticked, so a buyer who adds items later is partly paid, never shown as paid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from openorder_sheets.core.model import (
    Batch,
    Decision,
    EmailKind,
    EmailState,
    LedgerEntry,
    Line,
    Order,
    PaidKind,
    PaidMark,
    PriorOrder,
    Product,
    Response,
    SellerInputs,
    Stage,
)
from openorder_sheets.core.payments import (
    ceil_hour,
    clocks,
    expiry_moment,
    payment_emails,
    payment_seen,
    reminder_key,
    settle,
    stamp_clock,
    unique_codes,
)

ZONE = dt.timezone(dt.timedelta(hours=7))
MONDAY_0919 = dt.datetime(2027, 2, 1, 9, 19, tzinfo=ZONE)
NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", None, None, True, "", 2)
PO1 = Batch("PO 1", MONDAY_0919, MONDAY_0919 + dt.timedelta(days=14), None, Stage.NONE, "", 2)
CONFIRMED_KEY = "PO-0001/order_confirmed/a@example.com/1"


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


def sent(key: str, when: dt.datetime) -> LedgerEntry:
    return LedgerEntry(
        key, key.split("/")[0], key.split("/")[1], "a@example.com", EmailState.SENT, 1, when
    )


def remembered(number: str = "PO-0001", **fields: object) -> PriorOrder:
    base = PriorOrder(
        number,
        "PO 1",
        MONDAY_0919,
        "a@example.com",
        Decision.CONFIRMED,
        2,
        lines=(("NASTAR", 2),),
        asked=(("NASTAR", 2),),
        seq=1,
        confirmed_key=f"{number}/order_confirmed/a@example.com/1",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def order(
    number: str = "PO-0001",
    jars: int = 2,
    *,
    prior: PriorOrder | None = None,
    status: Decision = Decision.CONFIRMED,
    batch: Batch | None = PO1,
    **fields: object,
) -> Order:
    response = Response(
        2, MONDAY_0919, "a@example.com", True, "Ani", "", "", "", "", None, (("NASTAR", jars),), ()
    )
    decided = Order(number, response, prior, batch, MONDAY_0919, (Line(NASTAR, jars),), status, ())
    return replace(decided, **fields)  # type: ignore[arg-type]


def paid_with(mark: PaidMark, **fields: object) -> PriorOrder:
    """An order remembered with ``mark`` in the seller's `Paid` cell."""
    return replace(remembered(seller=SellerInputs(paid=mark)), **fields)  # type: ignore[arg-type]


# -- the deadline ----------------------------------------------------------------------------


def test_ceil_hour_rounds_up_to_the_next_full_hour_and_keeps_a_full_hour() -> None:
    """A deadline a person would say: 10.00, not 09.19."""
    assert ceil_hour(MONDAY_0919) == MONDAY_0919.replace(hour=10, minute=0)
    assert ceil_hour(MONDAY_0919.replace(minute=0)) == MONDAY_0919.replace(minute=0)
    one_microsecond_past = MONDAY_0919.replace(minute=0, microsecond=1)
    assert ceil_hour(one_microsecond_past) == MONDAY_0919.replace(hour=10, minute=0)
    assert ceil_hour(MONDAY_0919.replace(hour=23, minute=30)) == dt.datetime(
        2027, 2, 2, 0, tzinfo=ZONE
    )


def test_the_deadline_counts_from_when_the_confirmation_was_sent_rounded_up() -> None:
    """README: sent Monday 09.19 with payment_due_hours = 48 → Wednesday 10.00."""
    prior = remembered()
    deadlines, reminded = clocks([prior], [sent(CONFIRMED_KEY, MONDAY_0919)], 48)
    assert deadlines == {"PO-0001": dt.datetime(2027, 2, 3, 10, tzinfo=ZONE)}
    assert reminded == {}


def test_no_deadline_runs_until_the_confirmation_is_actually_sent() -> None:
    """A queued or deferred confirmation starts no clock: the buyer has not been told."""
    queued = replace(sent(CONFIRMED_KEY, MONDAY_0919), state=EmailState.DEFERRED)
    assert clocks([remembered()], [queued], 48) == ({}, {})


def test_a_remembered_deadline_is_kept_even_if_the_ledger_says_otherwise() -> None:
    """The memory holds the deadline told to the buyer; it never moves by itself."""
    told = dt.datetime(2027, 2, 4, 12, tzinfo=ZONE)
    prior = remembered(deadline=told)
    deadlines, _ = clocks([prior], [sent(CONFIRMED_KEY, MONDAY_0919)], 48)
    assert deadlines == {"PO-0001": told}


def test_only_confirmed_orders_have_clocks_and_a_zero_due_time_turns_them_off() -> None:
    """Waitlisted orders owe nothing yet; `payment_due_hours = 0` means no deadlines at all."""
    ledger = [sent(CONFIRMED_KEY, MONDAY_0919)]
    assert clocks([remembered(status=Decision.WAITLISTED)], ledger, 48) == ({}, {})
    assert clocks([remembered()], ledger, 0) == ({}, {})


def test_the_reminder_time_comes_from_the_ledger_of_this_confirmation() -> None:
    """The reminder key carries the confirmation's version: one reminder per confirmation."""
    prior = remembered(confirmed_key="PO-0001/order_promoted/a@example.com/3")
    key = reminder_key("PO-0001", "a@example.com", prior.confirmed_key)
    assert key == "PO-0001/payment_reminder/a@example.com/3"
    later = MONDAY_0919 + hours(40)
    _, reminded = clocks([prior], [sent(key, later)], 48)
    assert reminded == {"PO-0001": later}


def test_stamp_clock_fills_in_what_the_ledger_now_shows_and_changes_nothing_else() -> None:
    """The memory learns the deadline once the confirmation is sent; a known clock is kept."""
    by_key = {CONFIRMED_KEY: sent(CONFIRMED_KEY, MONDAY_0919)}
    stamped = stamp_clock(remembered(), by_key, 48)
    assert stamped.deadline == dt.datetime(2027, 2, 3, 10, tzinfo=ZONE)
    assert stamp_clock(stamped, by_key, 48) is stamped


# -- expiry ----------------------------------------------------------------------------------


def test_an_order_without_a_deadline_never_expires() -> None:
    assert expiry_moment(None, MONDAY_0919, 12) is None


def test_an_order_never_expires_before_its_reminder_was_sent() -> None:
    """Rule 11: a laptop closed through the reminder window first sends the reminder."""
    deadline = MONDAY_0919 + hours(48)
    assert expiry_moment(deadline, None, 12) is None


def test_the_expiry_is_the_deadline_when_the_reminder_went_out_in_time() -> None:
    deadline = ceil_hour(MONDAY_0919 + hours(48))
    assert expiry_moment(deadline, deadline - hours(12), 12) == deadline


def test_a_late_reminder_moves_the_expiry_to_reminder_hours_after_it() -> None:
    """Rule 11: the buyer always has `payment_reminder_hours` after the reminder to pay."""
    deadline = ceil_hour(MONDAY_0919 + hours(48))
    late = deadline + hours(3) + dt.timedelta(minutes=20)
    assert expiry_moment(deadline, late, 12) == ceil_hour(late + hours(12))


def test_with_reminders_off_the_deadline_alone_decides() -> None:
    deadline = ceil_hour(MONDAY_0919 + hours(48))
    assert expiry_moment(deadline, None, 0) == deadline


def test_a_tick_an_amount_or_an_unclear_word_in_paid_all_hold_the_order() -> None:
    """An unclear word may well mean paid: no reminder, no expiry until the seller clarifies."""
    seen = {kind: payment_seen(paid_with(PaidMark(kind))) for kind in PaidKind}
    assert seen == {
        PaidKind.BLANK: False,
        PaidKind.NO: False,
        PaidKind.YES: True,
        PaidKind.AMOUNT: True,
        PaidKind.UNKNOWN: True,
    }


# -- unique codes ----------------------------------------------------------------------------


def test_unique_codes_are_off_unless_asked_for() -> None:
    assert unique_codes([order()], enabled=False) == {}


def test_a_new_confirmed_order_takes_its_own_numbers_code() -> None:
    """Serial mod 999, plus one: PO-0042 pays 42 rupiah more, so its transfer is recognisable."""
    assert unique_codes([order("PO-0042")], enabled=True) == {"PO-0042": 43}


def test_codes_are_distinct_within_a_batch_and_a_given_code_is_kept() -> None:
    """Two orders whose serials collide get different codes; a remembered code never changes."""
    kept = order("PO-1000", prior=remembered("PO-1000", code=2))
    clash = order("PO-0001")  # would take 2 as well
    codes = unique_codes([kept, clash], enabled=True)
    assert codes == {"PO-1000": 2, "PO-0001": 3}


def test_codes_keep_every_unpaid_amount_unique_across_all_batches() -> None:
    """All batches pay into the same accounts: a transfer's amount alone names its order."""
    po2 = replace(PO1, name="PO 2")
    orders = [order("PO-0001"), order("PO-1000", batch=po2)]  # same total, same own code
    codes = unique_codes(orders, enabled=True)
    assert codes == {"PO-0001": 2, "PO-1000": 3}
    assert len({o.total + codes[o.number] for o in orders}) == 2


def test_orders_with_different_totals_may_share_a_code() -> None:
    """What must differ is the amount owed, not the code."""
    codes = unique_codes([order("PO-0001", jars=2), order("PO-1000", jars=3)], enabled=True)
    assert codes == {"PO-0001": 2, "PO-1000": 2}


def test_only_confirmed_orders_get_codes() -> None:
    waiting = order("PO-0003", status=Decision.WAITLISTED)
    assert unique_codes([waiting], enabled=True) == {}


# -- what was paid ---------------------------------------------------------------------------


def _settle(*orders: Order, ledger: list[LedgerEntry] | None = None) -> list[Order]:
    """The orders settled from the seller's `Paid` cells (no bank statement)."""
    settlement = settle(
        list(orders),
        ledger or [],
        due_hours=48,
        unique_code=False,
        currency="IDR",
        language="en",
    )
    return settlement.orders


def test_a_new_tick_records_what_the_order_owes_and_counts_a_receipt() -> None:
    """A tick is paid in full at the amount owed when ticked; `payment_received` is due once."""
    [settled] = _settle(order(prior=paid_with(PaidMark(PaidKind.YES))))
    assert settled.paid_amount == Decimal(170000)
    assert settled.paid
    assert settled.receipts == 1


def test_an_old_tick_on_an_order_that_grew_is_partly_paid_never_paid() -> None:
    """README: a paid buyer who adds items is partly paid and is told what is still to pay."""
    before = paid_with(
        PaidMark(PaidKind.YES),
        paid_amount=Decimal(170000),
        paid_memo="yes",
        settled=True,
        receipts=1,
    )
    [settled] = _settle(order(jars=3, prior=before))
    assert settled.paid_amount == Decimal(170000)
    assert not settled.paid
    assert settled.partly_paid
    assert settled.seller_problems == (
        "paid Rp170.000 of Rp255.000: Rp85.000 still to pay (type the total received in Paid "
        "when it arrives)",
    )
    assert settled.receipts == 1  # no new payment_received


def test_an_amount_typed_in_paid_is_what_was_received() -> None:
    """Typing the total received settles it once it covers what the order owes."""
    short = _settle(order(jars=3, prior=paid_with(PaidMark(PaidKind.AMOUNT, Decimal(200000)))))
    assert short[0].partly_paid
    full = _settle(order(jars=3, prior=paid_with(PaidMark(PaidKind.AMOUNT, Decimal(255000)))))
    assert full[0].paid


def test_an_unclear_paid_word_keeps_what_was_paid_and_is_shown_as_a_problem() -> None:
    """A word the tool cannot read never silently changes the money; Problems names it."""
    before = paid_with(PaidMark(PaidKind.UNKNOWN, text="hmm"), paid_amount=Decimal(0))
    [settled] = _settle(order(prior=before))
    assert settled.paid_amount == 0
    assert any("'hmm'" in problem for problem in settled.seller_problems)


def test_settle_starts_the_clock_from_this_confirmations_sent_time() -> None:
    """A new order's deadline is its confirmation's send time plus the due hours, rounded up."""
    [settled] = _settle(order(), ledger=[sent(CONFIRMED_KEY, MONDAY_0919)])
    assert settled.confirmed_key == CONFIRMED_KEY
    assert settled.deadline == dt.datetime(2027, 2, 3, 10, tzinfo=ZONE)


# -- payment emails --------------------------------------------------------------------------


def _kinds(orders: list[Order], now: dt.datetime, known: set[str] | None = None) -> list[str]:
    return [d.kind for d in payment_emails(orders, known or set(), now, 12)]


def test_payment_received_is_due_once_when_the_order_becomes_paid_in_full() -> None:
    """Received is news once: not again while the order stays paid."""
    paid = order(paid_amount=Decimal(170000), receipts=1, prior=remembered())
    [mail] = payment_emails([paid], set(), MONDAY_0919, 12)
    assert (mail.kind, mail.key) == (
        EmailKind.PAYMENT_RECEIVED,
        "PO-0001/payment_received/a@example.com/1",
    )
    still = replace(paid, prior=remembered(settled=True))
    assert _kinds([still], MONDAY_0919) == []


def test_the_reminder_is_due_reminder_hours_before_the_deadline_not_earlier() -> None:
    deadline = dt.datetime(2027, 2, 3, 10, tzinfo=ZONE)
    unpaid = order(deadline=deadline, confirmed_key=CONFIRMED_KEY, prior=remembered())
    assert _kinds([unpaid], deadline - hours(12) - dt.timedelta(minutes=1)) == []
    assert _kinds([unpaid], deadline - hours(12)) == [EmailKind.PAYMENT_REMINDER]
    assert _kinds([unpaid], deadline + hours(30)) == [EmailKind.PAYMENT_REMINDER]  # laptop closed


def test_no_reminder_once_sent_or_when_money_or_an_unclear_paid_word_came_in() -> None:
    deadline = dt.datetime(2027, 2, 3, 10, tzinfo=ZONE)
    late = deadline + hours(1)
    base = order(deadline=deadline, confirmed_key=CONFIRMED_KEY, prior=remembered())
    key = reminder_key("PO-0001", "a@example.com", CONFIRMED_KEY)
    assert _kinds([base], late, {key}) == []
    assert _kinds([replace(base, reminder_sent=late)], late) == []
    assert _kinds([replace(base, paid_amount=Decimal(1000))], late) == []
    unclear = replace(base, prior=paid_with(PaidMark(PaidKind.UNKNOWN, text="hmm")))
    assert _kinds([unclear], late) == []


def test_no_payment_email_to_an_address_that_cannot_receive_one() -> None:
    deadline = dt.datetime(2027, 2, 3, 10, tzinfo=ZONE)
    unpaid = order(deadline=deadline, confirmed_key=CONFIRMED_KEY, prior=remembered())
    assert unpaid.response is not None
    broken = replace(unpaid, response=replace(unpaid.response, email_ok=False))
    assert _kinds([broken], deadline) == []
