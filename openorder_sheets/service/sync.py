"""One sync: read everything once → decide (pure) → write once → deliver → record deliveries.

This is the only place that sequences the adapters. Reads are one batched request; the first
write carries every tool tab (with new messages `queued`); delivery journals each message
locally; the second write records what was sent. A run with nothing new writes nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from openorder_sheets.adapters.local_journal import SyncLock
from openorder_sheets.core.labels import STATUS_LABELS, label
from openorder_sheets.core.ledger import days_behind
from openorder_sheets.core.matching import Outcome
from openorder_sheets.core.memory import SEAL_TEXT
from openorder_sheets.core.model import (
    Decision,
    EmailState,
    LedgerEntry,
)
from openorder_sheets.core.orders_tab import problems_text
from openorder_sheets.core.reports import (
    ProductFill,
    product_fill,
)
from openorder_sheets.core.statement_tab import (
    TO_CHECK,
)
from openorder_sheets.errors import (
    SheetChangedDuringSync,
    TransportFailed,
)
from openorder_sheets.ports import SealedWrites, TabUpdate
from openorder_sheets.service.composition import Shop
from openorder_sheets.service.decide import Decided, decide_shop
from openorder_sheets.service.delivery import deliver
from openorder_sheets.service.messages import message_builder
from openorder_sheets.service.tab_plan import (
    changed_cells,
    memory_seal,
    plan_updates,
    seal_update,
)

#: How many times a sync reads again when the seller saved the workbook during it.
RERUNS_AFTER_SELLER_SAVE = 3
#: A delivery run longer than this also records its progress in the Emails tab as it goes.
CHECKPOINT_SECONDS = 120.0


@dataclass
class SyncReport:
    """What a sync did (or, with ``dry_run``, would do): for the CLI's summary and ``--json``."""

    now: dt.datetime
    dry_run: bool
    language: str
    by_status: dict[str, int] = field(default_factory=dict)
    fill: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    emails_new: list[dict[str, str]] = field(default_factory=list)
    emails_sent: int = 0
    emails_deferred: int = 0
    emails_failed: int = 0
    emails_waiting: int = 0
    tabs_written: list[str] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    transport_error: str = ""
    quota_reached: bool = False  # the mail provider's daily quota ended the run
    #: Days the tool's own daily limit holds back the last message waiting (0: none held).
    days_behind: int = 0
    responses_tab: str = ""  # the tab the form's answers were read from
    transfers_to_check: int = 0  # Bank statement credits no order was given (see the tab)
    statement_problems: list[str] = field(default_factory=list)  # rows that cannot be read
    setup_warnings: list[str] = field(default_factory=list)  # fix these; the sync went on

    def as_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["now"] = self.now.isoformat()
        return data


def run_sync(
    shop: Shop, now: dt.datetime, *, dry_run: bool = False, lock_wait: float = 5.0
) -> SyncReport:
    """The main job: decide, write, deliver, record. ``now`` is the instant to decide as of.

    A dry run changes nothing and takes no lock; a real run waits up to ``lock_wait`` seconds
    for another sync of the same shop on this machine, then gives up (exit 5).
    """
    with _collector_paused():
        if dry_run:
            return _run(shop, now, dry_run=True)
        with SyncLock(shop.state_dir, lock_wait):
            reruns = 0
            while True:
                try:
                    return _run(shop, now, dry_run=False)
                except SheetChangedDuringSync:
                    # The seller saved the file between our read and our write: nothing was
                    # written, their version stands; read it again and decide again.
                    reruns += 1
                    if reruns > RERUNS_AFTER_SELLER_SAVE:
                        raise


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a sync.

    A big shop is millions of long-lived objects (cells, rows, orders) and the default
    thresholds make the collector walk all of them again every few thousand allocations: a
    quarter of a 10,000-order sync went there. A sync makes little cyclic garbage, so the
    collector rests until the sync is over.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _run(shop: Shop, now: dt.datetime, *, dry_run: bool) -> SyncReport:
    config = shop.config
    decided = decide_shop(shop, now, lean=True)
    report = _report(decided, now, dry_run)
    current = {config.tab(key): grid for key, grid in decided.snapshot.items()}
    first = changed_cells(plan_updates(decided, now), current, decided.unread)
    report.tabs_written = sorted({update.tab for update in first})
    if dry_run:
        return _finish(report, shop)
    _write(shop, first)
    emails_tab = config.tab("emails")

    mirrored = False

    def mirror(so_far: list[LedgerEntry]) -> None:
        # Only runs that send for minutes get here: the Emails tab keeps up, so a replacement
        # machine (with no local journal) repeats at most the last few minutes' messages.
        # Sealed: until the last write, `Orders` says these messages wait; a run that stops
        # first leaves the seal, and the next sync checks the rows instead of trusting them.
        # The seal goes first (a mirror of a big ledger can take several requests itself),
        # and once: it stays set until the last write.
        nonlocal mirrored
        decided.entries = so_far
        updates = [u for u in plan_updates(decided, now) if u.tab == emails_tab]
        seal = [] if mirrored else [seal_update(config, SEAL_TEXT)]
        shop.backend.write([*seal, *changed_cells(updates, current, decided.unread)])
        mirrored = True

    planned = decided.entries
    entries, tally = deliver(
        decided.entries,
        now,
        config.email.daily_limit,
        message_builder(shop, decided, now),
        shop.state_dir,
        shop.make_transport,
        checkpoint=mirror,
        checkpoint_seconds=CHECKPOINT_SECONDS,
    )
    report.emails_sent, report.emails_deferred = tally.sent, tally.deferred
    report.emails_failed, report.transport_error = tally.failed, tally.transport_error
    report.quota_reached = tally.quota_reached
    decided.entries = entries
    # Nothing delivered (a re-sync, the day's limit reached): the plan would be the first one.
    second = (
        changed_cells(plan_updates(decided, now), current, decided.unread)
        if entries != planned
        else []
    )
    if mirrored:
        second.append(seal_update(config, None))
    _write(shop, second)
    report.tabs_written = sorted(set(report.tabs_written) | {u.tab for u in second})
    report.emails_waiting = sum(
        1 for e in entries if e.state in (EmailState.QUEUED, EmailState.DEFERRED)
    )
    report.days_behind = days_behind(entries, now, config.email.daily_limit)
    _finish(report, shop)
    if report.transport_error:
        failure = TransportFailed(report.transport_error)
        failure.report = report
        raise failure
    return report


def _write(shop: Shop, updates: list[TabUpdate]) -> None:
    """The plan written; where it may take several requests, sealed in the memory tab (a cut
    between the memory and the views leaves the seal, and the next sync checks the views)."""
    backend = shop.backend
    if isinstance(backend, SealedWrites):
        backend.write_sealed(updates, memory_seal(shop.config))
    else:
        backend.write(updates)


def _finish(report: SyncReport, shop: Shop) -> SyncReport:
    counts = getattr(shop.backend, "requests", None)
    if counts is not None:
        report.requests = dict(counts.counts)
    return report


def _report(decided: Decided, now: dt.datetime, dry_run: bool) -> SyncReport:
    language = decided.config.shop.language
    report = SyncReport(now=now, dry_run=dry_run, language=language)
    report.responses_tab = decided.config.tab("responses")
    look_at = {*TO_CHECK, Outcome.AGAIN}
    report.transfers_to_check = sum(1 for m in decided.matches if m.outcome in look_at)
    report.statement_problems = list(decided.statement_problems)
    report.setup_warnings = [*decided.catalog_warnings, *decided.review_problems]
    counts = Counter(order.status for order in decided.orders)
    report.by_status = {
        label(STATUS_LABELS, status.value, language): counts[status]
        for status in Decision
        if counts[status]
    }
    fill = product_fill(decided.orders)
    for batch in sorted(decided.catalog.batches, key=lambda b: b.opens):
        for product in decided.catalog.products:
            tally = fill.get((batch.name, product.sku), ProductFill())
            if not product.active and not tally.confirmed and not tally.waitlisted:
                continue
            report.fill.append(
                {
                    "batch": batch.name,
                    "sku": product.sku,
                    "product": product.name,
                    "capacity": product.capacity,
                    "confirmed": tally.confirmed,
                    "waitlisted": tally.waitlisted,
                }
            )
    for order in decided.orders:
        not_confirmed = order.problems and order.status.value in (
            "needs_attention",
            "waitlisted",
            "rejected",
            "duplicate",
        )
        if not_confirmed or order.held is not None or order.seller_problems:
            report.problems.append(
                {
                    "order": order.number,
                    "status": label(STATUS_LABELS, order.status.value, language),
                    "row": order.response.row if order.response else None,
                    "problems": list(problems_text(order, language)),
                    # New this sync (cron's --quiet prints only these, not the same every run).
                    "new": order.prior is None
                    or order.prior.status is not order.status
                    or order.prior.problems != order.problems
                    or order.refused,
                }
            )
    by_key = {entry.key: entry for entry in decided.entries}
    report.emails_new = [
        {"kind": by_key[key].kind, "to": by_key[key].to, "order": by_key[key].order}
        for key in decided.new_keys
    ]
    return report
