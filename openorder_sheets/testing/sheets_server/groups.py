"""Row and column groups: addDimensionGroup, deleteDimensionGroup, updateDimensionGroup.

Google's model (see AddDimensionGroupRequest): every row (column) has a depth, the number of
groups that hold it. Adding a group over a range adds one to the depth of each index in it;
deleting one takes one away. The groups listed in ``rowGroups`` / ``columnGroups`` are the
maximal runs of indices whose depth is at least d, for each depth d. So [C:D] + [B:E] lists
[B:E, depth 1] and [C:D, depth 2], and deleting [D:E] from that leaves [B:D, 1] and [C:C, 2].
"""

from __future__ import annotations

from typing import Any

from .batch_objects import dimension_range
from .errors import invalid
from .grid import Sheet
from .sheet_json import dimension_groups, runs
from .store import Spreadsheet

JSON = dict[str, Any]
MAX_DEPTH = 8


def _reply(name: str, sheet: Sheet, rows: bool) -> JSON:
    groups = dimension_groups(sheet, rows)
    return {name: {"dimensionGroups": groups} if groups else {}}


def _forget_stale_collapsed(sheet: Sheet) -> None:
    live = {(True, *run) for run in runs(sheet.row_groups)}
    live |= {(False, *run) for run in runs(sheet.col_groups)}
    sheet.collapsed_groups &= live


def add_dimension_group(book: Spreadsheet, request: JSON) -> JSON:
    """addDimensionGroup: one more level of grouping over the range."""
    sheet, rows, start, end = dimension_range(book, request.get("range") or {})
    size = sheet.row_count if rows else sheet.col_count
    if start >= end or end > size:
        raise invalid(f"Invalid dimension range: {start}..{end}")
    depths = sheet.row_groups if rows else sheet.col_groups
    if any(depths.get(i, 0) >= MAX_DEPTH for i in range(start, end)):
        raise invalid(f"Cannot add a group deeper than {MAX_DEPTH} levels.")
    for index in range(start, end):
        depths[index] = depths.get(index, 0) + 1
    _forget_stale_collapsed(sheet)
    return _reply("addDimensionGroup", sheet, rows)


def delete_dimension_group(book: Spreadsheet, request: JSON) -> JSON:
    """deleteDimensionGroup: one level of grouping less over the range."""
    sheet, rows, start, end = dimension_range(book, request.get("range") or {})
    depths = sheet.row_groups if rows else sheet.col_groups
    if not any(depths.get(i, 0) for i in range(start, end)):
        raise invalid("No grouping to remove in the range.")
    for index in range(start, end):
        depth = depths.get(index, 0)
        if depth > 1:
            depths[index] = depth - 1
        else:
            depths.pop(index, None)
    _forget_stale_collapsed(sheet)
    return _reply("deleteDimensionGroup", sheet, rows)


def update_dimension_group(book: Spreadsheet, request: JSON) -> JSON:
    """updateDimensionGroup: collapse or expand an existing group (``collapsed``)."""
    group = request.get("dimensionGroup") or {}
    sheet, rows, start, end = dimension_range(book, group.get("range") or {})
    depth = int(group.get("depth") or 0)
    key = (rows, start, end, depth)
    if key[1:] not in runs(sheet.row_groups if rows else sheet.col_groups):
        raise invalid("No group with the given range and depth.")
    if not request.get("fields"):
        raise invalid("At least one field must be updated, but 'fields' is empty.")
    if "collapsed" in str(request["fields"]) or str(request["fields"]) == "*":
        if group.get("collapsed"):
            sheet.collapsed_groups.add(key)
        else:
            sheet.collapsed_groups.discard(key)
    return {}
