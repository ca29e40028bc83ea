"""Announcing batches (SPEC §4.13): `batch_open` when a window opens, `batch_closing` before
it closes, each to each buyer once.

Who hears: buyers whose latest answer to the opt-in question is yes, and (for `batch_open`)
buyers who were waitlisted in an earlier batch, unless their latest answer is an explicit no.
Nobody hears about a batch they already ordered in, and nobody whose address the seller
stopped (`Stop emails`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from openorder_sheets.core.model import Batch, Catalog, Decision, EmailDue, EmailKind, Order


@dataclass(frozen=True)
class Audience:
    """A buyer to announce to, with the name they gave on their latest order."""

    email: str
    name: str


def _earlier(order: Order, batch: Batch) -> bool:
    return order.submitted is not None and order.submitted < batch.opens


def audience(orders: Iterable[Order], batch: Batch, *, waitlisted_too: bool) -> list[Audience]:
    """Buyers of earlier orders who asked to hear (or were left waiting), latest answer wins."""
    latest: dict[str, tuple[dt.datetime, bool | None, str]] = {}
    waited: set[str] = set()
    for order in orders:
        response = order.response
        if response is None or not response.email_ok or not _earlier(order, batch):
            continue
        when = response.timestamp or order.submitted
        if when is None:
            continue
        if order.status is Decision.WAITLISTED:
            waited.add(response.email)
        answer = response.opt_in
        before = latest.get(response.email)
        if before is None or when >= before[0]:
            # A blank answer does not undo an earlier yes or no.
            kept = answer if answer is not None else (before[1] if before else None)
            latest[response.email] = (when, kept, response.name)
        elif before[1] is None and answer is not None:
            latest[response.email] = (before[0], answer, before[2])
    chosen = [
        Audience(email, name)
        for email, (_, answer, name) in latest.items()
        if answer is True or (waitlisted_too and answer is None and email in waited)
    ]
    return sorted(chosen, key=lambda buyer: buyer.email)


def announcement_emails(
    orders: list[Order],
    catalog: Catalog,
    now: dt.datetime,
    closing_hours: int,
    known_keys: set[str],
) -> list[EmailDue]:
    """`batch_open` for the batch open now; `batch_closing` inside its last hours."""
    batch = catalog.batch_at(now)
    if batch is None:
        return []
    found: list[EmailDue] = []
    ordered = {o.email for o in orders if o.batch is not None and o.batch.name == batch.name}
    for buyer in audience(orders, batch, waitlisted_too=True):
        key = f"{batch.name}/{EmailKind.BATCH_OPEN}/{buyer.email}/1"
        if buyer.email not in ordered and key not in known_keys:
            found.append(EmailDue(key, EmailKind.BATCH_OPEN, buyer.email, "", batch.name))
    if closing_hours > 0 and now >= batch.closes - dt.timedelta(hours=closing_hours):
        for buyer in audience(orders, batch, waitlisted_too=False):
            key = f"{batch.name}/{EmailKind.BATCH_CLOSING}/{buyer.email}/1"
            if buyer.email not in ordered and key not in known_keys:
                found.append(EmailDue(key, EmailKind.BATCH_CLOSING, buyer.email, "", batch.name))
    return found
