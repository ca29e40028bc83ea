"""Finding columns by header in a grid, whatever their order and whatever the seller added."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openorder_sheets.core.cells import text
from openorder_sheets.core.labels import COLUMN_LABELS, fold, label
from openorder_sheets.ports import Cell, Grid


@dataclass(frozen=True)
class Columns:
    """Where each known column is in a tab: key → 0-based column index."""

    tab: str
    index: Mapping[str, int]
    width: int

    def get(self, row: Sequence[Cell], key: str) -> Cell:
        position = self.index.get(key)
        if position is None or position >= len(row):
            return None
        return row[position]


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_keys(keys: Sequence[str]) -> dict[str, str]:
    """Folded header text in either language → key, for the given keys only."""
    found: dict[str, str] = {}
    for key in keys:
        for text_ in COLUMN_LABELS[key].values():
            found.setdefault(fold(text_), key)
    return found


def find_columns(
    tab: str,
    grid: Grid,
    required: Sequence[str],
    optional: Sequence[str] = (),
    language: str = "en",
) -> tuple[Columns, list[str]]:
    """Locate ``required`` and ``optional`` columns in the header row of ``grid``.

    Returns the columns and a problem sentence for each required column that is missing.
    """
    header = grid[0] if grid else []
    wanted = header_keys([*required, *optional])
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        key = wanted.get(fold(text(cell)))
        if key is not None and key not in index:
            index[key] = position
    problems = [
        f"Tab '{tab}' has no column '{label(COLUMN_LABELS, key, language)}' in its header row: "
        "add it (row 1), or run `openorder init` to create the tab's headers."
        for key in required
        if key not in index
    ]
    return Columns(tab, index, len(header)), problems


def data_rows(grid: Grid) -> list[tuple[int, list[Cell]]]:
    """(sheet row number, cells) for every non-empty row under the header."""
    rows = []
    for offset, row in enumerate(grid[1:], start=2):
        if any(cell is not None and text(cell) != "" for cell in row):
            rows.append((offset, row))
    return rows
