"""Building one due message: the template context for its ledger entry, the templates, the
MIME message (with the QRIS image where payment is asked for).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from email.message import EmailMessage
from typing import Any

from openorder_sheets.adapters.message import build_message, sender_address
from openorder_sheets.adapters.templates import TemplateError
from openorder_sheets.core.model import (
    LedgerEntry,
)
from openorder_sheets.core.public_board import waitlist_places
from openorder_sheets.errors import (
    ConfigError,
)
from openorder_sheets.service.composition import Shop
from openorder_sheets.service.context import (
    ASKS_FOR_MONEY,
    batch_message_context,
    extras_for,
    message_context,
    payment_qr,
    sender_email,
    shown_testimonials,
)
from openorder_sheets.service.decide import Decided


def message_builder(
    shop: Shop, decided: Decided, now: dt.datetime
) -> Callable[[LedgerEntry], EmailMessage | None]:
    """Renders one ledger entry into the message a buyer receives (None if it cannot be)."""
    config = decided.config
    orders = {order.number: order for order in decided.orders}
    sender = sender_address(config.email.sender_name or config.shop.name, sender_email(config))

    names = {order.email: order.response.name for order in decided.orders if order.response}
    testimonials = shown_testimonials(decided.reviews)
    places = waitlist_places(decided.orders)
    # Once per sync, not per message: each is a pass over every order (450 messages of a
    # 100,000-order shop made them 90 million steps, half a minute).
    codes, deadlines = decided.codes, decided.deadlines

    def context(entry: LedgerEntry) -> dict[str, Any] | None:
        order = orders.get(entry.order)
        if order is not None:
            extras = extras_for(
                entry.kind,
                order,
                codes=codes,
                deadlines=deadlines,
                ships_told=decided.ships_told,
                due_hours=config.rules.payment_due_hours,
                now=now,
                reminder_hours=config.rules.payment_reminder_hours,
            )
            extras = replace(extras, place=places.get(order.number))
            return message_context(entry.kind, order, decided.catalog, config, now, extras)
        batch = decided.catalog.batch_named(entry.key.rsplit("/", 3)[0])
        if entry.order or batch is None:
            return None
        data = batch_message_context(
            entry.kind, batch, names.get(entry.to, ""), entry.to, decided.catalog, config
        )
        data["testimonials"] = testimonials
        return data

    def build(entry: LedgerEntry) -> EmailMessage | None:
        if entry.to in decided.blocked:
            return None  # the seller stopped all mail to this address; it stays queued
        data = context(entry)
        if data is None:
            return None
        images = qris_for(entry, data)
        try:
            rendered = shop.renderer.render(entry.kind, data)
        except TemplateError as error:
            raise ConfigError(f"{error} Nothing was sent; the sheet is updated.") from None
        return build_message(
            rendered,
            to=entry.to,
            sender=sender,
            reply_to=config.shop.reply_to,
            message_id=entry.message_id,
            kind=entry.kind,
            order=entry.order,
            now=now,
            images=images,
        )

    def qris_for(entry: LedgerEntry, data: dict[str, Any]) -> dict[str, bytes]:
        order = orders.get(entry.order)
        if not config.payment.qris or order is None or entry.kind not in ASKS_FOR_MONEY:
            return {}
        image = payment_qr(config, order)
        if image is None:
            return {}
        cid, amount, png = image
        data["order"]["qris"] = {"cid": cid, "amount": amount}
        return {cid: png}

    return build
