"""Finding columns by header (core/columns.py): any order, either language, extra columns
ignored, a missing required column told with its fix."""

from __future__ import annotations

from openorder_sheets.core.columns import column_letter, data_rows, find_columns
from openorder_sheets.ports import Grid


def test_column_letters_run_past_z() -> None:
    """0 → A, 25 → Z, 26 → AA, 701 → ZZ, 702 → AAA."""
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_columns_are_found_in_any_order_and_either_language() -> None:
    """`Harga` and `  sku ` are found wherever the seller moved them; extras are ignored."""
    grid: Grid = [["Catatan saya", "Harga", "  sku ", "Nama"], [None, 85000, "NASTAR", "Nastar"]]
    columns, problems = find_columns("Produk", grid, ("sku", "price"), ("product_name", "unit"))
    assert problems == []
    assert dict(columns.index) == {"price": 1, "sku": 2, "product_name": 3}
    assert columns.get(grid[1], "sku") == "NASTAR"
    assert columns.get(grid[1], "unit") is None  # optional and absent
    assert columns.get([None], "sku") is None  # a short row


def test_a_missing_required_column_names_it_in_the_sellers_language() -> None:
    """The problem says which header to add and how to get the headers back."""
    _, problems = find_columns("Produk", [["SKU"]], ("sku", "price"), language="id")
    assert problems == [
        "Tab 'Produk' has no column 'Harga' in its header row: add it (row 1), or run "
        "`openorder init` to create the tab's headers."
    ]


def test_data_rows_skip_empty_rows_and_keep_sheet_row_numbers() -> None:
    """Row numbers are the sheet's (header is 1), so a problem points at the right row."""
    grid: Grid = [["SKU"], ["A"], [None, ""], [], ["B"]]
    assert data_rows(grid) == [(2, ["A"]), (5, ["B"])]
