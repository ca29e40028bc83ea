"""The order rules of SPEC §4 (1–10): who is confirmed, waitlisted, rejected, and why.

Orders are decided in queue order (first submission, then response row). Confirmed orders are
sticky and take their capacity before anything else is decided; the seller's `Seller action`
wins over every rule. The result is a new list of :class:`Order` values; nothing is mutated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from openorder_sheets.core.identity import Identified
from openorder_sheets.core.model import (
    Catalog,
    Decision,
    Line,
    Order,
    SellerAction,
    Stage,
)
from openorder_sheets.core.wording import say

#: Statuses that stay as they are on later syncs unless the seller or a buyer's edit changes them.
STICKY = frozenset({Decision.CONFIRMED, Decision.REJECTED, Decision.CANCELLED, Decision.EXPIRED})
#: Statuses the buyer was emailed about, so a change of items is news to them.
TOLD = frozenset({Decision.CONFIRMED, Decision.WAITLISTED, Decision.REJECTED})

_ITEM = re.compile(r"(?:^|, )(\d+)× ")


@dataclass(frozen=True)
class Settings:
    language: str
    responses_tab: str = "Form Responses 1"
    duplicate_window: dt.timedelta = dt.timedelta(minutes=30)
    now: dt.datetime | None = None
    #: order number → payment deadline (rule 11), from when its confirmation was sent
    deadlines: Mapping[str, dt.datetime] = field(default_factory=dict)


def items_text(lines: tuple[Line, ...]) -> str:
    """``2× Nastar Premium, 1× Kastengel``."""
    return ", ".join(f"{line.quantity}× {line.product.name}" for line in lines)


def parse_items_text(value: str, catalog: Catalog) -> tuple[Line, ...] | None:
    """Read back an `Items` cell; ``None`` when a name is no longer a product (a rename)."""
    if not value.strip():
        return ()
    parts = _ITEM.split(value)
    names = {product.name: product for product in catalog.products}
    lines: list[Line] = []
    for quantity, name in zip(parts[1::2], parts[2::2], strict=False):
        product = names.get(name.strip())
        if product is None:
            return None
        lines.append(Line(product, int(quantity)))
    return tuple(lines)


def decide(identified: list[Identified], catalog: Catalog, settings: Settings) -> list[Order]:
    """Decide every order; ``identified`` must be in queue order."""
    drafts = [_draft(item, catalog, settings) for item in identified]
    used: dict[tuple[str, str], int] = defaultdict(int)
    for draft, settled in drafts:
        if settled and draft.status is Decision.CONFIRMED and draft.batch is not None:
            for line in draft.lines:
                used[(draft.batch.name, line.product.sku)] += line.quantity
    decided: list[Order] = []
    per_buyer: dict[tuple[str, str, str], int] = defaultdict(int)
    counted: dict[tuple[str, str], list[Order]] = defaultdict(list)
    for draft, settled in drafts:
        final = (
            draft if settled else _decide_one(draft, catalog, used, per_buyer, counted, settings)
        )
        if final.status.is_counted and final.batch is not None:
            for line in final.lines:
                per_buyer[(final.batch.name, final.email, line.product.sku)] += line.quantity
            counted[(final.batch.name, final.email)].append(final)
        decided.append(final)
    return [_with_waitlist_reasons(order, used, settings.language) for order in decided]


def _not_fitting(
    lines: tuple[Line, ...], batch: str, used: dict[tuple[str, str], int], language: str
) -> tuple[str, ...]:
    """Rule 7's words for each line that does not fit the capacity left in ``batch``."""
    short = []
    for line in lines:
        capacity = line.product.capacity
        if capacity is None:
            continue
        left = max(capacity - used[(batch, line.product.sku)], 0)
        if line.quantity > left:
            short.append(
                say(
                    language,
                    "no_room",
                    product=line.product.name,
                    wanted=line.quantity,
                    unit=line.product.unit,
                    left=left,
                )
            )
    return tuple(short)


def _with_waitlist_reasons(order: Order, used: dict[tuple[str, str], int], language: str) -> Order:
    """Name the lines that do not fit what is left once every order is decided.

    Computed at the end, not when the order was decided, so a re-sync finds the same words.
    """
    if order.status is not Decision.WAITLISTED or order.batch is None:
        return order
    return replace(order, problems=_not_fitting(order.lines, order.batch.name, used, language))


def _draft(item: Identified, catalog: Catalog, settings: Settings) -> tuple[Order, bool]:
    """The order, and whether its status is already settled (sticky or the seller's word)."""
    prior, response = item.prior, item.response
    language = settings.language
    if response is not None:
        lines = tuple(
            Line(p, q) for sku, q in response.quantities if (p := catalog.product(sku)) is not None
        )
    else:
        lines = (parse_items_text(prior.items_text, catalog) or ()) if prior else ()
    batch = catalog.batch_at(item.submitted) if item.submitted else None
    if batch is None and prior is not None and response is None:
        batch = catalog.batch_named(prior.batch)
    edited = False
    if prior is not None and response is not None and prior.status in TOLD and not prior.repaired:
        before = parse_items_text(prior.items_text, catalog)
        edited = before is not None and _quantities(before) != _quantities(lines)
    action = prior.seller_action if prior else SellerAction.NONE

    def make(status: Decision | None, problems: tuple[str, ...] = ()) -> tuple[Order, bool]:
        order = Order(
            item.number,
            response,
            prior,
            batch,
            item.submitted,
            lines,
            status or Decision.NEEDS_ATTENTION,
            problems,
            edited,
        )
        return order, status is not None

    if action is SellerAction.CONFIRM:
        return make(Decision.CONFIRMED, (say(language, "confirmed_by_seller"),))
    if action is SellerAction.CANCEL:
        return make(Decision.CANCELLED)
    if action is SellerAction.REJECT:
        return make(Decision.REJECTED, (say(language, "rejected_by_seller"),))
    if item.unmatched_like:
        return make(
            Decision.NEEDS_ATTENTION,
            (say(language, "unmatched", orders=", ".join(item.unmatched_like)),),
        )
    if response is None:
        gone = say(
            language,
            "response_gone",
            row=prior.response_row if prior else "?",
            tab=settings.responses_tab,
        )
        status = prior.status if prior and prior.status else Decision.NEEDS_ATTENTION
        return make(status, (gone,))
    deadline = settings.deadlines.get(item.number)
    if (
        prior is not None
        and prior.status is Decision.CONFIRMED
        and not edited
        and not prior.paid
        and deadline is not None
        and settings.now is not None
        and settings.now >= deadline
    ):
        when = deadline.strftime("%Y-%m-%d %H:%M")
        return make(Decision.EXPIRED, (say(language, "expired", deadline=when),))
    if prior is not None and prior.status in STICKY and not edited:
        return make(prior.status, _kept_problems(prior.status, prior.problems, response.problems))
    if (
        prior is not None
        and prior.status is Decision.WAITLISTED
        and not edited
        and batch is not None
        and batch.stage is not Stage.NONE
    ):
        return make(Decision.WAITLISTED)
    return make(None)


def _kept_problems(status: Decision, prior_text: str, problems: tuple[str, ...]) -> tuple[str, ...]:
    """A settled order keeps the reason it was given; a confirmed one shows current problems."""
    if status is Decision.CONFIRMED:
        return problems
    return tuple(part for part in prior_text.split("; ") if part)


def _quantities(lines: tuple[Line, ...]) -> dict[str, int]:
    return {line.product.sku: line.quantity for line in lines}


def _decide_one(
    order: Order,
    catalog: Catalog,
    used: dict[tuple[str, str], int],
    per_buyer: dict[tuple[str, str, str], int],
    counted: dict[tuple[str, str], list[Order]],
    settings: Settings,
) -> Order:
    language = settings.language
    response = order.response
    assert response is not None

    def with_status(status: Decision, problems: tuple[str, ...] = ()) -> Order:
        return Order(
            order.number,
            response,
            order.prior,
            order.batch,
            order.submitted,
            order.lines,
            status,
            problems,
            order.edited,
        )

    if response.problems:
        return with_status(Decision.NEEDS_ATTENTION, response.problems)
    batch = order.batch
    if batch is None:
        upcoming = catalog.next_batch_after(order.submitted) if order.submitted else None
        if upcoming is not None:
            reason = say(
                language,
                "before_window",
                batch=upcoming.name,
                opens=upcoming.opens.strftime("%Y-%m-%d %H:%M"),
            )
        else:
            reason = say(language, "outside_window")
        return with_status(Decision.REJECTED, (reason,))
    earlier = counted.get((batch.name, response.email), [])
    mine = _quantities(order.lines)
    for other in reversed(earlier):
        if (
            other.submitted
            and order.submitted
            and order.submitted - other.submitted > settings.duplicate_window
        ):
            break  # queue order: every order before this one is older still
        if (
            _quantities(other.lines) == mine
            and other.submitted
            and order.submitted
            and order.submitted - other.submitted <= settings.duplicate_window
        ):
            minutes = int((order.submitted - other.submitted).total_seconds() // 60)
            return with_status(
                Decision.DUPLICATE,
                (say(language, "duplicate_of", order=other.number, minutes=minutes),),
            )
    over = []
    for line in order.lines:
        limit = line.product.max_per_buyer
        before = per_buyer[(batch.name, response.email, line.product.sku)]
        if limit is not None and before + line.quantity > limit:
            over.append(
                say(
                    language,
                    "over_limit",
                    product=line.product.name,
                    limit=limit,
                    unit=line.product.unit,
                    ordered=before + line.quantity,
                )
            )
    if over:
        return with_status(Decision.REJECTED, tuple(over))
    short = _not_fitting(order.lines, batch.name, used, language)
    if short:
        return with_status(Decision.WAITLISTED, tuple(short))
    if (
        order.prior is not None
        and order.prior.status is Decision.WAITLISTED
        and batch.stage is not Stage.NONE
    ):
        return with_status(Decision.WAITLISTED)
    for line in order.lines:
        used[(batch.name, line.product.sku)] += line.quantity
    return with_status(Decision.CONFIRMED)
