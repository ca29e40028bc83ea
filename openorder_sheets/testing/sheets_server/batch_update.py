"""``spreadsheets:batchUpdate``: the dispatcher and the sheet/dimension/object requests.

The whole batch is atomic, like Google's: the spreadsheet is snapshotted first and restored if
any request fails. Errors read ``Invalid requests[i].kind: ...``; an unknown request kind gets
Google's "Unknown name" JSON error.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import autosize, batch_cells, batch_objects, groups, paste
from .batch_objects import require_sheet
from .errors import ApiError, invalid, unknown_field
from .fieldmask import apply_mask, parse_mask
from .formats import mirror_colors, strip_nulls
from .grid import DEFAULT_COLUMNS, DEFAULT_ROWS, Sheet
from .limits import check_cells
from .sheet_json import sheet_properties, spreadsheet_json
from .store import Spreadsheet

JSON = dict[str, Any]
Handler = Callable[[Spreadsheet, JSON], JSON]


def _check_title(book: Spreadsheet, title: str, sheet: Sheet | None = None) -> None:
    other = book.sheet_by_title(title)
    if other is not None and other is not sheet:
        raise invalid(f'A sheet with the name "{title}" already exists. Please enter another name.')
    if not title.strip():
        raise invalid("The sheet name cannot be empty.")


def _tab_colors(props: JSON) -> JSON:
    """Keep ``tabColor`` and ``tabColorStyle`` in step; a style without a colour (gspread's
    ``clear_tab_color`` sends ``{"rgbColor": null}``) clears both."""
    if "tabColor" in props or "tabColorStyle" in props:
        mirrored = mirror_colors(
            {"backgroundColor": props["tabColor"]}
            if "tabColor" in props
            else {"backgroundColorStyle": props["tabColorStyle"]}
        )
        for key, mirrored_key in (
            ("tabColor", "backgroundColor"),
            ("tabColorStyle", "backgroundColorStyle"),
        ):
            if mirrored.get(mirrored_key):
                props[key] = mirrored[mirrored_key]
            else:
                props.pop(key, None)
    return props


def add_sheet(book: Spreadsheet, request: JSON) -> JSON:
    """addSheet."""
    props = copy.deepcopy(request.get("properties") or {})
    title = props.get("title")
    if not title:
        number = len(book.sheets) + 1
        while book.sheet_by_title(f"Sheet{number}"):
            number += 1
        title = f"Sheet{number}"
    _check_title(book, title)
    if props.get("sheetType", "GRID") != "GRID":
        raise invalid("Only GRID sheets are supported by this server.")
    sheet_id = props.get("sheetId")
    if sheet_id is not None and book.sheet_by_id(sheet_id) is not None:
        raise invalid(f"A sheet with id {sheet_id} already exists.")
    grid = props.get("gridProperties") or {}
    sheet = book.add_sheet(
        title,
        int(grid.get("rowCount", DEFAULT_ROWS)),
        int(grid.get("columnCount", DEFAULT_COLUMNS)),
        sheet_id,
        props.get("index"),
    )
    for key in ("frozenRowCount", "frozenColumnCount", "hideGridlines"):
        if grid.get(key):
            sheet.grid[key] = grid[key]
    for key in ("hidden", "rightToLeft", "tabColor", "tabColorStyle"):
        if key in props:
            sheet.props[key] = props[key]
    _tab_colors(sheet.props)
    return {"addSheet": {"properties": sheet_properties(book, sheet)}}


def delete_sheet(book: Spreadsheet, request: JSON) -> JSON:
    """deleteSheet."""
    sheet = require_sheet(book, request.get("sheetId"))
    if len(book.sheets) == 1:
        raise invalid("You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    return {}


def duplicate_sheet(book: Spreadsheet, request: JSON) -> JSON:
    """duplicateSheet."""
    source = require_sheet(book, request.get("sourceSheetId"))
    title = request.get("newSheetName") or f"Copy of {source.title}"
    _check_title(book, title)
    copy_ = source.clone()
    new_id = request.get("newSheetId")
    copy_.props["sheetId"] = book.new_sheet_id() if new_id is None else new_id
    copy_.props["title"] = title
    index = request.get("insertSheetIndex", len(book.sheets))
    book.sheets.insert(max(0, min(int(index), len(book.sheets))), copy_)
    return {"duplicateSheet": {"properties": sheet_properties(book, copy_)}}


def update_sheet_properties(book: Spreadsheet, request: JSON) -> JSON:
    """updateSheetProperties with a ``fields`` mask (title, index, grid sizes, frozen panes...)."""
    incoming = request.get("properties") or {}
    sheet = require_sheet(book, incoming.get("sheetId"))
    if not request.get("fields"):
        raise invalid("At least one field must be updated, but 'fields' is empty.")
    mask = parse_mask(str(request["fields"]))
    for pair in (("tabColor", "tabColorStyle"), ("tabColorStyle", "tabColor")):
        if pair[0] in mask:
            mask[pair[1]] = mask[pair[0]]
    current = {**sheet.props, "index": book.index_of(sheet)}
    updated = apply_mask(current, _tab_colors(copy.deepcopy(incoming)), mask)
    updated["sheetId"] = sheet.sheet_id
    title = str(updated.get("title") or "")
    _check_title(book, title, sheet)
    grid = updated.get("gridProperties") or {}
    rows = int(grid.get("rowCount") or 0)
    cols = int(grid.get("columnCount") or 0)
    if rows < 1 or cols < 1:
        raise invalid("A sheet must keep at least one row and one column.")
    if int(grid.get("frozenRowCount") or 0) >= rows:
        raise invalid("You can't freeze all visible rows on the sheet.")
    if int(grid.get("frozenColumnCount") or 0) >= cols:
        raise invalid("You can't freeze all visible columns on the sheet.")
    if updated.get("hidden") and all(s is sheet or s.props.get("hidden") for s in book.sheets):
        raise invalid("You can't hide all the sheets in a document.")
    index = int(updated.pop("index", 0) or 0)
    old_rows, old_cols = sheet.row_count, sheet.col_count
    sheet.props = updated
    sheet.grid["rowCount"], sheet.grid["columnCount"] = old_rows, old_cols
    if rows != old_rows or cols != old_cols:
        sheet.resize(rows, cols)
    old_index = book.index_of(sheet)
    if index != old_index:
        book.sheets.remove(sheet)
        position = index - 1 if index > old_index else index
        book.sheets.insert(max(0, min(position, len(book.sheets))), sheet)
    return {}


def update_spreadsheet_properties(book: Spreadsheet, request: JSON) -> JSON:
    """updateSpreadsheetProperties (title, locale, timeZone, ...)."""
    if not request.get("fields"):
        raise invalid("At least one field must be updated, but 'fields' is empty.")
    updated = apply_mask(
        book.props, request.get("properties") or {}, parse_mask(str(request["fields"]))
    )
    if not updated.get("title"):
        raise invalid("The spreadsheet title cannot be empty.")
    book.props = updated
    return {}


HANDLERS: dict[str, Handler] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "duplicateSheet": duplicate_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "appendDimension": batch_objects.append_dimension,
    "insertDimension": batch_objects.insert_dimension,
    "deleteDimension": batch_objects.delete_dimension,
    "updateDimensionProperties": batch_objects.update_dimension_properties,
    "autoResizeDimensions": autosize.auto_resize_dimensions,
    "addChart": batch_objects.add_chart,
    "updateChartSpec": batch_objects.update_chart_spec,
    "deleteEmbeddedObject": batch_objects.delete_embedded_object,
    "addProtectedRange": batch_objects.add_protected_range,
    "deleteProtectedRange": batch_objects.delete_protected_range,
    "addNamedRange": batch_objects.add_named_range,
    "deleteNamedRange": batch_objects.delete_named_range,
    "updateNamedRange": batch_objects.update_named_range,
    "addDimensionGroup": groups.add_dimension_group,
    "deleteDimensionGroup": groups.delete_dimension_group,
    "updateDimensionGroup": groups.update_dimension_group,
    "copyPaste": paste.copy_paste,
    "cutPaste": paste.cut_paste,
    "repeatCell": batch_cells.repeat_cell,
    "updateCells": batch_cells.update_cells,
    "setDataValidation": batch_cells.set_data_validation,
    "sortRange": batch_cells.sort_range,
    "mergeCells": batch_cells.merge_cells,
    "unmergeCells": batch_cells.unmerge_cells,
    "setBasicFilter": batch_cells.set_basic_filter,
    "clearBasicFilter": batch_cells.clear_basic_filter,
    "addConditionalFormatRule": batch_cells.add_conditional_format_rule,
    "deleteConditionalFormatRule": batch_cells.delete_conditional_format_rule,
    "updateBorders": batch_cells.update_borders,
}


def batch_update(book: Spreadsheet, body: JSON) -> JSON:
    """Run all requests atomically; answer ``{"spreadsheetId", "replies"}``."""
    body = strip_nulls(body)
    requests = body.get("requests") or []
    if not isinstance(requests, list):
        raise invalid("'requests' must be a list.")
    for index, request in enumerate(requests):
        if not isinstance(request, dict) or not request:
            raise invalid(f"Invalid requests[{index}]: No request set.")
        for name in request:
            if name not in HANDLERS:
                raise unknown_field(name, f"requests[{index}]")
        if len(request) > 1:
            raise invalid(
                f"Invalid requests[{index}]: Only one request kind may be set per request."
            )
    snapshot = book.snapshot()
    replies = []
    try:
        for index, request in enumerate(requests):
            ((name, payload),) = request.items()
            try:
                replies.append(HANDLERS[name](book, payload or {}))
                check_cells(book)
            except ApiError as exc:
                if exc.code != 400 or exc.message.startswith("Invalid requests"):
                    raise
                raise invalid(f"Invalid requests[{index}].{name}: {exc.message}") from exc
    except Exception:
        book.restore(snapshot)
        raise
    book.touch()
    out: JSON = {"spreadsheetId": book.id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        grid = bool(body.get("responseIncludeGridData"))
        out["updatedSpreadsheet"] = spreadsheet_json(
            book, grid=grid, ranges=body.get("responseRanges")
        )
    return out
