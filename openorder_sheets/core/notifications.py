"""Which emails the decisions make due (SPEC §4, §5), and the ledger key of each.

An email is due when an order's status changes from what the `Orders` tab last recorded, or
when a buyer's edit changed the items. The Orders status and the new ledger rows are written in
the same batched write, so a change is seen exactly once; the ledger key is a second guard.
"""

from __future__ import annotations

from collections.abc import Iterable

from openorder_sheets.core.model import Decision, EmailDue, LedgerEntry, Order

#: Kinds sent before everything else when the daily limit bites (SPEC §5).
FIRST_KINDS = (
    "order_confirmed",
    "order_promoted",
    "order_rejected",
    "order_waitlisted",
    "order_updated",
    "order_cancelled",
)

_KIND_FOR_STATUS = {
    Decision.CONFIRMED: "order_confirmed",
    Decision.WAITLISTED: "order_waitlisted",
    Decision.REJECTED: "order_rejected",
    Decision.CANCELLED: "order_cancelled",
    Decision.EXPIRED: "order_expired",
}


def email_key(subject: str, kind: str, to: str, version: int) -> str:
    """The ledger key of one message: order (or batch), kind, recipient, version."""
    return f"{subject}/{kind}/{to}/{version}"


def decision_kind(order: Order) -> str | None:
    """The kind of email this sync's decision calls for, if any."""
    told = order.prior.status if order.prior else None
    if order.edited and order.response is not None:
        return "order_updated"
    if order.status is told:
        return None
    if order.status is Decision.CONFIRMED and told is Decision.WAITLISTED:
        return "order_promoted"
    return _KIND_FOR_STATUS.get(order.status)


def decision_emails(orders: Iterable[Order], ledger: Iterable[LedgerEntry]) -> list[EmailDue]:
    """The emails due for these decisions, with versioned keys not yet in the ledger."""
    versions: dict[tuple[str, str, str], int] = {}
    for entry in ledger:
        subject_kind_to = entry.key.rsplit("/", 1)[0]
        try:
            version = int(entry.key.rsplit("/", 1)[1])
        except (IndexError, ValueError):
            continue
        subject, _, kind_to = subject_kind_to.partition("/")
        known_kind, _, to = kind_to.partition("/")
        if to:
            place = (subject, known_kind, to)
            versions[place] = max(versions.get(place, 0), version)
    due: list[EmailDue] = []
    for order in orders:
        kind = decision_kind(order)
        if kind is None or order.response is None:
            continue
        to = order.response.email
        if not order.response.email_ok:
            continue
        version = versions.get((order.number, kind, to), 0) + 1
        due.append(
            EmailDue(
                email_key(order.number, kind, to, version),
                kind,
                to,
                order.number,
                order.batch.name if order.batch else "",
            )
        )
    return due
