"""Which order each bank-statement credit pays (SPEC §4.11): pure, and fast by amount.

Buyers transfer the exact *amount to pay*: the order's total plus its unique code (kode unik,
1–999 rupiah), so no two unpaid orders of the shop owe the same amount. Every sync reads the
whole statement again and decides each credit, in statement order, by the first rule that
applies. *Open* orders are those still owed something whose `Paid` cell the seller left to the
tool; the *rest* of an order is what it owes minus what it received (`Expected.received`, then
the credits put towards it earlier in the statement).

| #  | The credit …                                         | Outcome      | order | candidates |
|----|------------------------------------------------------|--------------|-------|------------|
| 1  | has a key seen earlier in the statement              | REPEATED     | –     | –          |
| 2  | is not a positive amount                             | UNMATCHED    | –     | –          |
| 3  | was put towards O by an earlier sync (`kept`)        | as in 4      | O     | –          |
| 4  | names one known order O (`PO-0012`, `po 12`, `PO12`) |              |       |            |
|    | · O owes nothing more                                | AGAIN        | O     | –          |
|    | · exactly the rest, nothing received before          | PAID         | O     | –          |
|    | · exactly the rest, something received before        | COMPLETES    | O     | –          |
|    | · less: `missing` = the rest still owed              | UNDERPAID    | O     | –          |
|    | · more: `extra` = the excess                         | OVERPAID     | O     | –          |
| 5  | is the rest of exactly one open order O              | PAID or      | O     | –          |
|    |                                                      | COMPLETES    |       |            |
| 6  | is the rest of several open orders                   | AMBIGUOUS    | –     | all        |
| 7  | is an open order's total without its unique code     | CODE_MISSING | –     | all        |
| 8  | is what one paid order O owes (ticked by the seller, | AGAIN        | O     | –          |
|    | or paid by an earlier credit); what several owe      | AGAIN        | –     | all        |
| 9  | anything else                                        | UNMATCHED    | –     | ≤ 3 near   |
| 10 | would go to O (rules 3–8) but (key, O) is `refused`  | UNMATCHED    | –     | O          |

- A kept credit whose order is no longer expected (cancelled) is UNMATCHED with that order as
  the candidate: its money is refunded, never given to a newer order owing the same amount.
- Orders the seller ticked (`seller_paid`) are never paid by amount (rule 8 only): the seller's
  word wins. A credit that names one is still decided by rule 4.
- A reference to an unknown order, or to several orders, is no reference: the amount decides,
  and the named orders come first among the candidates.
- Candidates: orders named in the description (by number or by the buyer's name, as whole
  words, case folded) first, then the others by order number (rules 6–7); rule 9 lists at most
  three open orders, named ones first, then those whose amount to pay is within 1 % of the
  credit, nearest first.
- Money received (`received_by_order`) is the whole amount of PAID, COMPLETES, UNDERPAID and
  OVERPAID credits; AGAIN money is shown to the seller for a refund, never added.
- `received` must not include the credits passed in: the tool remembers those in `kept`
  (`kept_after`). Re-matching a statement that only grew gives the same answer for its old rows.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from heapq import nsmallest

from openorder_sheets.core.model import Credit

NEAR_MISSES = 3
_ZERO = Decimal(0)
_SERIAL = re.compile(r"(\d{1,9})\s*$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Expected:
    """One confirmed order that may receive money."""

    number: str  # "PO-0012", unique in the shop
    batch: str
    owed: Decimal  # amount to pay, unique code included
    code: int | None  # its unique code: owed - code is the goods' total
    received: Decimal  # recorded outside the credits being matched (the seller's Paid amount)
    name: str  # the buyer's name
    seller_paid: bool  # the seller's own Paid cell is filled: the seller's word wins
    since: dt.date | None = None  # the day the order was placed: older transfers are not for it


class Outcome(StrEnum):
    """What a credit is; values are stable keys, the caller words them."""

    PAID = "paid"
    COMPLETES = "completes"
    UNDERPAID = "underpaid"
    OVERPAID = "overpaid"
    AGAIN = "again"
    CODE_MISSING = "code_missing"
    UNMATCHED = "unmatched"
    AMBIGUOUS = "ambiguous"
    REPEATED = "repeated"


MONEY = frozenset({Outcome.PAID, Outcome.COMPLETES, Outcome.UNDERPAID, Outcome.OVERPAID})


@dataclass(frozen=True)
class Match:
    credit: Credit
    outcome: Outcome
    order: str | None  # the order the credit is for (money outcomes and AGAIN)
    candidates: tuple[str, ...]  # orders the seller should look at
    missing: Decimal = _ZERO  # UNDERPAID: what the order still owes
    extra: Decimal = _ZERO  # OVERPAID: what it received beyond what it owed


def match(
    credits: Sequence[Credit],
    expected: Sequence[Expected],
    kept: Mapping[str, str],
    refused: AbstractSet[tuple[str, str]] = frozenset(),
    prefix: str = "PO",
) -> list[Match]:
    """Decide every credit, in statement order, by the rules of the module docstring."""
    book = _Book(expected, prefix)
    seen: set[str] = set()
    matches: list[Match] = []
    for credit in credits:
        if credit.key in seen:
            matches.append(Match(credit, Outcome.REPEATED, None, ()))
            continue
        seen.add(credit.key)
        matches.append(book.decide(credit, kept.get(credit.key), refused))
    return matches


def received_by_order(matches: Iterable[Match]) -> dict[str, Decimal]:
    """The money each order received from the statement (AGAIN money is not added)."""
    received: dict[str, Decimal] = {}
    for found in matches:
        if found.outcome in MONEY and found.order is not None:
            received[found.order] = received.get(found.order, _ZERO) + found.credit.amount
    return received


def kept_after(matches: Iterable[Match]) -> dict[str, str]:
    """Credit key → order for the credits put towards an order: the next sync's `kept`."""
    return {
        found.credit.key: found.order
        for found in matches
        if found.outcome in MONEY and found.order is not None
    }


def _serial(number: str) -> int:
    """The running number ending an order number (`PO-0042` → 42); -1 when there is none."""
    found = _SERIAL.search(number)
    return int(found.group(1)) if found else -1


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _near(owed: Decimal, amount: Decimal) -> bool:
    return abs(owed - amount) * 100 <= owed


class _Book:
    """What each order still owes while one statement is read, indexed by amount."""

    def __init__(self, expected: Sequence[Expected], prefix: str) -> None:
        self.reference = re.compile(
            rf"(?<![^\W_]){re.escape(prefix)}[-\s]?(\d{{1,9}})(?!\d)", re.IGNORECASE
        )
        self.orders = {order.number: order for order in expected}
        self.rank = {number: (_serial(number), number) for number in self.orders}
        self.rest = {number: o.owed - o.received for number, o in self.orders.items()}
        self.started = {number for number, o in self.orders.items() if o.received > 0}
        self.open: set[str] = set()
        self.by_rest: dict[Decimal, set[str]] = {}  # open orders by their rest
        self.by_total: dict[Decimal, list[str]] = {}  # by owed minus code
        self.paid_by_owed: dict[Decimal, set[str]] = {}
        self.by_serial: dict[int, list[str]] = {}
        # first word → full name (as words) → that buyer's orders
        self.by_first_name: dict[str, dict[tuple[str, ...], list[str]]] = {}
        for number in sorted(self.orders, key=self.rank.__getitem__):
            order = self.orders[number]
            self.by_serial.setdefault(self.rank[number][0], []).append(number)
            if order.seller_paid or self.rest[number] <= 0:
                self.paid_by_owed.setdefault(order.owed, set()).add(number)
            else:
                self.open.add(number)
                self.by_rest.setdefault(self.rest[number], set()).add(number)
            if order.code:
                self.by_total.setdefault(order.owed - order.code, []).append(number)  # sorted
            name = _words(order.name)
            if len("".join(name)) >= 3:  # shorter names are everywhere in bank text
                by_name = self.by_first_name.setdefault(name[0], {})
                by_name.setdefault(tuple(name), []).append(number)
        # Open orders by amount to pay, for near misses; paid ones are taken out.
        self.by_owed = sorted((self.orders[n].owed, *self.rank[n]) for n in self.open)

    def decide(
        self, credit: Credit, kept: str | None, refused: AbstractSet[tuple[str, str]]
    ) -> Match:
        amount = credit.amount
        if not amount.is_finite() or amount <= 0:
            return Match(credit, Outcome.UNMATCHED, None, ())
        if kept is not None:
            return self.settle(credit, kept, refused, checked=True)
        named = self.named_by_number(credit.description)
        if len(named) == 1:
            return self.settle(credit, named[0], refused)
        same_rest = self.by_rest.get(amount)
        if same_rest and len(same_rest) == 1:
            return self.settle(credit, next(iter(same_rest)), refused)
        if same_rest:
            return Match(
                credit,
                Outcome.AMBIGUOUS,
                None,
                self.ranked(self.in_order(same_rest), credit, named),
            )
        without_code = [n for n in self.by_total.get(amount, ()) if n in self.open]
        if without_code:
            ranked = self.ranked(without_code, credit, named)
            return Match(credit, Outcome.CODE_MISSING, None, ranked)
        paid = self.paid_by_owed.get(amount)
        if paid and len(paid) == 1:
            return self.refuse_or(credit, next(iter(paid)), refused, Outcome.AGAIN)
        if paid:
            return Match(
                credit, Outcome.AGAIN, None, self.ranked(self.in_order(paid), credit, named)
            )
        return Match(credit, Outcome.UNMATCHED, None, self.near_misses(credit, named))

    def settle(
        self,
        credit: Credit,
        number: str,
        refused: AbstractSet[tuple[str, str]],
        *,
        checked: bool = False,
    ) -> Match:
        """Put the credit towards one order (rule 4), unless the seller refused the pair or
        the transfer is older than the order (rule 11); ``checked``: kept from before."""
        rest = self.rest.get(number)
        if rest is None or (credit.key, number) in refused:
            return Match(credit, Outcome.UNMATCHED, None, (number,))
        since = self.orders[number].since
        if not checked and since is not None and credit.day is not None and credit.day < since:
            return Match(credit, Outcome.UNMATCHED, None, (number,))
        amount = credit.amount
        if rest <= 0:
            return Match(credit, Outcome.AGAIN, number, ())
        started = number in self.started
        self.take(number, rest, rest - amount)
        if amount < rest:
            return Match(credit, Outcome.UNDERPAID, number, (), missing=rest - amount)
        if amount > rest:
            return Match(credit, Outcome.OVERPAID, number, (), extra=amount - rest)
        return Match(credit, Outcome.COMPLETES if started else Outcome.PAID, number, ())

    def refuse_or(
        self, credit: Credit, number: str, refused: AbstractSet[tuple[str, str]], outcome: Outcome
    ) -> Match:
        if (credit.key, number) in refused:
            return Match(credit, Outcome.UNMATCHED, None, (number,))
        return Match(credit, outcome, number, ())

    def take(self, number: str, rest: Decimal, left: Decimal) -> None:
        self.rest[number] = max(left, _ZERO)
        self.started.add(number)
        if number not in self.open:  # a seller-ticked order named in the description
            return
        self.by_rest[rest].discard(number)
        if left > 0:
            self.by_rest.setdefault(left, set()).add(number)
            return
        owed = self.orders[number].owed
        self.open.discard(number)
        del self.by_owed[bisect_left(self.by_owed, (owed, *self.rank[number]))]
        self.paid_by_owed.setdefault(owed, set()).add(number)

    def named_by_number(self, description: str) -> list[str]:
        """The known orders whose number the description contains, in order-number order."""
        found = self.reference.findall(description)
        if not found:
            return []
        serials = {int(digits) for digits in found}
        named = [n for serial in serials for n in self.by_serial.get(serial, ())]
        return self.in_order(named) if len(named) > 1 else named

    def named_by_buyer(self, description: str) -> set[str]:
        words = _words(description)
        named: set[str] = set()
        for start, word in enumerate(words):
            for name, numbers in self.by_first_name.get(word, {}).items():
                if tuple(words[start : start + len(name)]) == name:
                    named.update(numbers)
        return named

    def in_order(self, numbers: Iterable[str]) -> list[str]:
        return sorted(numbers, key=self.rank.__getitem__)

    def ranked(self, ordered: list[str], credit: Credit, named: list[str]) -> tuple[str, ...]:
        """Orders (given in order-number order) named in the description first."""
        first = set(named) | self.named_by_buyer(credit.description)
        return (*(n for n in ordered if n in first), *(n for n in ordered if n not in first))

    def near_misses(self, credit: Credit, named: list[str]) -> tuple[str, ...]:
        """At most three open orders: named ones (nearest first), then those within 1 %."""
        amount = credit.amount
        first = (set(named) | self.named_by_buyer(credit.description)) & self.open
        picked = nsmallest(
            NEAR_MISSES, first, key=lambda n: (abs(self.orders[n].owed - amount), self.rank[n])
        )
        below = bisect_left(self.by_owed, (amount,)) - 1
        above = below + 1
        while len(picked) < NEAR_MISSES:
            left = self.by_owed[below] if below >= 0 else None
            right = self.by_owed[above] if above < len(self.by_owed) else None
            left = left if left and _near(left[0], amount) else None
            right = right if right and _near(right[0], amount) else None
            if left and not (right and right[0] - amount < amount - left[0]):
                below, number = below - 1, left[2]
            elif right:
                above, number = above + 1, right[2]
            else:
                break
            if number not in first:
                picked.append(number)
        return tuple(picked)
