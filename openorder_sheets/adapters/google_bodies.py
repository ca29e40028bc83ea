"""Turning our tab updates and layouts into Sheets API v4 request bodies.

Pure functions: A1 ranges, cell values as the API wants them (dates as serial numbers, RAW
input), and the `spreadsheets:batchUpdate` requests that create a tab with its header, frozen
row, formats, dropdowns, checkboxes and column widths, and give it filter buttons and status
colours.

Printing is the one part of the look a Google tab cannot get: the Sheets API has no request
for print settings (orientation, fit to width, repeated header rows, print area), and Google
Sheets asks for them in File → Print each time. So a Google tab gets what the screen can carry
(the frozen header, widths, filter buttons, colours), and Google's print dialog repeats frozen
rows on every page by default.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from openorder_sheets.core.cells import to_serial
from openorder_sheets.core.columns import column_letter
from openorder_sheets.core.layouts import highlight_formula
from openorder_sheets.ports import Cell, ColumnKind, ColumnSpec, Highlight, TabLayout, TabUpdate

#: Split a values:batchUpdate once its body passes about this many bytes (SPEC §8).
CHUNK_BYTES = 2_000_000

_PATTERNS: dict[ColumnKind, tuple[str, str]] = {
    ColumnKind.INTEGER: ("NUMBER", "0"),
    ColumnKind.NUMBER: ("NUMBER", "0.###"),
    ColumnKind.PERCENT: ("PERCENT", "0%"),
    ColumnKind.DATETIME: ("DATE_TIME", "yyyy-mm-dd hh:mm"),
    ColumnKind.DATE: ("DATE", "yyyy-mm-dd"),
}


def quote_tab(tab: str) -> str:
    return "'" + tab.replace("'", "''") + "'"


def a1(tab: str, row: int, column: int, last_row: int, last_column: int) -> str:
    """``'Tab'!B2:D9`` from 0-based inclusive bounds."""
    return (
        f"{quote_tab(tab)}!{column_letter(column)}{row + 1}:"
        f"{column_letter(last_column)}{last_row + 1}"
    )


def api_value(value: Cell | Decimal) -> Any:
    """A cell value as JSON for RAW input: dates become serial numbers, blanks clear."""
    if value is None:
        return ""
    if isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return round(to_serial(value), 8)
    if isinstance(value, dt.date):
        return round(to_serial(dt.datetime.combine(value, dt.time())), 8)
    return str(value)


def _runs(columns: Sequence[int]) -> list[tuple[int, int]]:
    """Index ranges ``[start, end)`` into ``columns`` where the sheet columns are consecutive."""
    runs: list[tuple[int, int]] = []
    start = 0
    for index in range(1, len(columns) + 1):
        if index == len(columns) or columns[index] != columns[index - 1] + 1:
            runs.append((start, index))
            start = index
    return runs


def value_ranges(update: TabUpdate, height: int) -> Iterator[dict[str, Any]]:
    """The ``data`` entries of a values:batchUpdate for one update.

    ``height`` is the tab's current number of used rows, for ``clear_below``.
    """
    rows = list(update.rows)
    if update.clear_below:
        end = update.start_row + len(rows)
        rows.extend([[None] * len(update.columns)] * max(height - end, 0))
    block_start: int | None = None
    for index in range(len(rows) + 1):
        present = index < len(rows) and rows[index] is not None
        if present and block_start is None:
            block_start = index
        if not present and block_start is not None:
            block = [r for r in rows[block_start:index] if r is not None]
            for first, last in _runs(update.columns):
                yield {
                    "range": a1(
                        update.tab,
                        update.start_row + block_start,
                        update.columns[first],
                        update.start_row + index - 1,
                        update.columns[last - 1],
                    ),
                    "majorDimension": "ROWS",
                    "values": [[api_value(v) for v in row[first:last]] for row in block],
                }
            block_start = None


def _size(item: dict[str, Any]) -> int:
    return len(json.dumps(item, ensure_ascii=False))


def _rows_piece(item: dict[str, Any], start: int, end: int) -> dict[str, Any]:
    """Rows ``start:end`` of a value range, with the A1 range those rows cover."""
    sheet, _, cells = item["range"].rpartition("!")
    first, _, last = cells.partition(":")
    first_col = first.rstrip("0123456789")
    last_col = (last or first).rstrip("0123456789")
    top = int(first[len(first_col) :])
    return {
        "range": f"{sheet}!{first_col}{top + start}:{last_col}{top + end - 1}",
        "majorDimension": "ROWS",
        "values": item["values"][start:end],
    }


def chunked(data: list[dict[str, Any]], limit: int = CHUNK_BYTES) -> Iterator[list[dict[str, Any]]]:
    """Pack value ranges into request bodies of at most about ``limit`` bytes each.

    Each body is filled before the next is started: a range that does not fit in what is left
    is cut at the row where the body is full (a range is never cut inside a row), so a write
    of B bytes takes about ⌈B / limit⌉ requests (SPEC §8: one more per extra 2 MB).
    """
    chunk: list[dict[str, Any]] = []
    size = 0
    for whole in data:
        whole_size = _size(whole)
        if size + whole_size <= limit:
            chunk.append(whole)
            size += whole_size
            continue
        rows = whole["values"]
        if len(rows) < 2:  # one row: it cannot be cut, so it goes whole
            if chunk:
                yield chunk
            chunk, size = [whole], whole_size
            continue
        # The range's own text (range, keys) plus a little for a longer row number.
        base = _size({**whole, "values": []}) + 16
        sizes = [len(json.dumps(row, ensure_ascii=False)) + 2 for row in rows]  # ", " between
        start = 0
        while start < len(rows):
            room = limit - size - base
            end, used = start, 0
            while end < len(rows) and used + sizes[end] <= room:
                used += sizes[end]
                end += 1
            if end == start:
                if chunk:  # this body is full: start the next one
                    yield chunk
                    chunk, size = [], 0
                    continue
                end, used = start + 1, sizes[start]  # a row bigger than a body goes alone
            chunk.append(_rows_piece(whole, start, end))
            size += base + used
            start = end
            if start < len(rows):
                yield chunk
                chunk, size = [], 0
    if chunk:
        yield chunk


def add_sheet_requests(
    sheet_id: int,
    tab: str,
    layout: TabLayout,
    rows: int,
    header: Sequence[Cell] | None = None,
    columns: int = 0,
) -> list[dict[str, Any]]:
    """Create a tab laid out for the seller: frozen header, formats, dropdowns, widths.

    The grid is as wide as the tab's columns (at least ``columns``), not Google's default 26:
    every grid cell counts against the spreadsheet's 10 million, blank or not.
    """
    columns = max(len(layout.columns), len(header or ()), columns, 1)
    requests: list[dict[str, Any]] = [
        {
            "addSheet": {
                "properties": {
                    "sheetId": sheet_id,
                    "title": tab,
                    "hidden": layout.hidden,  # the tool's memory tab
                    "gridProperties": {
                        "rowCount": max(rows, 1000),
                        "columnCount": columns,
                        "frozenRowCount": 1,
                    },
                }
            }
        }
    ]
    header_format = {
        "textFormat": {"bold": True, "foregroundColor": {"red": 1, "green": 1, "blue": 1}},
        "backgroundColor": {"red": 0.48, "green": 0.25, "blue": 0.0},
        "wrapStrategy": "WRAP",
        "verticalAlignment": "MIDDLE",
    }
    requests.append(
        {
            "repeatCell": {
                "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
                "cell": {"userEnteredFormat": header_format},
                "fields": (
                    "userEnteredFormat(textFormat,backgroundColor,wrapStrategy,verticalAlignment)"
                ),
            }
        }
    )
    if header is not None:
        requests.append(
            {
                "updateCells": {
                    "range": {
                        "sheetId": sheet_id,
                        "startRowIndex": 0,
                        "endRowIndex": 1,
                        "startColumnIndex": 0,
                        "endColumnIndex": len(header),
                    },
                    "rows": [
                        {
                            "values": [
                                {"userEnteredValue": {"stringValue": str(h or "")}} for h in header
                            ]
                        }
                    ],
                    "fields": "userEnteredValue",
                }
            }
        )
    for index, spec in enumerate(layout.columns):
        body = {
            "sheetId": sheet_id,
            "startRowIndex": 1,
            "startColumnIndex": index,
            "endColumnIndex": index + 1,
        }
        requests.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": index,
                        "endIndex": index + 1,
                    },
                    "properties": {"pixelSize": spec.width * 7 + 10},
                    "fields": "pixelSize",
                }
            }
        )
        number_format = None
        if spec.kind is ColumnKind.MONEY:
            number_format = {"type": "CURRENCY", "pattern": layout.currency_format}
        elif spec.kind in _PATTERNS:
            kind, pattern = _PATTERNS[spec.kind]
            number_format = {"type": kind, "pattern": pattern}
        if number_format is not None:
            requests.append(
                {
                    "repeatCell": {
                        "range": body,
                        "cell": {"userEnteredFormat": {"numberFormat": number_format}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
        if spec.wrap:
            requests.append(
                {
                    "repeatCell": {
                        "range": body,
                        "cell": {
                            "userEnteredFormat": {
                                "wrapStrategy": "WRAP",
                                "verticalAlignment": "TOP",
                            }
                        },
                        "fields": "userEnteredFormat(wrapStrategy,verticalAlignment)",
                    }
                }
            )
        if spec.kind is ColumnKind.CHECKBOX:
            requests.append(
                {"setDataValidation": {"range": body, "rule": {"condition": {"type": "BOOLEAN"}}}}
            )
        elif spec.kind is ColumnKind.DROPDOWN and spec.options:
            requests.append(
                {
                    "setDataValidation": {
                        "range": body,
                        "rule": {
                            "condition": {
                                "type": "ONE_OF_LIST",
                                "values": [{"userEnteredValue": o} for o in spec.options],
                            },
                            "strict": False,
                            "showCustomUi": True,
                        },
                    }
                }
            )
    requests.extend(guard_requests(sheet_id, layout))
    if layout.chart is not None:
        requests.append(chart_request(sheet_id, layout))
    return requests


#: Shown in Google's "Protected sheets and ranges" list beside each guarded range.
GUARD_DESCRIPTION = (
    "openorder writes these cells at every sync: what is typed here is replaced"
    " / openorder menulis sel ini setiap sinkron: isian di sini akan diganti"
)


def guard_requests(sheet_id: int, layout: TabLayout) -> list[dict[str, Any]]:
    """Warning-only protections over each run of the tool's columns (whole columns, so rows
    added later are covered): Google asks a seller who types there to confirm first, and never
    stops anyone, the tool included. The seller's own columns stay free."""
    requests: list[dict[str, Any]] = []
    start: int | None = None
    for index, spec in enumerate([*layout.columns, None]):
        if spec is not None and spec.guarded:
            start = index if start is None else start
            continue
        if start is not None:
            protected = {
                "range": {"sheetId": sheet_id, "startColumnIndex": start, "endColumnIndex": index},
                "description": GUARD_DESCRIPTION,
                "warningOnly": True,
            }
            requests.append({"addProtectedRange": {"protectedRange": protected}})
            start = None
    return requests


def colour(hex_rgb: str) -> dict[str, float]:
    """``"C6EFCE"`` as the API's Color."""
    red, green, blue = (int(hex_rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": round(red, 4), "green": round(green, 4), "blue": round(blue, 4)}


def whole_grid_filter(sheet_id: int, rows: int, columns: int) -> dict[str, Any]:
    """A basic filter over the whole grid, as Google stores one (its bounds spelt out)."""
    grid = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": rows}
    grid.update(startColumnIndex=0, endColumnIndex=columns)
    return {"range": grid}


def grown_filter(
    basic_filter: dict[str, Any], rows: int, columns: int, new_rows: int, new_columns: int
) -> dict[str, Any] | None:
    """A filter that reached the grid's last row (or column) before the grid grew from
    ``rows`` × ``columns`` reaches the new one, keeping the seller's sort and chosen values;
    ``None`` when it stays as it is. Google does not grow a filter's range with its grid:
    without this, new orders would sit below the filter and never be hidden or sorted."""
    grid = dict(basic_filter.get("range") or {})
    changed = False
    for key, before, after in (
        ("endRowIndex", rows, new_rows),
        ("endColumnIndex", columns, new_columns),
    ):
        end = grid.get(key)
        if end is not None and before <= end < after:
            grid[key] = after
            changed = True
    if not changed:
        return None
    kept = {k: v for k, v in basic_filter.items() if k != "range"}
    if "filterSpecs" in kept:
        kept.pop("criteria", None)  # its deprecated twin, which Google also returns
    return {"range": grid, **kept}


def set_basic_filter(basic_filter: dict[str, Any]) -> dict[str, Any]:
    return {"setBasicFilter": {"filter": basic_filter}}


def highlight_rule(sheet_id: int, column: int, highlight: Highlight) -> dict[str, Any]:
    """A status colour on 0-based ``column`` below the header, however long the tab grows."""
    cells = {
        "sheetId": sheet_id,
        "startRowIndex": 1,
        "startColumnIndex": column,
        "endColumnIndex": column + 1,
    }
    condition = {
        "type": "CUSTOM_FORMULA",
        "values": [{"userEnteredValue": "=" + highlight_formula(column, highlight)}],
    }
    look = {
        "backgroundColor": colour(highlight.fill),
        "textFormat": {"foregroundColor": colour(highlight.text)},
    }
    rule = {"ranges": [cells], "booleanRule": {"condition": condition, "format": look}}
    return {"addConditionalFormatRule": {"rule": rule, "index": 0}}


def rule_formula(rule: dict[str, Any]) -> str:
    """A conditional format rule's formula as :func:`formula_key` compares it ("" if none)."""
    try:
        values = rule["booleanRule"]["condition"].get("values") or [{}]
        return formula_key(str(values[0].get("userEnteredValue", "")))
    except (KeyError, TypeError, AttributeError):
        return ""


def formula_key(formula: str) -> str:
    """A formula with what Google may rewrite taken out (spaces, ``$``, case): two rules of
    one colour on one column compare equal."""
    return "".join(formula.split()).replace("$", "").lstrip("=").casefold()


def look_requests(
    sheet_id: int,
    specs: Sequence[tuple[int, ColumnSpec]],
    rows: int,
    columns: int,
    *,
    has_filter: bool,
    formulas: set[str],
) -> list[dict[str, Any]]:
    """Filter buttons and status colours ``specs`` (sheet column, spec) ask for that the tab
    lacks. ``formulas`` (as :func:`formula_key` has them) are the tab's rules, and gain those
    added; a tab that already has a filter keeps the seller's."""
    requests: list[dict[str, Any]] = []
    if not has_filter and any(spec.filter for _, spec in specs):
        requests.append(set_basic_filter(whole_grid_filter(sheet_id, rows, columns)))
    for column, spec in specs:
        for highlight in spec.highlights:
            key = formula_key(highlight_formula(column, highlight))
            if key not in formulas:
                formulas.add(key)
                requests.append(highlight_rule(sheet_id, column, highlight))
    return requests


def chart_spec(sheet_id: int, layout: TabLayout) -> dict[str, Any]:
    """A bar chart of `Filled %` per product over the current batch's rows."""
    spec = layout.chart
    assert spec is not None

    def source(column: int) -> dict[str, Any]:
        return {
            "sourceRange": {
                "sources": [
                    {
                        "sheetId": sheet_id,
                        "startRowIndex": spec.first_row,
                        "endRowIndex": spec.last_row + 1,
                        "startColumnIndex": column,
                        "endColumnIndex": column + 1,
                    }
                ]
            }
        }

    return {
        "title": spec.title,
        "basicChart": {
            "chartType": "BAR",
            "legendPosition": "NO_LEGEND",
            "axis": [{"position": "BOTTOM_AXIS", "title": "%"}],
            "domains": [{"domain": source(spec.category_column)}],
            "series": [{"series": source(spec.value_column), "targetAxis": "BOTTOM_AXIS"}],
        },
    }


def chart_request(sheet_id: int, layout: TabLayout) -> dict[str, Any]:
    """Add the Filled % chart to a new tab."""
    assert layout.chart is not None
    anchor = {"sheetId": sheet_id, "rowIndex": 1, "columnIndex": layout.chart.anchor_column}
    return {
        "addChart": {
            "chart": {
                "spec": chart_spec(sheet_id, layout),
                "position": {"overlayPosition": {"anchorCell": anchor}},
            }
        }
    }


def chart_update(chart_id: int, sheet_id: int, layout: TabLayout) -> dict[str, Any]:
    """Point the existing chart at the rows of the batch that is current now."""
    return {"updateChartSpec": {"chartId": chart_id, "spec": chart_spec(sheet_id, layout)}}
