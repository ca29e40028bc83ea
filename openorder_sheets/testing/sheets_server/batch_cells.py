"""batchUpdate requests that act on cell ranges: formats, values, validation, sort, merges."""

from __future__ import annotations

import copy
from typing import Any

from .cellvalue import Formula, Value, tidy_number
from .errors import invalid
from .fieldmask import Mask, apply_mask, parse_mask
from .formats import mirror_colors
from .grid import Extra
from .store import Spreadsheet, Target

JSON = dict[str, Any]
_CELL_FIELDS = ("userEnteredFormat", "dataValidation", "note")


def _from_extended(value: Any) -> Value:
    if not isinstance(value, dict) or not value:
        return None
    if "stringValue" in value:
        return str(value["stringValue"]) or None
    if "numberValue" in value:
        return tidy_number(float(value["numberValue"]))
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "formulaValue" in value:
        return Formula(str(value["formulaValue"]))
    raise invalid("Unsupported ExtendedValue (errorValue cannot be entered).")


def _prepare(cell: JSON, fields: str | None) -> tuple[JSON, Mask]:
    """Mirror colours in the request's format and widen the mask accordingly."""
    if not fields:
        raise invalid("At least one field must be specified in 'fields'.")
    mask = parse_mask(fields)
    cell = dict(cell)
    if isinstance(cell.get("userEnteredFormat"), dict):
        format_mask = mask.get("userEnteredFormat")
        cell["userEnteredFormat"] = mirror_colors(cell["userEnteredFormat"], format_mask or None)
    return cell, mask


class CellWriter:
    """Applies one CellData through a field mask to many cells.

    Extras dicts are immutable and shared, so the result for a given old extras dict is
    computed once (a whole-column format touches each distinct old format only once).
    """

    def __init__(self, cell: JSON, mask: Mask) -> None:
        self.cell = cell
        self.mask = {k: v for k, v in mask.items() if k != "userEnteredValue"}
        self.memo: dict[int, tuple[Extra | None, Extra | None]] = {}
        self.touches_value = "*" in mask or "userEnteredValue" in mask
        self.value = _from_extended(cell.get("userEnteredValue")) if self.touches_value else None

    def extra(self, old: Extra | None) -> Extra | None:
        """The new extras dict for a cell whose extras are ``old``."""
        hit = self.memo.get(id(old))
        if hit is not None and hit[0] is old:
            return hit[1]
        current: JSON = {k: v for k, v in (old or {}).items() if k in _CELL_FIELDS}
        updated = apply_mask(current, self.cell, self.mask) if self.mask else current
        result = {
            k: v
            for k, v in updated.items()
            if k in _CELL_FIELDS and v is not None and not (k == "note" and v == "")
        } or None  # an empty note removes the note, as in Google
        self.memo[id(old)] = (old, result)
        return result

    def apply(self, target: Target) -> None:
        """Update every cell of the target box."""
        sheet = target.sheet
        sheet.map_extras(target.r0, target.r1, target.c0, target.c1, self.extra)
        if self.touches_value:
            width = target.c1 - target.c0
            for row in range(target.r0, target.r1):
                sheet.write_row(row, target.c0, [self.value] * width, None)


def repeat_cell(book: Spreadsheet, request: JSON) -> JSON:
    """repeatCell: apply one CellData to every cell of a range."""
    target = book.grid_target(request.get("range") or {})
    cell, mask = _prepare(request.get("cell") or {}, request.get("fields"))
    CellWriter(cell, mask).apply(target)
    target.sheet.changed()
    book.touch()
    return {}


def update_cells(book: Spreadsheet, request: JSON) -> JSON:
    """updateCells: rows of CellData from ``start`` (or into ``range``)."""
    if "range" in request:
        target = book.grid_target(request["range"])
    else:
        start = request.get("start") or {}
        sheet = book.sheet_by_id(start.get("sheetId", 0))
        if sheet is None:
            raise invalid(f"No grid with id: {start.get('sheetId', 0)}")
        r0, c0 = int(start.get("rowIndex") or 0), int(start.get("columnIndex") or 0)
        target = Target(sheet, r0, c0, sheet.row_count, sheet.col_count)
    rows = request.get("rows") or []
    fields = request.get("fields")
    for offset, row_data in enumerate(rows):
        row = target.r0 + offset
        cells = (row_data or {}).get("values") or []
        if cells and (row >= target.r1 or target.c0 + len(cells) > target.c1):
            raise invalid(
                f"Range exceeds grid limits. Max rows: {target.sheet.row_count}, "
                f"max columns: {target.sheet.col_count}"
            )
        for index, raw_cell in enumerate(cells):
            cell, mask = _prepare(raw_cell or {}, fields)
            col = target.c0 + index
            CellWriter(cell, mask).apply(Target(target.sheet, row, col, row + 1, col + 1))
    target.sheet.changed()
    book.touch()
    return {}


def set_data_validation(book: Spreadsheet, request: JSON) -> JSON:
    """setDataValidation: set (or clear, without ``rule``) a validation rule on a range."""
    target = book.grid_target(request.get("range") or {})
    rule = request.get("rule")
    if rule is not None:
        rule = copy.deepcopy(rule)
        if not rule.get("condition", {}).get("type"):
            raise invalid("Invalid data validation rule: a condition type is required.")
    cell = {} if rule is None else {"dataValidation": rule}
    CellWriter(cell, {"dataValidation": {}}).apply(target)
    target.sheet.changed()
    return {}


def sort_range(book: Spreadsheet, request: JSON) -> JSON:
    """sortRange: sort the rows of a range by one or more columns."""
    target = book.grid_target(request.get("range") or {})
    specs = []
    for spec in request.get("sortSpecs") or []:
        column = int(spec.get("dimensionIndex") or 0)
        if not target.c0 <= column < target.c1:
            raise invalid(f"Sort column {column} is outside the range being sorted.")
        specs.append((column, spec.get("sortOrder", "ASCENDING") != "DESCENDING"))
    if not specs:
        raise invalid("At least one sort spec is required.")
    target.sheet.sort_rows(target.r0, target.r1, target.c0, target.c1, specs)
    book.touch()
    return {}


def merge_cells(book: Spreadsheet, request: JSON) -> JSON:
    """mergeCells: remember the merge, replacing overlapped ones (values are not moved)."""
    target = book.grid_target(request.get("range") or {})
    kind = request.get("mergeType", "MERGE_ALL")
    boxes = []
    if kind == "MERGE_ROWS":
        boxes = [(r, target.c0, r + 1, target.c1) for r in range(target.r0, target.r1)]
    elif kind == "MERGE_COLUMNS":
        boxes = [(target.r0, c, target.r1, c + 1) for c in range(target.c0, target.c1)]
    else:
        boxes = [(target.r0, target.c0, target.r1, target.c1)]
    # A new merge replaces every merge it overlaps (as in the Sheets UI).
    target.sheet.merges = [
        m for m in target.sheet.merges
        if m["endRowIndex"] <= target.r0 or target.r1 <= m["startRowIndex"]
        or m["endColumnIndex"] <= target.c0 or target.c1 <= m["startColumnIndex"]
    ]  # fmt: skip
    for r0, c0, r1, c1 in boxes:
        target.sheet.merges.append({
            "sheetId": target.sheet.sheet_id, "startRowIndex": r0, "endRowIndex": r1,
            "startColumnIndex": c0, "endColumnIndex": c1,
        })  # fmt: skip
    return {}


def unmerge_cells(book: Spreadsheet, request: JSON) -> JSON:
    """unmergeCells: forget merges inside the range."""
    target = book.grid_target(request.get("range") or {})
    target.sheet.merges = [
        m for m in target.sheet.merges
        if not (target.r0 <= m["startRowIndex"] and m["endRowIndex"] <= target.r1
                and target.c0 <= m["startColumnIndex"] and m["endColumnIndex"] <= target.c1)
    ]  # fmt: skip
    return {}


def set_basic_filter(book: Spreadsheet, request: JSON) -> JSON:
    """setBasicFilter: store the filter on its sheet."""
    basic_filter = copy.deepcopy(request.get("filter") or {})
    target = book.grid_target(basic_filter.get("range") or {})
    # Google stores the bounds explicitly (a filter on the whole sheet lists all of them).
    basic_filter["range"] = {
        "sheetId": target.sheet.sheet_id, "startRowIndex": target.r0, "endRowIndex": target.r1,
        "startColumnIndex": target.c0, "endColumnIndex": target.c1,
    }  # fmt: skip
    target.sheet.basic_filter = basic_filter
    return {}


def clear_basic_filter(book: Spreadsheet, request: JSON) -> JSON:
    """clearBasicFilter: drop the sheet's filter."""
    sheet = book.sheet_by_id(request.get("sheetId", 0))
    if sheet is None:
        raise invalid(f"No grid with id: {request.get('sheetId', 0)}")
    sheet.basic_filter = None
    return {}


def add_conditional_format_rule(book: Spreadsheet, request: JSON) -> JSON:
    """addConditionalFormatRule: store the rule on the sheet of its first range."""
    rule = copy.deepcopy(request.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise invalid("A conditional format rule needs at least one range.")
    target = book.grid_target(ranges[0])
    index = int(request.get("index") or 0)
    target.sheet.conditional_formats.insert(index, rule)
    return {}


def delete_conditional_format_rule(book: Spreadsheet, request: JSON) -> JSON:
    """deleteConditionalFormatRule: remove a rule by index."""
    sheet = book.sheet_by_id(request.get("sheetId", 0))
    index = int(request.get("index") or 0)
    if sheet is None or not 0 <= index < len(sheet.conditional_formats):
        raise invalid(
            f"No conditional format on sheet {request.get('sheetId', 0)} at index {index}"
        )
    rule = sheet.conditional_formats.pop(index)
    return {"deleteConditionalFormatRule": {"rule": rule}}


def update_borders(book: Spreadsheet, request: JSON) -> JSON:
    """updateBorders: accepted after checking the range (borders are not stored)."""
    book.grid_target(request.get("range") or {})
    return {}
