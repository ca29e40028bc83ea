"""Comparing what a sync wants written with what the sheet holds, cell by cell.

Only rows that differ are written, so a re-sync with nothing new writes nothing at all, and a
large shop's write carries only what changed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

from openorder_sheets.core import cells
from openorder_sheets.core.cells import to_serial
from openorder_sheets.ports import Cell, Grid, TabUpdate


def comparable(cell: object) -> object:
    """One form for equal values of different types (a date vs its serial, 2 vs 2.0)."""
    if cell is None or cell == "":
        return ""
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, dt.datetime):
        return round(to_serial(cell), 5)
    if isinstance(cell, dt.date):
        return round(to_serial(dt.datetime.combine(cell, dt.time())), 5)
    if isinstance(cell, int | float | Decimal):
        try:
            number = float(cell)
        except OverflowError:  # an int past a double: compare it as text
            return str(cell) if not isinstance(cell, int) else cells.text(cell)
        return round(number, 5) if math.isfinite(number) else str(cell)
    return str(cell)


def _current(grid: Grid, row: int, column: int) -> Cell:
    if row >= len(grid):
        return None
    cells = grid[row]
    return cells[column] if column < len(cells) else None


def changed_only(update: TabUpdate, grid: Grid | None) -> TabUpdate | None:
    """The update with unchanged rows left out (``None``), or ``None`` if nothing changes."""
    current = grid or []
    rows: list[Sequence[Cell] | None] = []
    any_change = False
    for offset, row in enumerate(update.rows):
        if row is None:
            rows.append(None)
            continue
        index = update.start_row + offset
        held = current[index] if index < len(current) else ()
        width = len(held)
        same = True
        for value, column in zip(row, update.columns, strict=False):
            old = held[column] if column < width else None
            # Equal values of one type compare equal after `comparable` too: skip it then.
            if (value == old and type(value) is type(old)) or comparable(value) == comparable(old):
                continue
            same = False
            break
        rows.append(None if same else row)
        any_change = any_change or not same
    end = update.start_row + len(update.rows)
    clear = update.clear_below and any(
        any(comparable(_current(current, r, c)) != "" for c in update.columns)
        for r in range(end, len(current))
    )
    if not any_change and not clear:
        return None
    return TabUpdate(update.tab, update.columns, rows, update.layout, update.start_row, clear)


def apply(grids: Mapping[str, Grid | None], update: TabUpdate) -> Grid:
    """The tab's grid after ``update`` (a new grid; the input is not changed)."""
    grid = [list(row) for row in (grids.get(update.tab) or [])]
    width = max(update.columns, default=-1) + 1
    end = update.start_row + len(update.rows)
    while len(grid) < end:
        grid.append([])
    for offset, row in enumerate(update.rows):
        if row is None:
            continue
        target = grid[update.start_row + offset]
        if len(target) < width:
            target.extend([None] * (width - len(target)))
        for value, column in zip(row, update.columns, strict=False):
            target[column] = value
    if update.clear_below:
        for target in grid[end:]:
            for column in update.columns:
                if column < len(target):
                    target[column] = None
    return grid
