"""An order's life (core/lifecycle.py): which message a decision makes due, and its version.

A message key is ``{order}/{kind}/{email}/{version}``; the version counts the decisions told to
the buyer and is computed from the memory the sync started from, so an interrupted sync that
runs again computes the very same keys and repeats nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from openorder_sheets.core.lifecycle import (
    CONFIRMATION_KINDS,
    TRANSITIONS,
    confirmed_key,
    decision_emails,
    decision_kind,
    kind_for_status,
    reachable,
    remember,
    version,
)
from openorder_sheets.core.model import (
    Batch,
    Decision,
    EmailKind,
    Line,
    Order,
    PriorOrder,
    Product,
    Quantities,
    Response,
    SellerAction,
    SellerInputs,
    Stage,
)

ZONE = dt.timezone(dt.timedelta(hours=7))
OPENS = dt.datetime(2027, 2, 1, 9, tzinfo=ZONE)
NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", 10, None, True, "", 2)
PO1 = Batch("PO 1", OPENS, OPENS + dt.timedelta(days=14), None, Stage.NONE, "", 2)
TWO: Quantities = (("NASTAR", 2),)
THREE: Quantities = (("NASTAR", 3),)


def was(
    status: Decision | None, *, seq: int = 1, asked: Quantities = TWO, **fields: object
) -> PriorOrder:
    """The memory of PO-0001 after an earlier sync decided it ``status``."""
    base = PriorOrder(
        "PO-0001", "PO 1", OPENS, "a@example.com", status, 2, lines=asked, asked=asked, seq=seq
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def now_is(
    status: Decision,
    prior: PriorOrder | None = None,
    *,
    asked: Quantities = TWO,
    email_ok: bool = True,
    **fields: object,
) -> Order:
    """PO-0001 as this sync decided it, from a response asking for ``asked``."""
    response = Response(2, OPENS, "a@example.com", email_ok, "Ani", "", "", "", "", None, asked, ())
    lines = tuple(Line(NASTAR, n) for _, n in asked)
    decided = Order("PO-0001", response, prior, PO1, OPENS, lines, status, ())
    return replace(decided, **fields)  # type: ignore[arg-type]


CONFIRM = SellerInputs(action=SellerAction.CONFIRM)


@pytest.mark.parametrize(
    ("order", "kind"),
    [
        pytest.param(now_is(Decision.CONFIRMED), EmailKind.ORDER_CONFIRMED, id="new-confirmed"),
        pytest.param(now_is(Decision.WAITLISTED), EmailKind.ORDER_WAITLISTED, id="new-waitlisted"),
        pytest.param(now_is(Decision.REJECTED), EmailKind.ORDER_REJECTED, id="new-rejected"),
        pytest.param(
            now_is(Decision.NEEDS_ATTENTION), EmailKind.ORDER_NEEDS_ATTENTION, id="new-unreadable"
        ),
        pytest.param(now_is(Decision.DUPLICATE), None, id="new-duplicate-tells-nobody"),
        pytest.param(
            now_is(Decision.CONFIRMED, was(Decision.WAITLISTED)),
            EmailKind.ORDER_PROMOTED,
            id="place-freed-up",
        ),
        pytest.param(
            now_is(Decision.CONFIRMED, was(Decision.WAITLISTED, seller=CONFIRM)),
            EmailKind.ORDER_CONFIRMED,
            id="seller-confirmed-a-waiting-order",
        ),
        pytest.param(
            now_is(Decision.CONFIRMED, was(Decision.WAITLISTED), asked=(("NASTAR", 1),)),
            EmailKind.ORDER_CONFIRMED,
            id="own-edit-made-it-fit",
        ),
        pytest.param(
            now_is(Decision.CONFIRMED, was(Decision.NEEDS_ATTENTION)),
            EmailKind.ORDER_CONFIRMED,
            id="fixed-answer-confirmed",
        ),
        pytest.param(
            now_is(Decision.CONFIRMED, was(Decision.CONFIRMED), asked=THREE, edited=True),
            EmailKind.ORDER_UPDATED,
            id="confirmed-edit-applied",
        ),
        pytest.param(
            now_is(
                Decision.CONFIRMED,
                was(Decision.CONFIRMED),
                asked=THREE,
                held=(Line(NASTAR, 3),),
            ),
            EmailKind.ORDER_CHANGE_REFUSED,
            id="confirmed-edit-held",
        ),
        pytest.param(
            now_is(
                Decision.CONFIRMED,
                was(Decision.CONFIRMED, held=THREE),
                asked=THREE,
                held=(Line(NASTAR, 3),),
            ),
            None,
            id="same-held-change-told-once",
        ),
        pytest.param(
            now_is(Decision.CONFIRMED, was(Decision.CONFIRMED)), None, id="nothing-changed"
        ),
        pytest.param(
            now_is(Decision.CANCELLED, was(Decision.CONFIRMED)),
            EmailKind.ORDER_CANCELLED,
            id="seller-cancelled",
        ),
        pytest.param(
            now_is(Decision.EXPIRED, was(Decision.CONFIRMED)),
            EmailKind.ORDER_EXPIRED,
            id="unpaid-expired",
        ),
        pytest.param(
            now_is(Decision.REJECTED, was(Decision.CONFIRMED)),
            EmailKind.ORDER_REJECTED,
            id="seller-rejected",
        ),
        pytest.param(
            now_is(Decision.NEEDS_ATTENTION, unmatched_like=("PO-0009",)),
            None,
            id="unmatched-row-is-the-sellers-to-check",
        ),
    ],
)
def test_decision_kind_follows_the_lifecycle_table(order: Order, kind: EmailKind | None) -> None:
    """README "What happens to an order": each change of status makes its one message due."""
    assert decision_kind(order) == kind


def test_every_status_with_a_message_appears_in_the_transitions_table() -> None:
    """TRANSITIONS is the contract the README is written from: it names every decision email."""
    table = " ".join(str(t.message) for t in TRANSITIONS)
    for status in Decision:
        kind = kind_for_status(status)
        if kind is not None:
            assert kind in table, kind
    assert kind_for_status(Decision.DUPLICATE) is None
    assert EmailKind.ORDER_PROMOTED in table


def test_the_version_counts_the_decisions_told_to_the_buyer() -> None:
    """Told something: one more than the memory's count; nothing new: the same count."""
    assert version(now_is(Decision.CONFIRMED)) == 1
    assert version(now_is(Decision.CANCELLED, was(Decision.CONFIRMED, seq=1))) == 2
    assert version(now_is(Decision.CONFIRMED, was(Decision.CONFIRMED, seq=4))) == 4


def test_decision_emails_are_keyed_by_order_kind_address_and_version() -> None:
    """The key names the message for ever: the ledger and the Message-ID are built from it."""
    cancelled = now_is(Decision.CANCELLED, was(Decision.CONFIRMED, seq=1))
    [mail] = decision_emails([cancelled])
    assert mail.key == "PO-0001/order_cancelled/a@example.com/2"
    assert (mail.kind, mail.to, mail.order, mail.batch) == (
        EmailKind.ORDER_CANCELLED,
        "a@example.com",
        "PO-0001",
        "PO 1",
    )


def test_a_decision_remembered_makes_no_message_on_the_next_sync() -> None:
    """Idempotence: once remembered, the same decision is not news again."""
    first = now_is(Decision.CONFIRMED)
    told = replace(first, seq=version(first), confirmed_key=confirmed_key(first))
    memory = remember(told, OPENS)
    again = now_is(Decision.CONFIRMED, memory)
    assert decision_emails([again]) == []
    assert version(again) == 1


def test_no_decision_email_to_an_address_that_cannot_receive_one() -> None:
    assert decision_emails([now_is(Decision.CONFIRMED, email_ok=False)]) == []


def test_reachable_uses_the_response_or_the_remembered_address_when_the_row_is_gone() -> None:
    assert reachable(now_is(Decision.CONFIRMED))
    assert not reachable(now_is(Decision.CONFIRMED, email_ok=False))
    gone = replace(now_is(Decision.CONFIRMED, was(Decision.CONFIRMED)), response=None)
    assert reachable(gone)
    nowhere = replace(gone, prior=was(Decision.CONFIRMED, email="not an address"))
    assert not reachable(nowhere)


# -- the confirmation that starts the payment clock ---------------------------------------------


def test_a_new_confirmation_is_its_own_confirmed_key() -> None:
    assert confirmed_key(now_is(Decision.CONFIRMED)) == "PO-0001/order_confirmed/a@example.com/1"
    promoted = now_is(Decision.CONFIRMED, was(Decision.WAITLISTED, seq=1))
    assert confirmed_key(promoted) == "PO-0001/order_promoted/a@example.com/2"
    assert {EmailKind.ORDER_CONFIRMED, EmailKind.ORDER_PROMOTED} == CONFIRMATION_KINDS


def test_a_change_to_a_confirmed_order_keeps_its_clock() -> None:
    """An applied edit is order_updated, not a new confirmation: the deadline stays."""
    before = was(Decision.CONFIRMED, confirmed_key="PO-0001/order_confirmed/a@example.com/1")
    edited = now_is(Decision.CONFIRMED, before, asked=THREE, edited=True)
    assert confirmed_key(edited) == "PO-0001/order_confirmed/a@example.com/1"


def test_orders_that_are_not_confirmed_or_cannot_be_told_have_no_clock() -> None:
    assert confirmed_key(now_is(Decision.WAITLISTED)) == ""
    assert confirmed_key(now_is(Decision.CONFIRMED, email_ok=False)) == ""


# -- the memory ------------------------------------------------------------------------------


def test_remember_keeps_what_the_next_sync_must_know() -> None:
    """Status, items asked and held, version, clock and money go to the memory tab."""
    deadline = dt.datetime(2027, 2, 3, 10, tzinfo=ZONE)
    held = now_is(
        Decision.CONFIRMED,
        was(Decision.CONFIRMED, seq=1, paid_amount=Decimal(0)),
        asked=THREE,
        held=(Line(NASTAR, 3),),
        seq=2,
        confirmed_key="PO-0001/order_confirmed/a@example.com/1",
        deadline=deadline,
        code=2,
        paid_amount=Decimal(170002),
        problems=("Nastar: 3 jar wanted, 2 left",),
    )
    held = replace(held, lines=(Line(NASTAR, 2),))
    memory = remember(held, OPENS)
    assert memory.status is Decision.CONFIRMED
    assert memory.lines == TWO
    assert memory.asked == THREE
    assert memory.held == THREE
    assert (memory.seq, memory.deadline, memory.code) == (2, deadline, 2)
    assert memory.paid_amount == Decimal(170002)
    assert memory.settled  # 170002 covers 2 jars plus the code
    assert memory.response_row == 2


def test_remember_a_new_order_starts_from_nothing() -> None:
    memory = remember(now_is(Decision.WAITLISTED), OPENS)
    assert (memory.number, memory.batch, memory.status) == ("PO-0001", "PO 1", Decision.WAITLISTED)
    assert memory.held is None
    assert memory.submitted == OPENS
