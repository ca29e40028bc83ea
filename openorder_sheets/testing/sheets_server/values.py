"""``spreadsheets.values.*``: get, batchGet, update, batchUpdate, append, clear, batchClear."""

from __future__ import annotations

from typing import Any

from .a1 import format_range, index_to_col
from .cellvalue import Value, from_json
from .errors import bad_field, invalid
from .grid import Sheet
from .limits import check_cells
from .render import DATE_OPTIONS, RENDER_OPTIONS, Renderer, check_enum
from .store import Spreadsheet, Target
from .userinput import parse_user_entered

Params = dict[str, list[str]]
JSON = dict[str, Any]
LIST_VALUE = "type.googleapis.com/google.protobuf.ListValue"
_PARSE_FIRST = frozenset("0123456789+-.=',$€£¥%(")
_SCALARS = frozenset({str, int, float, bool, type(None)})


def param(params: Params, name: str, default: str | None = None) -> str | None:
    """The first value of a query parameter."""
    found = params.get(name)
    return found[0] if found else default


def flag(value: Any) -> bool:
    """A boolean query/body flag (``true``, ``True``, ``1``)."""
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1")


def major_dimension(value: str | None, field: str = "major_dimension") -> str:
    """Validate ``majorDimension`` (ROWS by default)."""
    if value == "DIMENSION_UNSPECIFIED":
        return "ROWS"
    return check_enum(value, ("ROWS", "COLUMNS"), field, "Dimension")


def _renderer(book: Spreadsheet, render: str | None, dates: str | None) -> Renderer:
    option = check_enum(render, RENDER_OPTIONS, "value_render_option", "ValueRenderOption")
    date_option = check_enum(dates, DATE_OPTIONS, "date_time_render_option", "DateTimeRenderOption")
    return Renderer(book, option, date_option)


def value_range(renderer: Renderer, target: Target, major: str) -> JSON:
    """A ValueRange for a resolved target (``values`` omitted when empty)."""
    out: JSON = {"range": target.a1(), "majorDimension": major}
    values = renderer.box(target.sheet, target.r0, target.c0, target.r1, target.c1, major)
    if values:
        out["values"] = values
    return out


def values_get(book: Spreadsheet, range_text: str, params: Params) -> JSON:
    """GET .../values/{range}."""
    renderer = _renderer(
        book, param(params, "valueRenderOption"), param(params, "dateTimeRenderOption")
    )
    return value_range(
        renderer, book.resolve(range_text), major_dimension(param(params, "majorDimension"))
    )


def values_batch_get(book: Spreadsheet, params: Params) -> JSON:
    """GET .../values:batchGet?ranges=..."""
    renderer = _renderer(
        book, param(params, "valueRenderOption"), param(params, "dateTimeRenderOption")
    )
    major = major_dimension(param(params, "majorDimension"))
    targets = [book.resolve(text) for text in params.get("ranges", [])]
    out: JSON = {"spreadsheetId": book.id}
    if targets:
        out["valueRanges"] = [value_range(renderer, t, major) for t in targets]
    return out


def batch_get_by_data_filter(book: Spreadsheet, body: JSON) -> JSON:
    """POST .../values:batchGetByDataFilter (a1Range and gridRange filters)."""
    renderer = _renderer(book, body.get("valueRenderOption"), body.get("dateTimeRenderOption"))
    major = major_dimension(body.get("majorDimension"))
    found = []
    for data_filter in body.get("dataFilters") or []:
        if "a1Range" in data_filter:
            target = book.resolve(str(data_filter["a1Range"]))
        elif "gridRange" in data_filter:
            target = book.grid_target(data_filter["gridRange"])
        else:
            raise invalid("Only a1Range and gridRange data filters are supported by this server.")
        found.append(
            {"valueRange": value_range(renderer, target, major), "dataFilters": [data_filter]}
        )
    out: JSON = {"spreadsheetId": book.id}
    if found:
        out["valueRanges"] = found
    return out


# --- writing -----------------------------------------------------------------------------


def check_rows(values: Any, field: str) -> list[list[Any]]:
    """Validate ``values`` like Google's JSON-to-proto step (a list of lists of scalars)."""
    if values is None:
        return []
    if not isinstance(values, list):
        raise bad_field(field, LIST_VALUE, values)
    for index, row in enumerate(values):
        if not isinstance(row, list):
            raise bad_field(f"{field}[{index}]", LIST_VALUE, row)
        if not _SCALARS.issuperset(map(type, row)):
            col = next(i for i, cell in enumerate(row) if type(cell) not in _SCALARS)
            raise bad_field(
                f"{field}[{index}][{col}]", "type.googleapis.com/google.protobuf.Value", row[col]
            )
    return values


def input_option(value: Any) -> str:
    """Validate ``valueInputOption``, which Google requires on every write."""
    if value is None or value == "":
        raise invalid("'valueInputOption' is required but not specified")
    return check_enum(str(value), ("RAW", "USER_ENTERED"), "value_input_option", "ValueInputOption")


def transpose(columns: list[list[Any]]) -> list[list[Any]]:
    """Turn COLUMNS-major input into rows (short columns padded with None = untouched)."""
    height = max((len(c) for c in columns), default=0)
    return [[c[r] if r < len(c) else None for c in columns] for r in range(height)]


class Written:
    """The box a write covered and which of its rows, columns and cells it set.

    ``rows``/``cols`` size the box (the ``updatedRange``); ``row_set``/``col_set`` (offsets
    into the box) and ``cells`` count only the cells given a value — a JSON null leaves its
    cell untouched, and Google does not count it.
    """

    def __init__(
        self, sheet: Sheet, row: int, col: int, rows: int, cols: int, data: list[list[Any]]
    ) -> None:
        self.sheet, self.row, self.col = sheet, row, col
        self.rows, self.cols = rows, cols
        if not any(None in r for r in data):
            self.row_set = set(range(len(data))) if cols else set()
            self.col_set = set(range(max((len(r) for r in data), default=0)))
            self.cells = sum(len(r) for r in data)
        else:
            self.row_set = {i for i, r in enumerate(data) if any(v is not None for v in r)}
            self.col_set = {j for r in data for j, v in enumerate(r) if v is not None}
            self.cells = sum(1 for r in data for v in r if v is not None)

    def a1(self) -> str:
        """The ``updatedRange`` echo."""
        return format_range(
            self.sheet.title, self.row, self.col, self.row + self.rows, self.col + self.cols
        )

    def reply(self, book: Spreadsheet, fallback: str) -> JSON:
        """The UpdateValuesResponse body (zero counts left out, as Google does)."""
        if not self.rows:
            return {"spreadsheetId": book.id, "updatedRange": fallback}
        out: JSON = {"spreadsheetId": book.id, "updatedRange": self.a1()}
        counts = {
            "updatedRows": len(self.row_set),
            "updatedColumns": len(self.col_set),
            "updatedCells": self.cells,
        }
        out.update((key, count) for key, count in counts.items() if count)
        return out


def _raw_row(inputs: list[Any]) -> list[Value]:
    """RAW conversion of one row: text and booleans as they are, '' clears, 2.0 becomes 2."""
    return [
        value if (kind := type(value)) is int or kind is bool or (kind is str and value) else
        from_json(value)
        for value in inputs
    ]  # fmt: skip


def _needs_parsing(value: Any) -> bool:
    """Whether a USER_ENTERED input might be more than plain text (cheap first-character test)."""
    return type(value) is str and (not value or value[0] in _PARSE_FIRST or value[0] in "TtFfRr")


def write_cells(
    book: Spreadsheet, sheet: Sheet, row: int, col: int, rows: list[list[Any]], option: str
) -> None:
    """Store ``rows`` at (row, col), converting each input by the value input option."""
    locale = book.locale
    sheet.ensure_rows(row + len(rows))
    for offset, inputs in enumerate(rows):
        converted = _raw_row(inputs)
        if option == "USER_ENTERED":
            for index, raw in enumerate(inputs):
                if not _needs_parsing(raw):
                    continue
                value, number_format = parse_user_entered(raw, locale)
                converted[index] = value
                if number_format is not None:
                    _imply_format(sheet, row + offset, col + index, number_format)
        skip = [value is None for value in inputs] if None in inputs else None
        sheet.write_row(row + offset, col, converted, skip)
    sheet.changed()
    book.touch()


def _imply_format(sheet: Sheet, row: int, col: int, number_format: dict[str, Any]) -> None:
    """Give a cell the number format its typed input implied, unless it already has one."""
    if sheet.number_format(row, col) is not None:
        return
    fmt = dict((sheet.cell_extra(row, col) or {}).get("userEnteredFormat") or {})
    fmt["numberFormat"] = number_format
    sheet.set_extra(row, col, "userEnteredFormat", fmt)


def write_range(book: Spreadsheet, range_text: str, data: JSON, option: str, field: str) -> Written:
    """Apply one ValueRange write (values.update and each entry of values.batchUpdate)."""
    rows = check_rows(data.get("values"), f"{field}.values")
    target = book.resolve(range_text, write=True)
    if major_dimension(data.get("majorDimension"), f"{field}.major_dimension") == "COLUMNS":
        rows = transpose(rows)
    height, width = len(rows), max((len(r) for r in rows), default=0)
    if not target.single:
        if height > target.r1 - target.r0 and not target.open_rows:
            raise invalid(
                f"Requested writing within range [{range_text}], "
                f"but tried writing to row [{target.r1 + 1}]"
            )
        if width > target.c1 - target.c0 and not target.open_cols:
            raise invalid(
                f"Requested writing within range [{range_text}], but tried writing to column "
                f"[{index_to_col(target.c1)}]"
            )
    sheet = target.sheet
    grown_rows = max(sheet.row_count, target.r0 + height)
    grown_cols = max(sheet.col_count, target.c0 + width)
    check_cells(book, grown_rows * grown_cols - sheet.row_count * sheet.col_count)
    if target.r0 + height > sheet.row_count:
        sheet.grid["rowCount"] = target.r0 + height
    if target.c0 + width > sheet.col_count:
        sheet.grid["columnCount"] = target.c0 + width
    write_cells(book, sheet, target.r0, target.c0, rows, option)
    return Written(sheet, target.r0, target.c0, height, width, rows)


def _updated_data(book: Spreadsheet, written: Written, params: dict[str, Any]) -> JSON:
    renderer = _renderer(
        book, params.get("responseValueRenderOption"), params.get("responseDateTimeRenderOption")
    )
    sheet = written.sheet
    target = Target(
        sheet, written.row, written.col, written.row + written.rows, written.col + written.cols
    )
    return value_range(renderer, target, "ROWS")


def values_update(book: Spreadsheet, range_text: str, params: Params, body: JSON) -> JSON:
    """PUT .../values/{range}."""
    option = input_option(param(params, "valueInputOption"))
    written = write_range(book, range_text, body, option, "data")
    reply = written.reply(book, book.resolve(range_text, write=True).a1())
    if flag(param(params, "includeValuesInResponse", "false")) and written.rows:
        reply["updatedData"] = _updated_data(book, written, {k: v[0] for k, v in params.items()})
    return reply


def values_batch_update(book: Spreadsheet, body: JSON) -> JSON:
    """POST .../values:batchUpdate (all ranges are checked before anything is written)."""
    option = input_option(body.get("valueInputOption"))
    data = body.get("data") or []
    if not isinstance(data, list):
        raise bad_field("data", "type.googleapis.com/google.apps.sheets.v4.ValueRange", data)
    for index, entry in enumerate(data):
        check_rows(entry.get("values"), f"data[{index}].values")
        book.resolve(str(entry.get("range", "")), write=True)
    snapshot = book.snapshot() if len(data) > 1 else None
    responses = []
    try:
        for index, entry in enumerate(data):
            written = write_range(
                book, str(entry.get("range", "")), entry, option, f"data[{index}]"
            )
            reply = written.reply(book, book.resolve(str(entry.get("range", "")), write=True).a1())
            if flag(body.get("includeValuesInResponse", False)) and written.rows:
                reply["updatedData"] = _updated_data(book, written, body)
            responses.append((written, reply))
    except Exception:
        if snapshot is not None:
            book.restore(snapshot)
        raise
    out: JSON = {"spreadsheetId": book.id}
    rows = {(w.sheet.sheet_id, w.row + r) for w, _ in responses for r in w.row_set}
    cols = {(w.sheet.sheet_id, w.col + c) for w, _ in responses for c in w.col_set}
    totals = {
        "totalUpdatedRows": len(rows),
        "totalUpdatedColumns": len(cols),
        "totalUpdatedCells": sum(w.cells for w, _ in responses),
        "totalUpdatedSheets": len({w.sheet.sheet_id for w, _ in responses if w.cells}),
    }
    out.update({k: v for k, v in totals.items() if v})
    if responses:
        out["responses"] = [reply for _, reply in responses]
    return out


def values_clear(book: Spreadsheet, range_text: str) -> JSON:
    """POST .../values/{range}:clear."""
    target = book.resolve(range_text)
    target.sheet.clear_values(target.r0, target.c0, target.r1, target.c1)
    book.touch()
    return {"spreadsheetId": book.id, "clearedRange": target.a1()}


def values_batch_clear(book: Spreadsheet, body: JSON) -> JSON:
    """POST .../values:batchClear."""
    targets = [book.resolve(str(text)) for text in body.get("ranges") or []]
    for target in targets:
        target.sheet.clear_values(target.r0, target.c0, target.r1, target.c1)
    book.touch()
    out: JSON = {"spreadsheetId": book.id}
    if targets:
        out["clearedRanges"] = [t.a1() for t in targets]
    return out
