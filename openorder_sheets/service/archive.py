"""`openorder archive [BATCH…]`: move finished batches out of the live tabs.

A batch is finished when its `Stage` is Shipped or Cancelled, none of its orders is still owed
money, and nothing is left to tell its buyers (no message waiting, reviews asked or too old to
ask). Its orders, their `Emails` rows, the `Bank statement` rows that paid them and (on a
workbook) their form answers go to the archive — a workbook beside the shop, or the Google
spreadsheet named under `[archive]` — and leave the live tabs, so the spreadsheet stays small
and every sync reads less. Orders in no batch (answers sent outside every batch's window,
rejected and told so) leave with the first archived batch that closed after them.

In three steps, each safe to repeat, so a run killed anywhere loses nothing and the next run
finishes it:

1. append the rows to the archive (rows already there are not added again);
2. record in the tool's memory that those orders are archived (their records into the hidden
   `openorder archive` tab first, then the memory tab) — from here on syncs leave them alone:
   their answers are never taken for new orders, their numbers never given again, their
   buyers' opt-ins still count for announcements;
3. delete the rows from the live tabs;
4. move those orders' records out of the local delivery journal (every sync reads it whole),
   into ``deliveries-archived.jsonl`` beside it: no sync can make their messages due again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from openorder_sheets.adapters.local_journal import Journal, SyncLock
from openorder_sheets.config import Config
from openorder_sheets.core import cells
from openorder_sheets.core.layouts import tab_layout
from openorder_sheets.core.memory import ArchivedOrder, Memory, memory_rows, read_memory
from openorder_sheets.core.model import (
    Decision,
    EmailKind,
    EmailState,
    LedgerEntry,
    SellerAction,
    Stage,
)
from openorder_sheets.core.statement_tab import read_statement
from openorder_sheets.errors import ConfigError
from openorder_sheets.ports import (
    Cell,
    ColumnSpec,
    Grid,
    RowDeleting,
    SheetBackend,
    TabLayout,
    TabUpdate,
)
from openorder_sheets.service.composition import Shop
from openorder_sheets.service.decide import (
    Decided,
    decide_shop,
    form_answers_stay,
    read_archived_orders,
)

#: Google's limit on cells in one spreadsheet; `status` and `doctor` warn past 60 % of it.
CELL_CEILING = 10_000_000
CELL_WARNING = 0.6
#: Review requests more overdue than this are never sent (core/testimonials.py).
REVIEW_STALE_DAYS = 14


@dataclass
class BatchResult:
    batch: str
    orders: int = 0
    emails: int = 0
    statement_rows: int = 0
    answers: int = 0
    not_finished: list[str] = field(default_factory=list)  # why it was left live


def cells_used(snapshot: Mapping[str, Grid | None]) -> int:
    """How many cells the tabs read hold (their used area)."""
    return sum(
        len(grid) * max((len(row) for row in grid), default=0) for grid in snapshot.values() if grid
    )


def why_not_finished(decided: Decided, batch: str, now: dt.datetime, review_days: int) -> list[str]:
    """What keeps ``batch`` live, in plain words (empty: it can be archived)."""
    found = decided.catalog.batch_named(batch)
    if found is None:
        return [f"there is no batch '{batch}' in the Batches tab (check the spelling)"]
    if found.stage not in (Stage.SHIPPED, Stage.CANCELLED):
        return ["its Stage is not Shipped or Cancelled yet (set it when everything is sent)"]
    mine = [o for o in decided.orders if o.batch is not None and o.batch.name == batch]
    reasons: list[str] = []
    unpaid = [
        o.number
        for o in mine
        if o.status is Decision.CONFIRMED and not o.paid and found.stage is Stage.SHIPPED
    ]
    if unpaid:
        reasons.append(f"{_few(unpaid)} still owe money (tick Paid, or Cancel them)")
    numbers = {o.number for o in mine}
    waiting = [
        e.order
        for e in decided.entries
        if e.order in numbers and e.state in (EmailState.QUEUED, EmailState.DEFERRED)
    ]
    new = {key.split("/", 1)[0] for key in decided.new_keys}
    if waiting or new & numbers:
        reasons.append(
            f"emails for {_few(sorted(set(waiting) | (new & numbers)))} are still to be sent "
            "(run `openorder sync` first)"
        )
    if review_days > 0 and found.stage is Stage.SHIPPED:
        asked = {e.order for e in decided.entries if e.kind == EmailKind.REVIEW_REQUEST}
        shipped = {
            e.order: e.last_attempt
            for e in decided.entries
            if e.kind == EmailKind.ORDER_SHIPPED and e.state is EmailState.SENT and e.last_attempt
        }
        wait = dt.timedelta(days=review_days + REVIEW_STALE_DAYS)
        pending = [
            number
            for number, sent in shipped.items()
            if number in numbers and number not in asked and sent is not None and sent + wait > now
        ]
        if pending:
            reasons.append(
                f"{_few(sorted(pending))} will still be asked for a review "
                f"({review_days} days after shipping)"
            )
    return reasons


def _few(numbers: Sequence[str]) -> str:
    shown = ", ".join(numbers[:3])
    return shown + (f" and {len(numbers) - 3} more" if len(numbers) > 3 else "")


def finished_batches(decided: Decided, now: dt.datetime, review_days: int) -> list[str]:
    """The batches with orders that could be archived now."""
    named = {o.batch.name for o in decided.orders if o.batch is not None}
    return [
        b.name
        for b in sorted(decided.catalog.batches, key=lambda b: b.opens)
        if b.name in named and not why_not_finished(decided, b.name, now, review_days)
    ]


def archive_backend(config: Config) -> SheetBackend:
    """Where the archive lives: a workbook beside the shop's, or the configured spreadsheet."""
    if config.sheet.workbook is not None:
        from openorder_sheets.adapters.workbook import WorkbookBackend

        workbook = config.sheet.workbook
        path = config.archive.workbook or workbook.with_name(f"{workbook.stem}-archive.xlsx")
        return WorkbookBackend(path)
    if not config.archive.spreadsheet:
        raise ConfigError(
            "No archive spreadsheet: create an empty Google spreadsheet (e.g. 'Toko — arsip'), "
            "share it with the service account as Editor, and put its link under [archive] "
            'as spreadsheet = "https://docs.google.com/spreadsheets/d/…".'
        )
    from openorder_sheets.adapters.gsheet import GoogleSheetBackend

    archive_sheet = replace(config.sheet, spreadsheet=config.archive.spreadsheet)
    return GoogleSheetBackend.from_config(replace(config, sheet=archive_sheet))


def archive_batches(
    shop: Shop,
    now: dt.datetime,
    batches: Sequence[str] = (),
    *,
    archive: SheetBackend | None = None,
) -> list[BatchResult]:
    """Archive ``batches`` (default: every finished one); what each gave, or why not."""
    config = shop.config
    if not isinstance(shop.backend, RowDeleting):  # checked before anything moves
        raise ConfigError(
            "This spreadsheet's backend cannot delete rows, so nothing was archived: "
            "update openorder-sheets."
        )
    with SyncLock(shop.state_dir, 30.0):
        decided = decide_shop(shop, now)
        review_days = config.rules.review_after_days
        wanted = list(batches) or finished_batches(decided, now, review_days)
        results: list[BatchResult] = []
        chosen: list[str] = []
        for name in wanted:
            reasons = why_not_finished(decided, name, now, review_days)
            results.append(BatchResult(name, not_finished=reasons))
            if not reasons:
                chosen.append(name)
        # A run cut short leaves archived orders' rows live: finish those batches too.
        remembered = read_memory(decided.snapshot["state"]) or Memory()
        read_archived_orders(shop, remembered.archive)
        live_numbers = {cells.text(row[0]) for row in (decided.snapshot["orders"] or [])[1:] if row}
        for gone in remembered.archive.orders().values():
            if gone.number in live_numbers and gone.batch not in chosen:
                chosen.append(gone.batch)
                if all(r.batch != gone.batch for r in results):
                    results.append(BatchResult(gone.batch))
        if not chosen:
            return results
        target = archive if archive is not None else archive_backend(config)
        _move(shop, decided, chosen, target, {r.batch: r for r in results})
    return results


#: A status no later sync changes: such an order outside every batch is over once told.
_FINAL = frozenset({Decision.REJECTED, Decision.DUPLICATE, Decision.CANCELLED, Decision.EXPIRED})


def _strays(decided: Decided, chosen: Sequence[str]) -> dict[str, str]:
    """Orders in no batch (an answer sent before a batch opened or after it closed, rejected)
    that are over and told, each with the first chosen batch that closed after it came: they
    leave with that batch, or they would stay in `Orders` (and, on Google, keep a year of the
    form's answers above them read) for ever."""
    closing = sorted(
        (batch.closes, batch.name) for batch in decided.catalog.batches if batch.name in chosen
    )
    untold = {
        e.order for e in decided.entries if e.state in (EmailState.QUEUED, EmailState.DEFERRED)
    }
    untold |= {key.split("/", 1)[0] for key in decided.new_keys}
    found: dict[str, str] = {}
    for order in decided.orders:
        if order.batch is not None or order.status not in _FINAL or order.submitted is None:
            continue
        if order.number in untold:
            continue
        for closes, name in closing:
            if order.submitted <= closes:
                found[order.number] = name
                break
    return found


def _move(
    shop: Shop,
    decided: Decided,
    chosen: Sequence[str],
    target: SheetBackend,
    results: Mapping[str, BatchResult],
) -> None:
    config = decided.config
    language = config.shop.language
    live = decided.snapshot
    memory = read_memory(live["state"]) or Memory()
    read_archived_orders(shop, memory.archive)
    batch_of = {
        o.number: o.batch.name for o in decided.orders if o.batch and o.batch.name in chosen
    }
    batch_of.update(_strays(decided, chosen))
    orders = [o for o in decided.orders if o.number in batch_of]
    # Orders archived by a run that was cut short: their rows may still be live.
    gone_orders = memory.archive.orders()
    leftovers = {n: g.batch for n, g in gone_orders.items() if g.batch in chosen}
    batch_of.update(leftovers)
    paid_by = {key: g.number for g in gone_orders.values() for key in g.credits}
    paid_by.update({key: o.number for o in orders for key, _ in o.bank})
    answer_rows = {
        g.response_row - 1: g.number
        for g in gone_orders.values()
        if g.number in leftovers and g.response_row
    }
    answer_rows.update(
        {o.response.row - 1: o.number for o in orders if o.response and o.response.row > 1}
    )
    statement = read_statement(live["statement"], language)

    # What goes, per live tab: {0-based sheet row: the batch it belongs to}.
    order_at = _column(live["orders"], "order", language)
    key_at, owner_at = (
        _column(live["emails"], "key", language),
        _column(live["emails"], "order", language),
    )
    moving: dict[str, dict[int, str]] = {
        "orders": {
            index: batch_of[number]
            for index, row in _rows(live["orders"])
            if (number := cells.text(_at(row, order_at))) in batch_of
        },
        "emails": {},
        "statement": {
            credit.row: batch_of[paid_by[credit.key]]
            for credit in statement.credits
            if credit.key in paid_by and credit.row is not None and credit.row > 0
        },
    }
    for index, row in _rows(live["emails"]):
        owner = cells.text(_at(row, owner_at))
        announced = cells.text(_at(row, key_at)).split("/", 1)[0]
        if owner in batch_of:
            moving["emails"][index] = batch_of[owner]
        elif not owner and announced in chosen:
            moving["emails"][index] = announced
    if not form_answers_stay(shop.backend):
        answers = live["responses"] or []
        moving["responses"] = {  # the rows still holding those answers
            index: batch_of[number]
            for index, number in answer_rows.items()
            if 0 < index < len(answers)
        }

    # 1. The archive gets every row it does not have yet.
    names = {key: config.tab(key) for key in moving}
    _start_archive(target, {names[key]: live.get(key) for key in moving if moving[key]})
    current = target.read(list(names.values())).tabs
    updates: list[TabUpdate] = []
    for key, where in moving.items():
        grid = live.get(key)
        if not grid or not where:
            continue
        header = list(grid[0])
        archived = current.get(names[key]) or []
        have = {_identity(row) for row in archived[1:]}
        fresh = [list(grid[r]) for r in sorted(where) if _identity(grid[r]) not in have]
        if not fresh:
            continue
        width = max(len(header), *(len(row) for row in fresh))
        layout = TabLayout(tuple(ColumnSpec(cells.text(h) or "-") for h in header))
        body = [[*row, *([None] * (width - len(row)))] for row in fresh]
        start = len(archived) if archived else 0
        updates.append(
            TabUpdate(
                names[key],
                tuple(range(width)),
                body if archived else [header, *body],
                layout,
                start,
            )
        )
    target.write(updates)

    # 2. The memory says they are archived (the point after which syncs leave them alone).
    for o in orders:
        response = o.response
        memory.archive.add(
            ArchivedOrder(
                number=o.number,
                batch=batch_of[o.number],
                email=o.email,
                submitted=o.submitted,
                response_row=response.row if response else None,
                status=o.status,
                name=response.name if response else "",
                opt_in=response.opt_in if response else None,
                answered=response.timestamp if response else None,
                credits=tuple(key for key, _ in o.bank),
                stopped=o.prior is not None and o.prior.seller_action is SellerAction.STOP_EMAILS,
            )
        )
        memory.orders.pop(o.number, None)
    memory.last_serial = max(memory.last_serial, decided.memory.last_serial)
    # Their own tab first: a run cut short here leaves them live in the memory (which wins).
    packed = memory.archive.order_rows()
    if packed is not None:  # none when a re-run only finishes deleting rows
        _write_whole(shop, "archived", packed)
    _write_whole(shop, "state", memory_rows(memory))

    # 3. The live tabs lose those rows.
    _delete(shop.backend, {names[key]: sorted(where) for key, where in moving.items()})
    for key, where in moving.items():
        for batch in where.values():
            result = results[batch]
            if key == "orders":
                result.orders += 1
            elif key == "emails":
                result.emails += 1
            elif key == "statement":
                result.statement_rows += 1
            else:
                result.answers += 1

    # 4. The journal keeps only what a sync can still need.
    gone_batches = memory.archive.batches

    def settled(entry: LedgerEntry) -> bool:
        if entry.order:
            return entry.order in gone_orders
        return entry.key.split("/", 1)[0] in gone_batches

    Journal(shop.state_dir).compact(settled)


def _write_whole(shop: Shop, key: str, rows: list[list[Cell]]) -> None:
    """One of the tool's key/data tabs (the memory, the archived orders) written whole."""
    config = shop.config
    layout = tab_layout(key, config.shop.language, config.shop.currency)
    header: list[Cell] = [spec.header for spec in layout.columns]
    shop.backend.write(
        [TabUpdate(config.tab(key), (0, 1), [header, *rows], layout, 0, clear_below=True)]
    )


def _start_archive(target: SheetBackend, headers: Mapping[str, Grid | None]) -> None:
    """A first archive workbook: made with the tabs (headers only) it is about to receive."""
    from openorder_sheets.adapters.workbook import WorkbookBackend

    if not isinstance(target, WorkbookBackend) or target.path.exists():
        return
    tabs = {
        tab: (TabLayout(tuple(ColumnSpec(cells.text(h) or "-") for h in grid[0])), [grid[0]])
        for tab, grid in headers.items()
        if grid
    }
    target.create_tabs(tabs)


def _column(grid: Grid | None, key: str, language: str) -> int:
    """Where the column ``key`` is in a tool tab (by its header in either language)."""
    from openorder_sheets.core.labels import COLUMN_LABELS, fold

    names = {fold(text) for text in COLUMN_LABELS[key].values()}
    header = grid[0] if grid else []
    for index, value in enumerate(header):
        if fold(cells.text(value)) in names:
            return index
    del language
    return 0 if key in ("order", "key") else 1


def _rows(grid: Grid | None) -> list[tuple[int, list[Cell]]]:
    return [(index, row) for index, row in enumerate(grid or []) if index > 0]


def _delete(backend: SheetBackend, moving: Mapping[str, Sequence[int]]) -> None:
    if not isinstance(backend, RowDeleting):
        raise ConfigError(
            "This spreadsheet cannot have rows deleted by the tool: the archive has the "
            "rows, delete them from the live tabs by hand."
        )
    for tab, rows in moving.items():
        if rows:
            backend.delete_rows(tab, sorted(set(rows)))


def _at(row: Sequence[Cell], index: int) -> Cell:
    return row[index] if index < len(row) else None


def _identity(row: Sequence[Cell]) -> tuple[str, ...]:
    """A row as text, trailing blanks dropped: the same row twice is one row."""
    texts = [cells.text(value) for value in row]
    while texts and not texts[-1]:
        texts.pop()
    return tuple(texts)
