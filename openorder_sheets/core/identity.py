"""Which response row is which order (SPEC §4.1).

An order is one response row. A Google Forms edit overwrites the row and refreshes its
`Timestamp`: the order keeps its number and queue place. If the seller sorts the responses tab,
orders are re-matched by email and first timestamp; a row that cannot be matched safely becomes
an order that `Needs attention`, never a silent new order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from openorder_sheets.core.model import Decision, LedgerEntry, PriorOrder, Response
from openorder_sheets.core.records import order_serial

#: Timestamps read back from a sheet may differ by float noise; a second is "the same moment".
_SAME_MOMENT = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Identified:
    """A response and/or earlier order, with the order number it has (or gets)."""

    number: str
    response: Response | None
    prior: PriorOrder | None
    submitted: dt.datetime | None  # first submission time: the queue position
    unmatched_like: tuple[str, ...] = ()  # earlier orders this unmatched response resembles

    @property
    def queue_key(self) -> tuple[int, dt.datetime, int]:
        if self.response is not None:
            row = self.response.row
        else:
            row = (self.prior.response_row or 0) if self.prior else 0
        if self.submitted is None:
            return (1, dt.datetime.max.replace(tzinfo=dt.UTC), row)
        return (0, self.submitted, row)


#: The decision each kind of email told the buyer, to rebuild a row whose cells were scrambled.
_TOLD_BY_KIND = {
    "order_confirmed": Decision.CONFIRMED,
    "order_promoted": Decision.CONFIRMED,
    "order_waitlisted": Decision.WAITLISTED,
    "order_rejected": Decision.REJECTED,
    "order_cancelled": Decision.CANCELLED,
    "order_expired": Decision.EXPIRED,
}


def repair_priors(priors: list[PriorOrder], ledger: Iterable[LedgerEntry]) -> list[PriorOrder]:
    """Distrust `Orders` rows whose tool cells belong to another order; rebuild them.

    If the seller sorts the `Orders` tab while a sync is writing, our cells for one order can
    land on another order's row (the `Order` cell and the seller's cells move together and stay
    right). The `Emails` ledger says which address each order's messages went to and what the
    buyer was told, so such a row is recognised and rebuilt from the ledger, and re-matched to
    its response by email on this sync.
    """
    recipients: dict[str, set[str]] = {}
    told: dict[str, Decision] = {}
    for entry in ledger:
        if not entry.order:
            continue
        recipients.setdefault(entry.order, set()).add(entry.to)
        if entry.kind in _TOLD_BY_KIND:
            told[entry.order] = _TOLD_BY_KIND[entry.kind]
    repaired = []
    for prior in priors:
        known = recipients.get(prior.number)
        if known and prior.email not in known and len(known) == 1:
            prior = replace(
                prior,
                email=next(iter(known)),
                submitted=None,
                response_row=None,
                items_text="",
                status=told.get(prior.number),
                problems="",
                total=None,
                amount_to_pay=None,
                repaired=True,
            )
        repaired.append(prior)
    return repaired


def _same(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= _SAME_MOMENT


def identify(
    responses: list[Response], priors: list[PriorOrder], prefix: str, used_numbers: Iterable[str]
) -> list[Identified]:
    """Match responses to earlier orders and number the new ones, in queue order."""
    by_row = {response.row: response for response in responses}
    claimed: set[int] = set()
    found: list[Identified] = []
    waiting: list[PriorOrder] = []
    for prior in priors:
        response = by_row.get(prior.response_row or -1)
        if (
            response is not None
            and response.email == prior.email
            and (
                response.timestamp is None
                or prior.submitted is None
                or response.timestamp >= prior.submitted - _SAME_MOMENT
            )
        ):
            claimed.add(response.row)
            found.append(
                Identified(prior.number, response, prior, prior.submitted or response.timestamp)
            )
        else:
            waiting.append(prior)
    # The seller sorted or moved rows: re-match by email and the first timestamp.
    lost: list[PriorOrder] = []
    for prior in sorted(waiting, key=lambda p: p.repaired):
        candidates = [
            r
            for r in responses
            if r.row not in claimed
            and r.email == prior.email
            and (prior.repaired or _same(r.timestamp, prior.submitted))
        ]
        if len(candidates) == 1:
            claimed.add(candidates[0].row)
            submitted = candidates[0].timestamp if prior.repaired else prior.submitted
            found.append(Identified(prior.number, candidates[0], prior, submitted))
        else:
            lost.append(prior)
    for prior in lost:
        found.append(Identified(prior.number, None, prior, prior.submitted))
    lost_by_email: dict[str, list[str]] = {}
    for prior in lost:
        lost_by_email.setdefault(prior.email, []).append(prior.number)
    fresh = sorted(
        (r for r in responses if r.row not in claimed),
        key=lambda r: (r.timestamp is None, r.timestamp.timestamp() if r.timestamp else 0.0, r.row),
    )
    next_serial = (
        max((order_serial(n) for n in [*(p.number for p in priors), *used_numbers]), default=0) + 1
    )
    for response in fresh:
        number = f"{prefix}-{next_serial:04d}"
        next_serial += 1
        found.append(
            Identified(
                number,
                response,
                None,
                response.timestamp,
                tuple(lost_by_email.get(response.email, ())),
            )
        )
    found.sort(key=lambda item: item.queue_key)
    return found
