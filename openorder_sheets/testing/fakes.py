"""Hand-written fakes of the ports, for tests and for experiments without files or servers.

``MemorySheet`` is a spreadsheet in memory (grids by tab name) that applies writes the way the
real backends do; ``RecordingTransport`` keeps every message it is asked to send;
``ReadRecorder`` wraps a backend and keeps what each read asked for and got.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.message import EmailMessage

from openorder_sheets.core import cell_diff
from openorder_sheets.core.labels import fold
from openorder_sheets.ports import (
    DeliveryOutcome,
    DeliveryResult,
    Grid,
    RecordedRequests,
    SheetBackend,
    SheetSnapshot,
    TabLayout,
    TabUpdate,
)


class MemorySheet:
    """A :class:`~openorder_sheets.ports.SheetBackend` holding its tabs in memory."""

    def __init__(self, tabs: Mapping[str, Grid] | None = None) -> None:
        self.tabs: dict[str, Grid] = {
            name: [list(r) for r in g] for name, g in (tabs or {}).items()
        }
        self.requests = RecordedRequests()
        self.layouts: dict[str, TabLayout] = {}

    def _name(self, tab: str) -> str | None:
        wanted = fold(tab)
        for name in self.tabs:
            if fold(name) == wanted:
                return name
        return None

    def read(self, tabs: Sequence[str]) -> SheetSnapshot:
        self.requests.add("read")
        found: dict[str, Grid | None] = {}
        for tab in tabs:
            name = self._name(tab)
            found[tab] = None if name is None else [list(row) for row in self.tabs[name]]
        return SheetSnapshot(found, tab_names=frozenset(self.tabs))

    def read_skipping(
        self,
        tabs: Sequence[str],
        skip: Mapping[str, frozenset[int]],
        rows_from: Mapping[str, int] | None = None,
    ) -> SheetSnapshot:
        """A read that leaves the ``skip`` columns blank under the header, and the rows above
        ``rows_from`` empty, as the Google backend does: tests then exercise the sync that
        reads only what it decides from."""
        snapshot = self.read(tabs)
        found = dict(snapshot.tabs)
        skipped: dict[str, frozenset[int]] = {}
        later: dict[str, int] = {}
        for tab, columns in skip.items():
            grid = found.get(tab)
            if grid is None or not columns:
                continue
            skipped[tab] = columns
            for row in grid[1:]:
                for column in columns:
                    if column < len(row):
                        row[column] = None
        for tab, first in (rows_from or {}).items():
            grid = found.get(tab)
            if grid is None or tab in skipped or first < 2:
                continue
            later[tab] = first
            for index in range(1, min(first, len(grid))):
                grid[index] = []
        return replace(snapshot, tabs=found, skipped=skipped, rows_from=later)

    def write(self, updates: Sequence[TabUpdate]) -> None:
        if not updates:
            return
        self.requests.add("write")
        for update in updates:
            name = self._name(update.tab) or update.tab
            self.layouts.setdefault(name, update.layout)
            self.tabs[name] = cell_diff.apply({update.tab: self.tabs.get(name)}, update)

    def delete_rows(self, tab: str, rows: Sequence[int]) -> None:
        """Delete whole rows (0-based), as a seller deleting them in the browser."""
        name = self._name(tab)
        if name is None or not rows:
            return
        self.requests.add("write")
        gone = set(rows)
        self.tabs[name] = [row for index, row in enumerate(self.tabs[name]) if index not in gone]

    def create_tabs(self, layouts: Mapping[str, tuple[TabLayout, Grid]]) -> list[str]:
        created = []
        for tab, (layout, rows) in layouts.items():
            if self._name(tab) is None:
                self.tabs[tab] = [list(row) for row in rows]
                self.layouts[tab] = layout
                created.append(tab)
        return created


@dataclass
class RecordingTransport:
    """A :class:`~openorder_sheets.ports.Transport` that keeps what it sends.

    ``outcomes`` may script results by recipient address (e.g. a permanent failure).
    """

    sent: list[EmailMessage] = field(default_factory=list)
    outcomes: dict[str, DeliveryResult] = field(default_factory=dict)
    opened: int = 0

    def open(self) -> None:
        self.opened += 1

    def send(self, message: EmailMessage) -> DeliveryResult:
        scripted = self.outcomes.get(str(message["To"]))
        if scripted is not None:
            return scripted
        self.sent.append(message)
        return DeliveryResult(DeliveryOutcome.SENT)

    def close(self) -> None:
        """Nothing to close."""

    def kinds_to(self, address: str) -> list[str]:
        """The kinds of messages sent to ``address``, in order."""
        return [str(m["X-OpenOrder-Kind"]) for m in self.sent if str(m["To"]) == address]


class ReadRecorder:
    """A backend (``inner``) whose reads are kept: the tabs each asked for (``asked``) and the
    snapshot each returned (``snapshots``); everything else is the inner backend's."""

    def __init__(self, inner: SheetBackend) -> None:
        self.inner = inner
        self.asked: list[set[str]] = []
        self.snapshots: list[SheetSnapshot] = []

    def read(self, tabs: Sequence[str]) -> SheetSnapshot:
        self.asked.append(set(tabs))
        self.snapshots.append(self.inner.read(tabs))
        return self.snapshots[-1]

    def read_skipping(
        self,
        tabs: Sequence[str],
        skip: Mapping[str, frozenset[int]],
        rows_from: Mapping[str, int] | None = None,
    ) -> SheetSnapshot:
        self.asked.append(set(tabs))
        inner = self.inner.read_skipping  # type: ignore[attr-defined]
        self.snapshots.append(inner(tabs, skip, rows_from))
        return self.snapshots[-1]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)
