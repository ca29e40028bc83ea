"""A1 notation parsing and echo formatting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openorder_sheets.testing.sheets_server.a1 import (
    A1Error,
    CellsRef,
    col_to_index,
    format_range,
    index_to_col,
    parse_cells,
    parse_range,
    quote_sheet_name,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A1", CellsRef(0, 0, 1, 1, single=True)),
        ("b2:d4", CellsRef(1, 1, 4, 4, single=False)),
        ("$A$1:$B$2", CellsRef(0, 0, 2, 2, single=False)),
        ("A:C", CellsRef(None, 0, None, 3, single=False)),
        ("2:5", CellsRef(1, None, 5, None, single=False)),
        ("A2:Z", CellsRef(1, 0, None, 26, single=False)),
        ("A1:1", CellsRef(0, 0, 1, None, single=False)),
        ("D4:A1", CellsRef(0, 0, 4, 4, single=False)),
    ],
)
def test_parse_cells_forms(text: str, expected: CellsRef) -> None:
    """Every A1 form gspread and the project use parses to the right zero-based bounds."""
    assert parse_cells(text) == expected


@pytest.mark.parametrize("text", ["", "A", "1", "A0", "1:B", "A1:", "!A1", "A1:B2:C3", "ZZZZ1"])
def test_parse_cells_rejects_garbage(text: str) -> None:
    """Malformed cell references are rejected (the server answers 'Unable to parse range')."""
    with pytest.raises(A1Error):
        parse_cells(text)


def test_parse_range_sheet_names() -> None:
    """Quoted names with '' escapes, unquoted names with spaces and bare names all parse."""
    assert parse_range("'Bob''s tab'!A1").sheet == "Bob's tab"
    assert parse_range("'Form Responses 1'").cells is None
    assert parse_range("🌵 test 1!A:A").sheet == "🌵 test 1"
    bare = parse_range("Sheet1")
    assert bare.sheet is None
    assert bare.bare == "Sheet1"


def test_quote_only_when_needed() -> None:
    """Echoed ranges quote names with spaces, symbols or cell-like names, and nothing else."""
    assert quote_sheet_name("Sheet1") == "Sheet1"
    assert quote_sheet_name("Form Responses 1") == "'Form Responses 1'"
    assert quote_sheet_name("A1") == "'A1'"
    assert quote_sheet_name("it's") == "'it''s'"
    assert format_range("Orders", 0, 0, 1, 1) == "Orders!A1"
    assert format_range("Orders", 0, 0, 4, 4) == "Orders!A1:D4"


@given(st.integers(min_value=0, max_value=18277))
def test_column_names_round_trip(index: int) -> None:
    """Column letters and indices convert both ways for every column Sheets allows."""
    assert col_to_index(index_to_col(index)) == index


@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12),
    st.integers(0, 5000),
    st.integers(0, 500),
    st.integers(1, 50),
    st.integers(1, 20),
)
def test_format_then_parse_round_trip(
    title: str, r0: int, c0: int, height: int, width: int
) -> None:
    """Any range the server echoes parses back to the same sheet and bounds."""
    text = format_range(title, r0, c0, r0 + height, c0 + width)
    ref = parse_range(text)
    assert ref.sheet == title or (ref.sheet is None and ref.bare == title)
    assert ref.cells is not None
    assert (ref.cells.start_row, ref.cells.start_col) == (r0, c0)
    assert (ref.cells.end_row, ref.cells.end_col) == (r0 + height, c0 + width)
