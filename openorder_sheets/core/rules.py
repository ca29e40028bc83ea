"""The order rules of SPEC §4 (1–10): who is confirmed, waitlisted, rejected, and why.

Orders are decided in queue order (first submission, then response row). Confirmed orders are
sticky and take their capacity before anything else is decided; the seller's `Seller action`
wins over every rule. The result is a new list of :class:`Order` values; nothing is mutated.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from openorder_sheets.core import formatting
from openorder_sheets.core.identity import Identified
from openorder_sheets.core.model import (
    Catalog,
    Decision,
    Line,
    Order,
    PriorOrder,
    Quantities,
    SellerAction,
    Stage,
    evolve,
)
from openorder_sheets.core.payments import expiry_moment, payment_seen
from openorder_sheets.core.wording import say

#: Statuses that stay as they are on later syncs unless the seller or a buyer's edit changes them.
#: A duplicate is among them: it never becomes a live order without the seller's `Confirm`.
STICKY = frozenset(
    {
        Decision.CONFIRMED,
        Decision.REJECTED,
        Decision.CANCELLED,
        Decision.EXPIRED,
        Decision.DUPLICATE,
    }
)
#: Sticky statuses a buyer's edit re-opens (cancelled and expired orders stay as they are).
REOPENED_BY_EDIT = frozenset({Decision.REJECTED, Decision.DUPLICATE})


@dataclass(frozen=True)
class Settings:
    language: str
    responses_tab: str = "Form Responses 1"
    duplicate_window: dt.timedelta = dt.timedelta(minutes=30)
    now: dt.datetime | None = None
    #: order number → payment deadline (rule 11), from when its confirmation was sent
    deadlines: Mapping[str, dt.datetime] = field(default_factory=dict)
    #: order number → when its payment reminder was actually sent
    reminded: Mapping[str, dt.datetime] = field(default_factory=dict)
    reminder_hours: int = 12


def items_text(lines: tuple[Line, ...]) -> str:
    """``2× Nastar Premium, 1× Kastengel``."""
    return ", ".join(f"{line.quantity}× {line.product.name}" for line in lines)


def lines_of(quantities: Quantities, catalog: Catalog) -> tuple[Line, ...]:
    """Quantities as lines of the products that still exist."""
    return tuple(
        Line(product, quantity)
        for sku, quantity in quantities
        if (product := catalog.product(sku)) is not None
    )


def decide(identified: list[Identified], catalog: Catalog, settings: Settings) -> list[Order]:
    """Decide every order; ``identified`` must be in queue order.

    Orders are decided in queue order, but a confirmed order's edit that gives items back
    is only counted when its turn comes: an earlier order left waiting for those items would
    then get them on the *next* sync (and its buyer two messages: waiting, then promoted).
    So when a pass ends with room for an order it left waiting (or for a change it held), a
    second pass decides those orders again, everything else as the first pass left it: what
    the next sync would do, done now, so a re-run changes nothing."""
    drafts = [_draft(item, catalog, settings) for item in identified]
    decided, used = _pass(drafts, catalog, settings, {})
    again = [
        index
        for index, (order, (_, settled)) in enumerate(zip(decided, drafts, strict=True))
        if not settled and _wanted_more(order)
    ]
    if any(_would_fit(decided[index], used) for index in again):
        kept = {i: order for i, order in enumerate(decided) if i not in set(again)}
        retried, retried_used = _pass(drafts, catalog, settings, kept)
        if retried != decided:
            decided, used = retried, retried_used
    return [_with_waitlist_reasons(order, used, settings.language) for order in decided]


def _wanted_more(order: Order) -> bool:
    """Left waiting, or confirmed with the buyer's change held back."""
    return order.status is Decision.WAITLISTED or (
        order.status is Decision.CONFIRMED and order.held is not None
    )


def _would_fit(order: Order, used: Mapping[tuple[str, str], int]) -> bool:
    """Whether what ``order`` waits for fits the capacity left (per-buyer limits aside)."""
    if order.batch is None:
        return False
    has = {line.product.sku: line.quantity for line in order.lines}
    wants = order.held if order.status is Decision.CONFIRMED and order.held else order.lines
    if order.status is Decision.WAITLISTED:
        has = {}
    for line in wants:
        capacity = line.product.capacity
        more = line.quantity - has.get(line.product.sku, 0)
        if capacity is not None and more > capacity - used.get(
            (order.batch.name, line.product.sku), 0
        ):
            return False
    return True


def _pass(
    drafts: list[tuple[Order, bool]],
    catalog: Catalog,
    settings: Settings,
    kept: Mapping[int, Order],
) -> tuple[list[Order], dict[tuple[str, str], int]]:
    """One pass in queue order. ``kept``: orders already decided (by an earlier pass), which
    hold what they were given; the others are decided here."""
    used: dict[tuple[str, str], int] = defaultdict(int)
    for index, (draft, settled) in enumerate(drafts):
        order = kept.get(index, draft)
        # Confirmed orders hold their items first, a pending change or not (rule 8).
        holds = (
            index in kept
            or settled
            or (draft.prior is not None and draft.prior.status is Decision.CONFIRMED)
        )
        if holds and order.status is Decision.CONFIRMED and order.batch is not None:
            for line in order.lines:
                used[(order.batch.name, line.product.sku)] += line.quantity
    decided: list[Order] = []
    per_buyer: dict[tuple[str, str, str], int] = defaultdict(int)
    counted: dict[tuple[str, str], list[Order]] = defaultdict(list)
    for index, (draft, settled) in enumerate(drafts):
        if index in kept:
            final = kept[index]
        elif settled:
            final = draft
        elif draft.status is Decision.CONFIRMED:
            final = _change_confirmed(draft, catalog, used, per_buyer, settings)
        else:
            final = _decide_one(draft, catalog, used, per_buyer, counted, settings)
        if final.status.is_counted and final.batch is not None:
            for line in final.lines:
                per_buyer[(final.batch.name, final.email, line.product.sku)] += line.quantity
            counted[(final.batch.name, final.email)].append(final)
        decided.append(final)
    return decided, used


def _over_limit(
    lines: tuple[Line, ...],
    batch: str,
    email: str,
    per_buyer: dict[tuple[str, str, str], int],
    language: str,
) -> tuple[str, ...]:
    """Rule 6's words for each line over the product's per-buyer limit."""
    over = []
    for line in lines:
        limit = line.product.max_per_buyer
        before = per_buyer[(batch, email, line.product.sku)]
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
    return tuple(over)


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
    """Name the lines that do not fit what is left once every order is decided (for a
    waitlisted order, or a confirmed order's held change, which may use its own items).

    Computed at the end, not when the order was decided, so a re-sync finds the same words.
    """
    by_seller = say(language, "confirmed_by_seller")
    if (
        order.status is Decision.CONFIRMED
        and order.prior is not None
        and order.prior.seller_action is SellerAction.CONFIRM
        and by_seller not in order.problems
    ):
        order = evolve(order, problems=(by_seller, *order.problems))
    if order.batch is None:
        return order
    if order.status is Decision.WAITLISTED:
        return evolve(order, problems=_not_fitting(order.lines, order.batch.name, used, language))
    if order.status is Decision.CONFIRMED and order.held:
        own = defaultdict(int, used)
        for line in order.lines:
            own[(order.batch.name, line.product.sku)] -= line.quantity
        short = _not_fitting(order.held, order.batch.name, own, language)
        return evolve(order, problems=order.problems + short)
    return order


def _draft(item: Identified, catalog: Catalog, settings: Settings) -> tuple[Order, bool]:
    """The order, and whether its status is already settled (sticky or the seller's word).

    A confirmed order whose buyer changed the items is returned unsettled with its confirmed
    items: the capacity pass decides whether the change can be applied.
    """
    prior, response = item.prior, item.response
    language = settings.language
    held: tuple[Line, ...] | None = lines_of(prior.held, catalog) if prior and prior.held else None
    if prior is not None and prior.held == ():
        held = ()
    asked = lines_of(response.quantities, catalog) if response is not None else ()
    kept = lines_of(prior.lines, catalog) if prior is not None else ()
    changed = (
        prior is not None
        and response is not None
        and prior.asked is not None
        and response.quantities != prior.asked
    )
    if prior is None:
        lines = asked
    elif prior.status in STICKY or response is None:
        lines = kept  # a decided order keeps the items it was decided with
    else:
        lines = asked
    batch = catalog.batch_at(item.submitted) if item.submitted else None
    if batch is None and prior is not None and (response is None or prior.batch):
        batch = catalog.batch_named(prior.batch) or batch
    action = prior.seller_action if prior else SellerAction.NONE
    unmatched = item.unmatched_like or (prior.unmatched_like if prior else ())

    def make(
        status: Decision | None,
        problems: tuple[str, ...] = (),
        *,
        with_lines: tuple[Line, ...] | None = None,
        edited: bool = False,
        keep_held: bool = True,
    ) -> tuple[Order, bool]:
        order = Order(
            item.number,
            response,
            prior,
            batch,
            item.submitted,
            lines if with_lines is None else with_lines,
            status or Decision.NEEDS_ATTENTION,
            problems,
            edited,
            held if keep_held else None,
            unmatched if status is Decision.NEEDS_ATTENTION else (),
        )
        return order, status is not None

    honoured = (
        prior is not None
        and prior.last_action is SellerAction.CONFIRM
        and prior.status in (Decision.CONFIRMED, Decision.EXPIRED)
    )
    if action is SellerAction.CONFIRM and not honoured:
        # A Confirm acts once, when it appears: the order then lives on like any confirmed
        # order (its payment clock, expiry and the buyer's edits); to confirm it again after
        # it expired, the seller clears the cell and chooses Confirm again.
        # The seller accepts the order as the buyer last asked for it (a held change too).
        chosen = asked if response is not None and asked and not response.problems else lines
        applied = prior is not None and prior.status is Decision.CONFIRMED and chosen != kept
        confirmed, settled = make(
            Decision.CONFIRMED,
            (say(language, "confirmed_by_seller"), *(response.problems if response else ())),
            with_lines=chosen,
            edited=applied,
            keep_held=False,
        )
        if _overdue(prior, item.number, settings):
            # Past its deadline (the sync that would expire it had not run): the seller keeps
            # it, so it is confirmed anew — told, with a new deadline — not expired next sync.
            confirmed = evolve(confirmed, reconfirmed=True)
        return confirmed, settled
    if action is SellerAction.CONFIRM and prior is not None and prior.status is Decision.EXPIRED:
        return make(Decision.EXPIRED, prior.problems)
    if action is SellerAction.CANCEL:
        return make(Decision.CANCELLED, keep_held=False)
    if action is SellerAction.REJECT:
        return make(Decision.REJECTED, (say(language, "rejected_by_seller"),), keep_held=False)
    if unmatched and not (prior is not None and prior.status is not Decision.NEEDS_ATTENTION):
        # Held until the seller decides: never a silent new order (SPEC §4.1).
        return make(
            Decision.NEEDS_ATTENTION,
            (say(language, "unmatched", orders=", ".join(unmatched)),),
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
    if prior is not None and prior.status is Decision.CONFIRMED:
        expires = _overdue(prior, item.number, settings)
        if expires is not None:
            when = expires.strftime("%Y-%m-%d %H:%M")
            return make(Decision.EXPIRED, (say(language, "expired", deadline=when),))
        if not changed and not held:
            confirmed_by = action is SellerAction.CONFIRM
            by_seller = (say(language, "confirmed_by_seller"),) if confirmed_by else ()
            return make(
                Decision.CONFIRMED, by_seller + response.problems, keep_held=held is not None
            )
        if changed and response.problems:
            # A change we cannot read: the order keeps what it had; buyer and seller are told.
            order, _ = make(Decision.CONFIRMED, response.problems, with_lines=kept)
            return evolve(order, held=()), True
        if changed and asked == kept:
            return make(Decision.CONFIRMED, keep_held=False)  # changed back: nothing held
        return make(Decision.CONFIRMED)[0], False  # the capacity pass decides
    if (
        prior is not None
        and prior.status in STICKY
        and (not changed or prior.status not in REOPENED_BY_EDIT)
    ):
        return make(prior.status, prior.problems, with_lines=kept or lines)
    if (
        prior is not None
        and prior.status is Decision.WAITLISTED
        and not changed
        and batch is not None
        and batch.stage is not Stage.NONE
    ):
        return make(Decision.WAITLISTED)
    return make(None, with_lines=asked, edited=changed and prior is not None and asked != kept)


def _overdue(prior: PriorOrder | None, number: str, settings: Settings) -> dt.datetime | None:
    """When a confirmed, unpaid order's time to pay ran out, if it has by ``settings.now``."""
    if prior is None or prior.status is not Decision.CONFIRMED or settings.now is None:
        return None
    if payment_seen(prior):
        return None
    expires = expiry_moment(
        settings.deadlines.get(number), settings.reminded.get(number), settings.reminder_hours
    )
    return expires if expires is not None and settings.now >= expires else None


def _change_confirmed(
    order: Order,
    catalog: Catalog,
    used: dict[tuple[str, str], int],
    per_buyer: dict[tuple[str, str, str], int],
    settings: Settings,
) -> Order:
    """A confirmed order whose buyer asked for other items: apply the change if it fits.

    A buyer's edit never costs them what they already had (SPEC §4.1): when the new items do
    not fit (or break the per-buyer limit) the order keeps its confirmed items and the change
    is held; it is applied on a later sync once there is room, or by the seller's `Confirm`.
    """
    response, batch = order.response, order.batch
    if response is None or batch is None:
        return order
    wanted = lines_of(response.quantities, catalog)
    for line in order.lines:
        used[(batch.name, line.product.sku)] -= line.quantity
    over = _over_limit(wanted, batch.name, response.email, per_buyer, settings.language)
    if over or _not_fitting(wanted, batch.name, used, settings.language):
        for line in order.lines:
            used[(batch.name, line.product.sku)] += line.quantity
        return evolve(order, held=wanted, problems=over)  # capacity words: at the end
    for line in wanted:
        used[(batch.name, line.product.sku)] += line.quantity
    return evolve(order, lines=wanted, held=None, edited=True, problems=())


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
    if response is None:
        return evolve(order, status=Decision.NEEDS_ATTENTION)

    def with_status(status: Decision, problems: tuple[str, ...] = ()) -> Order:
        return evolve(order, status=status, problems=problems, held=None)

    if response.problems:
        return with_status(Decision.NEEDS_ATTENTION, response.problems)
    batch = order.batch
    if batch is None:
        upcoming = catalog.next_batch_after(order.submitted) if order.submitted else None
        if upcoming is not None:
            now = settings.now
            key = (
                "before_window_open_now"
                if now is not None and upcoming.contains(now)
                else ("before_window")
            )
            reason = say(
                language,
                key,
                batch=upcoming.name,
                opens=formatting.moment(upcoming.opens, language),
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
    over = _over_limit(order.lines, batch.name, response.email, per_buyer, language)
    if over:
        return with_status(Decision.REJECTED, over)
    short = _not_fitting(order.lines, batch.name, used, language)
    if short:
        return with_status(Decision.WAITLISTED, short)
    if (
        order.prior is not None
        and order.prior.status is Decision.WAITLISTED
        and batch.stage is not Stage.NONE
    ):
        return with_status(Decision.WAITLISTED)
    for line in order.lines:
        used[(batch.name, line.product.sku)] += line.quantity
    return with_status(Decision.CONFIRMED)


def _quantities(lines: tuple[Line, ...]) -> dict[str, int]:
    return {line.product.sku: line.quantity for line in lines}
