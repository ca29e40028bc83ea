"""How the tool's cells look in the local workbook, shared by both ways of writing it.

The workbook is written either through openpyxl (a new tab, an unusual file) or by patching the
tab's XML (:mod:`.workbook_patch`); both give a cell the same value, number format, alignment,
hyperlink and row height, from these definitions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from openorder_sheets.ports import ColumnKind, TabUpdate

# The header band: the same face as the cells (an unnamed font prints as a serif fallback in
# LibreOffice), bold white on brown, two lines high so headers such as "Tanggal kirim" wrap
# instead of being cut off.
HEADER_FONT = Font(name="Calibri", size=11, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="7B3F00")
HEADER_BORDER = Border(bottom=Side(style="thin", color="4A2600"))
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
HEADER_HEIGHT = 30  # points: two lines of an 11 pt header
# Long free text (items, problems, addresses, notes, errors) wraps inside its column instead of
# running under the next one or being cut off; the row grows to fit.
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
LINE_HEIGHT = 15  # points per line of 11 pt text
_MAX_LINES = 20
_CHARS_PER_WIDTH = 1.1  # characters of text per unit of column width (the width of a "0")
DEFAULT_WIDTH = 13.0  # openpyxl's width for a column the sheet says nothing about
NUMBER_FORMATS = {
    ColumnKind.INTEGER: "0",
    ColumnKind.NUMBER: "General",  # "0.###" shows a stray "1." for whole numbers in Excel
    ColumnKind.PERCENT: "0%",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm",
    ColumnKind.DATE: "yyyy-mm-dd",
}


def kinds(update: TabUpdate) -> dict[int, ColumnKind]:
    """Column position → kind: ``layout.columns[j]`` describes ``update.columns[j]``."""
    return {
        column: spec.kind
        for column, spec in zip(update.columns, update.layout.columns, strict=False)
    }


def wrapped_columns(update: TabUpdate) -> list[int]:
    """The 0-based sheet columns of ``update`` whose text wraps."""
    return [
        column
        for column, spec in zip(update.columns, update.layout.columns, strict=False)
        if spec.wrap
    ]


def money_format(currency_format: str) -> str:
    """Rupiah amounts with Indonesian separators (Rp165.000) whatever the computer's locale:
    read with English separators, "Rp85,000" looks like eighty-five rupiah."""
    if currency_format.startswith('"Rp"'):
        return "[$-421]" + currency_format
    return currency_format


def storable(value: Any) -> Any:
    # openpyxl would store text starting with "=" as a formula; the core already prefixed it.
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value


def is_link(kind: ColumnKind | None, value: object) -> bool:
    """Whether the cell gets a hyperlink: a link column's web address."""
    return kind is ColumnKind.LINK and isinstance(value, str) and value.startswith("http")


def lines(row: Sequence[Any], columns: Sequence[int], wrapped: Mapping[int, float]) -> int:
    """How many lines the row's tallest wrapped cell needs."""
    tallest = 1
    for value, column in zip(row, columns, strict=False):
        width = wrapped.get(column)
        if width is not None and isinstance(value, str) and value:
            tallest = max(tallest, text_lines(value, max(4, int(width * _CHARS_PER_WIDTH))))
    return min(tallest, _MAX_LINES)


def text_lines(text: str, per_line: int) -> int:
    """Lines of ``text`` wrapped at word boundaries in ``per_line`` characters (an estimate:
    proportional fonts differ, so it errs on the tall side)."""
    if len(text) <= per_line and "\n" not in text:
        return 1
    count = 0
    for paragraph in text.split("\n"):
        count += 1
        used = 0
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size > per_line:
                count += 1
                used = 0
            while size > per_line:  # a word longer than the column is broken
                count += 1
                size -= per_line
            used += size + (1 if used else 0)
    return count


def fitted_height(current: float | None, count: int) -> float | None:
    """A row's height for ``count`` lines of wrapped text: neither Excel nor LibreOffice reliably
    grows a row for wrapped text in a file it did not write. A height the tool set earlier (a
    multiple of one line) goes back to automatic when the text got shorter; a seller's own
    stays."""
    if count > 1:
        return float(count * LINE_HEIGHT)
    if current is not None and current > LINE_HEIGHT and current % LINE_HEIGHT == 0:
        return None
    return current
