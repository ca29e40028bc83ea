"""Which response row is which order (SPEC §4.1).

An order is one response row. A Google Forms edit overwrites the row and refreshes its
`Timestamp`: the order keeps its number and queue place. If the seller sorts the responses tab,
orders are re-matched by email and first timestamp; a row that cannot be matched safely becomes
an order that `Needs attention`, never a silent new order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from openorder_sheets.core.model import PriorOrder, Response
from openorder_sheets.core.seller_columns import order_serial

#: Timestamps read back from a sheet may differ by float noise; a second is "the same moment".
SAME_MOMENT = dt.timedelta(seconds=1)


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


def _same(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= SAME_MOMENT


def identify(
    responses: list[Response],
    priors: list[PriorOrder],
    prefix: str,
    used_numbers: Iterable[str],
    last_serial: int = 0,
    closed: Collection[str] = (),
) -> list[Identified]:
    """Match responses to earlier orders and number the new ones, in queue order.

    ``closed``: numbers of earlier orders that are over (archived): their answers are still
    claimed, but one not found is not a lost answer a new one might stand for (the sync may not
    even have read it)."""
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
                or response.timestamp >= prior.submitted - SAME_MOMENT
            )
        ):
            claimed.add(response.row)
            found.append(
                Identified(prior.number, response, prior, prior.submitted or response.timestamp)
            )
        else:
            waiting.append(prior)
    # The seller sorted or moved rows: re-match by email and the first timestamp. (By email
    # first: every archived order whose answer was not read waits here, a year's worth.)
    by_email: dict[str, list[Response]] = {}
    if waiting:
        for response in responses:
            if response.row not in claimed:
                by_email.setdefault(response.email, []).append(response)
    lost: list[PriorOrder] = []
    for prior in waiting:
        candidates = [
            r
            for r in by_email.get(prior.email, ())
            if r.row not in claimed and _same(r.timestamp, prior.submitted)
        ]
        if len(candidates) == 1:
            claimed.add(candidates[0].row)
            found.append(Identified(prior.number, candidates[0], prior, prior.submitted))
        else:
            lost.append(prior)
    for prior in lost:
        found.append(Identified(prior.number, None, prior, prior.submitted))
    lost_by_email: dict[str, list[str]] = {}
    for prior in lost:
        if prior.number not in closed:
            lost_by_email.setdefault(prior.email, []).append(prior.number)
    fresh = sorted(
        (r for r in responses if r.row not in claimed),
        key=lambda r: (r.timestamp is None, r.timestamp.timestamp() if r.timestamp else 0.0, r.row),
    )
    next_serial = (
        max(
            (order_serial(n) for n in [*(p.number for p in priors), *used_numbers]),
            default=0,
        )
        + 1
    )
    next_serial = max(next_serial, last_serial + 1)
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
