"""``autoResizeDimensions``: size columns to their widest text and rows to their tallest.

There is no layout engine here, so text is measured with Arial's advance widths (Sheets'
default font) at each cell's font size, plus the cell padding: close to what Sheets picks, and
above all monotonic — longer text gives a wider column. A column with no text keeps its
size; a row becomes as tall as its cell with the most lines (21 pixels for one line at 10 pt).
"""

from __future__ import annotations

import math
from typing import Any

from .batch_objects import dimension_range
from .grid import Sheet
from .render import Renderer
from .store import Spreadsheet

JSON = dict[str, Any]
DEFAULT_FONT_SIZE = 10
PADDING = 3 + 3 + 1  # left and right padding, and the grid line
LINE_FACTOR = 1.7  # pixels per point of font size for one line of text
ROW_PADDING = 4

#: Arial advance widths in thousandths of an em (the rest: 556, an average letter).
_WIDTHS: dict[str, int] = {
    **dict.fromkeys(" !,./:;I[\\]fijlt|", 278),
    **dict.fromkeys("ijl", 222),
    "'": 191,
    '"': 355,
    **dict.fromkeys("()-r`{}", 333),
    **dict.fromkeys("ckssvxyz", 500),
    "J": 500,
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("&ABEKPSVXY", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("Mm", 833),
    "%": 889,
    "W": 944,
    "@": 1015,
}


def text_pixels(text: str, font_size: float = DEFAULT_FONT_SIZE) -> float:
    """The rendered width of one line of text, in pixels (1 pt = 4/3 px)."""
    em = font_size * 4 / 3
    return sum(_WIDTHS.get(char, 556) for char in text) * em / 1000


def _font_size(sheet: Sheet, row: int, col: int) -> float:
    fmt = (sheet.cell_extra(row, col) or {}).get("userEnteredFormat") or {}
    return float((fmt.get("textFormat") or {}).get("fontSize") or DEFAULT_FONT_SIZE)


def _column_width(renderer: Renderer, sheet: Sheet, col: int) -> int | None:
    widest = 0.0
    for row, cells in enumerate(sheet.values):
        if col < len(cells) and cells[col] is not None:
            text = str(renderer.cell(sheet, row, col))
            size = _font_size(sheet, row, col)
            widest = max(widest, *(text_pixels(line, size) for line in text.split("\n")))
    return math.ceil(widest) + PADDING if widest else None


def _row_height(renderer: Renderer, sheet: Sheet, row: int) -> int:
    tallest = math.ceil(DEFAULT_FONT_SIZE * LINE_FACTOR)
    cells = sheet.values[row] if row < len(sheet.values) else []
    for col, value in enumerate(cells):
        if value is not None:
            lines = str(renderer.cell(sheet, row, col)).count("\n") + 1
            tallest = max(tallest, math.ceil(lines * _font_size(sheet, row, col) * LINE_FACTOR))
    return tallest + ROW_PADDING


def auto_resize_dimensions(book: Spreadsheet, request: JSON) -> JSON:
    """autoResizeDimensions: store the measured ``pixelSize`` of each row or column."""
    sheet, rows, start, end = dimension_range(book, request.get("dimensions") or {})
    renderer = Renderer(book)
    size = sheet.row_count if rows else sheet.col_count
    meta = sheet.row_meta if rows else sheet.col_meta
    for index in range(start, min(end, size)):
        pixels = (
            _row_height(renderer, sheet, index) if rows else _column_width(renderer, sheet, index)
        )
        if pixels is not None:
            meta[index] = {**meta.get(index, {}), "pixelSize": pixels}
    return {}
