"""Reading the seller's `Products`, `Materials` and `Batches` tabs into a :class:`Catalog`.

Every bad cell becomes one sentence naming tab, row, column, value and fix; they are collected
so `doctor` shows all of them at once, and a sync refuses to decide on a broken set-up.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from openorder_sheets.core import cells
from openorder_sheets.core.columns import Columns, data_rows, find_columns
from openorder_sheets.core.labels import COLUMN_LABELS, STAGE_LABELS, fold, label, reverse_lookup
from openorder_sheets.core.model import Batch, Catalog, Material, Product, Stage
from openorder_sheets.ports import Cell, Grid

PRODUCT_COLUMNS = (
    "sku",
    "product_name",
    "price",
    "unit",
    "capacity",
    "max_per_buyer",
    "active",
    "form_question",
)
# Capacity, limit and Active are required columns (their cells may be blank): a renamed
# `Capacity` header must never silently make every product unlimited.
PRODUCT_REQUIRED = ("sku", "product_name", "price", "capacity", "max_per_buyer", "active")
MATERIAL_COLUMNS = ("sku", "material", "quantity_per_unit", "unit")
BATCH_COLUMNS = ("batch", "opens", "closes", "ships_on", "stage", "note_to_buyers")
BATCH_REQUIRED = ("batch", "opens", "closes")

_STAGES = reverse_lookup(STAGE_LABELS)
T = TypeVar("T")


class _Reader:
    """Reads cells of one tab, turning :class:`cells.CellError` into problem sentences."""

    def __init__(
        self,
        columns: Columns,
        language: str,
        problems: list[str],
        fallback: list[str] | None = None,
    ) -> None:
        self.columns = columns
        self.language = language
        self.problems = problems
        self.fallback = fallback  # where a problem goes when the last good value is kept

    def place(self, row: int, key: str) -> str:
        header = label(COLUMN_LABELS, key, self.language)
        return f"{self.columns.tab} row {row}, column '{header}'"

    def read(
        self,
        row_number: int,
        row: list[Cell],
        key: str,
        parse: Callable[[Cell], T | None],
        fix: str,
        kept: T | None = None,
    ) -> T | None:
        try:
            return parse(self.columns.get(row, key))
        except cells.CellError as error:
            problem = f"{self.place(row_number, key)}: {error} — {fix}"
            if self.fallback is not None:
                shown = "blank" if kept is None else kept
                self.fallback.append(f"{problem}; until then the last value ({shown}) is used.")
                return kept
            self.problems.append(f"{problem}.")
            return None


def read_catalog(
    tabs: dict[str, Grid | None],
    names: dict[str, str],
    zone: ZoneInfo,
    language: str,
    remembered: Mapping[str, Product] | None = None,
    warnings: list[str] | None = None,
) -> tuple[Catalog, list[str]]:
    """Products, materials and batches from their grids, and every problem found.

    A product cell that cannot be read (``sepuluh`` as a capacity) does not stop the shop when
    the product was read fine before (``remembered``, from the tool's memory): its last good
    value is used and the problem goes to ``warnings`` instead, so only that cell waits for the
    seller's fix, not every buyer."""
    problems: list[str] = []
    products = _read_products(
        names["products"],
        tabs.get("products"),
        language,
        problems,
        remembered or {},
        warnings if warnings is not None else problems,
    )
    materials = _read_materials(names["materials"], tabs.get("materials"), language, problems)
    batches = _read_batches(names["batches"], tabs.get("batches"), zone, language, problems)
    return Catalog(tuple(products), tuple(materials), tuple(batches)), problems


def _missing_tab(name: str) -> str:
    return (
        f"The spreadsheet has no tab '{name}': run `openorder init` to create it, or set its "
        "name under [tabs] in openorder.toml."
    )


def _columns(
    tab: str,
    grid: Grid | None,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    language: str,
    problems: list[str],
) -> Columns | None:
    """The tab's columns found by header, or None (and the problem told) when the tab or a
    required column is missing."""
    if grid is None:
        problems.append(_missing_tab(tab))
        return None
    columns, missing = find_columns(tab, grid, required, optional, language)
    problems.extend(missing)
    return None if missing else columns


#: How to fix a row's name cell: (when empty, when used by an earlier row).
_PRODUCT_NAMING = ("give the product a short code such as NASTAR", "each product needs its own SKU")
_BATCH_NAMING = ("give the batch a name such as PO Lebaran 1", "each batch needs its own name")


def _new_name(
    reader: _Reader,
    number: int,
    key: str,
    name: str,
    seen: dict[str, int],
    fixes: tuple[str, str],
) -> bool:
    """Whether row ``number`` names a new product or batch; if not, the problem is told.

    A name given for the first time is remembered in ``seen`` (name → row)."""
    when_empty, when_taken = fixes
    if not name:
        reader.problems.append(f"{reader.place(number, key)} is empty: {when_empty}.")
        return False
    if name in seen:
        reader.problems.append(
            f"{reader.place(number, key)}: '{name}' is also used in row {seen[name]} — "
            f"{when_taken}."
        )
        return False
    seen[name] = number
    return True


def _read_products(
    tab: str,
    grid: Grid | None,
    language: str,
    problems: list[str],
    remembered: Mapping[str, Product],
    warnings: list[str],
) -> list[Product]:
    columns = _columns(tab, grid, PRODUCT_REQUIRED, PRODUCT_COLUMNS, language, problems)
    if grid is None or columns is None:
        return []
    reader = _Reader(columns, language, problems)
    products: list[Product] = []
    seen: dict[str, int] = {}
    for number, row in data_rows(grid):
        sku = cells.one_line(cells.text(columns.get(row, "sku"))).upper()
        name = cells.one_line(cells.text(columns.get(row, "product_name")))
        if not _new_name(reader, number, "sku", sku, seen, _PRODUCT_NAMING):
            continue
        before = remembered.get(sku)
        if before is not None:  # a cell that cannot be read keeps its last good value
            reader = _Reader(columns, language, problems, fallback=warnings)
        else:
            reader = _Reader(columns, language, problems)
        if cells.is_blank(columns.get(row, "price")) and before is not None:
            warnings.append(
                f"{reader.place(number, 'price')} is empty — enter the price as a number such "
                f"as 85000; until then the last value ({before.price}) is used."
            )
        elif cells.is_blank(columns.get(row, "price")):
            problems.append(
                f"{reader.place(number, 'price')} is empty: enter the price as a "
                "number such as 85000."
            )
            continue
        price = (
            before.price
            if before is not None and cells.is_blank(columns.get(row, "price"))
            else reader.read(
                number,
                row,
                "price",
                cells.money,
                "enter the price as a number such as 85000",
                kept=before.price if before else None,
            )
        )
        if price is None:
            continue
        capacity = reader.read(
            number,
            row,
            "capacity",
            cells.whole_number,
            "enter a whole number or leave it blank for unlimited",
            kept=before.capacity if before else None,
        )
        limit = reader.read(
            number,
            row,
            "max_per_buyer",
            cells.whole_number,
            "enter a whole number or leave it blank for no limit",
            kept=before.max_per_buyer if before else None,
        )
        active_cell = columns.get(row, "active")
        active = (
            True
            if "active" not in columns.index or cells.is_blank(active_cell)
            else reader.read(
                number,
                row,
                "active",
                cells.boolean,
                "use TRUE/FALSE, Ya/Tidak or a checkbox",
                kept=before.active if before else None,
            )
        )
        products.append(
            Product(
                sku=sku,
                name=name or sku,
                price=price,
                unit=cells.one_line(cells.text(columns.get(row, "unit"))),
                capacity=capacity,
                max_per_buyer=limit,
                active=bool(active),
                form_question=cells.one_line(cells.text(columns.get(row, "form_question"))),
                row=number,
            )
        )
    return products


def _read_materials(
    tab: str, grid: Grid | None, language: str, problems: list[str]
) -> list[Material]:
    if grid is None:  # Materials is optional
        return []
    columns = _columns(tab, grid, MATERIAL_COLUMNS, (), language, problems)
    if columns is None:
        return []
    reader = _Reader(columns, language, problems)
    materials = []
    for number, row in data_rows(grid):
        per_unit = reader.read(
            number, row, "quantity_per_unit", cells.decimal_number, "enter a number such as 0.25"
        )
        sku = cells.one_line(cells.text(columns.get(row, "sku"))).upper()
        material = cells.one_line(cells.text(columns.get(row, "material")))
        if per_unit is None or not sku or not material:
            continue
        unit = cells.one_line(cells.text(columns.get(row, "unit")))
        materials.append(Material(sku, material, Decimal(per_unit), unit))
    return materials


def _read_batches(
    tab: str, grid: Grid | None, zone: ZoneInfo, language: str, problems: list[str]
) -> list[Batch]:
    columns = _columns(tab, grid, BATCH_REQUIRED, BATCH_COLUMNS, language, problems)
    if grid is None or columns is None:
        return []
    reader = _Reader(columns, language, problems)
    batches: list[Batch] = []
    seen: dict[str, int] = {}
    fix_when = "enter a date and time such as 2027-02-01 09:00"
    for number, row in data_rows(grid):
        name = cells.one_line(cells.text(columns.get(row, "batch")))
        if not _new_name(reader, number, "batch", name, seen, _BATCH_NAMING):
            continue
        opens = reader.read(number, row, "opens", lambda c: cells.when(c, zone), fix_when)
        closes = reader.read(number, row, "closes", lambda c: cells.when(c, zone), fix_when)
        ships_on = reader.read(
            number, row, "ships_on", lambda c: cells.day(c, zone), "enter a date such as 2027-03-20"
        )
        if opens is None or closes is None:
            for key, value in (("opens", opens), ("closes", closes)):
                if value is None and cells.is_blank(columns.get(row, key)):
                    problems.append(f"{reader.place(number, key)} is empty: {fix_when}.")
            continue
        if closes <= opens:
            problems.append(
                f"{tab} row {number}: batch '{name}' closes ({closes:%Y-%m-%d %H:%M}) before "
                f"it opens ({opens:%Y-%m-%d %H:%M}) — fix the Opens or Closes date."
            )
            continue
        batches.append(
            Batch(
                name,
                opens,
                closes,
                ships_on,
                _stage(columns.get(row, "stage"), reader, number),
                cells.text(columns.get(row, "note_to_buyers")),
                number,
            )
        )
    _check_overlaps(tab, batches, problems)
    return batches


def _stage(cell: Cell, reader: _Reader, number: int) -> Stage:
    word = cells.text(cell)
    if not word:
        return Stage.NONE
    key = _STAGES.get(fold(word))
    if key is None:
        choices = ", ".join(label(STAGE_LABELS, k, reader.language) for k in STAGE_LABELS)
        reader.problems.append(
            f"{reader.place(number, 'stage')}: '{word}' is not a stage — "
            f"choose one of {choices}, or leave it blank."
        )
        return Stage.NONE
    return Stage(key)


def _check_overlaps(tab: str, batches: list[Batch], problems: list[str]) -> None:
    ordered = sorted(batches, key=lambda batch: batch.opens)
    for earlier, later in itertools.pairwise(ordered):
        if later.opens < earlier.closes:
            problems.append(
                f"{tab} rows {earlier.row} and {later.row}: batches '{earlier.name}' and "
                f"'{later.name}' overlap — make one close before the other opens."
            )
