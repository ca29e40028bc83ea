"""Spreadsheets in memory: the registry, spreadsheet properties, range resolution, snapshots."""

from __future__ import annotations

import copy
import datetime as dt
import random
import string
import threading
from dataclasses import dataclass
from typing import Any

from .a1 import A1Error, CellsRef, format_range, parse_range, try_parse_cells
from .errors import ApiError, invalid, not_found, permission_denied
from .grid import DEFAULT_COLUMNS, DEFAULT_ROWS, Sheet

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}


def _theme_color(kind: str, red: float = 0, green: float = 0, blue: float = 0) -> dict[str, Any]:
    rgb = {k: v for k, v in (("red", red), ("green", green), ("blue", blue)) if v}
    return {"colorType": kind, "color": {"rgbColor": rgb}}


DEFAULT_THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        _theme_color("TEXT"),
        _theme_color("BACKGROUND", 1, 1, 1),
        _theme_color("ACCENT1", 0.25882354, 0.52156866, 0.95686275),
        _theme_color("ACCENT2", 0.91764706, 0.2627451, 0.20784314),
        _theme_color("ACCENT3", 0.9843137, 0.7372549, 0.015686275),
        _theme_color("ACCENT4", 0.20392157, 0.65882355, 0.3254902),
        _theme_color("ACCENT5", 1, 0.42745098, 0.003921569),
        _theme_color("ACCENT6", 0.27450982, 0.7411765, 0.7764706),
        _theme_color("LINK", 0.06666667, 0.33333334, 0.8),
    ],
}

ACCESS_LEVELS = ("writer", "reader", "none")
#: Who the caller is, for the places Google names them (a protected range's editors).
DEFAULT_CALLER = "local-user@example.com"


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Target:
    """A resolved range: a sheet and an end-exclusive box, plus how it was written."""

    sheet: Sheet
    r0: int
    c0: int
    r1: int
    c1: int
    single: bool = False  # one cell: anchors a write that may spill over
    open_rows: bool = False  # no end row given: writes may grow the grid downwards
    open_cols: bool = False

    def a1(self) -> str:
        """The normalised echo, e.g. ``Sheet1!A1:D4``."""
        return format_range(self.sheet.title, self.r0, self.c0, self.r1, self.c1)


class Spreadsheet:
    """One spreadsheet: properties, ordered sheets, named ranges and access level."""

    def __init__(self, spreadsheet_id: str, title: str, rng: random.Random) -> None:
        self.id = spreadsheet_id
        self.rng = rng
        self.props: dict[str, Any] = {
            "title": title,
            "locale": "en_US",
            "autoRecalc": "ON_CHANGE",
            "timeZone": "Etc/GMT",
            "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
            "spreadsheetTheme": copy.deepcopy(DEFAULT_THEME),
        }
        self.sheets: list[Sheet] = []
        self.named_ranges: list[dict[str, Any]] = []
        self.access = "writer"
        self.caller_email = DEFAULT_CALLER
        self.parents: list[str] = ["root"]
        self.comments: list[dict[str, Any]] = []
        self.created = _now()
        self.modified = self.created

    @property
    def title(self) -> str:
        """The spreadsheet's name."""
        return str(self.props["title"])

    @property
    def locale(self) -> str:
        """The locale that drives parsing and formatting (e.g. ``en_US``, ``id_ID``)."""
        return str(self.props.get("locale") or "en_US")

    def touch(self) -> None:
        """Record a modification time (Drive's ``modifiedTime``)."""
        self.modified = _now()

    def check(self, write: bool) -> None:
        """Raise 403 when the caller's access level does not allow the operation."""
        if self.access == "none" or (write and self.access == "reader"):
            raise permission_denied()

    # --- sheets ---------------------------------------------------------------------------

    def new_sheet_id(self) -> int:
        """A random unused sheet id (Google's are random 31-bit numbers)."""
        used = {s.sheet_id for s in self.sheets}
        while True:
            candidate = self.rng.randint(1, 2**31 - 1)
            if candidate not in used:
                return candidate

    def add_sheet(
        self,
        title: str,
        rows: int = DEFAULT_ROWS,
        cols: int = DEFAULT_COLUMNS,
        sheet_id: int | None = None,
        index: int | None = None,
    ) -> Sheet:
        """Create a sheet at ``index`` (default: last)."""
        sheet = Sheet(self.new_sheet_id() if sheet_id is None else sheet_id, title, rows, cols)
        position = len(self.sheets) if index is None else max(0, min(index, len(self.sheets)))
        self.sheets.insert(position, sheet)
        return sheet

    def sheet_by_title(self, title: str) -> Sheet | None:
        """Find a sheet by title (exact, then case-insensitive like Google)."""
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        folded = title.casefold()
        for sheet in self.sheets:
            if sheet.title.casefold() == folded:
                return sheet
        return None

    def sheet_by_id(self, sheet_id: Any) -> Sheet | None:
        """Find a sheet by numeric id."""
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        return None

    def index_of(self, sheet: Sheet) -> int:
        """The sheet's position (its ``index`` property)."""
        return self.sheets.index(sheet)

    # --- ranges ---------------------------------------------------------------------------

    def resolve(self, text: str, *, write: bool = False) -> Target:
        """Resolve A1 text to a sheet and box; 400 errors mirror Google's wording."""
        try:
            ref = parse_range(text)
        except A1Error as exc:
            named = self._sheet_named(text)
            if named is not None:
                return named
            raise invalid(f"Unable to parse range: {text}") from exc
        cells: CellsRef | None
        if ref.sheet is None:
            bare = ref.bare or ""
            sheet = self.sheet_by_title(bare)
            cells = None
            if sheet is None:
                named = self._named(bare)
                if named is not None:
                    return named
                cells = try_parse_cells(bare)
                if cells is None or not self.sheets:
                    raise invalid(f"Unable to parse range: {text}")
                sheet = self.sheets[0]
        else:
            sheet = self.sheet_by_title(ref.sheet)
            cells = ref.cells
            if sheet is None:
                raise invalid(f"Unable to parse range: {text}")
        rows, cols = sheet.row_count, sheet.col_count
        if cells is None:
            return Target(sheet, 0, 0, rows, cols, open_rows=True, open_cols=True)
        r0 = cells.start_row or 0
        c0 = cells.start_col or 0
        r1 = rows if cells.end_row is None else cells.end_row
        c1 = cols if cells.end_col is None else cells.end_col
        target = Target(
            sheet, r0, c0, r1, c1, cells.single, cells.end_row is None, cells.end_col is None
        )
        beyond = r0 >= rows or c0 >= cols
        if not (write and cells.single):
            beyond = beyond or r1 > rows or c1 > cols
        if beyond:
            raise invalid(
                f"Range ({text}) exceeds grid limits. Max rows: {rows}, max columns: {cols}"
            )
        return target

    def _sheet_named(self, text: str) -> Target | None:
        """``'Sheet1'!NamedRange``: a named range qualified by the sheet it lies on."""
        title, bang, name = text.strip().rpartition("!")
        if not bang or not title or not name:
            return None
        try:
            ref = parse_range(title)
        except A1Error:
            return None
        sheet = self.sheet_by_title(ref.sheet if ref.sheet is not None else ref.bare or "")
        named = self._named(name)
        if ref.cells is not None or sheet is None or named is None or named.sheet is not sheet:
            return None
        return named

    def _named(self, name: str) -> Target | None:
        for named in self.named_ranges:
            if named.get("name") == name:
                return self.grid_target(named.get("range", {}))
        return None

    def grid_target(self, grid_range: dict[str, Any]) -> Target:
        """Resolve an API ``GridRange`` (missing bounds mean the whole dimension)."""
        sheet = self.sheet_by_id(grid_range.get("sheetId", 0))
        if sheet is None:
            raise invalid(f"No grid with id: {grid_range.get('sheetId', 0)}")
        r0 = int(grid_range.get("startRowIndex") or 0)
        c0 = int(grid_range.get("startColumnIndex") or 0)
        r1 = int(grid_range.get("endRowIndex", sheet.row_count))
        c1 = int(grid_range.get("endColumnIndex", sheet.col_count))
        if r1 > sheet.row_count or c1 > sheet.col_count or r0 > r1 or c0 > c1 or r0 < 0 or c0 < 0:
            box = format_range(sheet.title, r0, c0, max(r1, r0 + 1), max(c1, c0 + 1))
            raise invalid(
                f"Range ({box}) exceeds grid limits. "
                f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
            )
        return Target(sheet, r0, c0, r1, c1)

    # --- snapshots --------------------------------------------------------------------------

    def snapshot(self) -> Spreadsheet:
        """A structural copy used to roll back a failed batchUpdate."""
        other = copy.copy(self)
        other.props = copy.deepcopy(self.props)
        other.sheets = [s.clone() for s in self.sheets]
        other.named_ranges = copy.deepcopy(self.named_ranges)
        return other

    def restore(self, snapshot: Spreadsheet) -> None:
        """Put back the state captured by :meth:`snapshot`."""
        self.props = snapshot.props
        self.sheets = snapshot.sheets
        self.named_ranges = snapshot.named_ranges


class Store:
    """All spreadsheets, keyed by id, guarded by one re-entrant lock."""

    def __init__(self, seed: int | None = None) -> None:
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.books: dict[str, Spreadsheet] = {}
        self.caller_email = DEFAULT_CALLER

    def new_id(self) -> str:
        """A 44-character id shaped like Google's."""
        alphabet = string.ascii_letters + string.digits + "-_"
        while True:
            candidate = "1" + "".join(self.rng.choice(alphabet) for _ in range(43))
            if candidate not in self.books:
                return candidate

    def create(
        self, title: str, spreadsheet_id: str | None = None, first_sheet: bool = True
    ) -> Spreadsheet:
        """Create an empty spreadsheet (with ``Sheet1`` unless told otherwise)."""
        with self.lock:
            book_id = spreadsheet_id or self.new_id()
            book = Spreadsheet(book_id, title, self.rng)
            book.caller_email = self.caller_email
            if first_sheet:
                book.add_sheet("Sheet1", sheet_id=0)
            self.books[book_id] = book
            return book

    def get(self, spreadsheet_id: str, *, write: bool = False) -> Spreadsheet:
        """The spreadsheet, or a 404 / 403 ApiError."""
        book = self.books.get(spreadsheet_id)
        if book is None:
            raise not_found()
        book.check(write)
        return book

    def delete(self, spreadsheet_id: str) -> None:
        """Forget a spreadsheet."""
        with self.lock:
            self.books.pop(spreadsheet_id, None)


def require(condition: bool, message: str) -> None:
    """Raise a 400 with ``message`` unless ``condition``."""
    if not condition:
        raise invalid(message)


__all__ = ["ApiError", "Spreadsheet", "Store", "Target", "require"]
