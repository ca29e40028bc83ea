"""An order's life in one place: its states, the events that move it, what each tells the buyer.

The table :data:`TRANSITIONS` is the contract (the README's "What happens to an order" is
written from it). The capacity rules that pick between Confirmed and Waitlisted are in
:mod:`~openorder_sheets.core.rules`; the money side (deadline, reminder, paid) in
:mod:`~openorder_sheets.core.payments`; batch stages in :mod:`~openorder_sheets.core.stages`;
announcements in :mod:`~openorder_sheets.core.announcements`. This module says which message a
decision makes due, versions it, and turns the decided orders into the memory the next sync
starts from (:mod:`~openorder_sheets.core.memory`).

A message key is ``{order}/{kind}/{email}/{version}`` where the version is the count of
decisions the buyer was told. It is computed from the memory the sync started from, so a sync
interrupted after writing the `Emails` ledger but before its memory computes the same keys again
and repeats nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from openorder_sheets.core.ledger import message_key as ledger_key
from openorder_sheets.core.model import (
    Decision,
    EmailDue,
    EmailKind,
    Order,
    PriorOrder,
    Quantities,
    SellerAction,
    evolve,
    quantities_of,
)
from openorder_sheets.core.seller_columns import seller_inputs_from_marks


class Event(Enum):
    """What can happen to an order."""

    RESPONSE_SEEN = "a new form answer arrives"
    DUPLICATED = "the same buyer sends the same order again within the duplicate window"
    EDITED = "the buyer edits their answer"
    SELLER_CONFIRM = "the seller chooses Confirm"
    SELLER_CANCEL = "the seller chooses Cancel"
    SELLER_REJECT = "the seller chooses Reject"
    CAPACITY_FREED = "capacity frees up (a cancellation, an expiry, a higher capacity)"
    PAID = "the seller ticks Paid (or types the amount received)"
    UNPAID = "the seller unticks Paid"
    REMINDER_DUE = "the payment deadline is near"
    DEADLINE_PASSED = "the deadline passed, and the reminder went out long enough ago"
    STAGE_SET = "the seller sets the batch's Stage"
    SHIPS_MOVED = "the seller moves Ships on later"
    TAB_LOST = "a tool tab is deleted or cleared"


@dataclass(frozen=True)
class Transition:
    before: str  # the state(s) it applies to, in the seller's words
    event: Event
    after: str
    capacity: str  # takes / frees / keeps / none
    message: str  # the email kind(s) it makes due, or "—"


#: The order lifecycle, as a seller would read it.
TRANSITIONS: tuple[Transition, ...] = (
    Transition("(new)", Event.RESPONSE_SEEN, "Confirmed", "takes", EmailKind.ORDER_CONFIRMED),
    Transition(
        "(new)", Event.RESPONSE_SEEN, "Waitlisted", "none", EmailKind.ORDER_WAITLISTED
    ),
    Transition(
        "(new)", Event.RESPONSE_SEEN, "Rejected (window, limit)", "none",
        EmailKind.ORDER_REJECTED,
    ),
    Transition(
        "(new)", Event.RESPONSE_SEEN, "Needs attention", "none",
        EmailKind.ORDER_NEEDS_ATTENTION,
    ),
    Transition("(new)", Event.DUPLICATED, "Duplicate", "none", "—"),
    Transition(
        "Needs attention", Event.EDITED, "decided again", "as decided",
        "the new status's email",
    ),
    Transition(
        "Waitlisted", Event.CAPACITY_FREED, "Confirmed", "takes", EmailKind.ORDER_PROMOTED
    ),
    Transition(
        "Waitlisted", Event.STAGE_SET, "Waitlisted (will not be made)", "none",
        EmailKind.ORDER_NOT_MADE,
    ),
    Transition(
        "Confirmed", Event.EDITED, "Confirmed with the new items (if they fit)", "takes/frees",
        EmailKind.ORDER_UPDATED,
    ),
    Transition(
        "Confirmed", Event.EDITED, "Confirmed with the old items, change held", "keeps",
        EmailKind.ORDER_CHANGE_REFUSED,
    ),
    Transition(
        "Waitlisted, Rejected, Duplicate", Event.EDITED, "decided again", "as decided",
        "order_updated, or the new status's email",
    ),
    Transition(
        "Confirmed, unpaid", Event.REMINDER_DUE, "Confirmed", "keeps",
        EmailKind.PAYMENT_REMINDER,
    ),
    Transition(
        "Confirmed, unpaid", Event.DEADLINE_PASSED, "Expired", "frees", EmailKind.ORDER_EXPIRED
    ),
    Transition("Confirmed", Event.PAID, "Confirmed, paid", "keeps", EmailKind.PAYMENT_RECEIVED),
    Transition(
        "Confirmed, paid", Event.EDITED, "Confirmed, partly paid", "takes/frees",
        EmailKind.ORDER_UPDATED,
    ),
    Transition("Confirmed, paid", Event.UNPAID, "Confirmed, unpaid", "keeps", "—"),
    Transition(
        "Confirmed, paid", Event.STAGE_SET, "In production → Ready → Shipped", "keeps",
        "production_started, batch_ready, order_shipped (batch_cancelled)",
    ),
    Transition(
        "Confirmed", Event.SHIPS_MOVED, "Confirmed", "keeps", EmailKind.BATCH_DELAYED
    ),
    Transition(
        "any other", Event.SELLER_CONFIRM, "Confirmed (even over capacity)", "takes",
        "order_confirmed (a new payment deadline)",
    ),
    Transition(
        "Confirmed, unpaid, past its deadline", Event.SELLER_CONFIRM,
        "Confirmed anew (a new payment deadline)", "keeps", EmailKind.ORDER_CONFIRMED,
    ),
    Transition("any", Event.SELLER_CANCEL, "Cancelled", "frees", EmailKind.ORDER_CANCELLED),
    Transition("any", Event.SELLER_REJECT, "Rejected", "frees", EmailKind.ORDER_REJECTED),
    Transition("any", Event.TAB_LOST, "unchanged (the tab is rebuilt)", "keeps", "—"),
)  # fmt: skip

_KIND_FOR_STATUS = {
    Decision.CONFIRMED: EmailKind.ORDER_CONFIRMED,
    Decision.WAITLISTED: EmailKind.ORDER_WAITLISTED,
    Decision.REJECTED: EmailKind.ORDER_REJECTED,
    Decision.NEEDS_ATTENTION: EmailKind.ORDER_NEEDS_ATTENTION,
    Decision.CANCELLED: EmailKind.ORDER_CANCELLED,
    Decision.EXPIRED: EmailKind.ORDER_EXPIRED,
}
CONFIRMATION_KINDS = frozenset({EmailKind.ORDER_CONFIRMED, EmailKind.ORDER_PROMOTED})


def kind_for_status(status: Decision) -> EmailKind | None:
    """The message that tells a buyer their order is in ``status`` (none for a duplicate)."""
    return _KIND_FOR_STATUS.get(status)


def decision_kind(order: Order) -> EmailKind | None:
    """The message this sync's decision makes due for ``order``, if any."""
    before = order.prior.status if order.prior else None
    if order.unmatched_like:
        return None  # a row the tool could not match is the seller's to check, not news
    if order.reconfirmed and order.status is Decision.CONFIRMED:
        return EmailKind.ORDER_CONFIRMED  # confirmed again by the seller: a new deadline
    if order.status is not before:
        by_seller = order.prior is not None and order.prior.seller_action is SellerAction.CONFIRM
        if (
            order.status is Decision.CONFIRMED
            and before is Decision.WAITLISTED
            and not order.edited
            and not by_seller
            and (order.prior is None or order.prior.asked == order.response_quantities)
        ):
            return EmailKind.ORDER_PROMOTED  # a place freed up: the only true "good news"
        return kind_for_status(order.status)
    if order.edited:
        return EmailKind.ORDER_UPDATED
    if order.refused:
        return EmailKind.ORDER_CHANGE_REFUSED
    return None


def version(order: Order) -> int:
    """The count of decisions told to the buyer, this sync's included."""
    seq = order.prior.seq if order.prior else 0
    return seq + 1 if decision_kind(order) is not None else seq


def message_key(order: Order, kind: str, to: str, number: int) -> str:
    return ledger_key(order.number, kind, to, number)


def decision_emails(orders: Iterable[Order]) -> list[EmailDue]:
    """The message each order's decision makes due, keyed by its version."""
    due: list[EmailDue] = []
    for order in orders:
        kind = decision_kind(order)
        if kind is None or not reachable(order):
            continue
        key = message_key(order, kind, order.email, version(order))
        due.append(
            EmailDue(key, kind, order.email, order.number, order.batch.name if order.batch else "")
        )
    return due


def reachable(order: Order) -> bool:
    """Whether the buyer can be emailed: a valid address in the response (or, when the
    response row is gone, the address the order was decided with)."""
    if order.response is not None:
        return order.response.email_ok
    return "@" in order.email


def confirmed_key(order: Order) -> str:
    """The message that started this confirmation's payment clock ("" when not confirmed).

    A new confirmation (a rule, a promotion, a buyer's edit that fits, the seller's `Confirm`
    of an order that was not confirmed, or of one past its deadline) starts a new clock; a
    change to a confirmed order keeps the clock it had.
    """
    if order.status is not Decision.CONFIRMED:
        return ""
    prior = order.prior
    if (
        prior is not None
        and prior.status is Decision.CONFIRMED
        and prior.confirmed_key
        and not order.reconfirmed
    ):
        return prior.confirmed_key
    kind = decision_kind(order)
    if kind not in CONFIRMATION_KINDS or not reachable(order):
        return ""
    return message_key(order, kind, order.email, version(order))


def remember(order: Order, now: dt.datetime) -> PriorOrder:
    """What the next sync must know of ``order`` (the seller's columns are read afresh)."""
    prior = order.prior
    response = order.response
    base = prior or PriorOrder(
        number=order.number,
        batch="",
        submitted=order.submitted,
        email=order.email,
        status=None,
        response_row=None,
    )
    del now  # the memory holds facts, never the time they were remembered
    seller = base.seller
    if order.tick_paid:  # the row will hold the tool's tick: remember it as the seller's mark
        marks = (True, *(*seller.marks, None, None, None, None)[1:4])
        seller = evolve(seller_inputs_from_marks(marks), sheet_row=seller.sheet_row)
    return evolve(
        base,
        seller=seller,
        batch=order.batch.name if order.batch else base.batch,
        submitted=order.submitted or base.submitted,
        email=order.email,
        status=order.status,
        response_row=response.row if response is not None else base.response_row,
        lines=_same_or(base.lines, quantities_of(order.lines)),
        asked=response.quantities if response is not None else base.asked,
        held=quantities_of(order.held) if order.held is not None else None,
        problems=order.problems,
        seq=order.seq,
        confirmed_key=order.confirmed_key,
        deadline=order.deadline,
        code=order.code,
        paid_amount=order.paid_amount,
        # A tick the tool writes this sync is remembered as seen, not taken for a new one.
        paid_memo="yes" if order.tick_paid else base.seller.paid.memo,
        receipts=order.receipts,
        bank=order.bank,
        bank_ticked=order.bank_ticked,
        refused_credits=order.refused_credits,
        reminder_sent=order.reminder_sent,
        settled=order.paid,
        unmatched_like=order.unmatched_like,
    )


def _same_or(before: Quantities, now: Quantities) -> Quantities:
    """``before`` when ``now`` says the same (most orders, most syncs): one tuple kept."""
    return before if before == now else now
