"""The data a template sees for one message (the contract in `templates/README.md`).

Money and dates arrive already formatted for the shop's language and currency, so a seller's
template never needs a filter; buyer text arrives as plain data and is escaped by the renderer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from openorder_sheets.adapters import qr_image
from openorder_sheets.config import Config
from openorder_sheets.core import formatting, payments, qris
from openorder_sheets.core.labels import STAGE_LABELS, STATUS_LABELS, label
from openorder_sheets.core.model import Batch, Catalog, EmailKind, Order, Stage
from openorder_sheets.core.rules import items_text, lines_of
from openorder_sheets.core.testimonials import Review, shown


def shop_context(config: Config) -> dict[str, Any]:
    shop = config.shop
    return {
        "name": shop.name,
        "form_url": shop.form_url,
        "reply_to": shop.reply_to,
        "email": sender_email(config),
        "status_url": shop.status_url,
        "review_url": shop.review_url,
        "payment": {
            "accounts": [
                {"bank": a.bank, "number": a.number, "holder": a.holder}
                for a in config.payment.accounts
            ],
            "instructions": config.payment.instructions,
        },
    }


def sender_email(config: Config) -> str:
    """The From address: `[email] from`, else the reply-to, else a placeholder for the outbox."""
    return config.email.sender or config.shop.reply_to or "shop@example.com"


def batch_context(
    batch: Batch | None, language: str, previous_ships_on: dt.date | None = None
) -> dict[str, Any] | None:
    if batch is None:
        return None
    stage = "" if batch.stage is Stage.NONE else label(STAGE_LABELS, batch.stage.value, language)
    return {
        "name": batch.name,
        "opens": formatting.moment(batch.opens, language),
        "closes": formatting.moment(batch.closes, language),
        "ships_on": formatting.long_date(batch.ships_on, language) if batch.ships_on else "",
        "previous_ships_on": (
            formatting.long_date(previous_ships_on, language) if previous_ships_on else None
        ),
        "note": batch.note,
        "stage": stage,
        "is_open": False,  # set for an order's message: whether the batch takes orders now
    }


def order_context(
    order: Order,
    config: Config,
    code: int | None = None,
    deadline: dt.datetime | None = None,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    language, currency = config.shop.language, config.shop.currency
    response = order.response

    def money(amount: object) -> str:
        return formatting.money(amount, currency, language)  # type: ignore[arg-type]

    return {
        "number": order.number,
        "batch": order.batch.name if order.batch else "",
        "submitted": formatting.moment(order.submitted, language) if order.submitted else "",
        "items": [
            {
                "sku": line.product.sku,
                "name": line.product.name,
                "quantity": line.quantity,
                "unit": line.product.unit,
                "price": money(line.product.price),
                "subtotal": money(line.subtotal),
            }
            for line in order.lines
        ],
        "items_text": items_text(order.lines),
        "total": money(order.total),
        "amount_to_pay": money(order.total + (code or 0)),
        # What was received, and what is still owed (a paid order whose buyer added items).
        "amount_paid": money(order.paid_amount) if order.paid_amount else None,
        "amount_due": money(order.total + (code or 0) - order.paid_amount)
        if order.paid_amount and order.partly_paid
        else None,
        # A change the buyer asked for that could not be applied.
        "requested_items_text": items_text(order.held) if order.held else None,
        "unique_code": code,
        "status": label(STATUS_LABELS, order.status.value, language),
        "reasons": list(order.problems),
        "address": response.address if response else "",
        "delivery": response.delivery if response else "",
        "notes": response.notes if response else "",
        "tracking_no": order.tracking_no,
        "payment_due": (
            formatting.moment(deadline.astimezone(config.shop.zone), language) if deadline else None
        ),
        # Set by the message builder when the shop has a QRIS: {"cid": …, "amount": …}.
        "qris": None,
        "previous_items_text": (
            items_text(lines_of(order.prior.lines, catalog))
            if order.prior and order.edited and catalog is not None
            else None
        ),
    }


def _next_batch(catalog: Catalog, after: dt.datetime, language: str) -> dict[str, Any] | None:
    upcoming = catalog.next_batch_after(after)
    if upcoming is None:
        return None
    return {
        "name": upcoming.name,
        "opens": formatting.moment(upcoming.opens, language),
        "closes": formatting.moment(upcoming.closes, language),
    }


@dataclass(frozen=True)
class Extras:
    """What an order's message needs beyond the order: payment code, deadline, ship date told."""

    code: int | None = None
    deadline: dt.datetime | None = None
    previous_ships_on: dt.date | None = None
    place: int | None = None  # a waitlisted order's place in its batch's queue


def extras_for(
    kind: str,
    order: Order,
    *,
    codes: Mapping[str, int],
    deadlines: Mapping[str, dt.datetime],
    ships_told: Mapping[str, dt.date],
    due_hours: int,
    now: dt.datetime,
    reminder_hours: int = 0,
) -> Extras:
    """The payment code, deadline and ship date told for one order's message of ``kind``."""
    deadline = deadlines.get(order.number)
    if deadline is None and due_hours > 0 and kind in payments.CONFIRMATION_KINDS:
        deadline = payments.ceil_hour(now + dt.timedelta(hours=due_hours))  # starts as sent
    if deadline is not None and kind == EmailKind.PAYMENT_REMINDER:
        # Sent late (no sync ran near the deadline): the buyer still gets the reminder's hours.
        late = payments.ceil_hour(now + dt.timedelta(hours=reminder_hours))
        deadline = max(deadline, late) if reminder_hours > 0 else deadline
    told = ships_told.get(order.batch.name) if order.batch else None
    return Extras(codes.get(order.number), deadline, told)


def message_context(
    kind: str,
    order: Order,
    catalog: Catalog,
    config: Config,
    now: dt.datetime,
    extras: Extras | None = None,
) -> dict[str, Any]:
    """The full render context for an order's email of ``kind``."""
    extras = extras or Extras()
    language = config.shop.language
    response = order.response
    moment = order.submitted or now
    batch = batch_context(order.batch, language, extras.previous_ships_on)
    if batch is not None and order.batch is not None:
        batch["is_open"] = order.batch.opens <= now < order.batch.closes
    details = order_context(order, config, extras.code, extras.deadline, catalog)
    details["waitlist_place"] = extras.place
    return {
        "kind": kind,
        "language": language,
        "shop": shop_context(config),
        "buyer": {
            "name": response.name if response else "",
            "email": order.email,
            "whatsapp": (response.phone_grouped or response.phone) if response else "",
        },
        "order": details,
        "batch": batch,
        "next_batch": _next_batch(catalog, max(moment, now), language),
    }


def batch_message_context(
    kind: str, batch: Batch, name: str, email: str, catalog: Catalog, config: Config
) -> dict[str, Any]:
    """The render context for a batch announcement to one buyer (no order)."""
    language = config.shop.language
    return {
        "kind": kind,
        "language": language,
        "shop": shop_context(config),
        "buyer": {"name": name, "email": email, "whatsapp": ""},
        "order": None,
        "batch": batch_context(batch, language),
        "next_batch": _next_batch(catalog, batch.closes, language),
    }


#: The messages that ask for money: they show the accounts, the QRIS and the amount.
ASKS_FOR_MONEY = frozenset(
    {
        EmailKind.ORDER_CONFIRMED,
        EmailKind.ORDER_PROMOTED,
        EmailKind.PAYMENT_REMINDER,
        EmailKind.PAYMENT_SHORT,
    }
)


def payment_qr(config: Config, order: Order) -> tuple[str, str, bytes] | None:
    """``(content id, amount in words, PNG)`` of the order's dynamic QRIS for what it still
    owes, or None when the shop has no QRIS or nothing is owed."""
    due = order.amount_to_pay - order.paid_amount
    if not config.payment.qris or due <= 0:
        return None
    try:
        payload = qris.with_amount(config.payment.qris, due)
    except qris.QrisError:
        return None  # `doctor` says what is wrong with the pasted text; the email goes without
    language = config.shop.language
    amount = formatting.money(due, config.shop.currency, language)
    cid = f"qris-{order.number}@openorder"
    return cid, amount, qr_image.png(payload)


def shown_testimonials(reviews: Iterable[Review], limit: int = 3) -> list[dict[str, Any]]:
    """The newest reviews the seller ticked `Show` for: first name, stars and text only."""
    return [
        {"first_name": review.first_name, "stars": review.stars, "text": review.text}
        for review in shown(reviews, limit)
    ]
