"""`openorder status` and `openorder preview`: read and decide, change nothing."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from openorder_sheets.adapters.templates import KINDS, RenderedEmail
from openorder_sheets.core import formatting
from openorder_sheets.core.labels import STATUS_LABELS, label
from openorder_sheets.core.ledger import days_behind
from openorder_sheets.core.lifecycle import decision_kind, kind_for_status
from openorder_sheets.core.matching import Outcome
from openorder_sheets.core.model import Batch, Decision, EmailState
from openorder_sheets.core.public_board import waitlist_places
from openorder_sheets.core.reports import ProductFill, current_batch, product_fill
from openorder_sheets.core.statement_tab import TO_CHECK
from openorder_sheets.errors import ConfigError
from openorder_sheets.service.archive import cells_used
from openorder_sheets.service.composition import Shop
from openorder_sheets.service.context import (
    ASKS_FOR_MONEY,
    extras_for,
    message_context,
    payment_qr,
)
from openorder_sheets.service.decide import decide_shop


@dataclass
class Fill:
    product: str
    confirmed: int
    waitlisted: int
    capacity: int | None


@dataclass
class Status:
    batch: Batch | None
    now: dt.datetime
    fills: list[Fill] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    queued: int = 0
    failed: int = 0
    deferred: int = 0
    #: Money for the current batch: expected, received, orders paid and unpaid; and the
    #: Bank statement transfers the seller still has to look at (shop-wide).
    expected: Decimal = Decimal(0)
    received: Decimal = Decimal(0)
    paid_orders: int = 0
    unpaid_orders: int = 0
    to_check: int = 0
    cells_used: int = 0  # in the tabs the tool reads (their used area)
    days_behind: int = 0  # days the daily limit holds back the last message waiting
    warnings: list[str] = field(default_factory=list)  # cells to fix; nothing waits for them


def shop_status(shop: Shop, now: dt.datetime) -> Status:
    """The current batch at a glance."""
    decided = decide_shop(shop, now)
    batch = current_batch(decided.catalog, now)
    status = Status(batch, now)
    language = shop.config.shop.language
    if batch is not None:
        mine = [o for o in decided.orders if o.batch is not None and o.batch.name == batch.name]
        fill = product_fill(mine)
        for product in decided.catalog.products:
            tally = fill.get((batch.name, product.sku), ProductFill())
            confirmed, waiting = tally.confirmed, tally.waitlisted
            if product.active or confirmed or waiting:
                status.fills.append(Fill(product.name, confirmed, waiting, product.capacity))
        for order in mine:
            word = label(STATUS_LABELS, order.status.value, language)
            status.counts[word] = status.counts.get(word, 0) + 1
            if order.status is Decision.CONFIRMED:
                status.expected += order.amount_to_pay
                status.received += order.paid_amount
                status.paid_orders += order.paid
                status.unpaid_orders += not order.paid
    look_at = {*TO_CHECK, Outcome.AGAIN}
    status.to_check = sum(1 for found in decided.matches if found.outcome in look_at)
    status.cells_used = cells_used(decided.snapshot)
    status.warnings = [*decided.catalog_warnings, *decided.review_problems]
    for entry in decided.entries:
        status.queued += entry.state in (EmailState.QUEUED, EmailState.SENDING)
        status.deferred += entry.state is EmailState.DEFERRED
        status.failed += entry.state is EmailState.FAILED
    status.days_behind = days_behind(decided.entries, now, shop.config.email.daily_limit)
    return status


def preview_email(
    shop: Shop, number: str, kind: str | None, now: dt.datetime
) -> tuple[str, RenderedEmail]:
    """Render the email ``kind`` (default: the one its status calls for) for order ``number``."""
    decided = decide_shop(shop, now)
    wanted = number.strip().upper()
    order = next((o for o in decided.orders if o.number.upper() == wanted), None)
    if order is None:
        known = ", ".join(o.number for o in decided.orders[:5])
        raise ConfigError(
            f"There is no order {number}: use an order number from the Orders "
            f"tab (for example {known or 'PO-0001'})."
        )
    if kind is None:
        kind = decision_kind(order) or kind_for_status(order.status)
    if kind is None:
        raise ConfigError(
            f"{order.number} is a {label(STATUS_LABELS, order.status.value, 'en')} order: "
            "its buyer gets no email for it. Use --kind to preview another message."
        )
    if kind not in KINDS:
        raise ConfigError(f"'{kind}' is not an email kind: use one of {', '.join(KINDS)}.")
    extras = extras_for(
        kind,
        order,
        codes=decided.codes,
        deadlines=decided.deadlines,
        ships_told=decided.ships_told,
        due_hours=shop.config.rules.payment_due_hours,
        now=now,
        reminder_hours=shop.config.rules.payment_reminder_hours,
    )
    extras = replace(extras, place=waitlist_places(decided.orders).get(order.number))
    context = message_context(kind, order, decided.catalog, shop.config, now, extras)
    image = payment_qr(shop.config, order) if kind in ASKS_FOR_MONEY else None
    if image is not None:  # the preview file has no attachments: the QR goes in as data
        cid, amount, png = image
        context["order"]["qris"] = {"cid": cid, "amount": amount}
        rendered = shop.renderer.render(kind, context)
        inline = "data:image/png;base64," + base64.b64encode(png).decode()
        return kind, replace(rendered, html=rendered.html.replace(f"cid:{cid}", inline))
    return kind, shop.renderer.render(kind, context)


def time_left(batch: Batch, now: dt.datetime, language: str, *, short: bool = False) -> str:
    """How long until the batch opens or closes; ``short`` when the times are shown beside."""
    if short and now < batch.opens:
        return "belum buka" if language == "id" else "not open yet"
    if short and now >= batch.closes:
        return "sudah tutup" if language == "id" else "closed"
    if now < batch.opens:
        return ("buka " if language == "id" else "opens ") + formatting.moment(
            batch.opens, language
        )
    if now >= batch.closes:
        return ("sudah tutup " if language == "id" else "closed ") + formatting.moment(
            batch.closes, language
        )
    left = batch.closes - now
    days, hours = left.days, left.seconds // 3600
    minutes = (left.seconds % 3600) // 60
    if language == "id":
        return f"tutup dalam {days} hari {hours} jam {minutes} menit"
    return f"closes in {days}d {hours}h {minutes}m"
