"""Payment (SPEC §4.11): deadlines, reminders, what was paid, receipts and unique codes.

The deadline counts from the moment the buyer was told the order is confirmed — the time the
message that started this confirmation was sent, recorded in the `Emails` ledger — rounded up
to the next full hour, and is kept in the tool's memory. A new confirmation (after an expiry,
or the seller's `Confirm` of an order that was not confirmed) starts a new clock. The reminder
goes `payment_reminder_hours` before the deadline, or at once when no sync ran then (a laptop
closed for days), and no order expires sooner than `payment_reminder_hours` after its reminder
was actually sent.

What was paid is an amount, not a tick: a tick (or `lunas`, `sudah`, …) records what the order
owed when it was ticked; an amount typed in `Paid` is what was received. An order whose buyer
later adds items is *partly paid*, never shown as paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal

from openorder_sheets.core import formatting, lifecycle
from openorder_sheets.core.model import (
    Decision,
    EmailDue,
    EmailKind,
    EmailState,
    LedgerEntry,
    Order,
    PaidKind,
    PriorOrder,
)
from openorder_sheets.core.records import order_serial
from openorder_sheets.core.wording import say

CONFIRMATION_KINDS = lifecycle.CONFIRMATION_KINDS
CODE_RANGE = 999


def ceil_hour(moment: dt.datetime) -> dt.datetime:
    """The next full hour (a deadline a person would say: 12.00, not 11.19)."""
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + dt.timedelta(hours=1)


def expiry_moment(
    deadline: dt.datetime | None, reminded: dt.datetime | None, reminder_hours: int
) -> dt.datetime | None:
    """When an unpaid order expires: its deadline, but never sooner than `reminder_hours`
    after its reminder was actually sent."""
    if deadline is None:
        return None
    if reminder_hours <= 0:
        return deadline
    if reminded is None:
        return None
    return max(deadline, ceil_hour(reminded + dt.timedelta(hours=reminder_hours)))


def payment_seen(prior: PriorOrder) -> bool:
    """Whether the seller's `Paid` cell says money came in (an unclear word keeps the last)."""
    # A word the tool cannot read may well mean "paid": the order is held (no reminder, no
    # expiry) and the word is shown as a problem until the seller writes one it understands.
    return prior.seller.paid.kind in (PaidKind.YES, PaidKind.AMOUNT, PaidKind.UNKNOWN)


def _sent_at(entries: Mapping[str, LedgerEntry], key: str) -> dt.datetime | None:
    entry = entries.get(key)
    if entry is None or entry.state is not EmailState.SENT:
        return None
    return entry.last_attempt


def reminder_key(number: str, to: str, confirmed_key: str) -> str:
    """One reminder per confirmation: its version is the confirmation's."""
    episode = confirmed_key.rsplit("/", 1)[-1] if confirmed_key else "1"
    return f"{number}/{EmailKind.PAYMENT_REMINDER}/{to}/{episode}"


def clocks(
    priors: Iterable[PriorOrder], entries: Iterable[LedgerEntry], due_hours: int
) -> tuple[dict[str, dt.datetime], dict[str, dt.datetime]]:
    """Per confirmed order: its payment deadline, and when its reminder was actually sent."""
    by_key = {entry.key: entry for entry in entries}
    deadlines: dict[str, dt.datetime] = {}
    reminded: dict[str, dt.datetime] = {}
    if due_hours <= 0:
        return deadlines, reminded
    for prior in priors:
        if prior.status is not Decision.CONFIRMED or not prior.confirmed_key:
            continue
        deadline = prior.deadline
        if deadline is None:
            told = _sent_at(by_key, prior.confirmed_key)
            if told is not None:
                deadline = ceil_hour(told + dt.timedelta(hours=due_hours))
        if deadline is not None:
            deadlines[prior.number] = deadline
        sent = prior.reminder_sent or _sent_at(
            by_key, reminder_key(prior.number, prior.email, prior.confirmed_key)
        )
        if sent is not None:
            reminded[prior.number] = sent
    return deadlines, reminded


def stamp_clock(prior: PriorOrder, by_key: Mapping[str, LedgerEntry], due_hours: int) -> PriorOrder:
    """``prior`` with the deadline and reminder time the ledger now shows, where unknown."""
    if prior.status is not Decision.CONFIRMED or not prior.confirmed_key or due_hours <= 0:
        return prior
    deadline, reminded = prior.deadline, prior.reminder_sent
    if deadline is None:
        told = _sent_at(by_key, prior.confirmed_key)
        if told is not None:
            deadline = ceil_hour(told + dt.timedelta(hours=due_hours))
    if reminded is None:
        reminded = _sent_at(by_key, reminder_key(prior.number, prior.email, prior.confirmed_key))
    if deadline == prior.deadline and reminded == prior.reminder_sent:
        return prior
    return replace(prior, deadline=deadline, reminder_sent=reminded)


def settle(
    orders: list[Order],
    entries: Iterable[LedgerEntry],
    *,
    due_hours: int,
    unique_code: bool,
    currency: str,
    language: str,
) -> list[Order]:
    """Each order with its version, payment clock, unique code and what was paid."""
    by_key = {entry.key: entry for entry in entries}
    staged = [
        replace(order, seq=lifecycle.version(order), confirmed_key=lifecycle.confirmed_key(order))
        for order in orders
    ]
    codes = unique_codes(staged, unique_code)
    settled: list[Order] = []
    for order in staged:
        prior = order.prior
        order = replace(order, code=codes.get(order.number))
        deadline = None
        if order.confirmed_key and due_hours > 0:
            if prior is not None and prior.confirmed_key == order.confirmed_key and prior.deadline:
                deadline = prior.deadline
            else:
                told = _sent_at(by_key, order.confirmed_key)
                if told is not None:
                    deadline = ceil_hour(told + dt.timedelta(hours=due_hours))
        reminded = None
        if order.confirmed_key:
            reminded = (
                prior.reminder_sent
                if prior is not None and prior.confirmed_key == order.confirmed_key
                else None
            ) or _sent_at(by_key, reminder_key(order.number, order.email, order.confirmed_key))
        paid, problems = _paid(order, prior, currency, language)
        order = replace(
            order,
            deadline=deadline,
            reminder_sent=reminded,
            paid_amount=paid,
            seller_problems=problems,
        )
        receipts = prior.receipts if prior else 0
        was_settled = prior.settled if prior else False
        if order.status is Decision.CONFIRMED and order.paid and not was_settled:
            receipts += 1
        settled.append(replace(order, receipts=receipts))
    return settled


def _paid(
    order: Order, prior: PriorOrder | None, currency: str, language: str
) -> tuple[Decimal, tuple[str, ...]]:
    """What was received for ``order``, and the seller's words the tool could not read."""
    if prior is None:
        return Decimal(0), ()
    mark = prior.seller.paid
    problems: list[str] = []
    if prior.seller.action_text:
        problems.append(say(language, "action_unclear", value=prior.seller.action_text))
    if mark.kind is PaidKind.YES:
        new_tick = prior.paid_memo != mark.memo or prior.paid_amount <= 0
        paid = order.amount_to_pay if new_tick else prior.paid_amount
    elif mark.kind is PaidKind.AMOUNT:
        paid = mark.amount
    elif mark.kind is PaidKind.UNKNOWN:
        paid = prior.paid_amount
        problems.append(say(language, "paid_unclear", value=mark.text))
    else:
        paid = Decimal(0)
    if order.status is Decision.CONFIRMED and 0 < paid < order.amount_to_pay:
        problems.append(
            say(
                language,
                "partly_paid",
                paid=formatting.money(paid, currency, language),
                owed=formatting.money(order.amount_to_pay, currency, language),
                missing=formatting.money(order.amount_to_pay - paid, currency, language),
            )
        )
    return paid, tuple(problems)


def unique_codes(orders: Iterable[Order], enabled: bool) -> dict[str, int]:
    """A distinct code 1–999 per confirmed order in each batch, kept once given.

    A code already given (remembered) is kept; new orders take their number's own code
    (serial mod 999) or the next free one.
    """
    if not enabled:
        return {}
    codes: dict[str, int] = {}
    taken: dict[str, set[int]] = {}
    pending: list[tuple[str, Order]] = []
    for order in orders:
        if order.status is not Decision.CONFIRMED or order.batch is None:
            continue
        batch = order.batch.name
        used = taken.setdefault(batch, set())
        kept = order.prior.code if order.prior is not None else None
        if kept is not None and kept not in used:
            codes[order.number] = kept
            used.add(kept)
        else:
            pending.append((batch, order))
    for batch, order in pending:
        used = taken[batch]
        code = order_serial(order.number) % CODE_RANGE + 1
        for _ in range(CODE_RANGE):
            if code not in used:
                break
            code = code % CODE_RANGE + 1
        if code in used:
            continue  # more than 999 unpaid orders in one batch: no code left to give
        codes[order.number] = code
        used.add(code)
    return codes


def amount_to_pay(order: Order, codes: Mapping[str, int]) -> Decimal:
    return order.total + codes.get(order.number, 0)


def payment_emails(
    orders: Iterable[Order], known_keys: set[str], now: dt.datetime, reminder_hours: int
) -> list[EmailDue]:
    """`payment_received` when an order becomes paid in full; `payment_reminder` before the
    deadline (or at once when the deadline is already near or past)."""
    found: list[EmailDue] = []
    for order in orders:
        if order.status is not Decision.CONFIRMED or not lifecycle.reachable(order):
            continue
        to = order.email
        batch = order.batch.name if order.batch else ""
        was_settled = order.prior.settled if order.prior else False
        if order.paid:
            if not was_settled:
                key = f"{order.number}/{EmailKind.PAYMENT_RECEIVED}/{to}/{order.receipts}"
                if key not in known_keys:
                    found.append(EmailDue(key, EmailKind.PAYMENT_RECEIVED, to, order.number, batch))
            continue
        held = order.prior is not None and payment_seen(order.prior)
        if order.paid_amount > 0 or held or order.deadline is None or reminder_hours <= 0:
            continue
        if now >= order.deadline - dt.timedelta(hours=reminder_hours):
            key = reminder_key(order.number, to, order.confirmed_key)
            if key not in known_keys and order.reminder_sent is None:
                found.append(EmailDue(key, EmailKind.PAYMENT_REMINDER, to, order.number, batch))
    return found
