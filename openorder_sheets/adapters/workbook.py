"""The local workbook backend: an `.xlsx` file read and written with openpyxl.

It behaves like the Google backend: one read of every tab, one write of every tool tab. The
file is replaced atomically (written beside it, then renamed), so a sync killed mid-write never
leaves a half-written workbook.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from openorder_sheets.errors import ConfigError, SheetUnreachable
from openorder_sheets.ports import (
    ChartSpec,
    ColumnKind,
    ColumnSpec,
    Grid,
    RecordedRequests,
    SheetSnapshot,
    TabLayout,
    TabUpdate,
)

# The header band: the same face as the cells (an unnamed font prints as a serif fallback in
# LibreOffice), bold white on brown, two lines high so headers such as "Tanggal kirim" wrap
# instead of being cut off.
_HEADER_FONT = Font(name="Calibri", size=11, bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="7B3F00")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="4A2600"))
_HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
_HEADER_HEIGHT = 30  # points: two lines of an 11 pt header
_LAST_ROW = 1_048_576  # dropdowns and checkboxes cover the whole column, however long it grows
# Long free text (items, problems, addresses, notes, errors) wraps inside its column instead of
# running under the next one or being cut off; the row grows to fit.
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_LINE_HEIGHT = 15  # points per line of 11 pt text
_MAX_LINES = 20
_CHARS_PER_WIDTH = 1.1  # characters of text per unit of column width (the width of a "0")
# A sheet whose columns add up to more than this (in character widths) is not shrunk to one
# page wide when printed: the text would become unreadably small.
_FIT_TO_WIDTH_LIMIT = 260
_NUMBER_FORMATS = {
    ColumnKind.INTEGER: "0",
    ColumnKind.NUMBER: "General",  # "0.###" shows a stray "1." for whole numbers in Excel
    ColumnKind.PERCENT: "0%",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm",
    ColumnKind.DATE: "yyyy-mm-dd",
}


class WorkbookBackend:
    """A :class:`~openorder_sheets.ports.SheetBackend` on a local `.xlsx` file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.requests = RecordedRequests()
        self._book: Workbook | None = None

    def __repr__(self) -> str:
        return f"WorkbookBackend({str(self.path)!r})"

    # -- reading ---------------------------------------------------------------------------
    def _load(self) -> Workbook:
        if self._book is not None:
            return self._book
        if not self.path.exists():
            raise ConfigError(
                f"The workbook {self.path} does not exist: run `openorder init` to create it, "
                "or fix `workbook` under [sheet] in openorder.toml."
            )
        try:
            with _indexed_relationships():
                self._book = load_workbook(self.path, rich_text=False)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ConfigError(
                f"{self.path} is not a readable .xlsx workbook ({error.__class__.__name__}): "
                "save it as Excel Workbook (.xlsx) and try again."
            ) from None
        self.requests.add("read")
        return self._book

    def read(self, tabs: Sequence[str]) -> SheetSnapshot:
        self._book = None  # every sync starts from the file as the seller left it
        book = self._load()
        by_name = {fold_name(name): name for name in book.sheetnames}
        found: dict[str, Grid | None] = {}
        for tab in tabs:
            real = by_name.get(fold_name(tab))
            found[tab] = None if real is None else _grid(book[real])
        return SheetSnapshot(found)

    # -- writing ---------------------------------------------------------------------------
    def write(self, updates: Sequence[TabUpdate]) -> None:
        if not updates:
            return
        book = self._load()
        for update in updates:
            sheet = self._sheet(book, update.tab, update.columns, update.layout)
            _write(sheet, update)
            if update.layout.chart is not None:
                _chart(sheet, update.layout)
        self._save(book)

    def create_tabs(self, layouts: Mapping[str, tuple[TabLayout, Grid]]) -> list[str]:
        if self.path.exists():
            book = self._load()
        else:
            book = Workbook()
            book.remove(book.active)
            self._book = book
        existing = {fold_name(name) for name in book.sheetnames}
        created = []
        for tab, (layout, rows) in layouts.items():
            if fold_name(tab) in existing:
                continue
            width = max([len(layout.columns), *(len(row) for row in rows)])
            padding = tuple(
                ColumnSpec(str(rows[0][i]) if rows and i < len(rows[0]) else "")
                for i in range(len(layout.columns), width)
            )
            layout = TabLayout(layout.columns + padding, layout.currency_format, layout.chart)
            sheet = self._sheet(book, tab, tuple(range(width)), layout)
            _write(sheet, TabUpdate(tab, tuple(range(width)), rows, layout))
            created.append(tab)
        if created or not self.path.exists():
            self._save(book)
        return created

    def _sheet(
        self, book: Workbook, tab: str, columns: Sequence[int], layout: TabLayout
    ) -> Worksheet:
        for name in book.sheetnames:
            if fold_name(name) == fold_name(tab):
                return book[name]
        sheet = book.create_sheet(tab[:31])
        _decorate(sheet, columns, layout)
        return sheet

    def _save(self, book: Workbook) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(self.path.parent)
        handle, temporary = tempfile.mkstemp(
            prefix=".openorder-", suffix=".xlsx", dir=self.path.parent
        )
        os.close(handle)
        try:
            book.save(temporary)
            with open(temporary, "rb") as written:
                os.fsync(written.fileno())
            os.replace(temporary, self.path)
        except PermissionError:
            Path(temporary).unlink(missing_ok=True)
            raise SheetUnreachable(
                f"Cannot save {self.path}: it is open in another program or read-only — close "
                "it in Excel/LibreOffice and run the sync again."
            ) from None
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise SheetUnreachable(
                f"Cannot save {self.path} ({error.strerror}): free some "
                "disk space or fix the folder's permissions."
            ) from None
        self.requests.add("write")


def _remove_stale_temporaries(folder: Path, older_than: float = 600.0) -> None:
    """Delete half-written saves left by a sync killed mid-save (never a fresh one)."""
    cutoff = time.time() - older_than
    for leftover in folder.glob(".openorder-*.xlsx"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def fold_name(name: str) -> str:
    return " ".join(name.split()).casefold()


@contextlib.contextmanager
def _indexed_relationships() -> Iterator[None]:
    """Find relationships by id through an index while a workbook loads.

    openpyxl looks up every hyperlink's target with a linear scan of the sheet's
    relationships: quadratic in the number of links, about three minutes for the WhatsApp
    links of a 100,000-order `Orders` tab. The index gives the same answers in linear time.
    """
    original = RelationshipList.get
    # id → (the list itself, kept alive so its id is not reused; its length; the index)
    indexes: dict[int, tuple[RelationshipList, int, dict[Any, Any]]] = {}

    def get(relationships: RelationshipList, key: Any) -> Any:
        cached = indexes.get(id(relationships))
        if cached is None or cached[0] is not relationships or cached[1] != len(relationships):
            index: dict[Any, Any] = {}
            for relationship in relationships:
                index.setdefault(relationship.Id, relationship)  # the first wins, as in a scan
            cached = indexes[id(relationships)] = (relationships, len(relationships), index)
        found = cached[2].get(key)
        return found if found is not None else original(relationships, key)

    RelationshipList.get = get
    try:
        yield
    finally:
        RelationshipList.get = original


def _grid(sheet: Worksheet) -> Grid:
    """The sheet's values, row by row, each row as wide as the sheet (as ``iter_rows`` gives).

    Read from the cells that exist: ``iter_rows`` would create an empty cell object for every
    blank position first (a million of them in a 100,000-answer responses tab).
    """
    if not sheet._cells:
        return []
    width, height = sheet.max_column, sheet.max_row
    rows: Grid = [[None] * width for _ in range(height)]
    for (row, column), cell in sheet._cells.items():
        value = cell.value
        if value is not None:
            rows[row - 1][column - 1] = value
    while rows and all(cell is None for cell in rows[-1]):
        rows.pop()
    return rows


def _decorate(sheet: Worksheet, columns: Sequence[int], layout: TabLayout) -> None:
    """What a seller sees on a new tab: frozen header, widths, dropdowns, checkboxes, printing.

    ``layout.columns[j]`` describes sheet column ``columns[j]`` (as in :class:`TabUpdate`), so a
    tab first written from a partial update still gets its dropdowns on the right columns.
    """
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = _HEADER_HEIGHT
    for column, spec in zip(columns, layout.columns, strict=False):
        _decorate_column(sheet, column + 1, spec)
    _page_setup(sheet, layout)


def _decorate_column(sheet: Worksheet, index: int, spec: ColumnSpec) -> None:
    """Width (wide enough for the header's longest word) and the column's data validation."""
    letter = get_column_letter(index)
    longest_word = max((len(word) for word in spec.header.split()), default=0)
    sheet.column_dimensions[letter].width = max(spec.width, longest_word + 2)
    choices: tuple[str, ...] = ()
    if spec.kind is ColumnKind.DROPDOWN:
        choices = spec.options
    elif spec.kind is ColumnKind.CHECKBOX:
        choices = ("TRUE", "FALSE")
    if not choices or _validated(sheet, index):
        return
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showDropDown=False,  # (sic) False *shows* the in-cell arrow
    )
    if spec.kind is ColumnKind.DROPDOWN:
        # A typo in a seller column is flagged (but still allowed: the sync explains it).
        validation.showErrorMessage = True
        validation.errorStyle = "warning"
    validation.add(f"{letter}2:{letter}{_LAST_ROW}")
    sheet.add_data_validation(validation)


def _validated(sheet: Worksheet, index: int) -> bool:
    """Whether a data validation already covers (part of) sheet column ``index``."""
    return any(
        cells.min_col <= index <= cells.max_col
        for validation in sheet.data_validations.dataValidation
        for cells in validation.sqref.ranges
    )


def _page_setup(sheet: Worksheet, layout: TabLayout) -> None:
    """Printable as it is: A4 landscape, header repeated on every page, gridlines, and one page
    wide unless the tab is too wide for that to stay readable (the Orders tab)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    if sum(spec.width for spec in layout.columns) <= _FIT_TO_WIDTH_LIMIT:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need


def _write(sheet: Worksheet, update: TabUpdate) -> None:
    kinds = _kinds(update)
    wrapped = {
        column: _width(sheet, column + 1)
        for column, spec in zip(update.columns, update.layout.columns, strict=False)
        if spec.wrap
    }
    money_format = _money_format(update.layout.currency_format)
    # Alignment ids resolved once: openpyxl re-hashes an Alignment on every assignment, which
    # would cost seconds on a 100,000-row tab.
    alignments = sheet.parent._alignments
    wrap_id, top_id = alignments.add(_WRAP), alignments.add(_TOP)
    if update.start_row == 0 and update.rows and update.rows[0] is not None:
        _header_columns_added(sheet, update)
    for offset, row in enumerate(update.rows):
        if row is None:
            continue
        sheet_row = update.start_row + offset + 1
        lines = _lines(row, update.columns, wrapped) if wrapped and sheet_row > 1 else 1
        for value, column in zip(row, update.columns, strict=False):
            cell = sheet.cell(row=sheet_row, column=column + 1)
            cell.value = _storable(value)
            if sheet_row == 1:
                cell.font = _HEADER_FONT
                cell.fill = _HEADER_FILL
                cell.border = _HEADER_BORDER
                cell.alignment = _HEADER_ALIGNMENT
                continue
            kind = kinds.get(column)
            if kind is ColumnKind.MONEY:
                cell.number_format = money_format
            elif kind in _NUMBER_FORMATS:
                cell.number_format = _NUMBER_FORMATS[kind]
            elif kind is ColumnKind.LINK and isinstance(value, str) and value.startswith("http"):
                cell.hyperlink = value
                cell.style = "Hyperlink"
            if value is None:
                continue
            if column in wrapped:
                _align(cell, wrap_id)
            elif lines > 1:
                _align(cell, top_id)  # the row's other cells line up with the wrapped text
        if wrapped and sheet_row > 1:
            _fit_height(sheet, sheet_row, lines)
    if update.clear_below:
        end = update.start_row + len(update.rows) + 1
        for sheet_row in range(end, sheet.max_row + 1):
            for column in update.columns:
                cell = sheet.cell(row=sheet_row, column=column + 1)
                cell.value = None
                cell.hyperlink = None
            if wrapped:
                _fit_height(sheet, sheet_row, 1)


def _align(cell: Any, alignment_id: int) -> None:
    """``cell.alignment = …`` with the alignment's id already known (keeps font, fill, format)."""
    if cell._style is None:
        cell._style = StyleArray()
    cell._style.alignmentId = alignment_id


def _width(sheet: Worksheet, index: int) -> float:
    dimension = sheet.column_dimensions.get(get_column_letter(index))
    width = dimension.width if dimension is not None else None
    return float(width) if width else 13.0


def _lines(row: Sequence[Any], columns: Sequence[int], wrapped: Mapping[int, float]) -> int:
    """How many lines the row's tallest wrapped cell needs."""
    lines = 1
    for value, column in zip(row, columns, strict=False):
        width = wrapped.get(column)
        if width is not None and isinstance(value, str) and value:
            lines = max(lines, _text_lines(value, max(4, int(width * _CHARS_PER_WIDTH))))
    return min(lines, _MAX_LINES)


def _text_lines(text: str, per_line: int) -> int:
    """Lines of ``text`` wrapped at word boundaries in ``per_line`` characters (an estimate:
    proportional fonts differ, so it errs on the tall side)."""
    if len(text) <= per_line and "\n" not in text:
        return 1
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size > per_line:
                lines += 1
                used = 0
            while size > per_line:  # a word longer than the column is broken
                lines += 1
                size -= per_line
            used += size + (1 if used else 0)
    return lines


def _fit_height(sheet: Worksheet, sheet_row: int, lines: int) -> None:
    """A row tall enough for its wrapped text: neither Excel nor LibreOffice reliably grows a
    row for wrapped text in a file it did not write. A height the tool set earlier (a multiple
    of one line) goes back to automatic when the text got shorter; a seller's own stays."""
    if lines > 1:
        sheet.row_dimensions[sheet_row].height = lines * _LINE_HEIGHT
        return
    dimension = sheet.row_dimensions.get(sheet_row)
    height = dimension.height if dimension is not None else None
    if height is not None and height > _LINE_HEIGHT and height % _LINE_HEIGHT == 0:
        dimension.height = None


def _header_columns_added(sheet: Worksheet, update: TabUpdate) -> None:
    """Width and dropdown for a column whose header the tool adds to an existing tab (e.g. the
    seller columns of an `Orders` tab written by an older version): per column, never per row."""
    header = update.rows[0]
    assert header is not None
    for value, column, spec in zip(header, update.columns, update.layout.columns, strict=False):
        if value is not None and sheet.cell(row=1, column=column + 1).value is None:
            _decorate_column(sheet, column + 1, spec)
    if sheet.row_dimensions[1].height is None:
        sheet.row_dimensions[1].height = _HEADER_HEIGHT


def _money_format(currency_format: str) -> str:
    """Rupiah amounts with Indonesian separators (Rp165.000) whatever the computer's locale:
    read with English separators, "Rp85,000" looks like eighty-five rupiah."""
    if currency_format.startswith('"Rp"'):
        return "[$-421]" + currency_format
    return currency_format


def _kinds(update: TabUpdate) -> dict[int, ColumnKind]:
    """Column position → kind: ``layout.columns[j]`` describes ``update.columns[j]``."""
    return {
        column: spec.kind
        for column, spec in zip(update.columns, update.layout.columns, strict=False)
    }


def _storable(value: Any) -> Any:
    # openpyxl would store text starting with "=" as a formula; the core already prefixed it.
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value


def _chart(sheet: Worksheet, layout: TabLayout) -> None:
    spec = layout.chart
    assert spec is not None
    sheet._charts.clear()  # openpyxl has no public way to remove a chart
    sheet.print_options.gridLines = False  # printed gridlines would run behind the chart
    if spec.last_row < spec.first_row:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = spec.title
    chart.legend = None
    chart.y_axis.numFmt = "0%"
    chart.y_axis.scaling.min = 0
    # Full is the end of the axis; an over-capacity product (a seller's Confirm) stretches it.
    chart.y_axis.scaling.max = max([1.0, *_numbers(sheet, spec.value_column, spec)])
    chart.y_axis.majorUnit = 0.25
    # Products top to bottom in the table's order (a bar chart draws the first one lowest).
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.crosses = "max"
    chart.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told otherwise
    chart.y_axis.delete = False
    chart.y_axis.majorGridlines = None
    data = Reference(
        sheet, min_col=spec.value_column + 1, min_row=spec.first_row + 1, max_row=spec.last_row + 1
    )
    labels = Reference(
        sheet,
        min_col=spec.category_column + 1,
        min_row=spec.first_row + 1,
        max_row=spec.last_row + 1,
    )
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(labels)
    chart.dataLabels = DataLabelList(
        showVal=True,
        showCatName=False,
        showSerName=False,
        showLegendKey=False,
        showPercent=False,
        numFmt="0%",
    )
    series = chart.series[0]
    series.graphicalProperties.solidFill = "7B3F00"
    series.graphicalProperties.line.solidFill = "7B3F00"
    chart.gapWidth = 60
    rows = spec.last_row - spec.first_row + 1
    chart.height = max(7.5, 3.0 + 1.0 * rows)
    chart.width = 16
    sheet.add_chart(chart, f"{get_column_letter(spec.anchor_column + 1)}2")


def _numbers(sheet: Worksheet, column: int, spec: ChartSpec) -> list[float]:
    """The chart's values (a handful of cells, one per product)."""
    values = []
    for row in range(spec.first_row + 1, spec.last_row + 2):
        value = sheet.cell(row=row, column=column + 1).value
        if isinstance(value, int | float) and not isinstance(value, bool):
            values.append(float(value))
    return values
