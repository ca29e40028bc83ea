"""A workbook's cell values read fast with python-calamine, exactly as openpyxl gives them.

The sync decides from the values openpyxl returns (``openpyxl`` is what writes the workbook, and
buyer text must round-trip exactly: a name typed as ``=HYPERLINK(…)`` is text, not a formula).
python-calamine reads the same file about twenty times faster, but it does not always see the
same thing. Where they differ, this module either converts calamine's answer to openpyxl's or
reads the tab with openpyxl instead:

- **Numbers.** calamine returns every number as a float; openpyxl returns ``int`` for a number
  written without a point or exponent. Whole floats become ``int``; a tab holding a number
  whose text makes the two disagree (``2.0``, ``1E+20``, more than 15 digits) is read by
  openpyxl.
- **Dates.** calamine rounds date serials to milliseconds differently from openpyxl (one in five
  of the tool's own timestamps came out a millisecond apart) and returns ``date`` where openpyxl
  returns ``datetime``. So calamine is given the workbook with every number format set to
  General and returns the raw serials; the cells whose style openpyxl takes for a date are found
  in the tab's XML (their ``s="…"``) and converted with openpyxl's own ``from_excel``.
- **Text.** calamine trims text not marked ``xml:space="preserve"``, decodes ``_x000D_`` escapes
  and returns ``""`` for empty cells; openpyxl does none of these. Empty cells become ``None``;
  a tab with untrimmed, escaped or truly empty text is read by openpyxl.
- **What calamine cannot tell at all** — formulas (calamine gives the cached result, openpyxl
  the formula text), error cells, ISO-dated cells, merged cells, comments, a hyperlink on an
  empty cell, cells written without their address: the tab is read by openpyxl.

openpyxl's reads here load only the tabs concerned (:func:`~.workbook_openpyxl.load_tabs`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

from openpyxl.styles.stylesheet import Stylesheet
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.xml.functions import fromstring
from python_calamine import CalamineError, CalamineWorkbook

from openorder_sheets.adapters.workbook_grids import GridCache
from openorder_sheets.adapters.workbook_openpyxl import grid_of, load_tabs
from openorder_sheets.adapters.workbook_package import (
    Package,
    PackageUnsupported,
    SheetPart,
    attributes,
    fold_name,
)
from openorder_sheets.adapters.workbook_scan import (
    ReadWithOpenpyxl,
    SheetScan,
    cells_beyond,
    scan,
    text_differs,
)
from openorder_sheets.ports import Cell, Grid

_STYLES = "xl/styles.xml"  # where openpyxl looks for them, whatever the relationships say
_SHARED_STRINGS_TYPE = b"spreadsheetml.sharedStrings+xml"
_OVERRIDE = re.compile(rb"<Override\b([^>]*)/?>")
_WORKBOOK_PR = re.compile(rb"<workbookPr\b([^>]*)>")
_NUMBER_FORMAT = re.compile(rb'(<xf\b[^>]*?\bnumFmtId=")\d+(")')
_CELL_XFS = re.compile(rb"<cellXfs\b.*?</cellXfs>", re.DOTALL)


def read_values(
    package: Package, tabs: Sequence[str], kept: GridCache | None = None
) -> dict[str, Grid | None]:
    """The grids of ``tabs`` (``None`` for a tab the workbook lacks), as openpyxl reads them.

    With ``kept``, a tab whose bytes are those of a grid read before is not parsed again
    (:mod:`.workbook_grids`), and each grid python-calamine reads is kept."""
    sheets = package.sheets()
    by_name = {fold_name(sheet.name): sheet for sheet in sheets}
    wanted = {tab: by_name.get(fold_name(tab)) for tab in tabs}
    found: dict[str, Grid | None] = {tab: None for tab, sheet in wanted.items() if sheet is None}
    keys = kept.keys(package) if kept is not None else None
    fast: FastReader | None = None
    slow: dict[str, SheetPart] = {}
    for tab, sheet in wanted.items():
        if sheet is None:
            continue
        key = keys.key(sheet) if keys is not None else None
        grid = kept.load(sheet, key) if kept is not None and key is not None else None
        if grid is not None:
            found[tab] = grid
            continue
        fast = fast or FastReader(package)
        grid = fast.grid(sheet)
        if grid is None:
            slow[tab] = sheet
            continue
        if kept is not None and key is not None:
            kept.store(sheet, key, grid)
        found[tab] = grid
    if kept is not None:
        kept.prune(sheets)
    if slow:
        book = load_tabs(package.data, {sheet.name for sheet in slow.values()})
        for tab, sheet in slow.items():
            found[tab] = grid_of(book[sheet.name])
    return {tab: found[tab] for tab in tabs}


class FastReader:
    """calamine over the workbook with its number formats neutralised, and what to convert."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.epoch = workbook_epoch(package)
        self.date_styles, self.timedelta_styles = _date_styles(package)
        self.shared_strings_differ = _shared_strings_differ(package)
        self._calamine: CalamineWorkbook | None = None

    def grid(self, sheet: SheetPart) -> Grid | None:
        """The tab's grid, or ``None`` when openpyxl must read it."""
        if sheet.kind != "worksheet" or 0 in self.date_styles:
            return None  # style 0 a date: every unstyled number would be one
        try:
            xml = self.package.read(sheet.part)
            if b"/comments" in self.package.rels_bytes(sheet.part):
                return None  # openpyxl makes a cell for every comment, even on a blank
            found = scan(xml, self.date_styles, self.shared_strings_differ)
            calamine = self.calamine().get_sheet_by_name(sheet.name)
            raw: list[list[Any]] = calamine.to_python(skip_empty_area=False)
        except (ReadWithOpenpyxl, PackageUnsupported, CalamineError):
            return None
        rows = self._converted(raw, found)
        if not rows:
            return []
        if cells_beyond(xml, len(rows[0])):
            return None
        for row, column in found.hyperlinks:
            if row > len(rows) or column > len(rows[0]) or rows[row - 1][column - 1] is None:
                return None  # openpyxl would show the link's target in the empty cell
        return rows

    def _converted(self, raw: list[list[Any]], found: SheetScan) -> Grid:
        """calamine's rows with openpyxl's values: whole numbers as int, blanks as None, dates
        from their serials, and the cells the scan read from the XML."""
        rows: Grid = [
            [None if v == "" else (int(v) if v.__class__ is float and v.is_integer() else v)
             for v in values]
            for values in raw
        ]  # fmt: skip
        for (row, column), style in found.dates.items():
            if row > len(rows) or column > len(rows[row - 1]):
                continue  # a blank: nothing to convert
            value = rows[row - 1][column - 1]
            if isinstance(value, int | float) and not isinstance(value, bool):
                duration = style in self.timedelta_styles
                rows[row - 1][column - 1] = _date(value, self.epoch, duration)
        if found.overrides:
            height = max(len(rows), *(row for row, _ in found.overrides))
            width = max(len(rows[0]) if rows else 0, *(column for _, column in found.overrides))
            for values in rows:
                values.extend([None] * (width - len(values)))
            rows.extend([None] * width for _ in range(height - len(rows)))
            for (row, column), value in found.overrides.items():
                rows[row - 1][column - 1] = value
        while rows and all(cell is None for cell in rows[-1]):
            rows.pop()
        return rows

    def calamine(self) -> CalamineWorkbook:
        if self._calamine is None:
            neutral = _without_number_formats(self.package)
            self._calamine = CalamineWorkbook.from_filelike(io.BytesIO(neutral))
        return self._calamine


def _shared_strings_differ(package: Package) -> bool:
    """Whether a shared string would come out of calamine unlike openpyxl's."""
    part = _shared_strings_part(package)
    if part is None:
        return False
    xml = package.read(part)
    return text_differs(xml)


def _shared_strings_part(package: Package) -> str | None:
    """Where openpyxl finds the shared strings: the content types' override, as it does."""
    for match in _OVERRIDE.finditer(package.read("[Content_Types].xml")):
        if _SHARED_STRINGS_TYPE in match.group(1):
            return attributes(match.group(1)).get("PartName", "").lstrip("/")
    return None


def workbook_epoch(package: Package) -> dt.datetime:
    """The day the workbook's date serials count from (1899-12-30, or 1904-01-01 on old Macs)."""
    match = _WORKBOOK_PR.search(package.read(package.workbook_part()))
    date1904 = attributes(match.group(1)).get("date1904", "") if match else ""
    epoch: dt.datetime = CALENDAR_MAC_1904 if date1904 in ("1", "true") else CALENDAR_WINDOWS_1900
    return epoch


def _date_styles(package: Package) -> tuple[frozenset[int], frozenset[int]]:
    """The cell styles openpyxl reads as dates, and those of them it reads as durations."""
    if _STYLES not in package:
        return frozenset(), frozenset()
    stylesheet = Stylesheet.from_tree(fromstring(package.read(_STYLES)))
    if not stylesheet.cell_styles:
        return frozenset(), frozenset()
    return frozenset(stylesheet.date_formats), frozenset(stylesheet.timedelta_formats)


def _without_number_formats(package: Package) -> bytes:
    """The workbook with every cell style's number format General: calamine returns serials."""
    styles = package.styles_part()
    if styles is None:
        return package.data
    xml = package.read(styles)
    neutral = _CELL_XFS.sub(lambda found: _NUMBER_FORMAT.sub(rb"\g<1>0\2", found.group(0)), xml)
    return package.rebuilt({styles: neutral})


def _date(value: float, epoch: dt.datetime, duration: bool) -> Cell:
    """openpyxl's value for a date-styled number (``#VALUE!`` past the calendar, as it does)."""
    try:
        converted: Cell = from_excel(value, epoch, timedelta=duration)
    except (OverflowError, ValueError):
        return "#VALUE!"
    return converted
