"""Google's ceiling of 10 million cells per spreadsheet.

Every cell of every tab's grid counts, blank or not (``rowCount × columnCount`` summed over the
tabs). A request that would take the spreadsheet past it fails with Google's 400 — inside a
``spreadsheets:batchUpdate`` prefixed ``Invalid requests[i].kind:`` like any other request error.
"""

from __future__ import annotations

from .errors import invalid
from .store import Spreadsheet

CELL_LIMIT = 10_000_000
CELL_LIMIT_MESSAGE = (
    "This action would increase the number of cells in the workbook above the limit of "
    f"{CELL_LIMIT} cells."
)


def grid_cells(book: Spreadsheet) -> int:
    """Cells in every tab's grid (blank ones too)."""
    return sum(sheet.row_count * sheet.col_count for sheet in book.sheets)


def check_cells(book: Spreadsheet, added: int = 0) -> None:
    """A 400 if the spreadsheet holds (or would, with ``added`` more) more than the limit."""
    if added >= 0 and grid_cells(book) + added > CELL_LIMIT:
        raise invalid(CELL_LIMIT_MESSAGE)
