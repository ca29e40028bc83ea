"""A batch's life after it closes (SPEC §4.12): production, ready, shipped, cancelled, delays.

Each stage emails every confirmed order of the batch once; `order_shipped` also goes to a
single order as soon as its `Tracking no.` is filled. Moving `Ships on` later than the date
buyers were last told sends `batch_delayed` once per new date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from openorder_sheets.core.cells import text
from openorder_sheets.core.model import Batch, Decision, EmailDue, Order, Stage
from openorder_sheets.core.notifications import email_key
from openorder_sheets.ports import Cell

STAGE_KINDS: Mapping[Stage, str] = {
    Stage.IN_PRODUCTION: "production_started",
    Stage.READY: "batch_ready",
    Stage.SHIPPED: "order_shipped",
    Stage.CANCELLED: "batch_cancelled",
}
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*$")


def _told(order: Order) -> bool:
    response = order.response
    return order.status is Decision.CONFIRMED and response is not None and response.email_ok


def stage_emails(orders: Iterable[Order], known_keys: set[str]) -> list[EmailDue]:
    """The stage messages not yet sent to each confirmed order."""
    found: list[EmailDue] = []
    for order in orders:
        if not _told(order) or order.batch is None or order.response is None:
            continue
        kinds = []
        stage_kind = STAGE_KINDS.get(order.batch.stage)
        if stage_kind is not None:
            kinds.append(stage_kind)
        if order.prior is not None and order.prior.tracking_no and "order_shipped" not in kinds:
            kinds.append("order_shipped")
        for kind in kinds:
            key = email_key(order.number, kind, order.response.email, 1)
            if key not in known_keys:
                found.append(
                    EmailDue(key, kind, order.response.email, order.number, order.batch.name)
                )
    return found


def ship_dates_told(
    summary: list[list[Cell]] | None, batches: Iterable[Batch], known_keys: Iterable[str]
) -> dict[str, dt.date]:
    """Per batch, the latest ship date buyers were told.

    Read from the `Summary` tab as the last sync wrote it (its window row ends with the ship
    date) and from the `batch_delayed` messages already in the ledger.
    """
    told: dict[str, dt.date] = {}
    names = {batch.name for batch in batches}
    for row in summary or []:
        if len(row) < 3 or text(row[0]) not in names or text(row[1]):
            continue
        match = _ISO_DATE.search(text(row[2]))
        if match:
            told[text(row[0])] = dt.date.fromisoformat(match.group(1))
    for key in known_keys:
        parts = key.rsplit("/", 3)
        if len(parts) == 4 and parts[1] == "batch_delayed":
            try:
                day = dt.date.fromisoformat(parts[3])
            except ValueError:
                continue
            batch = _batch_of_delay(parts[0], names)
            if batch and (batch not in told or day > told[batch]):
                told[batch] = day
    return told


def _batch_of_delay(subject: str, names: set[str]) -> str | None:
    return subject if subject in names else None


def delay_emails(
    orders: Iterable[Order], told: Mapping[str, dt.date], known_keys: set[str]
) -> list[EmailDue]:
    """`batch_delayed` to each confirmed order when `Ships on` moved past the date told."""
    found: list[EmailDue] = []
    for order in orders:
        batch = order.batch
        if not _told(order) or batch is None or batch.ships_on is None or order.response is None:
            continue
        before = told.get(batch.name)
        if before is None or batch.ships_on <= before or batch.stage is Stage.CANCELLED:
            continue
        key = f"{batch.name}/batch_delayed/{order.response.email}/{batch.ships_on.isoformat()}"
        if key not in known_keys:
            found.append(
                EmailDue(key, "batch_delayed", order.response.email, order.number, batch.name)
            )
    return found
