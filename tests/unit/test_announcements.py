"""Announcing batches (core/announcements.py): `batch_open` and `batch_closing`.

A buyer who said yes to the opt-in question on an earlier order hears once when a batch opens
and once in its last hours; a buyer waitlisted earlier hears that a batch opened unless they
said no. Nobody hears about a batch they already ordered in, and the message keys are stable,
so a rerun finds them in the ledger and sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openorder_sheets.core.announcements import (
    Audience,
    Voice,
    announcement_emails,
    audience,
    voices,
)
from openorder_sheets.core.model import (
    Batch,
    Catalog,
    Decision,
    EmailDue,
    EmailKind,
    Line,
    Order,
    Product,
    Response,
    Stage,
)

ZONE = dt.timezone(dt.timedelta(hours=7))
JAN = dt.datetime(2027, 1, 4, 9, tzinfo=ZONE)
FEB = dt.datetime(2027, 2, 1, 9, tzinfo=ZONE)
PO1 = Batch("PO 1", JAN, JAN + dt.timedelta(days=7), None, Stage.SHIPPED, "", 2)
PO2 = Batch("PO 2", FEB, FEB + dt.timedelta(days=7), None, Stage.NONE, "", 3)
CATALOG = Catalog(products=(), materials=(), batches=(PO1, PO2))
NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", None, None, True, "", 2)
#: A moment inside PO 2, well before its last day.
DURING_PO2 = FEB + dt.timedelta(days=1)


def order(
    number: str,
    email: str,
    opt_in: bool | None,
    *,
    of: Batch = PO1,
    status: Decision = Decision.CONFIRMED,
    at: dt.datetime | None = None,
    email_ok: bool = True,
    name: str = "Buyer",
) -> Order:
    moment = at or of.opens + dt.timedelta(hours=1)
    response = Response(
        2, moment, email, email_ok, name, "", "", "", "", opt_in, (("NASTAR", 1),), ()
    )
    return Order(number, response, None, of, moment, (Line(NASTAR, 1),), status, ())


def sent(found: list[EmailDue]) -> list[tuple[str, str]]:
    return [(mail.kind, mail.to) for mail in found]


def announce(
    orders: list[Order],
    now: dt.datetime = DURING_PO2,
    hours: int = 24,
    known: frozenset[str] = frozenset(),
) -> list[EmailDue]:
    return announcement_emails(orders, CATALOG, now, hours, set(known))


# -- who hears that a batch opened -----------------------------------------------------------


def test_an_opted_in_buyer_of_an_earlier_batch_hears_once_that_the_next_batch_opened() -> None:
    """The buyer asked to hear about the next batch: one batch_open, keyed by batch and address."""
    found = announce([order("PO-0001", "siti@example.com", True)])
    assert found == [
        EmailDue(
            "PO 2/batch_open/siti@example.com/1",
            EmailKind.BATCH_OPEN,
            "siti@example.com",
            "",
            "PO 2",
        )
    ]


def test_a_buyer_with_several_earlier_orders_hears_once() -> None:
    """Two past orders, one buyer: one message, not one per order."""
    orders = [
        order("PO-0001", "siti@example.com", True),
        order("PO-0002", "siti@example.com", True, at=JAN + dt.timedelta(hours=5)),
    ]
    assert sent(announce(orders)) == [(EmailKind.BATCH_OPEN, "siti@example.com")]


def test_buyers_who_said_no_or_left_it_blank_hear_nothing() -> None:
    """The opt-in is the buyer's consent: no answer is not a yes."""
    orders = [
        order("PO-0001", "no@example.com", False),
        order("PO-0002", "blank@example.com", None),
    ]
    assert announce(orders) == []


def test_a_waitlisted_buyer_hears_the_next_batch_opened_unless_they_said_no() -> None:
    """Someone left waiting wants the next chance, but an explicit no still wins."""
    orders = [
        order("PO-0001", "waited@example.com", None, status=Decision.WAITLISTED),
        order("PO-0002", "refused@example.com", False, status=Decision.WAITLISTED),
    ]
    assert sent(announce(orders)) == [(EmailKind.BATCH_OPEN, "waited@example.com")]


def test_the_latest_answer_wins_and_a_blank_one_does_not_undo_it() -> None:
    """A buyer who later says no stops hearing; a later blank keeps the earlier yes."""
    later = JAN + dt.timedelta(days=1)
    changed_mind = [
        order("PO-0001", "siti@example.com", True),
        order("PO-0002", "siti@example.com", False, at=later),
    ]
    assert announce(changed_mind) == []
    kept_yes = [
        order("PO-0001", "siti@example.com", True),
        order("PO-0002", "siti@example.com", None, at=later),
    ]
    assert sent(announce(kept_yes)) == [(EmailKind.BATCH_OPEN, "siti@example.com")]


def test_a_buyer_who_already_ordered_in_this_batch_is_not_told_it_opened() -> None:
    """Telling someone who just ordered that the batch is open would read as a mistake."""
    orders = [
        order("PO-0001", "siti@example.com", True),
        order("PO-0002", "siti@example.com", True, of=PO2, at=FEB + dt.timedelta(hours=2)),
    ]
    assert announce(orders, hours=200) == []


def test_only_orders_placed_before_the_batch_opened_count() -> None:
    """An opt-in given in this batch is for the next one: it does not announce this one."""
    orders = [order("PO-0002", "new@example.com", True, of=PO2)]
    assert audience(voices(orders), PO2, waitlisted_too=True) == []
    assert audience(voices(orders), PO1, waitlisted_too=True) == []


def test_an_address_the_tool_could_not_read_is_not_announced_to() -> None:
    """A mistyped address (email_ok false) gets no mail at all."""
    assert announce([order("PO-0001", "siti@example", True, email_ok=False)]) == []


def test_archived_orders_still_count_for_who_hears() -> None:
    """Orders archived out of the sheet keep their buyers' opt-in in memory."""
    remembered = [Voice("old@example.com", "Old", JAN, JAN, True, False)]
    found = announcement_emails([], CATALOG, DURING_PO2, 24, set(), remembered)
    assert sent(found) == [(EmailKind.BATCH_OPEN, "old@example.com")]


def test_the_audience_is_sorted_and_named_from_the_latest_answer() -> None:
    """A stable order of messages; the greeting uses the name the buyer gave last."""
    orders = [
        order("PO-0001", "zed@example.com", True, name="Zed"),
        order("PO-0002", "amy@example.com", True, name="Amy"),
        order("PO-0003", "amy@example.com", True, name="Amy R.", at=JAN + dt.timedelta(days=1)),
    ]
    assert audience(voices(orders), PO2, waitlisted_too=False) == [
        Audience("amy@example.com", "Amy R."),
        Audience("zed@example.com", "Zed"),
    ]


# -- no batch, reruns ------------------------------------------------------------------------


def test_nothing_is_announced_between_batches() -> None:
    """No batch is open: there is nothing to invite anyone to."""
    between = PO1.closes + dt.timedelta(days=2)
    assert announce([order("PO-0001", "siti@example.com", True)], now=between) == []


def test_a_rerun_finds_its_keys_in_the_ledger_and_announces_nothing_again() -> None:
    """Keys are computed the same way each sync, so a known key is never made due twice."""
    orders = [order("PO-0001", "siti@example.com", True)]
    near_close = PO2.closes - dt.timedelta(hours=3)
    first = announce(orders, now=near_close)
    assert [mail.key for mail in first] == [
        "PO 2/batch_open/siti@example.com/1",
        "PO 2/batch_closing/siti@example.com/1",
    ]
    assert announce(orders, now=near_close, known=frozenset(mail.key for mail in first)) == []


# -- the closing reminder --------------------------------------------------------------------


def test_the_closing_reminder_comes_only_in_the_batch_s_last_hours() -> None:
    """`closing_reminder_hours` before `Closes`, not earlier, and not after it closed."""
    orders = [order("PO-0001", "siti@example.com", True)]
    open_seen = frozenset({"PO 2/batch_open/siti@example.com/1"})
    too_early = PO2.closes - dt.timedelta(hours=24, seconds=1)
    just_in = PO2.closes - dt.timedelta(hours=24)
    assert announce(orders, now=too_early, known=open_seen) == []
    assert sent(announce(orders, now=just_in, known=open_seen)) == [
        (EmailKind.BATCH_CLOSING, "siti@example.com")
    ]
    assert announce(orders, now=PO2.closes, known=open_seen) == []


def test_no_closing_reminder_when_the_seller_turned_it_off() -> None:
    """`closing_reminder_hours = 0` means no reminder at all."""
    orders = [order("PO-0001", "siti@example.com", True)]
    last_minute = PO2.closes - dt.timedelta(minutes=1)
    assert sent(announce(orders, now=last_minute, hours=0)) == [
        (EmailKind.BATCH_OPEN, "siti@example.com")
    ]


def test_the_closing_reminder_goes_to_opted_in_buyers_only_not_to_the_waitlisted() -> None:
    """A waitlisted buyer who never said yes hears the batch opened, but is not chased."""
    orders = [order("PO-0001", "waited@example.com", None, status=Decision.WAITLISTED)]
    near_close = PO2.closes - dt.timedelta(hours=1)
    assert sent(announce(orders, now=near_close)) == [(EmailKind.BATCH_OPEN, "waited@example.com")]


def test_a_buyer_who_ordered_during_the_batch_gets_no_closing_reminder() -> None:
    """The reminder is for those who have not ordered yet."""
    orders = [
        order("PO-0001", "siti@example.com", True),
        order("PO-0002", "siti@example.com", True, of=PO2),
    ]
    assert announce(orders, now=PO2.closes - dt.timedelta(hours=1)) == []
