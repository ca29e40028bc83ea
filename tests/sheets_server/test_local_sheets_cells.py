"""Typed input (USER_ENTERED), number formats and the small formula evaluator."""

from __future__ import annotations

from typing import Any

import pytest

from openorder_sheets.testing.sheets_server.cellvalue import CellError, Formula
from openorder_sheets.testing.sheets_server.formula import UnsupportedFormulaError, evaluate
from openorder_sheets.testing.sheets_server.numfmt import general, render
from openorder_sheets.testing.sheets_server.userinput import parse_user_entered


@pytest.mark.parametrize(
    ("typed", "value", "kind"),
    [
        ("53", 53, None),
        ("0.12", 0.12, None),
        ("-5", -5, None),
        ("TRUE", True, None),
        ("false", False, None),
        ("1,234", 1234, "NUMBER"),
        ("12%", 0.12, "PERCENT"),
        ("$1,200.50", 1200.5, "CURRENCY"),
        ("2020-01-01", 43831, "DATE"),
        ("1999-01-02", 36162, "DATE"),
        ("1/2/2020", 43832, "DATE"),
        ("2020-01-01 18:00", 43831.75, "DATE_TIME"),
        ("10:30 PM", 0.9375, "TIME"),
        ("'007", "007", None),
        ("'=1+1", "=1+1", None),
        ("2020-02-30", "2020-02-30", None),
        ("Ani", "Ani", None),
        ("", None, None),
    ],
)
def test_user_entered_parsing_en_us(typed: str, value: Any, kind: str | None) -> None:
    """Typed text becomes numbers, booleans, dates (serials) or stays text, like Sheets en_US."""
    parsed, number_format = parse_user_entered(typed, "en_US")
    assert parsed == value
    assert type(parsed) is type(value)
    assert (number_format or {}).get("type") == kind


def test_user_entered_formula_is_kept_as_formula() -> None:
    """A leading '=' stores a formula; a leading apostrophe stores the rest as text."""
    assert parse_user_entered("=A1*2") == (Formula("=A1*2"), None)
    assert parse_user_entered("'=A1*2") == ("=A1*2", None)


def test_user_entered_indonesian_separators() -> None:
    """In id_ID a dot groups thousands and a comma is the decimal point; Rp is currency."""
    assert parse_user_entered("1.500", "id_ID")[0] == 1500
    assert parse_user_entered("1,5", "id_ID")[0] == 1.5
    value, number_format = parse_user_entered("Rp 15.000", "id_ID")
    assert value == 15000
    assert number_format == {"type": "CURRENCY", "pattern": '"Rp"#,##0'}


@pytest.mark.parametrize(
    ("value", "pattern", "locale", "shown"),
    [
        (1234567.891, "#,##0.00", "en_US", "1,234,567.89"),
        (1234567.891, "#,##0.00", "id_ID", "1.234.567,89"),
        (-1234.5, '"$"#,##0.00', "en_US", "-$1,234.50"),
        (150000, "[$Rp-421]#,##0", "id_ID", "Rp150.000"),
        (0.256, "0.0%", "en_US", "25.6%"),
        (1.5, "0.###", "en_US", "1.5"),
        (12345.678, "0.00E+00", "en_US", "1.23E+04"),
        (-3, "0;(0)", "en_US", "(3)"),
        (43831, "yyyy-mm-dd", "en_US", "2020-01-01"),
        (43831.5, "dddd, mmmm d, yyyy h:mm am/pm", "en_US", "Wednesday, January 1, 2020 12:00 PM"),
        (43831.75, "dd/MM/yyyy HH:mm", "id_ID", "01/01/2020 18:00"),
        (1.25, "[h]:mm", "en_US", "30:00"),
    ],
)
def test_number_format_patterns(value: float, pattern: str, locale: str, shown: str) -> None:
    """FORMATTED_VALUE applies common number, currency, percent, scientific and date patterns."""
    assert render(value, {"type": "NUMBER", "pattern": pattern}, locale) == shown


def test_automatic_format() -> None:
    """Without a format, integers print plainly and fractions with up to 10 significant digits."""
    assert general(2) == "2"
    assert general(2.0) == "2"
    assert general(1 / 3) == "0.3333333333"
    assert general(0.1 + 0.2) == "0.3"
    assert general(1e16) == "1E+16"
    assert general(1.5, "id_ID") == "1,5"


class Cells:
    """A resolver over a dict of A1 → value, for evaluator tests."""

    def __init__(self, values: dict[tuple[int, int], Any]) -> None:
        self.values = values

    def cell(self, sheet: str | None, row: int, col: int) -> Any:
        return self.values.get((row, col))

    def cells(self, sheet: str | None, r0: int, c0: int, r1: int, c1: int) -> list[Any]:
        rows, cols = min(r1, 10), min(c1, 10)  # like the store: bounded by the data
        return [self.values.get((r, c)) for r in range(r0, rows) for c in range(c0, cols)]


@pytest.mark.parametrize(
    ("formula", "result"),
    [
        ("=4/2", 2),
        ("=3/2", 1.5),
        ("=-2^2+10%", 4.1),  # unary minus binds tighter than ^, as in Sheets
        ("=A1*B1", 6),
        ("=SUM(A1:B2)", 15),
        ('=IF(A1>2,"big","small")', "big"),
        ('=A1&"x"&TRUE', "3xTRUE"),
        ("=ROUND(2.345,2)", 2.35),
        ("=AVERAGE(A1:A2)", 3.5),
        ("=COUNTA(A1:C2)", 4),
    ],
)
def test_formula_evaluation(formula: str, result: Any) -> None:
    """Arithmetic, references, ranges and the supported functions compute like Sheets."""
    cells = Cells({(0, 0): 3, (0, 1): 2, (1, 0): 4, (1, 1): 6})
    value = evaluate(formula, cells)
    if isinstance(result, float):
        assert value == pytest.approx(result)
    else:
        assert value == result


def test_formula_errors_and_unsupported() -> None:
    """Division by zero yields #DIV/0!; unknown functions are reported as unsupported."""
    error = evaluate("=1/0", Cells({}))
    assert isinstance(error, CellError)
    assert error.text == "#DIV/0!"
    with pytest.raises(UnsupportedFormulaError):
        evaluate("=VLOOKUP(1,A1:B2,2,FALSE)", Cells({}))


def test_whole_column_references() -> None:
    """Open ranges such as D:D and A2:A read the used rows (sellers write =SUM(D:D))."""
    cells = Cells({(0, 0): 3, (1, 0): 4, (2, 0): "x"})
    assert evaluate("=SUM(A:A)", cells) == 7
    assert evaluate("=SUM(A2:A)", cells) == 4
