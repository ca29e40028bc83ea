"""What a sync writes: every tool tab planned from a :class:`~.decide.Decided`, in the order
that keeps an interrupted write safe, with only the cells that changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import replace
from typing import Any

from openorder_sheets.config import Config
from openorder_sheets.core import cell_diff, ledger, payments
from openorder_sheets.core.layouts import summary_chart, tab_layout
from openorder_sheets.core.memory import (
    SEAL_COLUMN,
    SEAL_TEXT,
    Memory,
    ViewMark,
    cut_short,
    memory_rows,
)
from openorder_sheets.core.orders_tab import last_email_texts, orders_updates
from openorder_sheets.core.public_board import board_rows
from openorder_sheets.core.reports import (
    current_batch,
    materials_rows,
    packing_rows,
    summary_rows,
)
from openorder_sheets.core.statement_tab import (
    payments_rows,
    statement_updates,
)
from openorder_sheets.ports import ColumnSpec, Grid, Seal, TabLayout, TabUpdate
from openorder_sheets.service.decide import VIEW_TABS, Decided, review_figures

#: The order in which tabs are written. What buyers will be told (the `Emails` ledger) and what
#: the tool remembers (its memory tab) land before any view that implies them, so a write cut
#: at any request boundary loses no message and repeats none: the next sync recomputes the
#: same message keys from the same memory and finds them in the ledger.
WRITE_ORDER = (
    "emails",
    "archived",
    "state",
    "orders",
    "statement",
    "payments",
    "public_status",
    "summary",
    "materials_needed",
    "packing",
)


def plan_updates(decided: Decided, now: dt.datetime) -> list[TabUpdate]:
    """Every write the decisions call for, before diffing against the sheet."""
    config = decided.config
    language, currency = config.shop.language, config.shop.currency
    orders_grid = decided.snapshot["orders"]
    columns = decided.order_columns
    updates = orders_updates(
        config.tab("orders"),
        decided.orders,
        orders_grid,
        columns,
        last_email_texts(decided.entries, language),
        tab_layout("orders", language, currency),
        config.shop.name,
        currency,
        language,
        decided.codes,
        decided.order_cells,
        decided.unchanged_rows,
    )

    def add_view(update: TabUpdate) -> None:
        # Fingerprinted as soon as built: an unchanged view (the usual case) is let go before
        # the next one is built (a big shop's views are a row or more per order each).
        kept = _fingerprinted(decided, update)
        if kept is not None:
            updates.append(kept)

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
                _whole_tab_problem(decided),
            )
        )
    if statement_grid is not None or decided.snapshot["payments"] is not None:
        add_view(
            _whole(
                "payments",
                config,
                payments_rows(decided.orders, decided.matches, language),
                tab_layout("payments", language, currency),
            )
        )
    if decided.snapshot["public_status"] is not None or config.shop.status_url:
        add_view(
            _whole(
                "public_status",
                config,
                [list(row) for row in board_rows(decided.orders, decided.catalog, language)],
                tab_layout("public_status", language, currency),
            )
        )
    summary, spans = summary_rows(
        decided.catalog,
        decided.orders,
        language,
        review_figures(decided),
        archived=decided.memory.archive.batches,
    )
    summary_layout = tab_layout("summary", language, currency)
    focus = current_batch(decided.catalog, now)
    if focus is not None and focus.name in spans:
        first, last = spans[focus.name]
        chart = summary_chart(language, focus.name, first, last)
        summary_layout = replace(summary_layout, chart=chart)
    add_view(_whole("summary", config, summary, summary_layout))
    add_view(
        _whole(
            "materials_needed",
            config,
            materials_rows(decided.catalog, decided.orders),
            tab_layout("materials_needed", language, currency),
        )
    )
    add_view(
        _whole(
            "packing",
            config,
            packing_rows(decided.catalog, decided.orders, language, currency),
            tab_layout("packing", language, currency),
        )
    )
    emails_layout = tab_layout("emails", language, currency)
    updates.append(
        TabUpdate(
            config.tab("emails"),
            tuple(range(len(emails_layout.columns))),
            ledger.LedgerRows([spec.header for spec in emails_layout.columns], decided.entries),
            emails_layout,
        )
    )
    # The archived orders' own tab, when they were moved there or it is put right: before
    # the memory, which then stops holding them.
    archived_rows = decided.memory.archive.order_rows()
    if archived_rows is not None:
        updates.append(
            _whole("archived", config, archived_rows, tab_layout("archived", language, currency))
        )
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
    planned = sorted(updates, key=lambda update: rank.get(update.tab, len(rank)))
    if cut_short(decided.snapshot["state"]):
        # Last of all: the views were compared with what they show, and are put right above.
        planned.append(seal_update(config, None))
    return planned


def memory_seal(config: Config) -> Seal:
    """The seal of a write cut short: the memory tab's cell beside its `Data` header."""
    return Seal(config.tab("state"), 0, SEAL_COLUMN, SEAL_TEXT)


def seal_update(config: Config, text: str | None) -> TabUpdate:
    """The write setting the memory tab's seal to ``text``, or emptying it."""
    seal = memory_seal(config)
    layout = TabLayout((ColumnSpec("", width=2),))
    return TabUpdate(seal.tab, (seal.column,), [[text]], layout, seal.row)


def _fingerprinted(decided: Decided, update: TabUpdate) -> TabUpdate | None:
    """A view unchanged since the last write is left out (``None``); a changed one is written
    whole (and padded over the rows it had), and the memory keeps what was written."""
    key = {decided.config.tab(key): key for key in VIEW_TABS}[update.tab]
    mark = ViewMark(_fingerprint(update), len(update.rows))
    before = decided.memory.views.get(key)
    grid = decided.snapshot.get(key)
    decided.memory.views[key] = mark
    if grid is None or grid:  # missing, or read back: the sheet is compared as before
        return update
    if before == mark:
        return None  # exists, and holds what was last written
    width = len(update.columns)
    extra = max((before.rows if before else 0) - mark.rows, 0)
    padding = [[None] * width for _ in range(extra)]
    decided.unread.add(update.tab)
    return replace(update, rows=[*update.rows, *padding], clear_below=False)


#: Rows of a view turned into JSON text at a time when fingerprinting it.
_FINGERPRINT_ROWS = 1000


def _fingerprint(update: TabUpdate) -> str:
    """A digest of the rows as JSON text (``json.dumps`` of the list of rows), fed a thousand
    rows at a time: the same digest as of the whole text, without holding a big view's text
    (nor paying a ``json.dumps`` call per row)."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(b"[")
    rows = update.rows
    for start in range(0, len(rows), _FINGERPRINT_ROWS):
        chunk = [list(row or ()) for row in rows[start : start + _FINGERPRINT_ROWS]]
        text = json.dumps(chunk, default=str, ensure_ascii=False)[1:-1]  # without its [ ]
        digest.update((", " + text if start else text).encode())
    digest.update(b"]")
    return digest.hexdigest()


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


def _whole_tab_problem(decided: Decided) -> str:
    """Why no row of the `Bank statement` tab could be read (no header and columns that
    cannot be told apart), or "" when its rows were read (their own notes say the rest)."""
    if decided.matches or decided.statement_notes or not decided.statement_problems:
        return ""
    return decided.statement_problems[0]


def _whole(
    key: str, config: Config, rows: list[list[Any]], layout: TabLayout, clear: bool = True
) -> TabUpdate:
    header = [spec.header for spec in layout.columns]
    return TabUpdate(
        config.tab(key), tuple(range(len(header))), [header, *rows], layout, 0, clear_below=clear
    )


def changed_cells(
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
