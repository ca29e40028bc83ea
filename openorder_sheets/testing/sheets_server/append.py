"""``values.append``: find the "table" in the input range and write below it.

Table detection follows what Google's recordings show: take the last row of the range that
holds data, start from its rightmost run of adjacent non-empty cells, and walk upwards while the
rows above have cells touching (including diagonally) the columns found so far. The table's
first column is where the new rows start; e.g. ``A1="x", B1="", C1="y"`` gives the table
``C1`` and the next append lands at ``C2`` — exactly Google's (surprising) answer.
"""

from __future__ import annotations

from typing import Any

from .a1 import format_range
from .cellvalue import Value
from .grid import Sheet
from .limits import check_cells
from .render import Renderer, check_enum
from .store import Spreadsheet, Target
from .values import (
    JSON,
    Params,
    Written,
    check_rows,
    flag,
    input_option,
    major_dimension,
    param,
    transpose,
    value_range,
    write_cells,
)

Box = tuple[int, int, int, int]  # r0, c0, r1, c1 (end-exclusive)


def _runs(cells: list[Value], c0: int, c1: int) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    start = None
    for col in range(c0, min(c1, len(cells))):
        if cells[col] is not None:
            if start is None:
                start = col
        elif start is not None:
            runs.append((start, col - 1))
            start = None
    if start is not None:
        runs.append((start, min(c1, len(cells)) - 1))
    return runs


def _key(target: Target) -> Box:
    return (
        target.r0,
        target.c0,
        -1 if target.open_rows else target.r1,
        -1 if target.open_cols else target.c1,
    )


def find_table(target: Target) -> Box | None:
    """The table Google would append to within the target, or None when it holds no data."""
    sheet, r0, c0, r1, c1 = target.sheet, target.r0, target.c0, target.r1, target.c1
    key = _key(target)
    cached = sheet.append_cache
    if cached is not None and cached[0] == key and cached[1] == sheet.version:
        return cached[2]
    last = min(r1, len(sheet.values)) - 1
    while last >= r0 and not _runs(sheet.values[last], c0, c1):
        last -= 1
    if last < r0:
        return None
    lo, hi = _runs(sheet.values[last], c0, c1)[-1]
    top = last
    for row in range(last - 1, r0 - 1, -1):
        touching = [
            run for run in _runs(sheet.values[row], c0, c1) if run[0] <= hi + 1 and run[1] >= lo - 1
        ]
        if not touching:
            break
        lo = min(lo, touching[0][0])
        hi = max(hi, touching[-1][1])
        top = row
    box = (top, lo, last + 1, hi + 1)
    sheet.append_cache = (key, sheet.version, box)
    return box


def values_append(book: Spreadsheet, range_text: str, params: Params, body: JSON) -> JSON:
    """POST .../values/{range}:append."""
    option = input_option(param(params, "valueInputOption"))
    insert = check_enum(
        param(params, "insertDataOption"),
        ("OVERWRITE", "INSERT_ROWS"),
        "insert_data_option",
        "InsertDataOption",
    )
    rows = check_rows(body.get("values"), "data.values")
    if major_dimension(body.get("majorDimension"), "data.major_dimension") == "COLUMNS":
        rows = transpose(rows)
    target = book.resolve(range_text)
    sheet = target.sheet
    table = find_table(target)
    row, col = (table[2], table[1]) if table else (target.r0, target.c0)
    height, width = len(rows), max((len(r) for r in rows), default=0)
    grown_rows = max(sheet.row_count + (height if insert == "INSERT_ROWS" else 0), row + height)
    grown_cols = max(sheet.col_count, col + width)
    check_cells(book, grown_rows * grown_cols - sheet.row_count * sheet.col_count)
    if insert == "INSERT_ROWS" and height:
        sheet.insert_rows(row, height, inherit_from=row - 1 if row else None)
    if row + height > sheet.row_count:
        sheet.grid["rowCount"] = row + height
    if col + width > sheet.col_count:
        sheet.grid["columnCount"] = col + width
    write_cells(book, sheet, row, col, rows, option)
    written = Written(sheet, row, col, height, width, rows)
    _remember_table(sheet, target, table, written, rows)
    out: JSON = {"spreadsheetId": book.id}
    if table:
        out["tableRange"] = format_range(sheet.title, *table)
    updates = written.reply(book, target.a1())
    if flag(param(params, "includeValuesInResponse", "false")) and height:
        renderer = Renderer(
            book,
            param(params, "responseValueRenderOption") or "FORMATTED_VALUE",
            param(params, "responseDateTimeRenderOption") or "SERIAL_NUMBER",
        )
        box = Target(sheet, row, col, row + height, col + width)
        updates["updatedData"] = value_range(renderer, box, "ROWS")
    out["updates"] = updates
    return out


def _remember_table(
    sheet: Sheet, target: Target, table: Box | None, written: Written, rows: list[list[Any]]
) -> None:
    """Keep the grown table cached so repeated appends do not rescan a long sheet.

    Only done when the appended rows have no gaps: then a fresh scan would find the same box.
    """
    if (
        not written.rows
        or any(v is None or v == "" for r in rows for v in r)
        or any(len(r) != written.cols for r in rows)
    ):
        return
    top, left, right = written.row, written.col, written.col + written.cols
    if table:
        top, left, right = table[0], min(table[1], left), max(table[3], right)
    box = (top, left, written.row + written.rows, right)
    sheet.append_cache = (_key(target), sheet.version, box)
