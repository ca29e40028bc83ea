"""``copyPaste`` and ``cutPaste``: copy or move a block of cells, like Ctrl+C / Ctrl+X.

A copy moves a formula's relative references with it (``=A1`` copied one column to the right
becomes ``=B1``; ``$A$1`` stays); a cut keeps formulas as they are. A destination that is a
multiple of the source's size is filled by repeating the source; any other destination gets
the source once, from its top-left cell (growing the grid when it does not fit). What is pasted
follows ``pasteType``: NORMAL (values, formats, validation, notes), NO_BORDERS, VALUES
(evaluated values only), FORMAT, FORMULA (values and formulas only), DATA_VALIDATION, and
CONDITIONAL_FORMATTING (which pastes nothing here: conditional formats belong to the sheet).
"""

from __future__ import annotations

import re
from typing import Any

from .a1 import col_to_index, index_to_col
from .cellvalue import CellError, Formula, Value
from .errors import invalid
from .grid import Extra, Sheet
from .limits import check_cells
from .render import Renderer
from .store import Spreadsheet, Target

JSON = dict[str, Any]
PASTE_TYPES = (
    "PASTE_NORMAL",
    "PASTE_VALUES",
    "PASTE_FORMAT",
    "PASTE_NO_BORDERS",
    "PASTE_FORMULA",
    "PASTE_DATA_VALIDATION",
    "PASTE_CONDITIONAL_FORMATTING",
)
#: Which parts of a cell each paste type carries: (value, formula kept, extras keys).
_CARRIES: dict[str, tuple[bool, bool, tuple[str, ...]]] = {
    "PASTE_NORMAL": (True, True, ("userEnteredFormat", "dataValidation", "note")),
    "PASTE_NO_BORDERS": (True, True, ("userEnteredFormat", "dataValidation", "note")),
    "PASTE_VALUES": (True, False, ()),
    "PASTE_FORMAT": (False, False, ("userEnteredFormat",)),
    "PASTE_FORMULA": (True, True, ()),
    "PASTE_DATA_VALIDATION": (False, False, ("dataValidation",)),
    "PASTE_CONDITIONAL_FORMATTING": (False, False, ()),
}

# Text that must not be touched when shifting references: "strings" and 'sheet names'.
_LITERAL = re.compile(r"\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'")
_REFERENCE = re.compile(
    r"(?<![\w$.])(?P<c0>\$?)(?P<col>[A-Za-z]{1,3})(?P<r0>\$?)(?P<row>\d+)(?![\w(])"
    r"|(?<![\w$.])(?P<cc0>\$?)(?P<ca>[A-Za-z]{1,3}):(?P<cc1>\$?)(?P<cb>[A-Za-z]{1,3})(?![\w(])"
)

Cell = tuple[Value, Extra | None]


def _shift_part(text: str, rows: int, cols: int) -> str:
    def column(letters: str, absolute: str) -> str | None:
        if absolute:
            return absolute + letters
        index = col_to_index(letters) + cols
        return None if index < 0 else index_to_col(index)

    def replace(match: re.Match[str]) -> str:
        if match.group("col"):
            letters = column(match.group("col"), match.group("c0"))
            row = int(match.group("row")) + (0 if match.group("r0") else rows)
            if letters is None or row < 1:
                return "#REF!"
            return f"{letters}{match.group('r0')}{row}"
        first = column(match.group("ca"), match.group("cc0"))
        second = column(match.group("cb"), match.group("cc1"))
        if first is None or second is None:
            return "#REF!"
        return f"{first}:{second}"

    return _REFERENCE.sub(replace, text)


def shift_formula(text: str, rows: int, cols: int) -> str:
    """Move a formula's relative references by (rows, cols), as copying it does."""
    out: list[str] = []
    position = 0
    for literal in _LITERAL.finditer(text):
        out.append(_shift_part(text[position : literal.start()], rows, cols))
        out.append(literal.group(0))
        position = literal.end()
    out.append(_shift_part(text[position:], rows, cols))
    return "".join(out)


def _paste_type(request: JSON) -> str:
    kind = str(request.get("pasteType") or "PASTE_NORMAL")
    if kind not in PASTE_TYPES:
        raise invalid(f"Invalid value at 'paste_type': {kind}")
    return kind


def _read(book: Spreadsheet, box: Target, kind: str) -> list[list[Cell]]:
    """The source block: (value to paste, extras to paste) per cell."""
    value_too, formula_kept, keys = _CARRIES[kind]
    renderer = Renderer(book, "UNFORMATTED_VALUE") if value_too and not formula_kept else None
    block: list[list[Cell]] = []
    for row in range(box.r0, box.r1):
        cells: list[Cell] = []
        for col in range(box.c0, box.c1):
            value: Value = box.sheet.get(row, col)
            if renderer is not None and isinstance(value, Formula):
                result, fallback = renderer.result(box.sheet, row, col)
                value = result.text if isinstance(result, CellError) else result
                if fallback is not None:
                    value = fallback
            extra = box.sheet.cell_extra(row, col) or {}
            kept = {k: v for k, v in extra.items() if k in keys}
            if kind == "PASTE_NO_BORDERS" and "userEnteredFormat" in kept:
                fmt = {k: v for k, v in kept["userEnteredFormat"].items() if k != "borders"}
                kept["userEnteredFormat"] = fmt
                if not fmt:
                    kept.pop("userEnteredFormat")
            cells.append((value, kept or None))
        block.append(cells)
    return block


def _put(sheet: Sheet, row: int, col: int, cell: Cell, kind: str) -> None:
    """Write one pasted cell (only the parts the paste type carries)."""
    value_too, _formula_kept, keys = _CARRIES[kind]
    value, extra = cell
    if value_too:
        sheet.write_row(row, col, [value], None)
    if not keys:
        return
    sheet.ensure_rows(row + 1)
    current = dict(sheet.cell_extra(row, col) or {})
    for key in keys:
        current.pop(key, None)
    current.update(extra or {})
    row_extras = dict(sheet.extras[row] or {})
    if current:
        row_extras[col] = current
    else:
        row_extras.pop(col, None)
    sheet.extras[row] = row_extras or None


def _grow(book: Spreadsheet, sheet: Sheet, rows: int, cols: int) -> None:
    new_rows, new_cols = max(sheet.row_count, rows), max(sheet.col_count, cols)
    if (new_rows, new_cols) != (sheet.row_count, sheet.col_count):
        check_cells(book, new_rows * new_cols - sheet.row_count * sheet.col_count)
        sheet.grid["rowCount"], sheet.grid["columnCount"] = new_rows, new_cols


def _clear(box: Target, kind: str) -> None:
    """Empty the parts of the source that a cut takes away."""
    value_too, _formula_kept, keys = _CARRIES[kind]
    if value_too:
        box.sheet.clear_values(box.r0, box.c0, box.r1, box.c1)
    if keys:
        box.sheet.map_extras(
            box.r0, box.r1, box.c0, box.c1,
            lambda old: {k: v for k, v in (old or {}).items() if k not in keys} or None,
        )  # fmt: skip


def _merges_inside(box: Target) -> list[JSON]:
    return [
        m for m in box.sheet.merges
        if box.r0 <= m["startRowIndex"] and m["endRowIndex"] <= box.r1
        and box.c0 <= m["startColumnIndex"] and m["endColumnIndex"] <= box.c1
    ]  # fmt: skip


def _paste_merges(sheet: Sheet, merges: list[JSON], rows: int, cols: int) -> None:
    for merge in merges:
        sheet.merges.append({
            "sheetId": sheet.sheet_id,
            "startRowIndex": merge["startRowIndex"] + rows,
            "endRowIndex": merge["endRowIndex"] + rows,
            "startColumnIndex": merge["startColumnIndex"] + cols,
            "endColumnIndex": merge["endColumnIndex"] + cols,
        })  # fmt: skip


def copy_paste(book: Spreadsheet, request: JSON) -> JSON:
    """copyPaste: copy ``source`` into ``destination`` (tiled when it is a multiple)."""
    kind = _paste_type(request)
    source = book.grid_target(request.get("source") or {})
    destination = book.grid_target(request.get("destination") or {})
    orientation = str(request.get("pasteOrientation") or "NORMAL")
    if orientation not in ("NORMAL", "TRANSPOSE"):
        raise invalid(f"Invalid value at 'paste_orientation': {orientation}")
    block = _read(book, source, kind)
    transpose = orientation == "TRANSPOSE"
    if transpose:
        block = [list(column) for column in zip(*block, strict=True)]
    height, width = len(block), len(block[0]) if block else 0
    if not height or not width:
        return {}
    dest_rows, dest_cols = destination.r1 - destination.r0, destination.c1 - destination.c0
    tiles_down = dest_rows // height if dest_rows >= height and dest_rows % height == 0 else 1
    tiles_across = dest_cols // width if dest_cols >= width and dest_cols % width == 0 else 1
    sheet = destination.sheet
    _grow(book, sheet, destination.r0 + tiles_down * height, destination.c0 + tiles_across * width)
    _, formula_kept, _ = _CARRIES[kind]
    merges = _merges_inside(source) if kind == "PASTE_NORMAL" and not transpose else []
    for tile_row in range(tiles_down):
        for tile_col in range(tiles_across):
            top = destination.r0 + tile_row * height
            left = destination.c0 + tile_col * width
            for r, cells in enumerate(block):
                for c, (value, extra) in enumerate(cells):
                    pasted = value
                    if formula_kept and isinstance(value, Formula):
                        source_row = source.r0 + (c if transpose else r)
                        source_col = source.c0 + (r if transpose else c)
                        pasted = Formula(
                            shift_formula(value.text, top + r - source_row, left + c - source_col)
                        )
                    _put(sheet, top + r, left + c, (pasted, extra), kind)
            if merges:
                _paste_merges(sheet, merges, top - source.r0, left - source.c0)
    sheet.changed()
    book.touch()
    return {}


def cut_paste(book: Spreadsheet, request: JSON) -> JSON:
    """cutPaste: move ``source`` so that its top-left cell lands on ``destination``."""
    kind = _paste_type(request)
    source = book.grid_target(request.get("source") or {})
    coordinate = request.get("destination") or {}
    sheet = book.sheet_by_id(coordinate.get("sheetId", 0))
    if sheet is None:
        raise invalid(f"No grid with id: {coordinate.get('sheetId', 0)}")
    top, left = int(coordinate.get("rowIndex") or 0), int(coordinate.get("columnIndex") or 0)
    if not (0 <= top < sheet.row_count and 0 <= left < sheet.col_count):
        raise invalid(
            f"Destination ({top}, {left}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
        )
    block = _read(book, source, kind)
    merges = _merges_inside(source) if kind == "PASTE_NORMAL" else []
    _clear(source, kind)
    if merges:
        source.sheet.merges = [m for m in source.sheet.merges if m not in merges]
    height, width = len(block), len(block[0]) if block else 0
    _grow(book, sheet, top + height, left + width)
    for r, cells in enumerate(block):
        for c, cell in enumerate(cells):
            _put(sheet, top + r, left + c, cell, kind)
    _paste_merges(sheet, merges, top - source.r0, left - source.c0)
    source.sheet.changed()
    sheet.changed()
    book.touch()
    return {}
