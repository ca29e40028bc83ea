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

from openorder_sheets.core.ledger import message_key
from openorder_sheets.core.model import Batch, Catalog, Decision, EmailDue, EmailKind, Order


@dataclass(frozen=True)
class Audience:
    """A buyer to announce to, with the name they gave on their latest order."""

    email: str
    name: str


@dataclass(frozen=True)
class Voice:
    """What one order told about its buyer: when, their latest opt-in answer, whether they
    were left waiting. Archived orders keep theirs in the tool's memory."""

    email: str
    name: str
    submitted: dt.datetime  # the order's first submission: only earlier orders count
    when: dt.datetime  # the answer's time: the latest answer wins
    opt_in: bool | None
    waited: bool


def voices(orders: Iterable[Order]) -> list[Voice]:
    found: list[Voice] = []
    for order in orders:
        response = order.response
        if response is None or not response.email_ok:
            continue
        when = response.timestamp or order.submitted
        if when is None or order.submitted is None:
            continue
        found.append(
            Voice(
                response.email,
                response.name,
                order.submitted,
                when,
                response.opt_in,
                order.status is Decision.WAITLISTED,
            )
        )
    return found


def audience(spoken: Iterable[Voice], batch: Batch, *, waitlisted_too: bool) -> list[Audience]:
    """Buyers of earlier orders who asked to hear (or were left waiting), latest answer wins."""
    latest: dict[str, tuple[dt.datetime, bool | None, str]] = {}
    waited: set[str] = set()
    for voice in spoken:
        when = voice.when
        if voice.submitted >= batch.opens:
            continue
        if voice.waited:
            waited.add(voice.email)
        answer = voice.opt_in
        before = latest.get(voice.email)
        if before is None or when >= before[0]:
            # A blank answer does not undo an earlier yes or no.
            kept = answer if answer is not None else (before[1] if before else None)
            latest[voice.email] = (when, kept, voice.name)
        elif before[1] is None and answer is not None:
            latest[voice.email] = (before[0], answer, before[2])
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
    remembered: Iterable[Voice] = (),
) -> list[EmailDue]:
    """`batch_open` for the batch open now; `batch_closing` inside its last hours.

    ``remembered``: what archived orders told about their buyers (they still count)."""
    batch = catalog.batch_at(now)
    if batch is None:
        return []
    found: list[EmailDue] = []
    ordered = {o.email for o in orders if o.batch is not None and o.batch.name == batch.name}
    spoken = [*remembered, *voices(orders)]
    for buyer in audience(spoken, batch, waitlisted_too=True):
        key = message_key(batch.name, EmailKind.BATCH_OPEN, buyer.email, 1)
        if buyer.email not in ordered and key not in known_keys:
            found.append(EmailDue(key, EmailKind.BATCH_OPEN, buyer.email, "", batch.name))
    if closing_hours > 0 and now >= batch.closes - dt.timedelta(hours=closing_hours):
        for buyer in audience(spoken, batch, waitlisted_too=False):
            key = message_key(batch.name, EmailKind.BATCH_CLOSING, buyer.email, 1)
            if buyer.email not in ordered and key not in known_keys:
                found.append(EmailDue(key, EmailKind.BATCH_CLOSING, buyer.email, "", batch.name))
    return found
