"""Reading cells out: render options, formula evaluation, trimming like Google.

``valueRenderOption`` FORMATTED_VALUE gives strings through the cell's number format,
UNFORMATTED_VALUE gives JSON numbers/booleans, FORMULA gives formulas' text. Under the last
two, ``dateTimeRenderOption`` SERIAL_NUMBER keeps date cells as serial numbers and
FORMATTED_STRING renders them with their date pattern.
"""

from __future__ import annotations

from typing import Any

from .cellvalue import CellError, Formula, Result, Value, tidy_number
from .errors import bad_field
from .formula import UnsupportedFormulaError, evaluate
from .grid import Sheet
from .numfmt import general, is_date_format, render
from .store import Spreadsheet

RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
MAX_DEPTH = 64


def check_enum(value: str | None, allowed: tuple[str, ...], field: str, type_name: str) -> str:
    """Validate an enum parameter (default: the first allowed value)."""
    if value is None or value == "":
        return allowed[0]
    if value not in allowed:
        raise bad_field(field, f"type.googleapis.com/google.apps.sheets.v4.{type_name}", value)
    return value


class Evaluator:
    """Evaluates formulas of one spreadsheet, caching results for one request."""

    def __init__(self, book: Spreadsheet) -> None:
        self.book = book
        self.cache: dict[tuple[int, int, int], Result] = {}
        self.stack: list[Sheet] = []
        self.active: set[tuple[int, int, int]] = set()

    def value(self, sheet: Sheet, row: int, col: int) -> Result:
        """The evaluated value of a cell (UnsupportedFormulaError when it cannot be computed)."""
        stored = sheet.get(row, col)
        if not isinstance(stored, Formula):
            return stored
        key = (sheet.sheet_id, row, col)
        if key in self.cache:
            return self.cache[key]
        if key in self.active or len(self.stack) >= MAX_DEPTH:
            return CellError("#REF!", "REF", "Circular dependency detected.")
        self.active.add(key)
        self.stack.append(sheet)
        try:
            result = evaluate(stored.text, self)
        finally:
            self.stack.pop()
            self.active.discard(key)
        self.cache[key] = result
        return result

    def _sheet(self, name: str | None) -> Sheet:
        if name is None:
            return self.stack[-1]
        sheet = self.book.sheet_by_title(name)
        if sheet is None:
            raise UnsupportedFormulaError(name)
        return sheet

    def cell(self, sheet: str | None, row: int, col: int) -> Result:
        """Resolver hook: one cell."""
        return self.value(self._sheet(sheet), row, col)

    def cells(self, sheet: str | None, r0: int, c0: int, r1: int, c1: int) -> list[Result]:
        """Resolver hook: a box, row by row (bounded to the sheet's data)."""
        target = self._sheet(sheet)
        out: list[Result] = []
        for row in range(r0, min(r1, len(target.values))):
            for col in range(c0, min(c1, len(target.values[row]))):
                out.append(self.value(target, row, col))
        return out


class Renderer:
    """Turns stored cells into API values for one request's render options."""

    def __init__(
        self,
        book: Spreadsheet,
        render_option: str = "FORMATTED_VALUE",
        date_option: str = "SERIAL_NUMBER",
    ) -> None:
        self.book = book
        self.locale = book.locale
        self.option = render_option
        self.date_option = date_option
        self.evaluator = Evaluator(book)

    def result(self, sheet: Sheet, row: int, col: int) -> tuple[Result, str | None]:
        """(evaluated value, formula text if the formula could not be evaluated)."""
        stored = sheet.get(row, col)
        if isinstance(stored, Formula):
            try:
                return self.evaluator.value(sheet, row, col), None
            except UnsupportedFormulaError:
                return None, stored.text
        return stored, None

    def cell(self, sheet: Sheet, row: int, col: int) -> Any:
        """The API value of one cell (None for empty)."""
        stored = sheet.get(row, col)
        if stored is None:
            return None
        if isinstance(stored, Formula) and self.option == "FORMULA":
            return stored.text
        value, fallback = self.result(sheet, row, col)
        if fallback is not None:
            return fallback
        return self.present(value, sheet.number_format(row, col))

    def formatted(self, value: Result, number_format: dict[str, Any] | None) -> str:
        """FORMATTED_VALUE text of a value."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float):
            return render(value, number_format, self.locale)
        if isinstance(value, CellError):
            return value.text
        return value

    def present(self, value: Result, number_format: dict[str, Any] | None) -> Any:
        """Apply the render options to an evaluated value."""
        if self.option == "FORMATTED_VALUE" or isinstance(value, CellError):
            return self.formatted(value, number_format)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.date_option == "FORMATTED_STRING" and is_date_format(number_format):
                return render(value, number_format, self.locale)
            return tidy_number(value)
        return value

    def _fast(self, stored: Value) -> Any:
        """A plain value without format or formula (the common case, kept cheap)."""
        kind = type(stored)
        if kind is str or stored is None:
            return stored
        if self.option == "FORMATTED_VALUE":
            if kind is bool:
                return "TRUE" if stored else "FALSE"
            if kind is int and -(10**15) < stored < 10**15:  # type: ignore[operator]
                return str(stored)
            return general(stored, self.locale)  # type: ignore[arg-type]
        return stored

    def row(self, sheet: Sheet, row: int, c0: int, c1: int) -> list[Any]:
        """Rendered cells of one row segment, trailing empties trimmed, gaps as ``""``."""
        if row >= len(sheet.values):
            return []
        cells = sheet.values[row][c0:c1]
        extras = sheet.extras[row]
        fast = self._fast
        if extras is None and Formula not in set(map(type, cells)):
            out = [fast(v) for v in cells]
        else:
            out = [
                self.cell(sheet, row, c0 + i)
                if type(v) is Formula or (extras and c0 + i in extras)
                else fast(v)
                for i, v in enumerate(cells)
            ]
        while out and (out[-1] is None or out[-1] == ""):
            out.pop()
        return ["" if v is None else v for v in out]

    def box(
        self, sheet: Sheet, r0: int, c0: int, r1: int, c1: int, major: str = "ROWS"
    ) -> list[list[Any]]:
        """Values of a box as the API returns them (trailing empty rows/cells dropped)."""
        if major == "COLUMNS":
            width = c1 - c0
            rows = [
                (self.row(sheet, r, c0, c1) + [""] * width)[:width]
                for r in range(r0, min(r1, len(sheet.values)))
            ]
            columns = [[row[i] for row in rows] for i in range(width)]
            out = []
            for column in columns:
                while column and column[-1] == "":
                    column.pop()
                out.append(column)
        else:
            out = [self.row(sheet, r, c0, c1) for r in range(r0, min(r1, len(sheet.values)))]
        while out and not out[-1]:
            out.pop()
        return out
