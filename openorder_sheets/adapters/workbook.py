"""The local workbook backend: an `.xlsx` file read and written with openpyxl.

It behaves like the Google backend: one read of every tab, one write of every tool tab. The
file is replaced atomically (written beside it, then renamed), so a sync killed mid-write never
leaves a half-written workbook.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from openorder_sheets.errors import ConfigError, SheetUnreachable
from openorder_sheets.ports import (
    ColumnKind,
    ColumnSpec,
    Grid,
    RecordedRequests,
    SheetSnapshot,
    TabLayout,
    TabUpdate,
)

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="7B3F00")
_NUMBER_FORMATS = {
    ColumnKind.INTEGER: "0",
    ColumnKind.NUMBER: "0.###",
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
            sheet = self._sheet(book, update.tab, update.layout)
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
            padding = tuple(ColumnSpec(str(rows[0][i]) if rows and i < len(rows[0]) else "")
                            for i in range(len(layout.columns), width))
            layout = TabLayout(layout.columns + padding, layout.currency_format, layout.chart)
            sheet = self._sheet(book, tab, layout)
            _write(sheet, TabUpdate(tab, tuple(range(width)), rows, layout))
            created.append(tab)
        if created or not self.path.exists():
            self._save(book)
        return created

    def _sheet(self, book: Workbook, tab: str, layout: TabLayout) -> Worksheet:
        for name in book.sheetnames:
            if fold_name(name) == fold_name(tab):
                return book[name]
        sheet = book.create_sheet(tab[:31])
        _decorate(sheet, layout)
        return sheet

    def _save(self, book: Workbook) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
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


def fold_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _grid(sheet: Worksheet) -> Grid:
    rows: Grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    while rows and all(cell is None for cell in rows[-1]):
        rows.pop()
    return rows


def _decorate(sheet: Worksheet, layout: TabLayout) -> None:
    """Frozen header, widths, dropdowns and checkboxes: what a seller sees on a new tab."""
    sheet.freeze_panes = "A2"
    for index, spec in enumerate(layout.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = spec.width
        choices: tuple[str, ...] = ()
        if spec.kind is ColumnKind.DROPDOWN:
            choices = spec.options
        elif spec.kind is ColumnKind.CHECKBOX:
            choices = ("TRUE", "FALSE")
        if choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=True,
                showDropDown=False,
            )
            validation.add(f"{letter}2:{letter}100000")
            sheet.add_data_validation(validation)


def _write(sheet: Worksheet, update: TabUpdate) -> None:
    kinds = _kinds(update)
    money_format = update.layout.currency_format
    for offset, row in enumerate(update.rows):
        if row is None:
            continue
        sheet_row = update.start_row + offset + 1
        for value, column in zip(row, update.columns, strict=False):
            cell = sheet.cell(row=sheet_row, column=column + 1)
            cell.value = _storable(value)
            if sheet_row == 1:
                cell.font = _HEADER_FONT
                cell.fill = _HEADER_FILL
                cell.alignment = Alignment(vertical="center", wrap_text=True)
                continue
            kind = kinds.get(column)
            if kind is ColumnKind.MONEY:
                cell.number_format = money_format
            elif kind in _NUMBER_FORMATS:
                cell.number_format = _NUMBER_FORMATS[kind]  # type: ignore[index]
            elif kind is ColumnKind.LINK and isinstance(value, str) and value.startswith("http"):
                cell.hyperlink = value
                cell.style = "Hyperlink"
    if update.clear_below:
        end = update.start_row + len(update.rows) + 1
        for sheet_row in range(end, sheet.max_row + 1):
            for column in update.columns:
                cell = sheet.cell(row=sheet_row, column=column + 1)
                cell.value = None
                cell.hyperlink = None


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
    sheet._charts.clear()  # noqa: SLF001 - openpyxl has no public way to remove a chart
    if spec.last_row < spec.first_row:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = spec.title
    chart.legend = None
    chart.y_axis.numFmt = "0%"
    chart.y_axis.scaling.min = 0
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
    chart.height = 7.5
    chart.width = 16
    sheet.add_chart(chart, f"{get_column_letter(spec.anchor_column + 1)}2")
