"""Writing only the changed cells (core/cell_diff.py): a value read back in another type is the
same value, so a second sync writes nothing."""

from __future__ import annotations

import datetime as dt

from openorder_sheets.core.cell_diff import apply, changed_only, comparable
from openorder_sheets.core.cells import to_serial
from openorder_sheets.ports import Grid, TabLayout, TabUpdate

LAYOUT = TabLayout(())


def update(rows: list[list[object] | None], *, clear: bool = False) -> TabUpdate:
    return TabUpdate("Orders", (0, 2), rows, LAYOUT, 0, clear)  # type: ignore[arg-type]


def test_equal_values_of_other_types_compare_equal() -> None:
    """A date and its serial, 2 and 2.0, None and "" are each the same cell; "2" is not 2."""
    moment = dt.datetime(2027, 2, 1, 9, 30)
    assert comparable(moment) == comparable(to_serial(moment))
    assert comparable(2) == comparable(2.0)
    assert comparable(None) == comparable("")
    assert comparable("2") != comparable(2)  # text that looks like a number is still text


def test_unchanged_rows_are_left_out_and_no_change_is_none() -> None:
    """Only the changed row is written; the same rows again write nothing at all."""
    grid: Grid = [["Order", "x", "Total"], ["PO-1", "seller", 2.0]]
    same = update([["Order", "Total"], ["PO-1", 2]])
    assert changed_only(same, grid) is None
    changed = changed_only(update([["Order", "Total"], ["PO-1", 3]]), grid)
    assert changed is not None
    assert list(changed.rows) == [None, ["PO-1", 3]]


def test_a_shorter_tab_clears_only_its_own_columns_below() -> None:
    """Rows under the last one are cleared in the tool's columns; the seller's column stays."""
    grid: Grid = [["Order", "x", "Total"], ["PO-1", "keep", 1], ["PO-2", "mine", 2]]
    shorter = changed_only(update([["Order", "Total"], ["PO-1", 1]], clear=True), grid)
    assert shorter is not None
    after = apply({"Orders": grid}, shorter)
    assert after == [["Order", "x", "Total"], ["PO-1", "keep", 1], [None, "mine", None]]
    assert grid[2] == ["PO-2", "mine", 2]  # the input grid is not changed
