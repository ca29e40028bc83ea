"""A batch's life after it closes (core/stages.py): stage emails, tracking numbers, delays.

Stage messages go once to each confirmed order — only to paid ones while payment deadlines are
on — waitlisted orders hear once that they will not be made, and moving `Ships on` later than
the date buyers were told sends `batch_delayed` once per new date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from openorder_sheets.core.model import (
    Batch,
    Decision,
    EmailDue,
    EmailKind,
    EmailState,
    LedgerEntry,
    Line,
    Order,
    PriorOrder,
    Product,
    Response,
    SellerInputs,
    Stage,
)
from openorder_sheets.core.stages import (
    STAGE_KINDS,
    delay_emails,
    delay_orders,
    ship_dates_told,
    ships_to_remember,
    stage_emails,
)

ZONE = dt.timezone(dt.timedelta(hours=7))
OPENS = dt.datetime(2027, 2, 1, 9, tzinfo=ZONE)
FEB_20, FEB_24 = dt.date(2027, 2, 20), dt.date(2027, 2, 24)
NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", None, None, True, "", 2)


def batch(
    stage: Stage = Stage.NONE, ships_on: dt.date | None = FEB_20, name: str = "PO 1"
) -> Batch:
    return Batch(name, OPENS, OPENS + dt.timedelta(days=14), ships_on, stage, "", 2)


def order(
    number: str,
    email: str,
    *,
    status: Decision = Decision.CONFIRMED,
    paid: bool = False,
    of: Batch | None = None,
    tracking_no: str = "",
    email_ok: bool = True,
) -> Order:
    response = Response(
        2, OPENS, email, email_ok, "Buyer", "", "", "", "", None, (("NASTAR", 1),), ()
    )
    prior = PriorOrder(
        number, "PO 1", OPENS, email, status, 2, seller=SellerInputs(tracking_no=tracking_no)
    )
    return Order(
        number,
        response,
        prior,
        of or batch(),
        OPENS,
        (Line(NASTAR, 1),),
        status,
        (),
        paid_amount=Decimal(85000) if paid else Decimal(0),
    )


def kinds(found: list[EmailDue]) -> list[tuple[str, str]]:
    return [(d.order, d.kind) for d in found]


# -- stage messages --------------------------------------------------------------------------


def test_each_stage_has_its_message() -> None:
    """In production → production_started, Ready → batch_ready, Shipped → order_shipped."""
    assert STAGE_KINDS == {
        Stage.IN_PRODUCTION: EmailKind.PRODUCTION_STARTED,
        Stage.READY: EmailKind.BATCH_READY,
        Stage.SHIPPED: EmailKind.ORDER_SHIPPED,
        Stage.CANCELLED: EmailKind.BATCH_CANCELLED,
    }


def test_no_stage_no_stage_message() -> None:
    assert stage_emails([order("PO-0001", "a@x.com", paid=True)], set(), payments_on=True) == []


def test_stage_messages_go_only_to_paid_orders_while_payment_deadlines_are_on() -> None:
    """README: unpaid orders hear about production once they pay (or expire)."""
    making = batch(Stage.IN_PRODUCTION)
    orders = [
        order("PO-0001", "a@x.com", paid=True, of=making),
        order("PO-0002", "b@x.com", paid=False, of=making),
    ]
    assert kinds(stage_emails(orders, set(), payments_on=True)) == [
        ("PO-0001", EmailKind.PRODUCTION_STARTED)
    ]


def test_without_payment_deadlines_every_confirmed_order_hears_the_stage() -> None:
    making = batch(Stage.READY)
    orders = [order("PO-0001", "a@x.com", of=making), order("PO-0002", "b@x.com", of=making)]
    assert kinds(stage_emails(orders, set(), payments_on=False)) == [
        ("PO-0001", EmailKind.BATCH_READY),
        ("PO-0002", EmailKind.BATCH_READY),
    ]


def test_a_cancelled_batch_tells_unpaid_orders_too() -> None:
    """Everyone who ordered must hear that the batch will not happen, paid or not."""
    gone = batch(Stage.CANCELLED)
    found = stage_emails([order("PO-0001", "a@x.com", of=gone)], set(), payments_on=True)
    assert kinds(found) == [("PO-0001", EmailKind.BATCH_CANCELLED)]


def test_waitlisted_orders_hear_once_that_they_will_not_be_made() -> None:
    """README: Stage set → waitlisted orders get order_not_made (nothing charged)."""
    making = batch(Stage.IN_PRODUCTION)
    waiting = order("PO-0002", "b@x.com", status=Decision.WAITLISTED, of=making)
    [mail] = stage_emails([waiting], set(), payments_on=True)
    assert (mail.kind, mail.key) == (
        EmailKind.ORDER_NOT_MADE,
        "PO-0002/order_not_made/b@x.com/1",
    )
    assert stage_emails([waiting], {mail.key}, payments_on=True) == []
    assert stage_emails([replace(waiting, batch=batch())], set(), payments_on=True) == []


def test_cancelled_rejected_and_expired_orders_hear_no_stage() -> None:
    making = batch(Stage.SHIPPED)
    others = [
        order(f"PO-000{n}", "a@x.com", status=status, paid=True, of=making)
        for n, status in enumerate(
            (Decision.CANCELLED, Decision.REJECTED, Decision.EXPIRED, Decision.DUPLICATE), 1
        )
    ]
    assert stage_emails(others, set(), payments_on=True) == []


def test_a_stage_message_already_in_the_ledger_is_not_due_again() -> None:
    making = batch(Stage.IN_PRODUCTION)
    paid = order("PO-0001", "a@x.com", paid=True, of=making)
    [mail] = stage_emails([paid], set(), payments_on=True)
    assert mail.key == "PO-0001/production_started/a@x.com/1"
    assert stage_emails([paid], {mail.key}, payments_on=True) == []


def test_a_tracking_number_ships_that_one_order_before_the_batch_is_shipped() -> None:
    """README: filling `Tracking no.` sends order_shipped to that order alone."""
    making = batch(Stage.IN_PRODUCTION)
    tracked = order("PO-0001", "a@x.com", paid=True, of=making, tracking_no="JNE123")
    untracked = order("PO-0002", "b@x.com", paid=True, of=making)
    assert kinds(stage_emails([tracked, untracked], set(), payments_on=True)) == [
        ("PO-0001", EmailKind.PRODUCTION_STARTED),
        ("PO-0001", EmailKind.ORDER_SHIPPED),
        ("PO-0002", EmailKind.PRODUCTION_STARTED),
    ]


def test_a_tracking_number_ships_once_even_when_the_batch_is_shipped_too() -> None:
    shipped = batch(Stage.SHIPPED)
    tracked = order("PO-0001", "a@x.com", paid=True, of=shipped, tracking_no="JNE123")
    assert kinds(stage_emails([tracked], set(), payments_on=True)) == [
        ("PO-0001", EmailKind.ORDER_SHIPPED)
    ]


def test_a_tracking_number_in_a_cancelled_batch_ships_nothing() -> None:
    gone = batch(Stage.CANCELLED)
    tracked = order("PO-0001", "a@x.com", of=gone, tracking_no="JNE123")
    assert kinds(stage_emails([tracked], set(), payments_on=True)) == [
        ("PO-0001", EmailKind.BATCH_CANCELLED)
    ]


def test_no_stage_message_to_an_address_that_cannot_receive_one() -> None:
    making = batch(Stage.IN_PRODUCTION)
    broken = order("PO-0001", "a@x", paid=True, of=making, email_ok=False)
    assert stage_emails([broken], set(), payments_on=True) == []


# -- the ship date buyers were told, and delays ----------------------------------------------


def test_the_ship_date_told_is_the_remembered_one() -> None:
    """The memory holds what buyers were told; the current cell may already say otherwise."""
    moved = batch(ships_on=FEB_24)
    told = ship_dates_told({"PO 1": FEB_20}, [order("PO-0001", "a@x.com", of=moved)], [moved])
    assert told == {"PO 1": FEB_20}


def test_a_batch_with_confirmed_orders_but_no_memory_was_told_its_current_date() -> None:
    """Their confirmations named today's Ships on: that is what they were told."""
    current = batch(ships_on=FEB_20)
    assert ship_dates_told({}, [order("PO-0001", "a@x.com", of=current)], [current]) == {
        "PO 1": FEB_20
    }


def test_a_batch_without_confirmed_orders_has_told_nobody_anything() -> None:
    current = batch(ships_on=FEB_20)
    waiting = order("PO-0001", "a@x.com", status=Decision.WAITLISTED, of=current)
    assert ship_dates_told({"PO 1": None}, [waiting], [current]) == {}


def test_the_memory_keeps_the_current_date_once_told_and_the_old_one_if_the_cell_is_cleared() -> (
    None
):
    assert ships_to_remember({"PO 1": FEB_20}, [batch(ships_on=FEB_24)]) == {"PO 1": FEB_24}
    assert ships_to_remember({"PO 1": FEB_20}, [batch(ships_on=None)]) == {"PO 1": FEB_20}
    assert ships_to_remember({}, [batch(ships_on=FEB_24)]) == {}


def test_moving_ships_on_later_tells_each_confirmed_buyer_once_per_new_date() -> None:
    """README: batch_delayed with the new date, keyed per buyer and date."""
    moved = batch(ships_on=FEB_24)
    orders = [
        order("PO-0001", "a@x.com", of=moved),
        order("PO-0002", "b@x.com", status=Decision.WAITLISTED, of=moved),
    ]
    [mail] = delay_emails(orders, {"PO 1": FEB_20}, set())
    assert (mail.kind, mail.order, mail.key) == (
        EmailKind.BATCH_DELAYED,
        "PO-0001",
        "PO 1/batch_delayed/a@x.com/2027-02-24",
    )
    assert delay_emails(orders, {"PO 1": FEB_20}, {mail.key}) == []


def test_a_buyer_with_two_orders_gets_one_delay_message() -> None:
    """Both orders make the same key, and one key is one message in the ledger."""
    moved = batch(ships_on=FEB_24)
    orders = [order("PO-0001", "a@x.com", of=moved), order("PO-0002", "a@x.com", of=moved)]
    assert len({mail.key for mail in delay_emails(orders, {"PO 1": FEB_20}, set())}) == 1


def test_a_delay_read_without_its_order_is_about_the_order_it_was_sent_for() -> None:
    """`batch_delayed` keys name the batch and the buyer: the order found again is the one
    :func:`delay_emails` gave it (the buyer's first confirmed order in that batch), and once
    that order is cancelled the next confirmed one, else their first order there."""
    moved = batch(ships_on=FEB_24)
    orders = [
        order("PO-0001", "a@x.com", status=Decision.WAITLISTED, of=moved),
        order("PO-0002", "a@x.com", of=moved),
        order("PO-0003", "a@x.com", of=moved),
        order("PO-0004", "b@x.com", status=Decision.CANCELLED, of=moved),
    ]
    due = delay_emails(orders, {"PO 1": FEB_20}, set())
    read = [LedgerEntry(mail.key, "", mail.kind, mail.to, EmailState.SENT) for mail in due[:1]]
    other = LedgerEntry(
        "PO 1/batch_delayed/b@x.com/2027-02-24", "", "batch_delayed", "b@x.com", EmailState.SENT
    )
    confirmed = LedgerEntry(
        "PO-0002/order_confirmed/a@x.com/1",
        "PO-0002",
        "order_confirmed",
        "a@x.com",
        EmailState.SENT,
    )
    found = delay_orders([*read, other, confirmed], orders)
    assert (
        [e.order for e in found]
        == [due[0].order, "PO-0004", "PO-0002"]
        == ["PO-0002", "PO-0004", "PO-0002"]
    )
    orders[1] = replace(orders[1], status=Decision.CANCELLED)
    assert delay_orders(read, orders)[0].order == "PO-0003"
    assert delay_orders(read, [])[0].order == ""


def test_an_earlier_or_unchanged_ship_date_needs_no_message() -> None:
    confirmed = [order("PO-0001", "a@x.com", of=batch(ships_on=FEB_20))]
    assert delay_emails(confirmed, {"PO 1": FEB_20}, set()) == []
    assert delay_emails(confirmed, {"PO 1": FEB_24}, set()) == []
    assert delay_emails(confirmed, {}, set()) == []


def test_no_delay_message_once_the_batch_is_shipped_or_cancelled() -> None:
    for stage in (Stage.SHIPPED, Stage.CANCELLED):
        late = order("PO-0001", "a@x.com", of=batch(stage, ships_on=FEB_24))
        assert delay_emails([late], {"PO 1": FEB_20}, set()) == [], stage
