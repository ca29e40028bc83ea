"""How a tab of the local workbook looks beyond its cells: filter buttons, status colours, paper.

What the layout's columns ask for (:class:`~openorder_sheets.ports.ColumnSpec` ``highlights``,
``filter``, ``on_paper``) is applied through openpyxl. Every range reaches the sheet's last row
(a spreadsheet prints and filters only the rows in use), so nothing needs redoing as the tab
grows or shrinks: a write that patches rows in the tab's XML keeps the look as it is. Applying
it again changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from openorder_sheets.core.layouts import highlight_formula
from openorder_sheets.ports import ColumnSpec, Highlight, TabUpdate

_LAST_ROW = 1_048_576  # ranges cover the whole column, however long the tab grows

# A4 less the margins the adapter sets (0.4 in each side), in points; and a column's printed
# width in points per unit of column width (the width of a "0": 7 px, plus 5 px of padding).
_PORTRAIT_POINTS = (8.27 - 0.8) * 72
_POINTS_PER_WIDTH = 7 * 0.75
_PADDING_POINTS = 5 * 0.75
#: Printed smaller than this in portrait, the text is hard to read: turn the paper instead.
_READABLE_SCALE = 0.85
# The look's marks in a worksheet's XML, as openpyxl, Excel or LibreOffice save them.
_FILTER = re.compile(rb"<(?:\w+:)?autoFilter\b")
_COLOURS = re.compile(rb"<(?:\w+:)?conditionalFormatting\b")
_FIT_TO_PAGE = re.compile(rb'\bfitToPage="(?:1|true)"')


def apply_look(sheet: Worksheet, update: TabUpdate) -> None:
    """Give ``sheet`` the filter buttons, status colours and print layout that ``update``'s
    columns ask for. Call it after every write of the tab: it is idempotent.

    ``update.layout.columns[j]`` describes sheet column ``update.columns[j]`` (0-based), so a
    write of only some columns colours the right ones.
    """
    specs = list(zip(update.columns, update.layout.columns, strict=False))
    for column, spec in specs:
        for highlight in spec.highlights:
            _colour(sheet, column, highlight)
    if any(spec.filter for _, spec in specs):
        _filter_buttons(sheet, update)
    if any(spec.on_paper is not None for _, spec in specs):
        _paper(sheet, specs)


def lacks_look(sheet_xml: bytes, update: TabUpdate) -> bool:
    """Whether a tab's worksheet XML misses part of the look ``update``'s columns ask for (a
    tab made before it existed): a writer that patches the XML can hand that tab to openpyxl
    once, and :func:`apply_look` completes it. A tab still to be made has no XML yet:
    ``lacks_look(b"", update)`` says whether it needs openpyxl to get its look."""
    specs = update.layout.columns
    wanted = (
        (any(spec.filter for spec in specs), _FILTER),
        (any(spec.highlights for spec in specs), _COLOURS),
        (any(spec.on_paper is not None for spec in specs), _FIT_TO_PAGE),
    )
    return any(asked and not mark.search(sheet_xml) for asked, mark in wanted)


def _filter_buttons(sheet: Worksheet, update: TabUpdate) -> None:
    """Filter buttons over the header row's columns (the seller's own too) and every row; the
    seller's chosen filters stay."""
    widest = max(update.columns, default=0) + 1
    before = sheet.auto_filter.ref
    if before:
        width = max(range_boundaries(before)[2] or 1, widest)
    else:
        width = max([widest, *(c.column for c in sheet[1] if c.value not in (None, ""))])
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{_LAST_ROW}"


def _colour(sheet: Worksheet, column: int, highlight: Highlight) -> None:
    letter = get_column_letter(column + 1)
    cells = f"{letter}2:{letter}{_LAST_ROW}"
    formula = highlight_formula(column, highlight)
    priorities = [0]
    for formatting in sheet.conditional_formatting:
        for rule in formatting.rules:
            if str(formatting.sqref) == cells and list(rule.formula or ()) == [formula]:
                return  # already there
            priorities.append(rule.priority or 0)
    rule = FormulaRule(
        formula=[formula],
        fill=PatternFill("solid", start_color=highlight.fill, end_color=highlight.fill),
        font=Font(color=highlight.text),
    )
    # A loaded workbook's rules keep their priorities; the list's own counter starts again at
    # 0, and two rules of one priority make Excel offer to "repair" the file.
    rule.priority = max(priorities) + 1
    sheet.conditional_formatting.add(cells, rule)


def _paper(sheet: Worksheet, specs: Sequence[tuple[int, ColumnSpec]]) -> None:
    """One page wide, as many pages down as the rows need, the header on every page; the
    print area runs from column A through the last column meant for paper. Portrait when
    those columns fit it readably, else landscape."""
    printed = [column for column, spec in specs if spec.on_paper]
    if printed:
        last = max(printed) + 1
        sheet.print_area = f"A1:{get_column_letter(last)}{_LAST_ROW}"
        points = sum(_column_points(sheet, index) for index in range(1, last + 1))
        portrait = _PORTRAIT_POINTS / points >= _READABLE_SCALE
        sheet.page_setup.orientation = "portrait" if portrait else "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.print_title_rows = "1:1"


def _column_points(sheet: Worksheet, index: int) -> float:
    dimension = sheet.column_dimensions.get(get_column_letter(index))
    if dimension is not None and dimension.hidden:
        return 0.0
    width = dimension.width if dimension is not None and dimension.width else 13.0
    return float(width) * _POINTS_PER_WIDTH + _PADDING_POINTS
