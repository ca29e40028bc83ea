"""The ports: what the sync service needs from a spreadsheet and from a mail transport.

Adapters (local workbook, Google Sheets, outbox folder, SMTP) implement these; tests use the
fakes in :mod:`openorder_sheets.testing.fakes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from enum import Enum
from typing import Protocol, runtime_checkable

#: One cell as read from a sheet. Dates and times arrive as ``datetime``/``date`` from openpyxl
#: and as serial numbers (``float``) from Google; the core parses both.
Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | None
Grid = list[list[Cell]]


class ColumnKind(Enum):
    """How a column is shown to the seller; backends turn this into number formats."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    MONEY = "money"
    PERCENT = "percent"
    DATETIME = "datetime"
    DATE = "date"
    CHECKBOX = "checkbox"
    DROPDOWN = "dropdown"
    LINK = "link"


@dataclass(frozen=True)
class Highlight:
    """A status colour: a cell of the column that reads one of ``words`` is coloured.

    ``words`` holds the word in every language, so a shop that switches language keeps its
    colours; case is ignored (spreadsheets compare text that way). Colours are RGB hex.
    """

    words: tuple[str, ...]
    fill: str
    text: str = "000000"


@dataclass(frozen=True)
class ColumnSpec:
    """A column's header and presentation.

    The tab-wide look (filter buttons, print layout) is asked for by the columns, not the tab:
    a write of some of a tab's columns (the `Orders` tab's new rows, a ticked `Paid`) carries a
    layout made of those columns' specs alone, and the look must reach the backend all the same.
    """

    header: str
    kind: ColumnKind = ColumnKind.TEXT
    width: int = 14
    options: tuple[str, ...] = ()  # dropdown choices
    wrap: bool = False  # long free text wraps inside the column instead of running over
    highlights: tuple[Highlight, ...] = ()  # status colours
    filter: bool = False  # the tab's header row gets filter buttons, across all its columns
    #: ``None``: the tab has no print layout of its own. ``True``/``False``: the tab prints one
    #: page wide, header on every page, from its first column through its last ``True`` one.
    on_paper: bool | None = None
    #: Written by the tool on every sync (a view, or the tool's part of `Orders`): where the
    #: backend can, a seller typing there is warned first (Google: a warning-only protection).
    guarded: bool = False


@dataclass(frozen=True)
class TabLayout:
    """How a tab looks: its columns, frozen header, currency, and an optional chart."""

    columns: tuple[ColumnSpec, ...]
    currency_format: str = '"Rp"#,##0'
    chart: ChartSpec | None = None
    hidden: bool = False  # the tool's memory: created hidden where the backend allows


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart of one column against a category column over a block of rows."""

    title: str
    category_column: int  # 0-based
    value_column: int
    first_row: int  # 0-based sheet rows, inclusive; the header is row 0
    last_row: int
    anchor_column: int


@dataclass(frozen=True)
class TabUpdate:
    """What one sync writes into one tab.

    ``rows[i]`` lands on 0-based sheet row ``start_row + i`` (row 0 is the header); a ``None``
    row is left alone. ``columns[j]`` is the 0-based sheet column the j-th value of every row
    goes to, so a seller's extra columns between ours are never touched; ``layout.columns[j]``
    describes that same column (a new tab is laid out from it). With ``clear_below``
    the cells of these columns under the last row are emptied (a tool tab that got shorter).
    """

    tab: str
    columns: tuple[int, ...]
    rows: Sequence[Sequence[Cell] | None]
    layout: TabLayout
    start_row: int = 0
    clear_below: bool = False


@dataclass(frozen=True)
class SheetSnapshot:
    """Every tab the sync needs, read at once. A missing tab maps to ``None``."""

    tabs: Mapping[str, Grid | None]
    timezone: str | None = None  # the spreadsheet's own zone, when the backend knows it
    #: Every tab the spreadsheet has (read or not), when the backend knows it without reading
    #: their cells: a sync then need not read back the views it rewrites whole.
    tab_names: frozenset[str] | None = None
    #: Per tab read in part (see :class:`ColumnSkipping`): the 0-based columns whose cells under
    #: the header row were not read. They read as blank.
    skipped: Mapping[str, frozenset[int]] = field(default_factory=dict)
    #: Per tab read from a later row on (see :class:`ColumnSkipping`): the first 0-based row
    #: under the header that was read; the rows above it read as empty.
    rows_from: Mapping[str, int] = field(default_factory=dict)


class SheetBackend(Protocol):
    """A spreadsheet: read every tab in one go, write every tool tab in one go."""

    def read(self, tabs: Sequence[str]) -> SheetSnapshot:
        """Read the named tabs (one batched request)."""
        ...

    def write(self, updates: Sequence[TabUpdate]) -> None:
        """Write all updates (one batched request; creating missing tabs as needed)."""
        ...

    def create_tabs(self, layouts: Mapping[str, tuple[TabLayout, Grid]]) -> list[str]:
        """Create the missing tabs with headers, formats and example rows; return those created."""
        ...


@runtime_checkable
class ColumnSkipping(Protocol):
    """A backend that can leave columns of a tab unread, where reading costs by the byte (a big
    shop's Google sheet). A backend without it (the local workbook) reads whole tabs."""

    def read_skipping(
        self,
        tabs: Sequence[str],
        skip: Mapping[str, frozenset[int]],
        rows_from: Mapping[str, int] | None = None,
    ) -> SheetSnapshot:
        """Like ``read`` (one batched request), except that under the header row the 0-based
        columns ``skip[tab]`` are not read: their cells are ``None``, and the snapshot's
        ``skipped`` says which; and of a tab in ``rows_from`` (and not in ``skip``) the rows
        between the header and the 0-based row ``rows_from[tab]`` are not read: they are empty
        rows, and the snapshot's ``rows_from`` says so."""
        ...


@runtime_checkable
class RowDeleting(Protocol):
    """A backend that can delete whole rows of a tab (`openorder archive` needs it)."""

    def delete_rows(self, tab: str, rows: Sequence[int]) -> None:
        """Delete the 0-based sheet ``rows`` of ``tab``; the rows below move up."""
        ...


@dataclass(frozen=True)
class Seal:
    """A cell a write that takes several requests sets in its first request and empties in its
    last: found set, that write was cut short somewhere in between."""

    tab: str
    row: int  # 0-based, as in a grid
    column: int
    text: str


@runtime_checkable
class SealedWrites(Protocol):
    """A backend whose one write can take several requests (a big write to Google), so a cut
    can leave part of it landed. A backend whose write lands whole or not at all (one save of
    a file) needs no seal."""

    def write_sealed(self, updates: Sequence[TabUpdate], seal: Seal) -> None:
        """As :meth:`SheetBackend.write`; when it takes more than one request, ``seal`` is set
        with the first and emptied with the last (its tab grown to hold it if need be)."""
        ...


@runtime_checkable
class FormLinked(Protocol):
    """A backend whose form-answer tab a linked form fills (a Google Form's): the tool never
    deletes its rows, so archived orders' answers stay in it."""

    form_answers_stay: bool


class DeliveryOutcome(Enum):
    SENT = "sent"
    DEFERRED = "deferred"  # temporary: retry on a later run
    FAILED = "failed"  # permanent: the seller must look


@dataclass(frozen=True)
class DeliveryResult:
    outcome: DeliveryOutcome
    detail: str = ""  # the server's words, for the Emails tab's Error column


class Transport(Protocol):
    """Sends messages. ``open`` is called once per run, before the first ``send``."""

    def open(self) -> None: ...

    def send(self, message: EmailMessage) -> DeliveryResult: ...

    def close(self) -> None: ...


@dataclass
class RecordedRequests:
    """Counts of backend requests by kind, for reports and budgets."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
