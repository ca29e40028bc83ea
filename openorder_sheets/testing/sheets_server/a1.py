"""A1 notation: parsing ranges such as ``'Form Responses 1'!A1:D4`` and writing them back.

Indices are zero-based and end-exclusive throughout (like the API's ``GridRange``). A parsed
range keeps ``None`` for an unbounded side: ``A:C`` has no row bounds, ``2:5`` no column bounds,
``A2:Z`` no end row. Resolving against a sheet's grid is the store's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The largest column Google Sheets allows (ZZZ).
MAX_COLUMNS = 18278
MAX_ROWS = 10_000_000

_ENDPOINT = re.compile(r"^\$?([A-Za-z]{0,3})\$?([0-9]*)$")
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$|^[Rr][0-9]*[Cc][0-9]*$")


class A1Error(ValueError):
    """Raised for text that is not valid A1 notation."""


def col_to_index(letters: str) -> int:
    """Return the zero-based index of a column name: ``A`` → 0, ``AA`` → 26."""
    if not letters or not letters.isalpha() or not letters.isascii():
        raise A1Error(f"not a column: {letters!r}")
    index = 0
    for char in letters.upper():
        index = index * 26 + (ord(char) - ord("A") + 1)
    return index - 1


def index_to_col(index: int) -> str:
    """Return the column name of a zero-based index: 0 → ``A``, 26 → ``AA``."""
    if index < 0:
        raise ValueError("column index must be >= 0")
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """Return the A1 name of a zero-based cell: (0, 0) → ``A1``."""
    return f"{index_to_col(col)}{row + 1}"


def quote_sheet_name(title: str) -> str:
    """Quote a sheet title the way Google echoes it: only when it needs quoting."""
    if _PLAIN_NAME.match(title) and not _CELL_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(title: str, r0: int, c0: int, r1: int, c1: int) -> str:
    """Write ``title!A1:B2`` for the end-exclusive box; a single cell is written ``title!A1``."""
    start = cell_name(r0, c0)
    if r1 - r0 == 1 and c1 - c0 == 1:
        return f"{quote_sheet_name(title)}!{start}"
    return f"{quote_sheet_name(title)}!{start}:{cell_name(r1 - 1, c1 - 1)}"


@dataclass(frozen=True)
class CellsRef:
    """The part after ``!``: bounds that are ``None`` are open (whole rows/columns)."""

    start_row: int | None
    start_col: int | None
    end_row: int | None  # exclusive
    end_col: int | None  # exclusive
    single: bool  # written as one cell ("B2"), which anchors a write that may spill over


@dataclass(frozen=True)
class RangeRef:
    """A parsed A1 range: an optional sheet name and optional cell bounds.

    ``sheet`` is None when no ``!`` was present and the text was not quoted; then ``bare`` holds
    the text, which is either a sheet title, a named range or cells on the first sheet.
    """

    sheet: str | None
    cells: CellsRef | None
    bare: str | None = None


def _parse_endpoint(text: str) -> tuple[int | None, int | None]:
    match = _ENDPOINT.match(text)
    if not match or not (match.group(1) or match.group(2)):
        raise A1Error(text)
    letters, digits = match.group(1), match.group(2)
    col = col_to_index(letters) if letters else None
    row = int(digits) - 1 if digits else None
    if row is not None and (row < 0 or row >= MAX_ROWS):
        raise A1Error(text)
    if col is not None and col >= MAX_COLUMNS:
        raise A1Error(text)
    return row, col


def parse_cells(text: str) -> CellsRef:
    """Parse the cells part: ``A1``, ``A1:D4``, ``A:C``, ``2:5``, ``A2:Z``, ``A1:1``."""
    text = text.strip()
    if ":" not in text:
        row, col = _parse_endpoint(text)
        if row is None or col is None:
            raise A1Error(text)
        return CellsRef(row, col, row + 1, col + 1, single=True)
    first, _, second = text.partition(":")
    r0, c0 = _parse_endpoint(first)
    r1, c1 = _parse_endpoint(second)
    if (r0 is None and c0 is None) or (r1 is None and c1 is None):
        raise A1Error(text)
    if c0 is None and r1 is None:  # "1:B" mixes a row start with a column end
        raise A1Error(text)
    if r0 is not None and r1 is not None and r1 < r0:
        r0, r1 = r1, r0
    if c0 is not None and c1 is not None and c1 < c0:
        c0, c1 = c1, c0
    return CellsRef(
        start_row=r0 if r0 is not None else (None if r1 is None else 0),
        start_col=c0 if c0 is not None else (None if c1 is None else 0),
        end_row=None if r1 is None else r1 + 1,
        end_col=None if c1 is None else c1 + 1,
        single=False,
    )


def _read_quoted(text: str) -> tuple[str, str]:
    """Read a quoted sheet name at the start of ``text``; return (name, rest)."""
    name: list[str] = []
    i = 1
    while i < len(text):
        char = text[i]
        if char == "'":
            if i + 1 < len(text) and text[i + 1] == "'":
                name.append("'")
                i += 2
                continue
            return "".join(name), text[i + 1 :]
        name.append(char)
        i += 1
    raise A1Error(text)


def parse_range(text: str) -> RangeRef:
    """Parse a full A1 range such as ``'My Sheet'!A1:B2``, ``Sheet1``, ``A1:C3`` or ``'Sheet'``."""
    text = text.strip()
    if not text:
        raise A1Error(text)
    if text.startswith("'"):
        name, rest = _read_quoted(text)
        if not name:
            raise A1Error(text)
        if not rest:
            return RangeRef(sheet=name, cells=None)
        if not rest.startswith("!") or len(rest) == 1:
            raise A1Error(text)
        return RangeRef(sheet=name, cells=parse_cells(rest[1:]))
    if "!" in text:
        name, _, cells = text.rpartition("!")
        if not name or not cells:
            raise A1Error(text)
        return RangeRef(sheet=name, cells=parse_cells(cells))
    return RangeRef(sheet=None, cells=None, bare=text)


def try_parse_cells(text: str) -> CellsRef | None:
    """Parse ``text`` as cells, or return None when it is not A1 cells."""
    try:
        return parse_cells(text)
    except A1Error:
        return None
