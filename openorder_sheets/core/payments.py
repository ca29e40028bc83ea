"""Payment (SPEC §4.11): deadlines, reminders, receipts, and unique transfer codes.

The deadline counts from the moment the buyer was told the order is confirmed — the time the
`order_confirmed`/`order_promoted` message was sent, recorded in the `Emails` tab — so a message
held back by the daily limit never starts a buyer's clock early.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from openorder_sheets.core.model import Decision, EmailDue, EmailState, LedgerEntry, Order
from openorder_sheets.core.notifications import email_key
from openorder_sheets.core.records import order_serial

CONFIRMATION_KINDS = ("order_confirmed", "order_promoted")
CODE_RANGE = 999


def deadlines(entries: Iterable[LedgerEntry], due_hours: int) -> dict[str, dt.datetime]:
    """Order number → payment deadline; none when payment deadlines are off (0 hours)."""
    if due_hours <= 0:
        return {}
    told: dict[str, dt.datetime] = {}
    for entry in entries:
        sent = entry.state is EmailState.SENT and entry.last_attempt is not None
        if entry.kind in CONFIRMATION_KINDS and sent and entry.last_attempt is not None:
            earlier = told.get(entry.order)
            if earlier is None or entry.last_attempt > earlier:
                told[entry.order] = entry.last_attempt
    return {number: at + dt.timedelta(hours=due_hours) for number, at in told.items()}


def unique_codes(orders: Iterable[Order], enabled: bool) -> dict[str, int]:
    """A distinct code 1–999 per confirmed order in each batch, kept once given.

    A code already shown to the buyer (read back from `Amount to pay` − `Total`) is kept;
    new orders take their number's own code (serial mod 999) or the next free one.
    """
    if not enabled:
        return {}
    codes: dict[str, int] = {}
    taken: dict[str, set[int]] = {}
    pending: list[Order] = []
    confirmed = [o for o in orders if o.status is Decision.CONFIRMED and o.batch is not None]
    for order in confirmed:
        assert order.batch is not None
        used = taken.setdefault(order.batch.name, set())
        kept = _kept_code(order)
        if kept is not None and kept not in used:
            codes[order.number] = kept
            used.add(kept)
        else:
            pending.append(order)
    for order in pending:
        assert order.batch is not None
        used = taken[order.batch.name]
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


def _kept_code(order: Order) -> int | None:
    prior = order.prior
    if prior is None or prior.amount_to_pay is None or prior.total is None:
        return None
    if prior.total != order.total:
        return None
    code = prior.amount_to_pay - prior.total
    if code != code.to_integral_value() or not 1 <= code <= CODE_RANGE:
        return None
    return int(code)


def amount_to_pay(order: Order, codes: Mapping[str, int]) -> Decimal:
    return order.total + codes.get(order.number, 0)


def payment_emails(
    orders: Iterable[Order],
    known_keys: set[str],
    due: Mapping[str, dt.datetime],
    now: dt.datetime,
    reminder_hours: int,
) -> list[EmailDue]:
    """`payment_received` once a confirmed order is ticked Paid; `payment_reminder` before."""
    found: list[EmailDue] = []
    for order in orders:
        response = order.response
        if order.status is not Decision.CONFIRMED or response is None or not response.email_ok:
            continue
        batch = order.batch.name if order.batch else ""
        if order.paid:
            key = email_key(order.number, "payment_received", response.email, 1)
            if key not in known_keys:
                found.append(EmailDue(key, "payment_received", response.email, order.number, batch))
            continue
        deadline = due.get(order.number)
        if deadline is None or reminder_hours <= 0:
            continue
        if deadline - dt.timedelta(hours=reminder_hours) <= now < deadline:
            key = email_key(order.number, "payment_reminder", response.email, 1)
            if key not in known_keys:
                found.append(EmailDue(key, "payment_reminder", response.email, order.number, batch))
    return found
