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
    heard = _Heard()
    for voice in spoken:
        if voice.submitted < batch.opens:
            heard.hear(voice)
    chosen = [
        Audience(email, name)
        for email, (_, answer, name) in heard.latest.items()
        if answer is True or (waitlisted_too and answer is None and email in heard.waited)
    ]
    return sorted(chosen, key=lambda buyer: buyer.email)


def folded(spoken: Iterable[Voice]) -> list[Voice]:
    """One voice per buyer that :func:`audience` hears exactly as all of ``spoken``, in that
    order, for a batch that opened after every one of them was submitted (each voice's
    ``submitted`` is the buyer's latest). A year of archived orders is a mailing list of its
    buyers, not of its orders."""
    heard = _Heard()
    submitted: dict[str, dt.datetime] = {}
    for voice in spoken:
        heard.hear(voice)
        before = submitted.get(voice.email)
        submitted[voice.email] = voice.submitted if before is None else max(before, voice.submitted)
    return [
        Voice(email, name, submitted[email], when, answer, email in heard.waited)
        for email, (when, answer, name) in heard.latest.items()
    ]


class _Heard:
    """Each buyer's latest answer so far (a blank answer does not undo an earlier yes or no),
    and who was left waiting."""

    def __init__(self) -> None:
        self.latest: dict[str, tuple[dt.datetime, bool | None, str]] = {}
        self.waited: set[str] = set()

    def hear(self, voice: Voice) -> None:
        if voice.waited:
            self.waited.add(voice.email)
        answer = voice.opt_in
        before = self.latest.get(voice.email)
        if before is None or voice.when >= before[0]:
            kept = answer if answer is not None else (before[1] if before else None)
            self.latest[voice.email] = (voice.when, kept, voice.name)
        elif before[1] is None and answer is not None:
            self.latest[voice.email] = (before[0], answer, before[2])


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
