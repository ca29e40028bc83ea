"""Announcing batches (SPEC §4.13): `batch_open` when a window opens, `batch_closing` before
it closes, each to each buyer once.

Who hears: buyers who opted in on an earlier order, and (for `batch_open`) buyers who were
waitlisted in an earlier batch. Nobody hears `batch_closing` for a batch they already ordered in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from openorder_sheets.core.model import Batch, Catalog, Decision, EmailDue, Order
from openorder_sheets.core.notifications import email_key


@dataclass(frozen=True)
class Audience:
    """A buyer to announce to, with the name they gave on their latest order."""

    email: str
    name: str


def _earlier(order: Order, batch: Batch) -> bool:
    return order.submitted is not None and order.submitted < batch.opens


def audience(orders: Iterable[Order], batch: Batch, *, waitlisted_too: bool) -> list[Audience]:
    """Buyers of earlier orders who asked to hear (or were left waiting), latest name first."""
    chosen: dict[str, Audience] = {}
    for order in orders:
        response = order.response
        if response is None or not response.email_ok or not _earlier(order, batch):
            continue
        waiting = waitlisted_too and order.status is Decision.WAITLISTED
        if response.opt_in or waiting:
            chosen[response.email] = Audience(response.email, response.name)
    return sorted(chosen.values(), key=lambda buyer: buyer.email)


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
        key = email_key(batch.name, "batch_open", buyer.email, 1)
        if buyer.email not in ordered and key not in known_keys:
            found.append(EmailDue(key, "batch_open", buyer.email, "", batch.name))
    if closing_hours > 0 and now >= batch.closes - dt.timedelta(hours=closing_hours):
        for buyer in audience(orders, batch, waitlisted_too=False):
            key = email_key(batch.name, "batch_closing", buyer.email, 1)
            if buyer.email not in ordered and key not in known_keys:
                found.append(EmailDue(key, "batch_closing", buyer.email, "", batch.name))
    return found
