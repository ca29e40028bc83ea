"""Python-side access to the store: seed spreadsheets and inspect them in tests."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping, Sequence
from typing import Any

from .a1 import A1Error, col_to_index, parse_cells
from .cellvalue import Value, tidy_number
from .errors import invalid
from .grid import DEFAULT_COLUMNS, DEFAULT_ROWS, Sheet
from .numfmt import to_serial
from .render import Renderer
from .store import ACCESS_LEVELS, Spreadsheet, Store
from .userinput import parse_user_entered
from .values import write_range

SeedRows = Sequence[Sequence[Any]]


def _python_cell(sheet: Sheet, row: int, col: int, value: Any, option: str, locale: str) -> Value:
    """Convert a Python value for seeding (dates become serials with a date format)."""
    number_format: dict[str, str] | None = None
    stored: Value
    if isinstance(value, dt.datetime):
        stored, number_format = (
            tidy_number(to_serial(value)),
            {"type": "DATE_TIME", "pattern": "yyyy-mm-dd H:mm:ss"},
        )
    elif isinstance(value, dt.date):
        stored, number_format = (
            tidy_number(to_serial(value)),
            {"type": "DATE", "pattern": "yyyy-mm-dd"},
        )
    elif isinstance(value, decimal.Decimal):
        stored = tidy_number(float(value))
    elif isinstance(value, str) and option == "USER_ENTERED":
        stored, number_format = parse_user_entered(value, locale)
    elif value is None or value == "":
        stored = None
    elif isinstance(value, bool | int | float | str):
        stored = (
            tidy_number(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else value
        )
    else:
        stored = str(value)
    if number_format is not None:
        sheet.set_extra(row, col, "userEnteredFormat", {"numberFormat": number_format})
    return stored


def fill_sheet(book: Spreadsheet, sheet: Sheet, rows: SeedRows, option: str) -> None:
    """Write Python rows into a fresh sheet from A1, growing the grid to fit."""
    width = max((len(r) for r in rows), default=0)
    sheet.resize(max(sheet.row_count, len(rows)), max(sheet.col_count, width))
    for r, row in enumerate(rows):
        cells = [
            _python_cell(sheet, r, c, value, option, book.locale) for c, value in enumerate(row)
        ]
        sheet.write_row(r, 0, cells, None)
    sheet.changed()


def create(
    store: Store,
    title: str,
    sheets: Mapping[str, SeedRows] | None,
    *,
    spreadsheet_id: str | None,
    locale: str,
    time_zone: str,
    access: str,
    option: str,
) -> str:
    """Create and fill a spreadsheet; returns its id."""
    if access not in ACCESS_LEVELS:
        raise ValueError(f"access must be one of {ACCESS_LEVELS}")
    with store.lock:
        if spreadsheet_id and spreadsheet_id in store.books:
            raise ValueError(f"spreadsheet {spreadsheet_id} already exists")
        book = store.create(title, spreadsheet_id, first_sheet=not sheets)
        book.props["locale"], book.props["timeZone"] = locale, time_zone
        for index, (name, rows) in enumerate((sheets or {}).items()):
            sheet = book.add_sheet(
                name, DEFAULT_ROWS, DEFAULT_COLUMNS, sheet_id=0 if index == 0 else None
            )
            fill_sheet(book, sheet, rows, option)
        book.access = access
        return book.id


def book_of(store: Store, spreadsheet_id: str) -> Spreadsheet:
    """The spreadsheet (no access check: this is the owner's view)."""
    book = store.books.get(spreadsheet_id)
    if book is None:
        raise KeyError(f"no spreadsheet {spreadsheet_id!r}")
    return book


def sheet_of(store: Store, spreadsheet_id: str, tab: str) -> Sheet:
    """A sheet by title."""
    sheet = book_of(store, spreadsheet_id).sheet_by_title(tab)
    if sheet is None:
        raise KeyError(f"no sheet {tab!r} in {spreadsheet_id}")
    return sheet


def values(store: Store, spreadsheet_id: str, range_text: str, render: str) -> list[list[Any]]:
    """Values of a range as values.get would return them (Google's trimming)."""
    book = book_of(store, spreadsheet_id)
    target = book.resolve(range_text)
    return Renderer(book, render).box(target.sheet, target.r0, target.c0, target.r1, target.c1)


def set_values(
    store: Store, spreadsheet_id: str, range_text: str, rows: SeedRows, option: str
) -> None:
    """Write values like values.update (used for seller edits)."""
    book = book_of(store, spreadsheet_id)
    write_range(book, range_text, {"values": [list(r) for r in rows]}, option, "data")


def column_index(column: int | str) -> int:
    """A column given as a 0-based index or letters (``"C"``)."""
    if isinstance(column, int):
        return column
    try:
        return col_to_index(column)
    except A1Error as exc:
        raise ValueError(f"not a column: {column!r}") from exc


def sort_tab(
    store: Store,
    spreadsheet_id: str,
    tab: str,
    column: int | str,
    ascending: bool,
    header_rows: int,
) -> None:
    """Sort a tab's data rows by one column, as a seller clicking "Sort sheet" would."""
    book = book_of(store, spreadsheet_id)
    sheet = sheet_of(store, spreadsheet_id, tab)
    col = column_index(column)
    rows, cols = sheet.used_size()
    if rows > header_rows:
        sheet.sort_rows(header_rows, rows, 0, max(cols, col + 1), [(col, ascending)])
        book.touch()


def cell_extra(store: Store, spreadsheet_id: str, tab: str, a1: str, key: str) -> Any:
    """One extras field (userEnteredFormat, dataValidation, note) of a cell."""
    sheet = sheet_of(store, spreadsheet_id, tab)
    try:
        cells = parse_cells(a1)
    except A1Error as exc:
        raise invalid(f"Unable to parse range: {a1}") from exc
    extra = sheet.cell_extra(cells.start_row or 0, cells.start_col or 0) or {}
    return extra.get(key)
