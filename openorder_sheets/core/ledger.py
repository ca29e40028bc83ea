"""The delivery ledger (`Emails` tab): one entry per message, the state that prevents re-sends.

Entries move queued → sending → sent, or → deferred (retried later with growing delays) or
→ failed (the seller must look). At most ``daily_limit`` messages leave in any rolling 24 hours,
counted from the ledger; decisions about orders go before announcements.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import overload
from zoneinfo import ZoneInfo

from openorder_sheets.core import cells
from openorder_sheets.core.columns import find_columns
from openorder_sheets.core.model import EmailDue, EmailKind, EmailState, LedgerEntry
from openorder_sheets.ports import Cell, Grid

EMAIL_COLUMNS = (
    "key",
    "order",
    "kind",
    "to",
    "state",
    "attempts",
    "last_attempt",
    "message_id",
    "error",
)

#: How far along a message is; a later state never goes back to an earlier one.
STATE_RANK = {
    EmailState.QUEUED: 0,
    EmailState.DEFERRED: 1,
    EmailState.SENDING: 2,
    EmailState.FAILED: 3,
    EmailState.SENT: 4,
}
#: A state the local journal knows beats an older one in the sheet (a run died before writing).
_RANK = STATE_RANK
#: Kinds sent before everything else when the daily limit bites (SPEC §5): what a buyer must
#: know about their own order goes before news and announcements.
FIRST_KINDS = (
    EmailKind.ORDER_CONFIRMED,
    EmailKind.ORDER_PROMOTED,
    EmailKind.ORDER_REJECTED,
    EmailKind.ORDER_WAITLISTED,
    EmailKind.ORDER_NEEDS_ATTENTION,
    EmailKind.ORDER_UPDATED,
    EmailKind.ORDER_CHANGE_REFUSED,
    EmailKind.ORDER_CANCELLED,
)
_FIRST_RETRY = dt.timedelta(minutes=5)
_LONGEST_RETRY = dt.timedelta(hours=6)


def message_id(key: str, domain: str) -> str:
    """A ``Message-ID`` derived from the key alone, so a resend after a crash carries the same."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain or 'openorder.invalid'}>"


#: Columns of the `Emails` tab that follow from the key (and the sender's domain): a sync
#: need not read them back. (`Order` follows from the key too, but for `batch_delayed`, whose
#: key names the batch: the sync finds that order again, see ``stages.delay_orders``.)
DERIVED_COLUMNS = ("order", "kind", "to", "message_id")
_KINDS = frozenset(kind.value for kind in EmailKind)
#: Kinds whose key starts with a batch's name, not an order's number.
BATCH_KINDS = frozenset({EmailKind.BATCH_OPEN, EmailKind.BATCH_CLOSING, EmailKind.BATCH_DELAYED})


def message_key(subject: str, kind: str, to: str, version: object) -> str:
    """The ledger key of one message: ``{order or batch}/{kind}/{address}/{version}`` (the one
    place it is built; :func:`key_parts` reads it back). The same facts always make the same
    key, so a re-run finds what it sent."""
    return f"{subject}/{kind}/{to}/{version}"


def key_parts(key: str) -> tuple[str, str] | None:
    """The kind and the address a message key names (``PO-0001/order_confirmed/a@b.id/1``:
    every key is ``{order or batch}/{kind}/{address}/{version}``); ``None`` for text that is
    not such a key."""
    parts = _split_key(key)
    return None if parts is None else (parts[1], parts[2])


def _split_key(key: str) -> tuple[str, str, str] | None:
    head, slash, _version = key.rpartition("/")
    if not slash:
        return None
    segments = head.split("/")
    for index in range(1, len(segments)):
        if segments[index] in _KINDS:
            return "/".join(segments[:index]), segments[index], "/".join(segments[index + 1 :])
    return None


def fill_derived(grid: Grid, positions: Mapping[str, int], domain: str) -> bool:
    """Put into the `Emails` rows read without them (``grid``, changed in place) the cells
    that follow from each row's key, as the tool writes them. ``False`` when a key does not
    name its kind and address (not written by the tool): the tab must then be read whole."""
    if "key" not in positions or any(name not in positions for name in DERIVED_COLUMNS):
        return False  # the seller renamed or removed the tool's headers: read it all
    key_at = positions["key"]
    derived = [(positions[name], name) for name in DERIVED_COLUMNS]
    width = max(at for at, _ in derived) + 1
    seen: dict[str, str] = {}  # an order's rows share its number, kinds and address: once each
    for row in grid[1:]:
        key = cells.text(row[key_at]) if key_at < len(row) else ""
        if not key:
            continue
        parts = _split_key(key)
        if parts is None:
            return False
        subject, kind, to = (seen.setdefault(part, part) for part in parts)
        shown_to = cells.safe_text(to)
        values = {
            "order": "" if kind in BATCH_KINDS else subject,
            "kind": kind,
            "to": seen.setdefault(shown_to, shown_to),
            "message_id": message_id(key, domain),
        }
        if len(row) < width:
            row.extend([None] * (width - len(row)))
        for at, name in derived:
            row[at] = values[name]
    return True


def merge(sheet: Iterable[LedgerEntry], journal: Mapping[str, LedgerEntry]) -> list[LedgerEntry]:
    """The sheet's entries, each replaced by the journal's when the journal is further along."""
    merged: list[LedgerEntry] = []
    seen: set[str] = set()
    for entry in sheet:
        local = journal.get(entry.key)
        if (
            local is not None
            and _RANK[local.state] >= _RANK[entry.state]
            and (local.attempts >= entry.attempts or local.state is EmailState.SENT)
        ):
            entry = local
        merged.append(entry)
        seen.add(entry.key)
    # Entries only the journal knows: a run died after sending but before writing the sheet.
    merged.extend(entry for key, entry in journal.items() if key not in seen)
    return merged


def add_due(entries: list[LedgerEntry], due: Iterable[EmailDue], domain: str) -> list[LedgerEntry]:
    """The ledger with a queued entry for each due message it does not hold yet.

    Two due messages with one key (a buyer's two orders in a delayed batch) are one message.
    """
    known = {entry.key for entry in entries}
    added: list[LedgerEntry] = []
    for item in due:
        if item.key in known:
            continue
        known.add(item.key)
        added.append(
            LedgerEntry(
                item.key,
                item.order,
                item.kind,
                item.to,
                EmailState.QUEUED,
                message_id=message_id(item.key, domain),
            )
        )
    return [*entries, *added]


def retry_delay(attempts: int) -> dt.timedelta:
    """Growing delays: 5 min, 10, 20, … up to 6 hours."""
    delay: dt.timedelta = _FIRST_RETRY * (2 ** min(max(attempts - 1, 0), 10))
    return min(delay, _LONGEST_RETRY)


def sent_in_last_day(entries: Iterable[LedgerEntry], now: dt.datetime) -> int:
    since = now - dt.timedelta(hours=24)
    return sum(
        1
        for e in entries
        if e.state is EmailState.SENT and e.last_attempt is not None and e.last_attempt > since
    )


def days_behind(entries: Iterable[LedgerEntry], now: dt.datetime, daily_limit: int) -> int:
    """How many days the daily limit holds back the last message waiting: 0 when every one of
    them may leave now, 1 when the last must wait for the rolling 24 hours to free room, and so
    on (a batch bigger than the limit is told over several days, and the seller must know)."""
    entries = list(entries)
    waiting = sum(
        1
        for e in entries
        if e.state in (EmailState.QUEUED, EmailState.SENDING, EmailState.DEFERRED)
    )
    beyond = waiting - max(daily_limit - sent_in_last_day(entries, now), 0)
    if beyond <= 0:
        return 0
    return -(-beyond // max(daily_limit, 1))


def to_send(entries: list[LedgerEntry], now: dt.datetime, daily_limit: int) -> list[LedgerEntry]:
    """The messages to send now, in priority order, within the rolling daily limit."""
    ready = []
    for entry in entries:
        if entry.state in (EmailState.QUEUED, EmailState.SENDING):
            ready.append(entry)
        elif entry.state is EmailState.DEFERRED:
            last = entry.last_attempt
            if last is None or now - last >= retry_delay(entry.attempts):
                ready.append(entry)
    room = max(daily_limit - sent_in_last_day(entries, now), 0)
    position: dict[str, int] = {str(key): index for index, key in enumerate(FIRST_KINDS)}
    ready.sort(
        key=lambda e: (position.get(e.kind, len(FIRST_KINDS)), e.state is not EmailState.SENDING)
    )
    return ready[:room]


def record(entry: LedgerEntry, state: EmailState, now: dt.datetime, error: str = "") -> LedgerEntry:
    """The entry after an attempt (or the start of one, for ``sending``)."""
    attempts = entry.attempts + (1 if state is EmailState.SENDING else 0)
    return replace(entry, state=state, attempts=attempts, last_attempt=now, error=error)


def ledger_rows(entries: Iterable[LedgerEntry]) -> list[list[Cell]]:
    """Rows of the `Emails` tab, in ledger order."""
    return [ledger_row(e) for e in entries]


def ledger_row(e: LedgerEntry) -> list[Cell]:
    """One message's row of the `Emails` tab."""
    return [
        cells.safe_text(e.key),
        e.order,
        e.kind,
        cells.safe_text(e.to),
        e.state.value,
        e.attempts,
        e.last_attempt.replace(tzinfo=None) if e.last_attempt else None,
        e.message_id,
        cells.safe_text(e.error),
    ]


class LedgerRows(Sequence[list[Cell]]):
    """The `Emails` tab as rows, ``header`` first, each row built when it is looked at.

    A sync compares every row with the sheet and keeps only those that changed: built all at
    once, a big shop's rows (several per order) were the largest thing a sync held while it
    planned its writes."""

    def __init__(self, header: list[Cell], entries: Sequence[LedgerEntry]) -> None:
        self.header = header
        self.entries = entries

    def __len__(self) -> int:
        return len(self.entries) + 1

    @overload
    def __getitem__(self, index: int) -> list[Cell]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[Cell]]: ...

    def __getitem__(self, index: int | slice) -> list[Cell] | list[list[Cell]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return list(self.header) if index == 0 else ledger_row(self.entries[index - 1])

    def __iter__(self) -> Iterator[list[Cell]]:
        yield list(self.header)
        for entry in self.entries:
            yield ledger_row(entry)


def read_ledger(
    tab: str, grid: Grid | None, zone: ZoneInfo, language: str
) -> tuple[list[LedgerEntry], list[str]]:
    """Every message the `Emails` tab records, by key; unreadable rows are skipped."""
    if grid is None or not grid:
        return [], []
    columns, problems = find_columns(tab, grid, ("key", "state"), EMAIL_COLUMNS, language)
    if problems:
        return [], problems
    entries: dict[str, LedgerEntry] = {}
    for row in grid[1:]:
        key = cells.text(columns.get(row, "key"))
        if not key:
            continue
        try:
            state = EmailState(cells.text(columns.get(row, "state")).lower())
        except ValueError:
            state = EmailState.QUEUED
        attempts = _whole(columns.get(row, "attempts")) or 0
        entry = LedgerEntry(
            key=key,
            order=cells.text(columns.get(row, "order")),
            kind=cells.text(columns.get(row, "kind")),
            to=cells.text(columns.get(row, "to")),
            state=state,
            attempts=attempts,
            last_attempt=_when(columns.get(row, "last_attempt"), zone),
            message_id=cells.text(columns.get(row, "message_id")),
            error=cells.text(columns.get(row, "error")),
        )
        earlier = entries.get(key)
        # A key twice (a seller's copy-paste): the furthest-along row wins, so a stale
        # `queued` copy can never make a new machine resend what was sent.
        if earlier is None or STATE_RANK[entry.state] >= STATE_RANK[earlier.state]:
            entries[key] = entry
    return list(entries.values()), []


def _whole(cell: Cell) -> int | None:
    try:
        return cells.whole_number(cell)
    except cells.CellError:
        return None


def _when(cell: Cell, zone: ZoneInfo) -> dt.datetime | None:
    try:
        return cells.when(cell, zone)
    except cells.CellError:
        return None
