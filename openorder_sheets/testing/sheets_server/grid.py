"""One sheet (tab): its properties and a row-major store of cells.

Values live in ``values`` (one Python list per row, ragged: trailing cells may be missing).
Per-cell extras — ``userEnteredFormat``, ``dataValidation``, ``note`` — live in ``extras``, a
parallel list holding one sparse ``{column: {...}}`` dict per row (or None), so row inserts,
deletes and sorts move them together with the values.

Copy-on-write: a row list, a row's extras dict and a cell's extras dict are never mutated in
place once stored — every change stores a new object. So :meth:`Sheet.clone` only copies the
outer lists, which makes snapshotting a 100,000-row sheet for an atomic batchUpdate cheap.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from .cellvalue import Formula, Value

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
Extra = dict[str, Any]
RowExtras = dict[int, Extra]


class Sheet:
    """A grid sheet: properties (without ``index``), cells and sheet-level objects."""

    def __init__(
        self, sheet_id: int, title: str, rows: int = DEFAULT_ROWS, cols: int = DEFAULT_COLUMNS
    ):
        self.props: dict[str, Any] = {
            "sheetId": sheet_id,
            "title": title,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": cols},
        }
        self.values: list[list[Value]] = []
        self.extras: list[RowExtras | None] = []
        self.row_meta: dict[int, dict[str, Any]] = {}
        self.col_meta: dict[int, dict[str, Any]] = {}
        self.merges: list[dict[str, Any]] = []
        self.protected_ranges: list[dict[str, Any]] = []
        self.charts: list[dict[str, Any]] = []
        self.conditional_formats: list[dict[str, Any]] = []
        self.basic_filter: dict[str, Any] | None = None
        # Row/column groups as a depth per index (how many groups hold it), like Google's model.
        self.row_groups: dict[int, int] = {}
        self.col_groups: dict[int, int] = {}
        self.collapsed_groups: set[tuple[bool, int, int, int]] = set()  # (rows?, start, end, depth)
        self.version = 0
        self.append_cache: tuple[tuple[int, int, int, int], int, tuple[int, int, int, int]] | None
        self.append_cache = None

    # --- properties -----------------------------------------------------------------------

    @property
    def sheet_id(self) -> int:
        """The numeric sheet id (``gid``)."""
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        """The tab name."""
        return str(self.props["title"])

    @property
    def grid(self) -> dict[str, Any]:
        """The ``gridProperties`` dict."""
        grid: dict[str, Any] = self.props.setdefault("gridProperties", {})
        return grid

    @property
    def row_count(self) -> int:
        """Rows in the grid."""
        return int(self.grid.get("rowCount", 0))

    @property
    def col_count(self) -> int:
        """Columns in the grid."""
        return int(self.grid.get("columnCount", 0))

    def clone(self) -> Sheet:
        """A copy that shares no mutable state with this sheet (extras dicts are immutable)."""
        other = copy.copy(self)
        other.props = copy.deepcopy(self.props)
        other.values = list(self.values)  # rows are copy-on-write: sharing them is safe
        other.extras = list(self.extras)
        other.row_meta = copy.deepcopy(self.row_meta)
        other.col_meta = copy.deepcopy(self.col_meta)
        other.merges = copy.deepcopy(self.merges)
        other.protected_ranges = copy.deepcopy(self.protected_ranges)
        other.charts = copy.deepcopy(self.charts)
        other.conditional_formats = copy.deepcopy(self.conditional_formats)
        other.basic_filter = copy.deepcopy(self.basic_filter)
        other.row_groups = dict(self.row_groups)
        other.col_groups = dict(self.col_groups)
        other.collapsed_groups = set(self.collapsed_groups)
        return other

    def changed(self) -> None:
        """Record a mutation (invalidates caches)."""
        self.version += 1

    # --- cells ----------------------------------------------------------------------------

    def get(self, row: int, col: int) -> Value:
        """The stored value at (row, col), or None."""
        if row < len(self.values):
            cells = self.values[row]
            if col < len(cells):
                return cells[col]
        return None

    def cell_extra(self, row: int, col: int) -> Extra | None:
        """The extras dict (format, validation, note) of a cell, or None."""
        if row < len(self.extras):
            row_extras = self.extras[row]
            if row_extras:
                return row_extras.get(col)
        return None

    def number_format(self, row: int, col: int) -> dict[str, Any] | None:
        """The cell's ``userEnteredFormat.numberFormat``, if any."""
        extra = self.cell_extra(row, col)
        if extra:
            fmt = extra.get("userEnteredFormat")
            if fmt:
                number_format: dict[str, Any] | None = fmt.get("numberFormat")
                return number_format
        return None

    def ensure_rows(self, count: int) -> None:
        """Make sure the row lists reach ``count`` rows."""
        missing = count - len(self.values)
        if missing > 0:
            self.values.extend([[] for _ in range(missing)])
            self.extras.extend([None] * missing)

    def write_row(
        self, row: int, col: int, cells: Sequence[Value], skip: Sequence[bool] | None
    ) -> None:
        """Write ``cells`` from (row, col) rightwards; cells flagged in ``skip`` are kept."""
        self.ensure_rows(row + 1)
        old = self.values[row]
        end = col + len(cells)
        if not old and col == 0 and skip is None:
            target = list(cells)
        else:
            target = old + [None] * (end - len(old)) if len(old) < end else old.copy()
            if skip is None:
                target[col:end] = cells
            else:
                for offset, value in enumerate(cells):
                    if not skip[offset]:
                        target[col + offset] = value
        while target and target[-1] is None:
            target.pop()
        self.values[row] = target

    def set_extra(self, row: int, col: int, key: str, value: Any) -> None:
        """Set (or with None, remove) one extras field of a cell."""
        self.ensure_rows(row + 1)
        row_extras = self.extras[row]
        current = row_extras.get(col) if row_extras else None
        if value is None and (current is None or key not in current):
            return
        updated = dict(current or {})
        if value is None:
            updated.pop(key, None)
        else:
            updated[key] = value
        row_extras = dict(row_extras or {})
        if updated:
            row_extras[col] = updated
        else:
            row_extras.pop(col, None)
        self.extras[row] = row_extras or None

    def map_extras(
        self, r0: int, r1: int, c0: int, c1: int, update: Callable[[Extra | None], Extra | None]
    ) -> None:
        """Replace each cell's extras in the box by ``update(old)`` (None removes them)."""
        self.ensure_rows(r1)
        for row in range(r0, r1):
            row_extras = self.extras[row]
            changed: RowExtras = dict(row_extras) if row_extras else {}
            for col in range(c0, c1):
                new = update(changed.get(col))
                if new is None:
                    changed.pop(col, None)
                else:
                    changed[col] = new
            self.extras[row] = changed or None

    def clear_values(self, r0: int, c0: int, r1: int, c1: int) -> None:
        """Empty the values of a box (formats stay)."""
        for row in range(r0, min(r1, len(self.values))):
            cells = self.values[row]
            end = min(c1, len(cells))
            if c0 < end:
                cells = cells[:c0] + [None] * (end - c0) + cells[end:]
                while cells and cells[-1] is None:
                    cells.pop()
                self.values[row] = cells
        self.changed()

    def used_size(self) -> tuple[int, int]:
        """(rows, columns) of the smallest A1-anchored box holding every value."""
        rows = len(self.values)
        while rows and not self.values[rows - 1]:
            rows -= 1
        cols = max((len(r) for r in self.values[:rows]), default=0)
        return rows, cols

    # --- structure ------------------------------------------------------------------------

    def resize(self, rows: int | None = None, cols: int | None = None) -> None:
        """Change the grid size; data beyond the new size is dropped."""
        if rows is not None:
            self.grid["rowCount"] = rows
            del self.values[rows:]
            del self.extras[rows:]
        if cols is not None:
            self.grid["columnCount"] = cols
            for index, cells in enumerate(self.values):
                if len(cells) > cols:
                    self.values[index] = cells[:cols]
                row_extras = self.extras[index]
                if row_extras:
                    self.extras[index] = {c: e for c, e in row_extras.items() if c < cols} or None
        self.changed()

    def insert_rows(self, start: int, count: int, inherit_from: int | None = None) -> None:
        """Insert empty rows before ``start``; formats are copied from row ``inherit_from``."""
        self.grid["rowCount"] = self.row_count + count
        if start < len(self.values):
            template = None
            if inherit_from is not None and 0 <= inherit_from < len(self.extras):
                template = self.extras[inherit_from]
            formats = _row_formats(template)
            self.values[start:start] = [[] for _ in range(count)]
            self.extras[start:start] = [dict(formats) if formats else None for _ in range(count)]
        self.row_meta = _shift(self.row_meta, start, count)
        self.row_groups = _shift_depths(self.row_groups, start, count)
        self.changed()

    def delete_rows(self, start: int, end: int) -> None:
        """Delete rows ``start``..``end-1``."""
        self.grid["rowCount"] = self.row_count - (end - start)
        del self.values[start:end]
        del self.extras[start:end]
        self.row_meta = _shift(self.row_meta, end, start - end, drop=(start, end))
        self.row_groups = _shift(self.row_groups, end, start - end, drop=(start, end))
        self.changed()

    def insert_cols(self, start: int, count: int, inherit_from: int | None = None) -> None:
        """Insert empty columns before ``start``."""
        self.grid["columnCount"] = self.col_count + count
        for index, cells in enumerate(self.values):
            if start < len(cells):
                self.values[index] = cells[:start] + [None] * count + cells[start:]
            row_extras = self.extras[index]
            if row_extras:
                moved = {c + count if c >= start else c: e for c, e in row_extras.items()}
                if inherit_from is not None and inherit_from in row_extras:
                    fmt = row_extras[inherit_from].get("userEnteredFormat")
                    for c in range(start, start + count):
                        if fmt:
                            moved[c] = {"userEnteredFormat": fmt}
                self.extras[index] = moved
        self.col_meta = _shift(self.col_meta, start, count)
        self.col_groups = _shift_depths(self.col_groups, start, count)
        self.changed()

    def delete_cols(self, start: int, end: int) -> None:
        """Delete columns ``start``..``end-1``."""
        self.grid["columnCount"] = self.col_count - (end - start)
        width = end - start
        for index, cells in enumerate(self.values):
            if start < len(cells):
                cells = cells[:start] + cells[end:]
                while cells and cells[-1] is None:
                    cells.pop()
                self.values[index] = cells
            row_extras = self.extras[index]
            if row_extras:
                self.extras[index] = {
                    (c - width if c >= end else c): e
                    for c, e in row_extras.items()
                    if not start <= c < end
                } or None
        self.col_meta = _shift(self.col_meta, end, -width, drop=(start, end))
        self.col_groups = _shift(self.col_groups, end, -width, drop=(start, end))
        self.changed()

    def sort_rows(
        self, r0: int, r1: int, c0: int, c1: int, specs: Iterable[tuple[int, bool]]
    ) -> None:
        """Sort the rows of the box by (column, ascending) keys; blanks always sort last."""
        self.ensure_rows(r1)
        width = c1 - c0
        rows = []
        for row in range(r0, r1):
            cells = self.values[row]
            segment = (cells[c0:c1] + [None] * width)[:width]
            row_extras = self.extras[row] or {}
            extras = {c - c0: e for c, e in row_extras.items() if c0 <= c < c1}
            rows.append((segment, extras))
        spec_list = list(specs)

        def compare(a: tuple[list[Value], RowExtras], b: tuple[list[Value], RowExtras]) -> int:
            for col, ascending in spec_list:
                result = _compare_cells(a[0][col - c0], b[0][col - c0], ascending)
                if result:
                    return result
            return 0

        rows.sort(key=functools.cmp_to_key(compare))
        for offset, (segment, extras) in enumerate(rows):
            row = r0 + offset
            self.write_row(row, c0, segment, None)
            row_extras = {c: e for c, e in (self.extras[row] or {}).items() if not c0 <= c < c1}
            row_extras.update({c + c0: e for c, e in extras.items()})
            self.extras[row] = row_extras or None
        self.changed()


def _row_formats(extras: RowExtras | None) -> RowExtras | None:
    """Only the formats of a row's extras (what an inserted row inherits)."""
    if not extras:
        return None
    kept = {
        col: {"userEnteredFormat": extra["userEnteredFormat"]}
        for col, extra in extras.items()
        if extra.get("userEnteredFormat")
    }
    return kept or None


_T = TypeVar("_T")


def _shift(
    meta: dict[int, _T], at: int, by: int, drop: tuple[int, int] | None = None
) -> dict[int, _T]:
    shifted: dict[int, _T] = {}
    for index, value in meta.items():
        if drop and drop[0] <= index < drop[1]:
            continue
        shifted[index + by if index >= at else index] = value
    return shifted


def _shift_depths(depths: dict[int, int], at: int, count: int) -> dict[int, int]:
    """Group depths after inserting ``count`` indices at ``at``: inserted inside a group, the
    new indices join it (they take the shallower depth of their two neighbours)."""
    inherited = min(depths.get(at - 1, 0), depths.get(at, 0))
    shifted = _shift(depths, at, count)
    if inherited:
        shifted.update(dict.fromkeys(range(at, at + count), inherited))
    return shifted


def _sort_rank(value: Value) -> tuple[int, Any]:
    if isinstance(value, bool):
        return 2, value
    if isinstance(value, int | float):
        return 0, value
    if isinstance(value, Formula):
        return 1, value.text.lower()
    return 1, str(value).lower()


def _compare_cells(a: Value, b: Value, ascending: bool) -> int:
    if a is None or b is None:
        return (a is None) - (b is None)  # blanks last in both directions
    ka, kb = _sort_rank(a), _sort_rank(b)
    if ka == kb:
        return 0
    result = -1 if ka < kb else 1
    return result if ascending else -result
