"""batchUpdate requests on dimensions (rows/columns) and on sheet objects (charts,
protected ranges, named ranges)."""

from __future__ import annotations

import copy
import re
from typing import Any

from .a1 import try_parse_cells
from .errors import invalid
from .fieldmask import apply_mask, parse_mask
from .grid import Sheet
from .sheet_json import named_range_json, protected_range_json
from .store import Spreadsheet

_NAME = re.compile(r"^[A-Za-z_\\][\w.]*$")

JSON = dict[str, Any]


def require_sheet(book: Spreadsheet, sheet_id: Any) -> Sheet:
    """The sheet with ``sheet_id`` or a 400 ``No sheet with id``."""
    sheet = book.sheet_by_id(sheet_id if sheet_id is not None else 0)
    if sheet is None:
        raise invalid(f"No sheet with id: {sheet_id}")
    return sheet


def dimension_range(book: Spreadsheet, dim_range: JSON) -> tuple[Sheet, bool, int, int]:
    """(sheet, rows?, start, end) of a DimensionRange (missing bounds: the whole dimension)."""
    sheet = require_sheet(book, dim_range.get("sheetId"))
    rows = dim_range.get("dimension") == "ROWS"
    if dim_range.get("dimension") not in ("ROWS", "COLUMNS"):
        raise invalid("dimension must be ROWS or COLUMNS.")
    size = sheet.row_count if rows else sheet.col_count
    start = int(dim_range.get("startIndex") or 0)
    end = int(dim_range.get("endIndex", size))
    if not 0 <= start <= end:
        raise invalid(f"Invalid dimension range: {start}..{end}")
    return sheet, rows, start, end


def append_dimension(book: Spreadsheet, request: JSON) -> JSON:
    """appendDimension: add rows/columns at the end."""
    sheet = require_sheet(book, request.get("sheetId"))
    length = int(request.get("length") or 0)
    if length < 1:
        raise invalid("length must be at least 1.")
    if request.get("dimension") == "ROWS":
        sheet.resize(rows=sheet.row_count + length)
    elif request.get("dimension") == "COLUMNS":
        sheet.resize(cols=sheet.col_count + length)
    else:
        raise invalid("dimension must be ROWS or COLUMNS.")
    return {}


def insert_dimension(book: Spreadsheet, request: JSON) -> JSON:
    """insertDimension: insert empty rows/columns (formats inherited from a neighbour)."""
    sheet, rows, start, end = dimension_range(book, request.get("range") or {})
    size = sheet.row_count if rows else sheet.col_count
    if start > size or start == end:
        raise invalid(f"Invalid insert range {start}..{end} for a dimension of size {size}.")
    inherit: int | None = start - 1 if request.get("inheritFromBefore") else start
    if inherit is not None and not 0 <= inherit < size:
        inherit = None
    if rows:
        sheet.insert_rows(start, end - start, inherit)
    else:
        sheet.insert_cols(start, end - start, inherit)
    return {}


def delete_dimension(book: Spreadsheet, request: JSON) -> JSON:
    """deleteDimension: delete rows/columns."""
    sheet, rows, start, end = dimension_range(book, request.get("range") or {})
    size = sheet.row_count if rows else sheet.col_count
    if end > size:
        raise invalid(f"Invalid delete range {start}..{end}: the sheet has {size}.")
    kind = "rows" if rows else "columns"
    frozen = int(sheet.grid.get("frozenRowCount" if rows else "frozenColumnCount") or 0)
    if end - start >= size or (frozen and size - (end - start) <= frozen):
        raise invalid(f"You can't delete all the {kind} on the sheet.")
    if rows:
        sheet.delete_rows(start, end)
    else:
        sheet.delete_cols(start, end)
    return {}


def update_dimension_properties(book: Spreadsheet, request: JSON) -> JSON:
    """updateDimensionProperties: store pixel sizes / hidden flags."""
    sheet, rows, start, end = dimension_range(book, request.get("range") or {})
    mask = parse_mask(str(request.get("fields") or "*"))
    meta = sheet.row_meta if rows else sheet.col_meta
    for index in range(start, min(end, sheet.row_count if rows else sheet.col_count)):
        meta[index] = apply_mask(meta.get(index, {}), request.get("properties") or {}, mask)
    return {}


def _chart_sheet(book: Spreadsheet, position: JSON) -> Sheet:
    anchor = ((position.get("overlayPosition") or {}).get("anchorCell") or {}).get("sheetId")
    return require_sheet(
        book, anchor if anchor is not None else position.get("sheetId", book.sheets[0].sheet_id)
    )


def add_chart(book: Spreadsheet, request: JSON) -> JSON:
    """addChart: store the spec, answer a chartId."""
    chart = copy.deepcopy(request.get("chart") or {})
    if "spec" not in chart:
        raise invalid("A chart needs a spec.")
    sheet = _chart_sheet(book, chart.get("position") or {})
    chart["chartId"] = chart.get("chartId") or book.rng.randint(1, 2**31 - 1)
    sheet.charts.append(chart)
    return {"addChart": {"chart": copy.deepcopy(chart)}}


def _find_chart(book: Spreadsheet, chart_id: Any) -> tuple[Sheet, int]:
    for sheet in book.sheets:
        for index, chart in enumerate(sheet.charts):
            if chart.get("chartId") == chart_id:
                return sheet, index
    raise invalid(f"No chart with id: {chart_id}")


def update_chart_spec(book: Spreadsheet, request: JSON) -> JSON:
    """updateChartSpec."""
    sheet, index = _find_chart(book, request.get("chartId"))
    sheet.charts[index]["spec"] = copy.deepcopy(request.get("spec") or {})
    return {}


def delete_embedded_object(book: Spreadsheet, request: JSON) -> JSON:
    """deleteEmbeddedObject (charts)."""
    sheet, index = _find_chart(book, request.get("objectId"))
    del sheet.charts[index]
    return {}


def add_protected_range(book: Spreadsheet, request: JSON) -> JSON:
    """addProtectedRange: stored and listed in metadata (not enforced).

    Like Google: the caller (the spreadsheet's owner here) can always edit, so
    ``requestingUserCanEdit`` is true whatever the request said, and a range that is not
    ``warningOnly`` lists the caller first among its editors.
    """
    protected = copy.deepcopy(request.get("protectedRange") or {})
    target = book.grid_target(protected.get("range") or {})
    protected["protectedRangeId"] = book.rng.randint(1, 2**31 - 1)
    protected["requestingUserCanEdit"] = True
    if protected.get("warningOnly"):
        protected.pop("editors", None)
    else:
        protected.pop("warningOnly", None)
        editors = {k: v for k, v in (protected.get("editors") or {}).items() if v}
        users = [book.caller_email] + [u for u in editors.get("users") or [] if u]
        editors["users"] = list(dict.fromkeys(users))
        protected["editors"] = editors
    ordered = {
        key: protected[key]
        for key in ("protectedRangeId", "range", "namedRangeId", "description", "warningOnly",
                    "requestingUserCanEdit", "unprotectedRanges", "editors")
        if key in protected
    }  # fmt: skip
    target.sheet.protected_ranges.append(ordered)
    reply = protected_range_json(ordered, target.sheet.sheet_id)
    return {"addProtectedRange": {"protectedRange": reply}}


def delete_protected_range(book: Spreadsheet, request: JSON) -> JSON:
    """deleteProtectedRange."""
    wanted = request.get("protectedRangeId")
    for sheet in book.sheets:
        for protected in sheet.protected_ranges:
            if protected.get("protectedRangeId") == wanted:
                sheet.protected_ranges.remove(protected)
                return {}
    raise invalid(f"No protected range with id: {wanted}")


def _check_named_range_name(book: Spreadsheet, name: Any, named_range_id: Any = None) -> None:
    if not isinstance(name, str) or not name:
        raise invalid("A named range needs a name.")
    if try_parse_cells(name) is not None or not _NAME.match(name):
        raise invalid(f"Invalid named range name: {name}")
    for other in book.named_ranges:
        if other.get("name") == name and other.get("namedRangeId") != named_range_id:
            raise invalid(f"A named range with name {name} already exists.")


def add_named_range(book: Spreadsheet, request: JSON) -> JSON:
    """addNamedRange."""
    named = copy.deepcopy(request.get("namedRange") or {})
    target = book.grid_target(named.get("range") or {})
    _check_named_range_name(book, named.get("name"))
    named["namedRangeId"] = named.get("namedRangeId") or f"{book.rng.getrandbits(40):x}"
    named["range"] = {"sheetId": target.sheet.sheet_id, **named.get("range", {})}
    book.named_ranges.append(named)
    return {"addNamedRange": {"namedRange": named_range_json(named)}}


def update_named_range(book: Spreadsheet, request: JSON) -> JSON:
    """updateNamedRange: change a named range's name and/or range through ``fields``."""
    incoming = request.get("namedRange") or {}
    wanted = incoming.get("namedRangeId")
    found = next((n for n in book.named_ranges if n.get("namedRangeId") == wanted), None)
    if found is None:
        raise invalid(f"No named range with id: {wanted}")
    if not request.get("fields"):
        raise invalid("At least one field must be updated, but 'fields' is empty.")
    updated = apply_mask(found, incoming, parse_mask(str(request["fields"])))
    updated["namedRangeId"] = wanted
    target = book.grid_target(updated.get("range") or {})
    updated["range"] = {"sheetId": target.sheet.sheet_id, **updated.get("range", {})}
    _check_named_range_name(book, updated.get("name"), wanted)
    found.clear()
    found.update((k, updated[k]) for k in ("namedRangeId", "name", "range") if k in updated)
    return {}


def delete_named_range(book: Spreadsheet, request: JSON) -> JSON:
    """deleteNamedRange."""
    before = len(book.named_ranges)
    book.named_ranges = [
        n for n in book.named_ranges if n.get("namedRangeId") != request.get("namedRangeId")
    ]
    if len(book.named_ranges) == before:
        raise invalid(f"No named range with id: {request.get('namedRangeId')}")
    return {}
