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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from openorder_sheets.core import formatting, lifecycle, matching
from openorder_sheets.core.ledger import message_key
from openorder_sheets.core.model import (
    Credit,
    Decision,
    EmailDue,
    EmailKind,
    EmailState,
    LedgerEntry,
    Order,
    PaidKind,
    PriorOrder,
    evolve,
)
from openorder_sheets.core.seller_columns import order_serial
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
    return message_key(number, EmailKind.PAYMENT_REMINDER, to, episode)


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
    return evolve(prior, deadline=deadline, reminder_sent=reminded)


@dataclass(frozen=True)
class Settlement:
    """The orders with their money side, and what became of each bank-statement credit."""

    orders: list[Order]
    matches: list[matching.Match] = field(default_factory=list)


def settle(
    orders: list[Order],
    entries: Iterable[LedgerEntry],
    *,
    due_hours: int,
    unique_code: bool,
    currency: str,
    language: str,
    statement: Sequence[Credit] = (),
    prefix: str = "PO",
) -> Settlement:
    """Each order with its version, payment clock, unique code and what was paid.

    What was paid comes from the seller's `Paid` cell when the seller filled it (their word
    wins), else from the bank-statement credits matched to the order (`core/matching.py`); an
    order the statement pays in full gets its `Paid` ticked by the tool, and a tick the seller
    takes off again is respected: those credits are never counted for that order again.
    """
    by_key = {entry.key: entry for entry in entries}
    codes = unique_codes(orders, unique_code)  # by status, batch, total and memory only
    staged = [
        evolve(
            order,
            seq=lifecycle.version(order),
            confirmed_key=lifecycle.confirmed_key(order),
            code=codes.get(order.number),
        )
        for order in orders
    ]
    matches = _match_statement(staged, statement, prefix)
    amounts = {credit.key: credit.amount for credit in statement}
    present = set(amounts)
    from_bank = _bank_money(staged, matches, statement)
    about: dict[str, list[matching.Match]] = {}
    for found in matches:
        if found.order is not None:
            about.setdefault(found.order, []).append(found)
    settled: list[Order] = []
    for order in staged:  # one `replace` per order: a sync settles every order every time
        prior = order.prior
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
        bank = from_bank.get(order.number, ())
        aside = _kept_aside(order, bank, present) if order.status is not Decision.CONFIRMED else ()
        if _seller_paid(prior):
            paid, problems = _paid(order, prior, currency, language)
            money: dict[str, object] = {
                "paid_amount": paid,
                "seller_problems": problems,
                "bank": bank,  # kept with it: never matched twice
            }
        else:
            money = _paid_from_bank(order, bank, currency, language, amounts)
        if aside:
            money["bank"] = (*money["bank"], *aside)  # type: ignore[misc]
        money["seller_problems"] = (
            *money["seller_problems"],  # type: ignore[misc]
            *_match_problems(about.get(order.number, ()), currency, language),
        )
        receipts = prior.receipts if prior else 0
        was_settled = prior.settled if prior else False
        owed = order.total + (order.code or 0)
        paid_now = money["paid_amount"]
        if (
            order.status is Decision.CONFIRMED
            and isinstance(paid_now, Decimal)
            and paid_now > 0
            and paid_now >= owed
            and not was_settled
        ):
            receipts += 1
        settled.append(
            evolve(
                order,
                deadline=deadline,
                reminder_sent=reminded,
                receipts=receipts,
                **money,
            )
        )
    return Settlement(settled, matches)


def _ours(prior: PriorOrder | None) -> bool:
    """The `Paid` tick is the one the tool wrote from the statement."""
    return prior is not None and prior.bank_ticked and prior.seller.paid.kind is PaidKind.YES


def _unticked(prior: PriorOrder | None) -> bool:
    """The seller took off the tick the tool wrote."""
    return (
        prior is not None
        and prior.bank_ticked
        and prior.seller.paid.kind in (PaidKind.BLANK, PaidKind.NO)
    )


def _seller_paid(prior: PriorOrder | None) -> bool:
    """The seller's own `Paid` cell says something: it wins over the statement."""
    if prior is None or _ours(prior):
        return False
    return prior.seller.paid.kind in (PaidKind.YES, PaidKind.AMOUNT, PaidKind.UNKNOWN)


def _refused(prior: PriorOrder) -> tuple[str, ...]:
    taken_off = tuple(key for key, _ in prior.bank) if _unticked(prior) else ()
    return tuple(dict.fromkeys((*prior.refused_credits, *taken_off)))


def _match_statement(
    orders: list[Order], statement: Sequence[Credit], prefix: str
) -> list[matching.Match]:
    if not statement:
        return []
    expected = [
        matching.Expected(
            number=order.number,
            batch=order.batch.name if order.batch else "",
            owed=order.amount_to_pay,
            code=order.code,
            received=_seller_amount(order) if _seller_paid(order.prior) else Decimal(0),
            name=order.response.name if order.response else "",
            seller_paid=_seller_paid(order.prior),
            since=order.submitted.date() if order.submitted else None,
        )
        for order in orders
        if order.status is Decision.CONFIRMED
    ]
    kept: dict[str, str] = {}
    refused: set[tuple[str, str]] = set()
    for order in orders:
        prior = order.prior
        if prior is None:
            continue
        off = _refused(prior)
        refused.update((key, order.number) for key in off)
        kept.update((key, order.number) for key, _ in prior.bank if key not in off)
    return matching.match(statement, expected, kept, frozenset(refused), prefix)


def _seller_amount(order: Order) -> Decimal:
    mark = order.prior.seller.paid if order.prior else None
    if mark is None:
        return Decimal(0)
    if mark.kind is PaidKind.AMOUNT:
        return mark.amount
    return order.amount_to_pay if mark.kind is PaidKind.YES else Decimal(0)


_MONEY = (
    matching.Outcome.PAID,
    matching.Outcome.COMPLETES,
    matching.Outcome.UNDERPAID,
    matching.Outcome.OVERPAID,
)


def _bank_money(
    orders: list[Order], matches: list[matching.Match], statement: Sequence[Credit]
) -> dict[str, tuple[tuple[str, Decimal], ...]]:
    """Per order, the statement money put towards it: this statement's matches, and money
    remembered from rows the seller has since deleted from the tab."""
    money: dict[str, list[tuple[str, Decimal]]] = {}
    for found in matches:
        if found.order is not None and found.outcome in _MONEY:
            money.setdefault(found.order, []).append((found.credit.key, found.credit.amount))
    present = {credit.key for credit in statement}
    for order in orders:
        prior = order.prior
        if prior is None:
            continue
        off = set(_refused(prior))
        for key, amount in prior.bank:
            if key not in present and key not in off:
                money.setdefault(order.number, []).append((key, amount))
    return {number: tuple(items) for number, items in money.items()}


def _kept_aside(
    order: Order, bank: tuple[tuple[str, Decimal], ...], present: set[str]
) -> tuple[tuple[str, Decimal], ...]:
    """The transfers that paid an order no longer confirmed (cancelled, rejected, expired) and
    are still in the statement: kept with it, not counted, so every sync shows them as its
    money to refund and none pays a newer order owing the same amount."""
    prior = order.prior
    if prior is None or not prior.bank:
        return ()
    off = set(_refused(prior))
    have = {key for key, _ in bank}
    return tuple(
        (key, amount)
        for key, amount in prior.bank
        if key in present and key not in off and key not in have
    )


def _paid_from_bank(
    order: Order,
    bank: tuple[tuple[str, Decimal], ...],
    currency: str,
    language: str,
    amounts: Mapping[str, Decimal],
) -> dict[str, object]:
    """The money fields of an order the seller left to the statement. ``amounts``: each
    statement credit's amount, by key."""
    prior = order.prior
    paid = sum((amount for _, amount in bank), Decimal(0))
    owed = order.total + (order.code or 0)
    problems: list[str] = []
    if prior is not None and prior.seller.action_text:
        problems.append(say(language, "action_unclear", value=prior.seller.action_text))
    refused = _refused(prior) if prior is not None else ()
    # Said for as long as the transfers the seller took off are in the statement (not only in
    # the sync that saw the tick go): a re-run shows the same.
    taken = sum((amounts[key] for key in refused if key in amounts), Decimal(0))
    if taken > 0 and order.status is Decision.CONFIRMED:
        problems.append(
            say(language, "bank_unticked", amount=formatting.money(taken, currency, language))
        )
    confirmed = order.status is Decision.CONFIRMED
    full = confirmed and paid > 0 and paid >= owed
    if confirmed and 0 < paid < owed:
        problems.append(
            say(
                language,
                "bank_partly_paid",
                paid=formatting.money(paid, currency, language),
                owed=formatting.money(owed, currency, language),
                missing=formatting.money(owed - paid, currency, language),
            )
        )
    ticked_now = prior is not None and prior.seller.paid.kind is PaidKind.YES
    return {
        "paid_amount": paid,
        "seller_problems": tuple(problems),
        "bank": bank,
        "bank_ticked": full or (ticked_now and _ours(prior)),
        "tick_paid": full and not ticked_now,
        "refused_credits": refused,
    }


def _match_problems(
    found: Iterable[matching.Match], currency: str, language: str
) -> tuple[str, ...]:
    """What the seller should do about an order's statement rows: an overpayment, a second
    payment."""
    problems: list[str] = []
    for item in found:
        row = item.credit.row + 1 if item.credit.row is not None else "?"
        if item.outcome is matching.Outcome.OVERPAID:
            extra = formatting.money(item.extra, currency, language)
            problems.append(say(language, "bank_overpaid", extra=extra, row=row))
        elif item.outcome is matching.Outcome.AGAIN:
            amount = formatting.money(item.credit.amount, currency, language)
            problems.append(say(language, "bank_again", amount=amount, row=row))
    return tuple(problems)


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
    """A code 1–999 per confirmed order such that no two unpaid orders of the whole shop (all
    batches: they pay into the same accounts) owe the same amount, so a transfer names its
    order by its amount alone.

    A code already given is kept while its amount stays free; new orders (and orders whose
    total changed onto a taken amount) take their number's own code (serial mod 999 + 1) or
    the next free one. Paid orders keep their codes and their amounts are avoided too while
    another code is free. When all 999 amounts around an order's total are taken by unpaid
    orders (more than 999 unpaid orders with totals within Rp999 of each other), the order
    gets no code: it owes its plain total, and a transfer of that amount is shown to the
    seller as matching several orders — never matched by a guess.
    """
    if not enabled:
        return {}
    confirmed = [o for o in orders if o.status is Decision.CONFIRMED and o.batch is not None]
    totals = {o.number: o.total for o in confirmed}  # a sum over the lines: once each
    codes: dict[str, int] = {}
    unpaid_amounts: set[Decimal] = set()
    paid_amounts: set[Decimal] = set()
    pending: list[Order] = []
    # Orders paid in full keep their code (the amount they were told and paid).
    for order in sorted(confirmed, key=lambda o: not (o.prior is not None and o.prior.settled)):
        kept = order.prior.code if order.prior is not None else None
        was_paid = order.prior is not None and order.prior.settled
        if kept is not None:
            amount = totals[order.number] + kept
            if was_paid or (amount not in unpaid_amounts and amount not in paid_amounts):
                codes[order.number] = kept
                (paid_amounts if was_paid else unpaid_amounts).add(amount)
                continue
        pending.append(order)
    # Totals with no free amount left (taken amounts only grow): not searched again.
    full: set[Decimal] = set()
    full_of_unpaid: set[Decimal] = set()
    for order in pending:
        total = totals[order.number]
        chosen = None
        if total not in full:
            chosen = _free_code(order, total, unpaid_amounts, paid_amounts)
            if chosen is None:
                full.add(total)
        if chosen is None and total not in full_of_unpaid:
            chosen = _free_code(order, total, unpaid_amounts, set())
            if chosen is None:
                full_of_unpaid.add(total)
        if chosen is None:
            continue  # every amount around this total is owed by another unpaid order
        codes[order.number] = chosen
        unpaid_amounts.add(total + chosen)
    return codes


def _free_code(
    order: Order, total: Decimal, unpaid: set[Decimal], paid: set[Decimal]
) -> int | None:
    """The first code from the order's own (serial mod 999 + 1) whose amount is free."""
    start = order_serial(order.number) % CODE_RANGE
    for step in range(CODE_RANGE):
        code = (start + step) % CODE_RANGE + 1
        amount = total + code
        if amount not in unpaid and amount not in paid:
            return code
    return None


def _new_statement_money(order: Order) -> bool:
    """Money from the statement arrived for ``order`` in this sync."""
    before = {key for key, _ in order.prior.bank} if order.prior else set()
    return any(key not in before for key, _ in order.bank)


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
                key = message_key(order.number, EmailKind.PAYMENT_RECEIVED, to, order.receipts)
                if key not in known_keys:
                    found.append(EmailDue(key, EmailKind.PAYMENT_RECEIVED, to, order.number, batch))
            continue
        if order.partly_paid and order.bank and _new_statement_money(order):
            key = message_key(order.number, EmailKind.PAYMENT_SHORT, to, len(order.bank))
            if key not in known_keys:
                found.append(EmailDue(key, EmailKind.PAYMENT_SHORT, to, order.number, batch))
        held = order.prior is not None and payment_seen(order.prior)
        if order.paid_amount > 0 or held or order.deadline is None or reminder_hours <= 0:
            continue
        if now >= order.deadline - dt.timedelta(hours=reminder_hours):
            key = reminder_key(order.number, to, order.confirmed_key)
            if key not in known_keys and order.reminder_sent is None:
                found.append(EmailDue(key, EmailKind.PAYMENT_REMINDER, to, order.number, batch))
    return found
