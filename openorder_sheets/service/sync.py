"""One sync: read everything once → decide (pure) → write once → deliver → record deliveries.

This is the only place that sequences the adapters. Reads are one batched request; the first
write carries every tool tab (with new messages `queued`); delivery journals each message
locally; the second write records what was sent. A run with nothing new writes nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from openorder_sheets.adapters.local_journal import Journal, SyncLock
from openorder_sheets.adapters.message import build_message, sender_address
from openorder_sheets.adapters.templates import TemplateError
from openorder_sheets.config import Config
from openorder_sheets.core import cell_diff, ledger, lifecycle, payments, stages
from openorder_sheets.core.announcements import Voice, announcement_emails
from openorder_sheets.core.bank_statements import Statement
from openorder_sheets.core.catalog import read_catalog
from openorder_sheets.core.columns import Columns
from openorder_sheets.core.form import map_form
from openorder_sheets.core.identity import identify
from openorder_sheets.core.labels import STATUS_LABELS, fold, label
from openorder_sheets.core.layouts import summary_chart, tab_layout
from openorder_sheets.core.matching import Match, Outcome
from openorder_sheets.core.memory import (
    ArchivedOrder,
    BatchMemory,
    Memory,
    ViewMark,
    memory_rows,
    read_memory,
)
from openorder_sheets.core.model import (
    Catalog,
    Decision,
    EmailState,
    LedgerEntry,
    Order,
    SellerAction,
)
from openorder_sheets.core.orders_tab import orders_updates, problems_text
from openorder_sheets.core.public_board import board_rows, waitlist_places
from openorder_sheets.core.reports import (
    current_batch,
    materials_rows,
    packing_rows,
    summary_rows,
)
from openorder_sheets.core.responses import read_responses
from openorder_sheets.core.responses_tab import default_responses_tabs, find_responses_tab
from openorder_sheets.core.rules import Settings, decide
from openorder_sheets.core.seller_columns import (
    legacy_priors,
    order_serial,
    read_seller_inputs,
    seller_inputs_from_marks,
)
from openorder_sheets.core.statement_tab import (
    TO_CHECK,
    payments_rows,
    read_statement,
    statement_updates,
)
from openorder_sheets.core.testimonials import Review, per_batch, read_reviews, review_emails
from openorder_sheets.errors import (
    ConfigError,
    SheetChangedDuringSync,
    SheetSetupError,
    TransportFailed,
)
from openorder_sheets.ports import Grid, SheetSnapshot, TabLayout, TabUpdate
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
from openorder_sheets.service.delivery import deliver

#: How many times a sync reads again when the seller saved the workbook during it.
RERUNS_AFTER_SELLER_SAVE = 3
#: A delivery run longer than this also records its progress in the Emails tab as it goes.
CHECKPOINT_SECONDS = 120.0

READ_TABS = (
    "products",
    "materials",
    "batches",
    "responses",
    "state",
    "emails",
    "orders",
    "statement",
    "testimonials",
)
#: Views the sync rewrites whole. They are read back only when the backend cannot list its tabs
#: or the memory has no fingerprint of them yet: otherwise a fingerprint of what was last
#: written (in the memory) says whether they changed. (A cell the seller typed into one of
#: them is put right the next time that view changes; a deleted view is rebuilt at once.)
VIEW_TABS = ("payments", "public_status", "summary", "materials_needed", "packing")
#: The order in which tabs are written. What buyers will be told (the `Emails` ledger) and what
#: the tool remembers (its memory tab) land before any view that implies them, so a write cut
#: at any request boundary loses no message and repeats none: the next sync recomputes the
#: same message keys from the same memory and finds them in the ledger.
WRITE_ORDER = (
    "emails",
    "state",
    "orders",
    "statement",
    "payments",
    "public_status",
    "summary",
    "materials_needed",
    "packing",
)


@dataclass
class Decided:
    """Everything one read and the pure core produced, before anything is written."""

    config: Config
    snapshot: dict[str, Grid | None]
    catalog: Catalog
    orders: list[Order]
    entries: list[LedgerEntry]
    new_keys: list[str]
    memory: Memory
    blocked: frozenset[str] = frozenset()  # addresses the seller stopped all mail to
    ships_told: dict[str, dt.date] = field(default_factory=dict)
    order_columns: Columns | None = None  # where the `Orders` tab's columns are
    order_cells: dict[int, dict[str, Any]] = field(default_factory=dict)  # per order, by id
    matches: list[Match] = field(default_factory=list)  # what each statement credit did
    statement_problems: list[str] = field(default_factory=list)  # rows that cannot be read
    statement_notes: dict[int, str] = field(default_factory=dict)  # rows not taken, and why
    unread: set[str] = field(default_factory=set)  # views written whole, never read back
    catalog_warnings: list[str] = field(default_factory=list)  # cells kept at their last value
    reviews: list[Review] = field(default_factory=list)  # the Testimonials tab
    review_problems: list[str] = field(default_factory=list)

    @property
    def deadlines(self) -> dict[str, dt.datetime]:
        return {o.number: o.deadline for o in self.orders if o.deadline is not None}

    @property
    def codes(self) -> dict[str, int]:
        return {o.number: o.code for o in self.orders if o.code is not None}


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
    responses_tab: str = ""  # the tab the form's answers were read from
    transfers_to_check: int = 0  # Bank statement credits no order was given (see the tab)
    statement_problems: list[str] = field(default_factory=list)  # rows that cannot be read
    setup_warnings: list[str] = field(default_factory=list)  # fix these; the sync went on

    def as_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["now"] = self.now.isoformat()
        return data


def decide_shop(shop: Shop, now: dt.datetime) -> Decided:
    """Read the sheet once and decide every order (no writes, no mail)."""
    config = shop.config
    names = {key: config.tab(key) for key in READ_TABS}
    # The form's answers: the configured tab, else Google's name in either language.
    configured = names["responses"] if "responses" in config.named_tabs else None
    others = [] if configured else list(default_responses_tabs(config.shop.language))
    snapshot = shop.backend.read(list(dict.fromkeys([*names.values(), *others])))
    memory = read_memory(snapshot.tabs.get(names["state"]))
    marks = _view_marks(snapshot, memory)
    view_names = {key: config.tab(key) for key in VIEW_TABS}
    present = {fold(name) for name in snapshot.tab_names or ()}
    orders_grid = snapshot.tabs.get(names["orders"]) or []
    if marks is None and memory is None and snapshot.tab_names is not None and len(orders_grid) < 2:
        marks = {}  # a new shop: its views hold at most their headers, nothing to read back
    if marks is None:  # read the views back once (those that exist), to compare and size them
        wanted = [
            name
            for name in view_names.values()
            if snapshot.tab_names is None or fold(name) in present
        ]
        views = dict.fromkeys(view_names.values())
        if wanted:
            views.update(shop.backend.read(wanted).tabs)
    else:
        views = {name: ([] if fold(name) in present else None) for name in view_names.values()}
    found = find_responses_tab(
        [name for name, grid in snapshot.tabs.items() if grid is not None],
        {name: grid[0] if grid else [] for name, grid in snapshot.tabs.items() if grid},
        configured,
        config.shop.language,
    )
    if found is not None and found != names["responses"]:
        names["responses"] = found
        config = replace(config, tabs={**config.tabs, "responses": found})
    tabs = {key: snapshot.tabs.get(names[key]) for key in READ_TABS}
    tabs.update({key: views.get(view_names[key]) for key in VIEW_TABS})
    zone, language = config.shop.zone, config.shop.language
    catalog_warnings: list[str] = []
    catalog, problems = read_catalog(
        tabs,
        names,
        zone,
        language,
        remembered=memory.products if memory is not None else None,
        warnings=catalog_warnings,
    )
    responses_grid = tabs["responses"]
    if responses_grid is None:
        problems.append(
            f"The spreadsheet has no tab '{names['responses']}' (the form's responses): link "
            "the Google Form to this spreadsheet, or set `tab` under [form] to its name."
        )
        responses_grid = []
    mapping, form_problems = map_form(
        names["responses"],
        responses_grid[0] if responses_grid else [],
        catalog,
        config.form.fields,
        config.form.products,
    )
    if responses_grid:
        problems.extend(form_problems)
    inputs, order_columns, order_problems = read_seller_inputs(
        names["orders"], tabs["orders"], language
    )
    sheet_ledger, ledger_problems = ledger.read_ledger(
        names["emails"], tabs["emails"], zone, language
    )
    problems.extend(order_problems + ledger_problems)
    if problems:
        raise SheetSetupError(problems)
    responses = read_responses(responses_grid, mapping, catalog, zone, language)
    journal = Journal(shop.state_dir).load()
    entries = ledger.merge(sheet_ledger, journal)
    legacy = memory is None
    if memory is None:  # a sheet from before the memory tab: migrate once from its views
        priors = legacy_priors(tabs["orders"], order_columns, inputs, catalog, entries, zone)
        memory = Memory()
    else:
        priors = [
            replace(
                prior,
                seller=inputs.get(prior.number) or seller_inputs_from_marks(prior.seller.marks),
                last_action=seller_inputs_from_marks(prior.seller.marks).action,
            )
            for prior in memory.orders.values()
        ]
    rules = config.rules
    archived = memory.archived
    # Their messages live on in the archive and the local journal: every key still counts as
    # used, but the live `Emails` tab no longer lists them.
    gone_batches = {gone.batch for gone in archived.values()}
    archived_keys = {
        entry.key for entry in entries if _archived_entry(entry, archived, gone_batches)
    }
    entries = [entry for entry in entries if entry.key not in archived_keys]
    identified = identify(
        responses,
        [*priors, *(gone.as_prior() for gone in archived.values())],
        config.shop.order_prefix,
        # Numbers are never reused: the memory holds every order and the last number given.
        # Only a sheet from before the memory reads them from the ledger. (With a memory, a
        # ledger row whose order's memory row did not land yet must get the same number.)
        (entry.order for entry in entries) if legacy else (),
        memory.last_serial,
    )
    # Archived orders claim their form answers (so none becomes a new order) and take no
    # further part: their batch is over and their buyers were told everything.
    identified = [item for item in identified if item.number not in archived]
    deadlines, reminded = payments.clocks(priors, entries, rules.payment_due_hours)
    settings = Settings(
        language,
        names["responses"],
        dt.timedelta(minutes=rules.duplicate_window_minutes),
        now=now,
        deadlines=deadlines,
        reminded=reminded,
        reminder_hours=rules.payment_reminder_hours,
    )
    statement = read_statement(tabs["statement"], language)
    statement = _without_archived(statement, memory.archived, language)
    reviews, review_problems = read_reviews(tabs["testimonials"], language, zone)
    settlement = payments.settle(
        decide(identified, catalog, settings),
        entries,
        due_hours=rules.payment_due_hours,
        unique_code=rules.unique_code,
        currency=config.shop.currency,
        language=language,
        statement=statement.credits,
        prefix=config.shop.order_prefix,
    )
    orders = settlement.orders
    known = {entry.key for entry in entries} | archived_keys
    remembered = {name: batch.ships_told for name, batch in memory.batches.items()}
    told = stages.ship_dates_told(remembered, orders, catalog.batches)
    blocked = frozenset(
        o.email
        for o in orders
        if o.prior is not None and o.prior.seller_action is SellerAction.STOP_EMAILS
    )
    due = [
        *lifecycle.decision_emails(orders),
        *payments.payment_emails(orders, known, now, rules.payment_reminder_hours),
        *stages.stage_emails(orders, known, rules.payment_due_hours > 0),
        *stages.delay_emails(orders, told, known),
        *announcement_emails(
            orders, catalog, now, rules.closing_reminder_hours, known, remembered_voices(archived)
        ),
        *review_emails(orders, entries, now, rules.review_after_days),
    ]
    due = [item for item in due if item.to not in blocked]
    domain = sender_email(config).partition("@")[2]
    entries = ledger.add_due(entries, due, domain)
    new_keys = [entry.key for entry in entries if entry.key not in known]
    next_memory = Memory(
        orders={o.number: lifecycle.remember(o, now) for o in _numbered(orders)},
        batches={
            name: BatchMemory(name, day)
            for name, day in stages.ships_to_remember(told, catalog.batches).items()
        },
        last_serial=max([memory.last_serial, *(order_serial(o.number) for o in orders)], default=0),
        archived=dict(archived),
        products={product.sku: product for product in catalog.products},
    )
    next_memory.views = dict(marks or {})
    return Decided(
        config,
        {k: tabs[k] for k in (*READ_TABS, *VIEW_TABS)},
        catalog,
        orders,
        entries,
        new_keys,
        next_memory,
        blocked,
        told,
        order_columns,
        matches=settlement.matches,
        statement_problems=list(statement.problems),
        statement_notes=dict(statement.notes),
        reviews=reviews,
        review_problems=review_problems,
        catalog_warnings=catalog_warnings,
    )


def _archived_entry(
    entry: LedgerEntry, archived: Mapping[str, ArchivedOrder], batches: set[str]
) -> bool:
    """A message of an archived order, or an announcement of a batch that was archived."""
    if entry.order:
        return entry.order in archived
    return bool(batches) and entry.key.split("/", 1)[0] in batches


def _without_archived(
    statement: Statement, archived: Mapping[str, ArchivedOrder], language: str
) -> Statement:
    """The statement without the transfers that paid archived orders (a file imported again
    after archiving brings them back): they are noted, never matched again."""
    paid = {key: gone.number for gone in archived.values() for key in gone.credits}
    if not paid:
        return statement
    notes = dict(statement.notes)
    credits = []
    for credit in statement.credits:
        number = paid.get(credit.key)
        if number is None:
            credits.append(credit)
        elif credit.row is not None:
            notes[credit.row] = (
                f"sudah dihitung untuk {number} (diarsipkan)"
                if language == "id"
                else f"already counted for {number} (archived)"
            )
    return replace(statement, credits=credits, notes=notes)


def remembered_voices(archived: Mapping[str, ArchivedOrder]) -> list[Voice]:
    """What archived orders told about their buyers, for announcements."""
    return [
        Voice(
            gone.email,
            gone.name,
            gone.submitted,
            gone.answered or gone.submitted,
            gone.opt_in,
            gone.status is Decision.WAITLISTED,
        )
        for gone in archived.values()
        if gone.submitted is not None and gone.email
    ]


def _view_marks(snapshot: SheetSnapshot, memory: Memory | None) -> dict[str, ViewMark] | None:
    """The fingerprints of the views, when the views need not be read back."""
    if snapshot.tab_names is None:
        return None
    if memory is None or not memory.views:
        return None
    return dict(memory.views)


def review_figures(decided: Decided) -> dict[str, tuple[int, Decimal | None]]:
    """Per batch: how many reviews came back, and their average stars."""
    batches = {o.number: o.batch.name for o in decided.orders if o.batch is not None}
    return per_batch(decided.reviews, batches)


def _numbered(orders: list[Order]) -> list[Order]:
    """Orders in the order their numbers were given (the memory tab's row order)."""
    return sorted(orders, key=lambda o: (order_serial(o.number), o.number))


def plan_updates(decided: Decided, now: dt.datetime) -> list[TabUpdate]:
    """Every write the decisions call for, before diffing against the sheet."""
    config = decided.config
    language, currency = config.shop.language, config.shop.currency
    by_order: dict[str, list[LedgerEntry]] = defaultdict(list)
    for entry in decided.entries:
        if entry.order:
            by_order[entry.order].append(entry)
    orders_grid = decided.snapshot["orders"]
    columns = decided.order_columns
    updates = orders_updates(
        config.tab("orders"),
        decided.orders,
        orders_grid,
        columns,
        by_order,
        tab_layout("orders", language, currency),
        config.shop.name,
        currency,
        language,
        decided.codes,
        decided.order_cells,
    )
    statement_grid = decided.snapshot["statement"]
    if statement_grid is not None:
        updates.extend(
            statement_updates(
                config.tab("statement"),
                statement_grid,
                decided.matches,
                tab_layout("statement", language, currency),
                currency,
                language,
                decided.statement_notes,
            )
        )
    if statement_grid is not None or decided.snapshot["payments"] is not None:
        updates.append(
            _whole(
                "payments",
                config,
                payments_rows(decided.orders, decided.matches, language),
                tab_layout("payments", language, currency),
            )
        )
    if decided.snapshot["public_status"] is not None or config.shop.status_url:
        updates.append(
            _whole(
                "public_status",
                config,
                [list(row) for row in board_rows(decided.orders, decided.catalog, language)],
                tab_layout("public_status", language, currency),
            )
        )
    summary, spans = summary_rows(
        decided.catalog, decided.orders, language, review_figures(decided)
    )
    summary_layout = tab_layout("summary", language, currency)
    focus = current_batch(decided.catalog, now)
    if focus is not None and focus.name in spans:
        first, last = spans[focus.name]
        chart = summary_chart(language, focus.name, first, last)
        summary_layout = replace(summary_layout, chart=chart)
    updates.append(_whole("summary", config, summary, summary_layout))
    updates.append(
        _whole(
            "materials_needed",
            config,
            materials_rows(decided.catalog, decided.orders),
            tab_layout("materials_needed", language, currency),
        )
    )
    updates.append(
        _whole(
            "packing",
            config,
            packing_rows(decided.catalog, decided.orders, language, currency),
            tab_layout("packing", language, currency),
        )
    )
    updates.append(
        _whole(
            "emails",
            config,
            ledger.ledger_rows(decided.entries),
            tab_layout("emails", language, currency),
            clear=False,
        )
    )
    updates = _fingerprinted(decided, updates)
    # The memory last: the views' fingerprints were just taken.
    updates.append(
        _whole(
            "state",
            config,
            memory_rows(_with_clocks(decided)),
            tab_layout("state", language, currency),
        )
    )
    rank = {config.tab(key): index for index, key in enumerate(WRITE_ORDER)}
    return sorted(updates, key=lambda update: rank.get(update.tab, len(rank)))


def _fingerprinted(decided: Decided, updates: list[TabUpdate]) -> list[TabUpdate]:
    """Views unchanged since the last write are left out; changed ones are written whole (and
    padded over the rows they had), and the memory keeps what was written."""
    config = decided.config
    by_tab = {config.tab(key): key for key in VIEW_TABS}
    marks = decided.memory.views
    kept: list[TabUpdate] = []
    for update in updates:
        key = by_tab.get(update.tab)
        if key is None:
            kept.append(update)
            continue
        mark = ViewMark(_fingerprint(update), len(update.rows))
        before = marks.get(key)
        grid = decided.snapshot.get(key)
        marks[key] = mark
        if grid is None or grid:  # missing, or read back: the sheet is compared as before
            kept.append(update)
            continue
        if before == mark:
            continue  # exists, and holds what was last written
        width = len(update.columns)
        extra = max((before.rows if before else 0) - mark.rows, 0)
        padding = [[None] * width for _ in range(extra)]
        kept.append(replace(update, rows=[*update.rows, *padding], clear_below=False))
        decided.unread.add(update.tab)
    return kept


def _fingerprint(update: TabUpdate) -> str:
    text = json.dumps([list(row or ()) for row in update.rows], default=str, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _with_clocks(decided: Decided) -> Memory:
    """The memory with each payment clock as delivery left it: a confirmation sent in this
    run starts its deadline, a reminder sent in this run is remembered."""
    by_key = {entry.key: entry for entry in decided.entries}
    due_hours = decided.config.rules.payment_due_hours
    orders = {
        number: payments.stamp_clock(order, by_key, due_hours)
        for number, order in decided.memory.orders.items()
    }
    return replace(decided.memory, orders=orders)


def _whole(
    key: str, config: Config, rows: list[list[Any]], layout: TabLayout, clear: bool = True
) -> TabUpdate:
    header = [spec.header for spec in layout.columns]
    return TabUpdate(
        config.tab(key), tuple(range(len(header))), [header, *rows], layout, 0, clear_below=clear
    )


def _changes(
    updates: list[TabUpdate], current: dict[str, Grid | None], whole: set[str] | None = None
) -> list[TabUpdate]:
    """The updates with what the sheet already holds left out; tabs in ``whole`` (views not
    read back) are written as planned, once."""
    changed = []
    for update in updates:
        if whole and update.tab in whole:
            whole.discard(update.tab)
            changed.append(update)
            current[update.tab] = cell_diff.apply(current, update)
            continue
        diff = cell_diff.changed_only(update, current.get(update.tab))
        if diff is not None:
            changed.append(diff)
            current[update.tab] = cell_diff.apply(current, update)
    return changed


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
    decided = decide_shop(shop, now)
    report = _report(decided, now, dry_run)
    current = {config.tab(key): grid for key, grid in decided.snapshot.items()}
    first = _changes(plan_updates(decided, now), current, decided.unread)
    report.tabs_written = sorted({update.tab for update in first})
    if dry_run:
        return _finish(report, shop)
    shop.backend.write(first)
    emails_tab = config.tab("emails")

    def mirror(so_far: list[LedgerEntry]) -> None:
        # Only runs that send for minutes get here: the Emails tab keeps up, so a replacement
        # machine (with no local journal) repeats at most the last few minutes' messages.
        decided.entries = so_far
        updates = [u for u in plan_updates(decided, now) if u.tab == emails_tab]
        shop.backend.write(_changes(updates, current, decided.unread))

    planned = decided.entries
    entries, tally = deliver(
        decided.entries,
        now,
        config.email.daily_limit,
        _message_builder(shop, decided, now),
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
        _changes(plan_updates(decided, now), current, decided.unread) if entries != planned else []
    )
    shop.backend.write(second)
    report.tabs_written = sorted(set(report.tabs_written) | {u.tab for u in second})
    report.emails_waiting = sum(
        1 for e in entries if e.state in (EmailState.QUEUED, EmailState.DEFERRED)
    )
    _finish(report, shop)
    if report.transport_error:
        failure = TransportFailed(report.transport_error)
        failure.report = report
        raise failure
    return report


def _finish(report: SyncReport, shop: Shop) -> SyncReport:
    counts = getattr(shop.backend, "requests", None)
    if counts is not None:
        report.requests = dict(counts.counts)
    return report


def _message_builder(
    shop: Shop, decided: Decided, now: dt.datetime
) -> Callable[[LedgerEntry], EmailMessage | None]:
    """Renders one ledger entry into the message a buyer receives (None if it cannot be)."""
    config = decided.config
    orders = {order.number: order for order in decided.orders}
    sender = sender_address(config.email.sender_name or config.shop.name, sender_email(config))

    names = {order.email: order.response.name for order in decided.orders if order.response}
    testimonials = shown_testimonials(decided.reviews)
    places = waitlist_places(decided.orders)

    def context(entry: LedgerEntry) -> dict[str, Any] | None:
        order = orders.get(entry.order)
        if order is not None:
            extras = extras_for(
                entry.kind,
                order,
                codes=decided.codes,
                deadlines=decided.deadlines,
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
    summary, _ = summary_rows(decided.catalog, decided.orders, language)
    for row in summary:
        if row[1]:  # product rows have a SKU
            report.fill.append(
                {
                    "batch": row[0],
                    "sku": row[1],
                    "product": row[2],
                    "capacity": row[3],
                    "confirmed": row[4],
                    "waitlisted": row[5],
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
