"""The ``Spreadsheet`` resource as JSON: properties, sheets, and grid data with CellData."""

from __future__ import annotations

import copy
from typing import Any

from .cellvalue import extended_value
from .formats import effective_format
from .grid import Sheet
from .render import Renderer
from .store import Spreadsheet, Target

JSON = dict[str, Any]
ROW_PIXELS = 21
COLUMN_PIXELS = 100


def sheet_properties(book: Spreadsheet, sheet: Sheet) -> JSON:
    """SheetProperties as Google prints them (zero frozen counts and false flags omitted)."""
    props = copy.deepcopy(sheet.props)
    grid = props.get("gridProperties", {})
    for key in ("frozenRowCount", "frozenColumnCount"):
        if not grid.get(key):
            grid.pop(key, None)
    for key in ("hideGridlines", "rowGroupControlAfter", "columnGroupControlAfter"):
        if grid.get(key) is False:
            grid.pop(key)
    for key in ("hidden", "rightToLeft"):
        if props.get(key) is False:
            props.pop(key)
    ordered: JSON = {
        "sheetId": props.pop("sheetId"),
        "title": props.pop("title"),
        "index": book.index_of(sheet),
        "sheetType": props.pop("sheetType", "GRID"),
        "gridProperties": props.pop("gridProperties", {}),
    }
    ordered.update(props)
    return ordered


def cell_data(book: Spreadsheet, renderer: Renderer, sheet: Sheet, row: int, col: int) -> JSON:
    """CellData of one cell ({} for an untouched empty cell)."""
    out: JSON = {}
    stored = sheet.get(row, col)
    extra = sheet.cell_extra(row, col) or {}
    user_format = extra.get("userEnteredFormat")
    if stored is not None:
        out["userEnteredValue"] = extended_value(stored)
        value, fallback = renderer.result(sheet, row, col)
        effective = extended_value(value) if fallback is None else {"stringValue": fallback}
        if effective:
            out["effectiveValue"] = effective
        formatted = (
            fallback
            if fallback is not None
            else renderer.formatted(value, (user_format or {}).get("numberFormat"))
        )
        if formatted or value is not None:
            out["formattedValue"] = formatted
    if user_format:
        out["userEnteredFormat"] = copy.deepcopy(user_format)
    if out:
        out["effectiveFormat"] = effective_format(
            book.props.get("defaultFormat") or {}, user_format
        )
    if "dataValidation" in extra:
        out["dataValidation"] = copy.deepcopy(extra["dataValidation"])
    if "note" in extra:
        out["note"] = extra["note"]
    return out


def grid_data(book: Spreadsheet, renderer: Renderer, target: Target) -> JSON:
    """GridData for a box: rowData (trailing empties trimmed) and row/column metadata."""
    sheet = target.sheet
    out: JSON = {}
    if target.r0:
        out["startRow"] = target.r0
    if target.c0:
        out["startColumn"] = target.c0
    rows: list[JSON] = []
    last_row = min(target.r1, max(len(sheet.values), len(sheet.extras)))
    for row in range(target.r0, last_row):
        width = len(sheet.values[row]) if row < len(sheet.values) else 0
        row_extras = sheet.extras[row] if row < len(sheet.extras) else None
        if row_extras:
            width = max(width, max(row_extras) + 1)
        cells = [
            cell_data(book, renderer, sheet, row, col)
            for col in range(target.c0, min(target.c1, width))
        ]
        while cells and not cells[-1]:
            cells.pop()
        rows.append({"values": cells} if cells else {})
    while rows and not rows[-1]:
        rows.pop()
    if rows:
        out["rowData"] = rows
    out["rowMetadata"] = [
        {"pixelSize": ROW_PIXELS, **sheet.row_meta.get(r, {})} for r in range(target.r0, target.r1)
    ]
    out["columnMetadata"] = [
        {"pixelSize": COLUMN_PIXELS, **sheet.col_meta.get(c, {})}
        for c in range(target.c0, target.c1)
    ]
    return out


def runs(depths: dict[int, int]) -> list[tuple[int, int, int]]:
    """(start, end, depth) of every group, by depth then position."""
    found: list[tuple[int, int, int]] = []
    deepest = max(depths.values(), default=0)
    for depth in range(1, deepest + 1):
        start: int | None = None
        previous = -2
        for index in sorted(i for i, d in depths.items() if d >= depth):
            if start is not None and index != previous + 1:
                found.append((start, previous + 1, depth))
                start = None
            if start is None:
                start = index
            previous = index
        if start is not None:
            found.append((start, previous + 1, depth))
    return found


def dimension_groups(sheet: Sheet, rows: bool) -> list[JSON]:
    """The DimensionGroup list of one dimension, as Google prints it."""
    depths = sheet.row_groups if rows else sheet.col_groups
    out: list[JSON] = []
    for start, end, depth in runs(depths):
        span: JSON = {"sheetId": sheet.sheet_id} if sheet.sheet_id else {}
        span.update(dimension="ROWS" if rows else "COLUMNS", startIndex=start, endIndex=end)
        group: JSON = {"range": span, "depth": depth}
        if (rows, start, end, depth) in sheet.collapsed_groups:
            group["collapsed"] = True
        out.append(group)
    return out


def grid_range_json(grid_range: JSON, sheet_id: int | None = None) -> JSON:
    """A GridRange as Google prints it: ``sheetId`` first, and left out when it is 0.

    ``sheet_id`` (when given) is the id of the sheet that holds the object, which wins over a
    stale stored id (a duplicated sheet's merges, for instance).
    """
    out: JSON = {}
    found = grid_range.get("sheetId", 0) if sheet_id is None else sheet_id
    if found:
        out["sheetId"] = found
    out.update((k, v) for k, v in grid_range.items() if k != "sheetId")
    return out


def protected_range_json(protected: JSON, sheet_id: int | None = None) -> JSON:
    """A ProtectedRange with its GridRanges printed like Google's."""
    out = copy.deepcopy(protected)
    if isinstance(out.get("range"), dict):
        out["range"] = grid_range_json(out["range"], sheet_id)
    if isinstance(out.get("unprotectedRanges"), list):
        out["unprotectedRanges"] = [grid_range_json(r, sheet_id) for r in out["unprotectedRanges"]]
    return out


def named_range_json(named: JSON) -> JSON:
    """A NamedRange with its GridRange printed like Google's."""
    out = copy.deepcopy(named)
    if isinstance(out.get("range"), dict):
        out["range"] = grid_range_json(out["range"])
    return out


def sheet_json(book: Spreadsheet, sheet: Sheet) -> JSON:
    """A Sheet without grid data."""
    out: JSON = {"properties": sheet_properties(book, sheet)}
    sheet_id = sheet.sheet_id
    if sheet.merges:
        out["merges"] = [grid_range_json(m, sheet_id) for m in sheet.merges]
    if sheet.conditional_formats:
        rules = copy.deepcopy(sheet.conditional_formats)
        for rule in rules:
            rule["ranges"] = [grid_range_json(r) for r in rule.get("ranges") or []]
        out["conditionalFormats"] = rules
    if sheet.protected_ranges:
        out["protectedRanges"] = [protected_range_json(p, sheet_id) for p in sheet.protected_ranges]
    if sheet.basic_filter:
        basic_filter = copy.deepcopy(sheet.basic_filter)
        basic_filter["range"] = grid_range_json(basic_filter.get("range") or {}, sheet_id)
        out["basicFilter"] = basic_filter
    if sheet.charts:
        out["charts"] = copy.deepcopy(sheet.charts)
    for key, rows in (("rowGroups", True), ("columnGroups", False)):
        listed = dimension_groups(sheet, rows)
        if listed:
            out[key] = listed
    return out


def spreadsheet_json(
    book: Spreadsheet,
    *,
    grid: bool = False,
    ranges: list[str] | None = None,
    renderer: Renderer | None = None,
) -> JSON:
    """The Spreadsheet resource; with ``ranges`` only the sheets they touch are listed."""
    renderer = renderer or Renderer(book)
    targets = [book.resolve(text) for text in ranges or []]
    sheets = []
    for sheet in book.sheets:
        mine = [t for t in targets if t.sheet is sheet]
        if targets and not mine:
            continue
        entry = sheet_json(book, sheet)
        if grid:
            boxes = mine or [Target(sheet, 0, 0, sheet.row_count, sheet.col_count)]
            entry["data"] = [grid_data(book, renderer, box) for box in boxes]
        sheets.append(entry)
    out: JSON = {
        "spreadsheetId": book.id,
        "properties": copy.deepcopy(book.props),
        "sheets": sheets,
    }
    if book.named_ranges:
        out["namedRanges"] = [named_range_json(n) for n in book.named_ranges]
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{book.id}/edit"
    return out
