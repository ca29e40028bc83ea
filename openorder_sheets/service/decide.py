"""Read the sheet once and decide every order: the first half of a sync, with no writes.

``decide_shop`` is also what `status`, `doctor`, `preview` and `archive` use to see the shop as
the next sync would. Everything it returns (:class:`Decided`) is plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from openorder_sheets.adapters.answer_cache import AnswerCache, code_version
from openorder_sheets.adapters.local_journal import Journal
from openorder_sheets.config import Config
from openorder_sheets.core import cells, ledger, lifecycle, payments, stages
from openorder_sheets.core.announcements import Voice, announcement_emails
from openorder_sheets.core.bank_statements import Statement
from openorder_sheets.core.catalog import read_catalog
from openorder_sheets.core.cell_diff import comparable
from openorder_sheets.core.columns import Columns, find_columns, header_keys
from openorder_sheets.core.form import map_form
from openorder_sheets.core.identity import SAME_MOMENT, Identified, identify
from openorder_sheets.core.labels import fold
from openorder_sheets.core.layouts import TAB_COLUMNS
from openorder_sheets.core.matching import Match
from openorder_sheets.core.memory import (
    Archive,
    ArchivedOrder,
    BatchMemory,
    Memory,
    ViewMark,
    archived_voices,
    read_memory,
)
from openorder_sheets.core.model import (
    Catalog,
    EmailKind,
    LedgerEntry,
    Order,
    Response,
    SellerAction,
    evolve,
)
from openorder_sheets.core.orders_tab import last_email_texts, order_values, witness
from openorder_sheets.core.responses import read_responses_known, reading_context
from openorder_sheets.core.responses_tab import default_responses_tabs, find_responses_tab
from openorder_sheets.core.rules import Settings, decide
from openorder_sheets.core.seller_columns import (
    UNREAD_ORDER_COLUMNS,
    WITNESS_COLUMN,
    legacy_priors,
    order_serial,
    read_seller_inputs,
    row_fingerprint,
    same_row,
    seller_inputs_from_marks,
)
from openorder_sheets.core.statement_tab import (
    paid_rows,
    read_statement,
)
from openorder_sheets.core.testimonials import Review, per_batch, read_reviews, review_emails
from openorder_sheets.errors import (
    SheetSetupError,
)
from openorder_sheets.ports import ColumnSkipping, FormLinked, Grid, SheetBackend, SheetSnapshot
from openorder_sheets.service.composition import Shop
from openorder_sheets.service.context import (
    sender_email,
)

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
    #: Orders whose `Orders` row holds what the tool would write (by id; their cells are not
    #: kept): the `Last email` text that row shows.
    unchanged_rows: dict[int, str] = field(default_factory=dict)
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


def decide_shop(shop: Shop, now: dt.datetime, *, lean: bool = False) -> Decided:
    """Read the sheet once and decide every order (no writes, no mail).

    With ``lean`` (a sync), a backend that can skip columns does not read back the tool's own
    `Orders` cells nor the `Emails` cells that follow from the key: ``snapshot`` then holds
    them as the tool last wrote them, which is all a sync compares against. Without it (the
    archive, which copies whole rows) every tab is read whole."""
    config = shop.config
    names = {key: config.tab(key) for key in READ_TABS}
    # The form's answers: the configured tab, else Google's name in either language.
    configured = names["responses"] if "responses" in config.named_tabs else None
    others = [] if configured else list(default_responses_tabs(config.shop.language))
    domain = sender_email(config).partition("@")[2]
    wanted = list(dict.fromkeys([*names.values(), *others]))
    answers = AnswerCache(shop.state_dir)
    rows_from = answers.rows_from()  # read with the answers: one parse of the file
    snapshot = _read(shop.backend, wanted, names, rows_from) if lean else shop.backend.read(wanted)
    memory = read_memory(snapshot.tabs.get(names["state"]))
    if memory is not None and memory.archive.unknown:
        read_archived_orders(shop, memory.archive, snapshot.tab_names)
    snapshot = _whole_where_needed(shop.backend, snapshot, names, memory, domain, config)
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
    context = reading_context(mapping, catalog, zone, language, code_version())
    read_before = answers.load(context, zone)
    responses, read_now = read_responses_known(
        responses_grid, mapping, catalog, zone, language, read_before
    )
    # The answers of archived orders at the top of a Google form's tab were left unread.
    unread = snapshot.rows_from.get(names["responses"], 0)
    journal = Journal(shop.state_dir).load()
    entries = ledger.merge(sheet_ledger, journal)
    legacy = memory is None
    if memory is None:  # a sheet from before the memory tab: migrate once from its views
        by_row = {response.row: response for response in responses}
        credits = read_statement(tabs["statement"], language).credits
        priors = legacy_priors(
            tabs["orders"],
            order_columns,
            inputs,
            catalog,
            entries,
            zone,
            by_row,
            credits,
            paid_rows(tabs["statement"]),
        )
        memory = Memory()
    else:
        priors = [
            evolve(
                prior,
                seller=inputs.get(prior.number) or seller_inputs_from_marks(prior.seller.marks),
                last_action=seller_inputs_from_marks(prior.seller.marks).action,
            )
            for prior in memory.orders.values()
        ]
    rules = config.rules
    archive = memory.archive

    def archived_orders() -> dict[str, ArchivedOrder]:
        read_archived_orders(shop, archive, snapshot.tab_names)
        return archive.orders()

    # The archived orders themselves are unpacked only when something needs them (`Archive`).
    archived: Mapping[str, ArchivedOrder] = {}
    # Their messages live on in the archive and the local journal: every key still counts as
    # used, but the live `Emails` tab no longer lists them. Only a message of an order the
    # memory does not hold live can be one of theirs.
    gone_batches = archive.batches
    if archive and any(e.order and e.order not in memory.orders for e in entries):
        archived = archived_orders()
    archived_keys = {
        entry.key for entry in entries if _archived_entry(entry, archived, gone_batches)
    }
    entries = [entry for entry in entries if entry.key not in archived_keys]

    answers_stay = form_answers_stay(shop.backend)

    def identified_in(responses: list[Response], unread: int) -> list[Identified]:
        """The answers matched to orders; archived orders whose answers sit in the rows left
        unread (``unread``) take no part: a year of them would cost every sync. Where the
        archive deleted their answers, their rows say nothing any more (others moved up into
        them): they claim an answer by its buyer and time only."""
        gone = [g for g in archived.values() if not _in_rows_unread(g, unread)]
        return identify(
            responses,
            [
                *priors,
                *(
                    g.as_prior() if answers_stay else replace(g.as_prior(), response_row=None)
                    for g in gone
                ),
            ],
            config.shop.order_prefix,
            # Numbers are never reused: the memory holds every order and the last number
            # given. Only a sheet from before the memory reads them from the ledger. (With a
            # memory, a ledger row whose order's memory row did not land yet must get the same
            # number.)
            (entry.order for entry in entries) if legacy else (),
            memory.last_serial,
            closed=archived.keys(),
        )

    identified = identified_in(responses, unread)
    if archive and not archived and _may_be_archived(identified, archive.newest):
        # An answer as old as the archive: it may be an archived order's (pasted back, or
        # the first read of a Google form's tab whose top rows are theirs), never a new one.
        archived = archived_orders()
        if not archived:  # their tab was deleted: deciding now would take them for new
            name = config.tab("archived")
            raise SheetSetupError(
                [
                    f"The hidden tab '{name}' (the tool's record of {len(archive):,} archived "
                    "orders) is missing and the form's tab holds answers as old as them: "
                    "restore that tab from the spreadsheet's version history (or a copy of "
                    "the file), then sync again — nothing was sent."
                ]
            )
        identified = identified_in(responses, unread)
    if unread and _rows_moved(identified, archived, unread):
        identified = identified_in(responses, 0)
    if unread and any(i.response is None and i.number not in archived for i in identified):
        # A live order's answer is not in the rows read (rows above it were deleted, or the
        # tab sorted): read every answer and decide from those.
        responses_grid = shop.backend.read([names["responses"]]).tabs.get(names["responses"])
        responses, read_now = read_responses_known(
            responses_grid or [], mapping, catalog, zone, language, read_before
        )
        unread = 0
        if archive and not archived:
            archived = archived_orders()
        identified = identified_in(responses, 0)
    first_live = _first_live_row(identified, archived, unread)
    if read_now.keys() != read_before.keys() or (names["responses"], first_live) != rows_from:
        answers.save(context, read_now, (names["responses"], first_live))
    if lean:  # a sync needs the answers read, not their cells (a big form's cells: 100s of MB)
        for grid in (tabs["responses"], responses_grid):
            del (grid or [])[1:]
    del read_before, read_now
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
    if archive.credit_day is not None and any(
        credit.key.split(" ", 1)[0] <= archive.credit_day for credit in statement.credits
    ):  # a transfer as old as those that paid archived orders may be one of them
        statement = _without_archived(statement, archived_orders(), language)
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
    entries = stages.delay_orders(entries, orders)
    if fold(names["emails"]) in {fold(tab) for tab in snapshot.skipped}:
        _delay_orders_as_shown(tabs["emails"], entries, language)
    known = {entry.key for entry in entries} | archived_keys
    remembered = {name: batch.ships_told for name, batch in memory.batches.items()}
    told = stages.ship_dates_told(remembered, orders, catalog.batches)
    blocked = (
        frozenset(
            o.email
            for o in orders
            if o.prior is not None and o.prior.seller_action is SellerAction.STOP_EMAILS
        )
        | archive.stopped
    )
    due = [
        *lifecycle.decision_emails(orders),
        *payments.payment_emails(orders, known, now, rules.payment_reminder_hours),
        *stages.stage_emails(orders, known, rules.payment_due_hours > 0),
        *stages.delay_emails(orders, told, known),
        *announcement_emails(
            orders,
            catalog,
            now,
            rules.closing_reminder_hours,
            known,
            _voices(archive, catalog, now, archived_orders),
        ),
        *review_emails(orders, entries, now, rules.review_after_days),
    ]
    due = [item for item in due if item.to not in blocked]
    entries = ledger.add_due(entries, due, domain)
    new_keys = [entry.key for entry in entries if entry.key not in known]
    next_memory = Memory(
        orders={o.number: lifecycle.remember(o, now) for o in _numbered(orders)},
        batches={
            name: BatchMemory(name, day)
            for name, day in stages.ships_to_remember(told, catalog.batches).items()
        },
        last_serial=max([memory.last_serial, *(order_serial(o.number) for o in orders)], default=0),
        archive=archive,
        products={product.sku: product for product in catalog.products},
    )
    next_memory.views = dict(marks or {})
    # The fingerprints spare a backend that can leave columns unread reading them back; a
    # workbook is read whole anyway (one moved to Google reads `Orders` whole once).
    skipping = isinstance(shop.backend, ColumnSkipping)
    orders_unread = fold(names["orders"]) in {fold(tab) for tab in snapshot.skipped}
    cells_of = _order_cells(orders, config, skipping, memory.shown if orders_unread else None)
    next_memory.shown = {
        o.number: cells_of.fingerprints[id(o)]
        for o in orders
        if o.number in next_memory.orders and id(o) in cells_of.fingerprints
    }
    unchanged: dict[int, str] = {}
    if orders_unread:
        # What the rows show follows from the `Emails` tab as read, not from this machine's
        # journal: a delivery whose write did not land is in the journal alone, and the rows
        # still say its message is waiting.
        # (No copy of a big ledger unless a delay notice needs its order worked out.)
        as_read: Iterable[LedgerEntry] = (
            (entry for entry in sheet_ledger if entry.key not in archived_keys)
            if archived_keys
            else sheet_ledger
        )
        if any(e.kind == EmailKind.BATCH_DELAYED and not e.order for e in sheet_ledger):
            # The order each delay notice was about, as the ledger (journal included) and so
            # the `Emails` tab have it; worked out afresh it could name another order once
            # the first one stopped being confirmed, and that row would be rewritten for ever.
            about = {e.key: e.order for e in entries if e.kind == EmailKind.BATCH_DELAYED}
            as_read = stages.delay_orders(
                [
                    replace(e, order=about[e.key])
                    if not e.order and about.get(e.key) and e.kind == EmailKind.BATCH_DELAYED
                    else e
                    for e in as_read
                ],
                orders,
            )
        tabs["orders"], unchanged = _orders_as_shown(
            shop,
            names["orders"],
            tabs["orders"],
            order_columns,
            orders,
            cells_of,
            memory,
            as_read,
        )
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
        order_cells=cells_of.cells,
        unchanged_rows=unchanged,
    )


def _read(
    backend: SheetBackend,
    tabs: list[str],
    names: Mapping[str, str],
    rows_from: tuple[str, int] | None,
) -> SheetSnapshot:
    """The one read of a sync. A backend that can skip columns leaves out the ones that follow
    from what the tool remembers: the tool's own `Orders` columns (fingerprinted in the memory)
    and the `Emails` columns that follow from each key. Where the tool last put them is where
    its layout puts them; a tab whose header says otherwise is read again whole. Of the form's
    tab it leaves out the answers of archived orders at the top (``rows_from``: that tab and its
    first row that is not one, as the last sync found them)."""
    if not isinstance(backend, ColumnSkipping):
        return backend.read(tabs)
    return backend.read_skipping(
        tabs,
        {
            names["orders"]: _positions("orders", UNREAD_ORDER_COLUMNS),
            names["emails"]: _positions("emails", ledger.DERIVED_COLUMNS),
        },
        dict([rows_from]) if rows_from is not None and rows_from[0] in tabs else None,
    )


def _in_rows_unread(gone: ArchivedOrder, unread: int) -> bool:
    """Whether an archived order's answer was in the form's rows left unread (sheet rows 2 to
    ``unread``; none when ``unread`` is 0)."""
    return gone.response_row is not None and gone.response_row <= unread


def _may_be_archived(identified: list[Identified], newest: dt.datetime | None) -> bool:
    """Whether an answer taken for a new order is no newer than the newest archived answer
    (or has no time): only then can it be an archived order's."""
    return any(
        item.prior is None
        and item.response is not None
        and (
            newest is None
            or item.response.timestamp is None
            or item.response.timestamp <= newest + SAME_MOMENT
        )
        for item in identified
    )


def _rows_moved(
    identified: list[Identified], archived: Mapping[str, ArchivedOrder], unread: int
) -> bool:
    """Whether the rows may have moved since the archived answers were left unread, so one of
    them could be among the rows read: a live order found on another row, or an answer taken
    for a new order that is no newer than the newest archived answer left out. Then every
    archived order must claim its answer again."""
    left_out = [g for g in archived.values() if _in_rows_unread(g, unread)]
    newest = max(
        (when for g in left_out if (when := g.answered or g.submitted) is not None), default=None
    )
    for item in identified:
        response, prior = item.response, item.prior
        if response is None:
            continue
        if prior is not None and prior.response_row != response.row:
            return True
        if prior is None and (
            response.timestamp is None or (newest is not None and response.timestamp <= newest)
        ):
            return True
    return False


def _first_live_row(
    identified: list[Identified], archived: Mapping[str, ArchivedOrder], unread: int
) -> int:
    """The first 0-based row under the form's header that is not an archived order's answer
    (rows above ``unread`` were not read: they were such answers, and the live orders' answers
    were all found below them)."""
    taken = {
        item.response.row
        for item in identified
        if item.number in archived and item.response is not None
    }
    row = 2  # the sheet's row number of the first answer
    while row in taken or row <= unread:
        row += 1
    return row - 1


def _positions(tab_key: str, keys: tuple[str, ...]) -> frozenset[int]:
    return frozenset(TAB_COLUMNS[tab_key].index(key) for key in keys)


def _whole_where_needed(
    backend: SheetBackend,
    snapshot: SheetSnapshot,
    names: Mapping[str, str],
    memory: Memory | None,
    domain: str,
    config: Config,
) -> SheetSnapshot:
    """The snapshot with each tab read in part either completed from what the tool knows, or
    read again whole: when the seller moved or renamed the columns left out, when the `Emails`
    tab holds a key the tool did not write, or when there is no memory yet to know the
    `Orders` rows by (a sheet from before the memory: its views are read to migrate)."""
    if not snapshot.skipped:
        return snapshot
    tabs = dict(snapshot.tabs)
    skipped = dict(snapshot.skipped)
    language = config.shop.language
    for tab_key in ("orders", "emails"):
        name = names[tab_key]
        grid = tabs.get(name)
        if name not in skipped:
            continue
        whole = grid is None or not _in_place(grid, tab_key, skipped[name])
        if tab_key == "orders" and not whole:
            whole = memory is None and len(grid or ()) > 1
        if tab_key == "emails" and not whole and grid:
            found, _ = find_columns(name, grid[:1], (), ledger.EMAIL_COLUMNS, language)
            # A sheet from before the memory numbers its orders from the `Order` cells.
            whole = (memory is None and len(grid) > 1) or not ledger.fill_derived(
                grid, found.index, domain
            )
        if whole:
            del skipped[name]
            if grid is not None:
                tabs[name] = backend.read([name]).tabs.get(name)
    return replace(snapshot, tabs=tabs, skipped=skipped)


def _delay_orders_as_shown(grid: Grid | None, entries: list[LedgerEntry], language: str) -> None:
    """Put into the `Emails` rows read without `Order` the order each `batch_delayed` was
    found to be about (the tool wrote that order there; other rows have it from their key)."""
    found = {e.key: e.order for e in entries if e.kind == EmailKind.BATCH_DELAYED}
    if not grid or not found:
        return
    columns, _ = find_columns("", grid[:1], (), ledger.EMAIL_COLUMNS, language)
    key_at, order_at = columns.index.get("key"), columns.index.get("order")
    if key_at is None or order_at is None:
        return
    for row in grid[1:]:
        key = cells.text(row[key_at]) if key_at < len(row) else ""
        if key in found and order_at < len(row):
            row[order_at] = found[key]


def _in_place(grid: Grid, tab_key: str, skipped: frozenset[int]) -> bool:
    """Whether each column left unread is where the tool's layout puts it (header checked)."""
    header = grid[0] if grid else []
    keys = TAB_COLUMNS[tab_key]
    for position in skipped:
        expected = header_keys([keys[position]])
        cell = header[position] if position < len(header) else None
        if fold(cells.text(cell)) not in expected:
            return False
    return True


@dataclass
class _OrderCells:
    """The `Orders` cells of each order (by id), and, for a backend that leaves them unread,
    each row's fingerprint. The cells of a row that may be as the
    tool last wrote it are not kept (a big shop's rows are mostly such): :meth:`of` builds
    them again when one is needed after all."""

    config: Config
    cells: dict[int, dict[str, Any]]
    fingerprints: dict[int, str]
    maybe_same: set[int]

    def of(self, order: Order) -> dict[str, Any]:
        found = self.cells.get(id(order))
        if found is None:
            found = self.cells[id(order)] = _cells(order, self.config)
        return found


def _cells(order: Order, config: Config) -> dict[str, Any]:
    shop = config.shop
    return order_values(order, (), shop.name, shop.currency, shop.language, order.code)


def _order_cells(
    orders: list[Order], config: Config, skipping: bool, shown: Mapping[str, str] | None
) -> _OrderCells:
    """Each order's cells of the `Orders` tab, computed once per sync; with ``skipping``, each
    row's fingerprint too. With ``shown`` (the fingerprints of the rows as last
    written, when the tool's columns were left unread), the cells of a row whose fingerprint
    is unchanged are let go once fingerprinted."""
    found = _OrderCells(config, {}, {}, set())
    for order in orders:
        values = _cells(order, config)
        if skipping:
            print_ = row_fingerprint(values)
            remembered = shown.get(order.number) if shown is not None else None
            if remembered == print_:
                print_ = remembered  # the memory's own string: kept once, not twice
            found.fingerprints[id(order)] = print_
            row = order.prior.sheet_row if order.prior is not None else None
            if (
                shown is not None
                and row is not None
                and order.response is not None
                and same_row(remembered, print_)
            ):
                found.maybe_same.add(id(order))
                continue
        found.cells[id(order)] = values
    return found


def _orders_as_shown(
    shop: Shop,
    name: str,
    grid: Grid | None,
    columns: Columns | None,
    orders: list[Order],
    cells_of: _OrderCells,
    memory: Memory,
    entries: Iterable[LedgerEntry],
) -> tuple[Grid | None, dict[int, str]]:
    """The `Orders` grid read without the tool's columns, and the rows (by order id) that
    hold what the tool last wrote, with the `Last email` they show: their fingerprint says so
    and no sort moved them. Those rows' unread cells stay empty in the grid: the plan leaves
    such a row alone, or writes it whole. A row whose cells changed is left blank there too,
    so the sync writes it.

    Some rows need the sheet's own cells: an order without a fingerprint (a memory an older
    version wrote), and an order whose form answer is gone (the tool keeps its name, email
    and WhatsApp cells as they were, and cannot know them unread; written again for a new
    `Last email`, they would be blanked). Then the tab is read again whole, once, with
    every order's cells kept."""
    if grid is None or columns is None:
        return grid, {}
    last_emails = last_email_texts(entries, shop.config.shop.language)
    astray = _astray(grid, columns, orders)
    unchanged: dict[int, str] = {}
    for order in orders:
        row = order.prior.sheet_row if order.prior is not None else None
        if row is None:
            continue
        if id(order) in cells_of.maybe_same and order.number not in astray:
            unchanged[id(order)] = last_emails.get(order.number, "")
            continue
        cells_of.of(order)  # its row is written: its cells are needed
        if order.response is None or memory.shown.get(order.number) is None:
            for every in orders:
                cells_of.of(every)
            return shop.backend.read([name]).tabs.get(name), {}
    return grid, unchanged


def _astray(grid: Grid, columns: Columns, orders: list[Order]) -> set[str]:
    """Orders whose row may not hold the cells the tool last wrote for them.

    Each row the tool writes carries its order's `Response row`. A row whose `Response row`
    is not its order's holds another order's cells (the seller sorted the tab while the tool
    wrote it): both that row's order and the order those cells were written for are
    rewritten."""
    by_witness: dict[object, str] = {}
    at_row: dict[int, tuple[str, object]] = {}
    for order in orders:
        written = witness(order)
        if written is not None:
            by_witness[comparable(written)] = order.number
        row = order.prior.sheet_row if order.prior is not None else None
        if row is not None:
            at_row[row] = (order.number, comparable(written) if written is not None else None)
    astray: set[str] = set()
    for index, cells_ in enumerate(grid[1:], start=1):
        cell = comparable(columns.get(cells_, WITNESS_COLUMN))
        number, expected = at_row.get(index, ("", None))
        if expected is not None and cell != expected:
            astray.add(number)
        if cell != "" and cell != expected:
            owner = by_witness.get(cell)
            if owner is not None:
                astray.add(owner)
    return astray


def _archived_entry(
    entry: LedgerEntry, archived: Mapping[str, ArchivedOrder], batches: frozenset[str]
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


def _voices(
    archive: Archive,
    catalog: Catalog,
    now: dt.datetime,
    orders_of: Callable[[], Mapping[str, ArchivedOrder]],
) -> list[Voice]:
    """What archived orders told about their buyers, for the batch open now: one voice per
    buyer, unless that batch opened before an archived order was submitted (then each order's,
    as `audience` leaves out what came later)."""
    batch = catalog.batch_at(now)
    if batch is None or not archive:
        return []
    last = archive.last_submitted
    if last is None or last < batch.opens:
        return archive.voices()
    return archived_voices(orders_of())


def form_answers_stay(backend: SheetBackend) -> bool:
    """Whether archived orders' form answers stay in the form's tab: a linked Google Form's tab
    is left as it is; elsewhere `openorder archive` moves them out with their orders."""
    return isinstance(backend, FormLinked) and backend.form_answers_stay


def read_archived_orders(
    shop: Shop, archive: Archive, tab_names: Collection[str] | None = None
) -> None:
    """Read the archived orders' own tab into ``archive``, unless it was read already: one
    more read, made only when something needs the orders (``tab_names``: the spreadsheet's
    tabs, when known, so a shop that never archived is not asked for a tab it lacks)."""
    if not archive.unread:
        return
    name = shop.config.tab("archived")
    if tab_names is not None and fold(name) not in {fold(tab) for tab in tab_names}:
        archive.take(None)
        return
    archive.take(shop.backend.read([name]).tabs.get(name))


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
