"""openpyxl, as the workbook backend uses it: loading quietly and fast (only the tabs asked for
when values are all that is wanted), and writing the tool's tabs when the file cannot simply be
patched (:mod:`.workbook_patch`) — a new tab, merged cells to undo, an added header."""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from openorder_sheets.adapters import workbook_layout as look
from openorder_sheets.adapters.workbook_chart import bar_chart
from openorder_sheets.adapters.workbook_look import apply_look
from openorder_sheets.adapters.workbook_package import fold_name
from openorder_sheets.ports import ChartSpec, ColumnKind, ColumnSpec, Grid, TabLayout, TabUpdate

_LAST_ROW = 1_048_576  # dropdowns and checkboxes cover the whole column, however long it grows
# A sheet whose columns add up to more than this (in character widths) is not shrunk to one
# page wide when printed: the text would become unreadably small.
_FIT_TO_WIDTH_LIMIT = 260


def load_whole(data: bytes) -> Workbook:
    """The whole workbook, every tab, as openpyxl loads it (to write it and save it)."""
    with _indexed_relationships(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(io.BytesIO(data), rich_text=False)


def load_tabs(data: bytes, names: Collection[str]) -> Workbook:
    """A workbook holding only the tabs ``names``, each exactly as :func:`load_whole` has it.

    openpyxl reads tabs one by one against the shared strings and styles, so skipping the others
    changes nothing in these. Enough to read values; never to be saved.
    """
    with _indexed_relationships(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = ExcelReader(io.BytesIO(data), read_only=False, data_only=False, rich_text=False)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        reader.read_properties()
        reader.read_custom()
        reader.read_theme()
        apply_stylesheet(reader.archive, reader.wb)
        every = reader.parser.find_sheets
        reader.parser.find_sheets = lambda: (
            (sheet, relation) for sheet, relation in every() if sheet.name in names
        )
        reader.read_worksheets()
        reader.archive.close()
        book: Workbook = reader.wb
        return book


def grid_of(sheet: Worksheet) -> Grid:
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


# -- writing through openpyxl ------------------------------------------------------------------
def write_update(book: Workbook, update: TabUpdate) -> None:
    """Write one update into a loaded workbook (creating and laying out its tab if missing)."""
    sheet = sheet_for(book, update.tab, update.columns, update.layout)
    _unmerge_written(sheet, update)
    write_cells(sheet, update)
    apply_look(sheet, update)
    spec = update.layout.chart
    if spec is not None:
        sheet._charts.clear()  # openpyxl has no public way to remove a chart
        sheet.print_options.gridLines = False  # printed gridlines would run behind the chart
        if spec.last_row >= spec.first_row:
            chart = bar_chart(sheet, spec, _numbers(sheet, spec.value_column, spec))
            sheet.add_chart(chart, chart.anchor)


def sheet_for(book: Workbook, tab: str, columns: Sequence[int], layout: TabLayout) -> Worksheet:
    """The tab named ``tab`` (case and spaces aside), created and laid out if missing."""
    for name in book.sheetnames:
        if fold_name(name) == fold_name(tab):
            found: Worksheet = book[name]
            return found
    sheet = book.create_sheet(tab[:31])
    _decorate(sheet, columns, layout)
    return sheet


def _unmerge_written(sheet: Worksheet, update: TabUpdate) -> None:
    """Unmerge every merged range that overlaps a cell ``update`` writes or clears.

    openpyxl cannot set a value in the covered cells of a merge (``MergedCell``), and the
    tool's columns need one value per cell. The top-left value stays where it was.
    """
    if not sheet.merged_cells.ranges or not update.columns:
        return
    first_row = update.start_row + 1
    last_row = _LAST_ROW if update.clear_below else update.start_row + len(update.rows)
    columns = {column + 1 for column in update.columns}
    low, high = min(columns), max(columns)
    for merged in list(sheet.merged_cells.ranges):
        if merged.max_row < first_row or merged.min_row > last_row:
            continue
        if merged.max_col < low or merged.min_col > high:
            continue
        if not any(merged.min_col <= column <= merged.max_col for column in columns):
            continue
        sheet.merged_cells.remove(merged)
        for row, column in merged.cells:
            if isinstance(sheet._cells.get((row, column)), MergedCell):
                del sheet._cells[(row, column)]


def _decorate(sheet: Worksheet, columns: Sequence[int], layout: TabLayout) -> None:
    """What a seller sees on a new tab: frozen header, widths, dropdowns, checkboxes, printing.

    ``layout.columns[j]`` describes sheet column ``columns[j]`` (as in :class:`TabUpdate`), so a
    tab first written from a partial update still gets its dropdowns on the right columns.
    """
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = look.HEADER_HEIGHT
    for column, spec in zip(columns, layout.columns, strict=False):
        _decorate_column(sheet, column + 1, spec)
    _page_setup(sheet, layout)
    if layout.hidden:
        sheet.sheet_state = "hidden"  # the tool's memory: not for the seller to edit


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


def write_cells(sheet: Worksheet, update: TabUpdate) -> None:
    """The cells of ``update``: values, formats, links, alignment and row heights."""
    kinds = look.kinds(update)
    wrapped = {column: _width(sheet, column + 1) for column in look.wrapped_columns(update)}
    money_format = look.money_format(update.layout.currency_format)
    # Alignment ids resolved once: openpyxl re-hashes an Alignment on every assignment, which
    # would cost seconds on a 100,000-row tab.
    alignments = sheet.parent._alignments
    wrap_id, top_id = alignments.add(look.WRAP), alignments.add(look.TOP)
    if update.start_row == 0 and update.rows and update.rows[0] is not None:
        _header_columns_added(sheet, update)
    for offset, row in enumerate(update.rows):
        if row is None:
            continue
        sheet_row = update.start_row + offset + 1
        lines = look.lines(row, update.columns, wrapped) if wrapped and sheet_row > 1 else 1
        for value, column in zip(row, update.columns, strict=False):
            cell = sheet.cell(row=sheet_row, column=column + 1)
            cell.value = look.storable(value)
            if sheet_row == 1:
                cell.font = look.HEADER_FONT
                cell.fill = look.HEADER_FILL
                cell.border = look.HEADER_BORDER
                cell.alignment = look.HEADER_ALIGNMENT
                continue
            kind = kinds.get(column)
            if kind is ColumnKind.MONEY:
                cell.number_format = money_format
            elif kind in look.NUMBER_FORMATS:
                cell.number_format = look.NUMBER_FORMATS[kind]
            elif look.is_link(kind, value):
                cell.hyperlink = value
                cell.style = "Hyperlink"
            elif kind is ColumnKind.LINK:
                cell.hyperlink = None  # no stale link under a cell that holds no address
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
    """The column's width, also when the sheet stores it on a range of columns (openpyxl keeps
    such a range under its first column only)."""
    found = sheet.column_dimensions.get(get_column_letter(index))
    if found is None:
        for dimension in sheet.column_dimensions.values():
            if (dimension.min or 0) <= index <= (dimension.max or 0):
                found = dimension
                break
    width = found.width if found is not None else None
    return float(width) if width else look.DEFAULT_WIDTH


def _fit_height(sheet: Worksheet, sheet_row: int, lines: int) -> None:
    dimension = sheet.row_dimensions.get(sheet_row)
    current = dimension.height if dimension is not None else None
    height = look.fitted_height(current, lines)
    if height != current:
        sheet.row_dimensions[sheet_row].height = height


def _header_columns_added(sheet: Worksheet, update: TabUpdate) -> None:
    """Width and dropdown for a column whose header the tool adds to an existing tab (e.g. the
    seller columns of an `Orders` tab written by an older version): per column, never per row."""
    header = update.rows[0]
    assert header is not None
    for value, column, spec in zip(header, update.columns, update.layout.columns, strict=False):
        if value is not None and sheet.cell(row=1, column=column + 1).value is None:
            _decorate_column(sheet, column + 1, spec)
    if sheet.row_dimensions[1].height is None:
        sheet.row_dimensions[1].height = look.HEADER_HEIGHT


def _numbers(sheet: Worksheet, column: int, spec: ChartSpec) -> list[float]:
    """The chart's values (a handful of cells, one per product)."""
    values = []
    for row in range(spec.first_row + 1, spec.last_row + 2):
        value = sheet.cell(row=row, column=column + 1).value
        if isinstance(value, int | float) and not isinstance(value, bool):
            values.append(float(value))
    return values
