"""A batch's life after it closes (SPEC §4.12): production, ready, shipped, cancelled, delays.

Each stage emails every confirmed order of the batch once — paid orders only while payment
deadlines are on (an unpaid order hears about production once it is paid, or expires);
`order_shipped` also goes to a single order as soon as its `Tracking no.` is filled. Waitlisted
orders hear once that the batch went into production without them (`order_not_made`). Moving
`Ships on` later than the date buyers were last told (kept in the tool's memory) sends
`batch_delayed` once per new date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace

from openorder_sheets.core.ledger import message_key
from openorder_sheets.core.lifecycle import reachable
from openorder_sheets.core.model import (
    Batch,
    Decision,
    EmailDue,
    EmailKind,
    LedgerEntry,
    Order,
    Stage,
)

STAGE_KINDS: Mapping[Stage, EmailKind] = {
    Stage.IN_PRODUCTION: EmailKind.PRODUCTION_STARTED,
    Stage.READY: EmailKind.BATCH_READY,
    Stage.SHIPPED: EmailKind.ORDER_SHIPPED,
    Stage.CANCELLED: EmailKind.BATCH_CANCELLED,
}


def _reachable(order: Order) -> bool:
    return reachable(order)


def _key(order: Order, kind: str) -> str:
    return message_key(order.number, kind, order.email, 1)


def stage_emails(
    orders: Iterable[Order], known_keys: set[str], payments_on: bool
) -> list[EmailDue]:
    """The stage messages not yet sent to each order of a batch whose Stage is set."""
    found: list[EmailDue] = []
    for order in orders:
        batch = order.batch
        if not _reachable(order) or batch is None:
            continue
        kinds: list[EmailKind] = []
        if order.status is Decision.WAITLISTED and batch.stage is not Stage.NONE:
            kinds.append(EmailKind.ORDER_NOT_MADE)
        elif order.status is Decision.CONFIRMED:
            stage_kind = STAGE_KINDS.get(batch.stage)
            cancelled = batch.stage is Stage.CANCELLED
            if stage_kind is not None and (order.paid or not payments_on or cancelled):
                kinds.append(stage_kind)
            if order.tracking_no and EmailKind.ORDER_SHIPPED not in kinds and not cancelled:
                kinds.append(EmailKind.ORDER_SHIPPED)
        for kind in kinds:
            key = _key(order, kind)
            if key not in known_keys:
                found.append(EmailDue(key, kind, order.email, order.number, batch.name))
    return found


def ship_dates_told(
    remembered: Mapping[str, dt.date | None], orders: Iterable[Order], batches: Iterable[Batch]
) -> dict[str, dt.date]:
    """Per batch, the ship date buyers were last told.

    The memory holds it; a batch with confirmed orders but no memory yet was told its current
    date in their confirmations.
    """
    told = {name: day for name, day in remembered.items() if day is not None}
    confirmed = {o.batch.name for o in orders if o.batch and o.status is Decision.CONFIRMED}
    for batch in batches:
        if batch.name not in told and batch.name in confirmed and batch.ships_on is not None:
            told[batch.name] = batch.ships_on
    return told


def ships_to_remember(
    told: Mapping[str, dt.date], batches: Iterable[Batch]
) -> dict[str, dt.date | None]:
    """What the memory keeps after this sync: the current date once buyers are told it.

    A later date is told by `batch_delayed` (due this sync); an earlier one needs no message.
    """
    after: dict[str, dt.date | None] = {}
    for batch in batches:
        if batch.name in told:
            after[batch.name] = batch.ships_on or told[batch.name]
    return after


def delay_emails(
    orders: Iterable[Order], told: Mapping[str, dt.date], known_keys: set[str]
) -> list[EmailDue]:
    """`batch_delayed` to each confirmed order when `Ships on` moved past the date told."""
    found: list[EmailDue] = []
    for order in orders:
        batch = order.batch
        if order.status is not Decision.CONFIRMED or not _reachable(order) or batch is None:
            continue
        if batch.ships_on is None or batch.stage in (Stage.CANCELLED, Stage.SHIPPED):
            continue
        before = told.get(batch.name)
        if before is None or batch.ships_on <= before:
            continue
        key = message_key(
            batch.name, EmailKind.BATCH_DELAYED, order.email, batch.ships_on.isoformat()
        )
        if key not in known_keys:
            found.append(
                EmailDue(key, EmailKind.BATCH_DELAYED, order.email, order.number, batch.name)
            )
    return found


def delay_orders(entries: Iterable[LedgerEntry], orders: Iterable[Order]) -> list[LedgerEntry]:
    """The entries with the order each `batch_delayed` is about, where it was not read (its key
    names the batch and the buyer, not the order): the order :func:`delay_emails` gives it —
    the buyer's first confirmed order in that batch, else their first order there at all."""
    missing = [e for e in entries if e.kind == EmailKind.BATCH_DELAYED and not e.order]
    if not missing:
        return list(entries)
    first: dict[tuple[str, str], str] = {}
    confirmed: dict[tuple[str, str], str] = {}
    for order in orders:
        if order.batch is None:
            continue
        at = (order.batch.name, order.email)
        first.setdefault(at, order.number)
        if order.status is Decision.CONFIRMED and _reachable(order):
            confirmed.setdefault(at, order.number)
    found: dict[str, str] = {}
    for entry in missing:
        batch, _kind, rest = entry.key.partition(f"/{EmailKind.BATCH_DELAYED}/")
        at = (batch, rest.rpartition("/")[0])  # the address as the key has it
        found[entry.key] = confirmed.get(at) or first.get(at, "")
    return [replace(e, order=found[e.key]) if e.key in found else e for e in entries]
