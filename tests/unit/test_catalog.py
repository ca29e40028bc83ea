"""Reading Products, Materials and Batches (core/catalog.py): every bad cell is one sentence that
names tab, row, column and fix; a product read fine before keeps its last good value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from openorder_sheets.core.catalog import read_catalog
from openorder_sheets.core.model import Stage
from openorder_sheets.ports import Cell, Grid

ZONE = ZoneInfo("Asia/Jakarta")
NAMES = {"products": "Products", "materials": "Materials", "batches": "Batches"}
PRODUCTS: list[Cell] = ["SKU", "Name", "Price", "Unit", "Capacity", "Max per buyer", "Active"]
BATCHES: list[Cell] = ["Batch", "Opens", "Closes", "Ships on", "Stage"]


def tabs(
    products: list[list[Cell]],
    batches: list[list[Cell]] | None = None,
    materials: Grid | None = None,
) -> dict[str, Grid | None]:
    return {
        "products": [PRODUCTS, *products],
        "batches": [BATCHES, *(batches or [])],
        "materials": materials,
    }


def test_a_well_filled_shop_reads_without_problems() -> None:
    """Headers in any language and order; blank Capacity is unlimited, blank Active is active."""
    grids = tabs(
        [
            ["nastar", "Nastar", 85000, "jar", 40, 5, True],
            ["PUTRI", "Putri Salju", "75.000", "jar", None, None, None],
        ],
        [["PO 1", "2027-02-01 09:00", "2027-02-10 21:00", "2027-02-20", "Produksi"]],
        [["SKU", "Material", "Quantity per unit", "Unit"], ["NASTAR", "Mentega", 0.25, "kg"]],
    )
    catalog, problems = read_catalog(grids, NAMES, ZONE, "en")
    assert problems == []
    nastar, putri = catalog.products
    assert (nastar.sku, nastar.price, nastar.capacity, nastar.max_per_buyer) == (
        "NASTAR",
        Decimal(85000),
        40,
        5,
    )
    assert (putri.capacity, putri.active) == (None, True)
    (batch,) = catalog.batches
    assert batch.opens == dt.datetime(2027, 2, 1, 9, tzinfo=ZONE)
    assert batch.stage is Stage.IN_PRODUCTION
    assert catalog.materials[0].per_unit == Decimal("0.25")


def test_a_missing_tab_says_how_to_create_it_and_materials_may_be_missing() -> None:
    """No Batches tab is a problem naming `openorder init`; no Materials tab is none."""
    grids: dict[str, Grid | None] = {"products": [PRODUCTS], "batches": None, "materials": None}
    _, problems = read_catalog(grids, NAMES, ZONE, "en")
    assert problems == [
        "The spreadsheet has no tab 'Batches': run `openorder init` to create it, or set its "
        "name under [tabs] in openorder.toml."
    ]


def test_empty_and_repeated_names_are_told_by_row_and_the_row_is_skipped() -> None:
    """An empty SKU or batch name, or one used twice, names the row and the fix."""
    grids = tabs(
        [
            ["", "Nameless", 1000, "jar", None, None, True],
            ["A", "A", 1000, "jar", None, None, True],
            ["A", "Again", 1000, "jar", None, None, True],
        ],
        [
            ["", "2027-02-01 09:00", "2027-02-10 21:00"],
            ["PO", "2027-02-01 09:00", "2027-02-02 21:00"],
            ["PO", "2027-03-01 09:00", "2027-03-02 21:00"],
        ],
    )
    catalog, problems = read_catalog(grids, NAMES, ZONE, "en")
    assert [p.sku for p in catalog.products] == ["A"]
    assert [b.name for b in catalog.batches] == ["PO"]
    assert problems == [
        "Products row 2, column 'SKU' is empty: give the product a short code such as NASTAR.",
        "Products row 4, column 'SKU': 'A' is also used in row 3 — each product needs its own SKU.",
        "Batches row 2, column 'Batch' is empty: give the batch a name such as PO Lebaran 1.",
        "Batches row 4, column 'Batch': 'PO' is also used in row 3 — each batch needs its "
        "own name.",
    ]


def test_a_bad_cell_of_a_known_product_keeps_its_last_value_as_a_warning() -> None:
    """`sepuluh` as a capacity stops a new product, but a remembered one keeps 40 and warns."""
    grids = tabs(
        [["NASTAR", "Nastar", 85000, "jar", "sepuluh", None, True]],
        [["PO 1", "2027-02-01 09:00", "2027-02-10 21:00"]],
    )
    fresh, problems = read_catalog(grids, NAMES, ZONE, "en")
    assert fresh.products[0].capacity is None
    assert problems == [
        "Products row 2, column 'Capacity': 'sepuluh' is not a whole number — enter a whole "
        "number or leave it blank for unlimited."
    ]
    before = read_catalog(
        tabs(
            [["NASTAR", "Nastar", 85000, "jar", 40, None, True]],
            [["PO 1", "2027-02-01 09:00", "2027-02-10 21:00"]],
        ),
        NAMES,
        ZONE,
        "en",
    )[0]
    warnings: list[str] = []
    kept, problems = read_catalog(
        grids, NAMES, ZONE, "en", remembered={"NASTAR": before.products[0]}, warnings=warnings
    )
    assert problems == []
    assert kept.products[0].capacity == 40
    assert len(warnings) == 1
    assert warnings[0].endswith("; until then the last value (40) is used.")


def test_a_batch_that_closes_before_it_opens_or_overlaps_another_is_refused() -> None:
    """Windows must run forward and not overlap: both are told with the fix."""
    grids = tabs(
        [["A", "A", 1000, "jar", None, None, True]],
        [
            ["Back", "2027-02-10 09:00", "2027-02-01 09:00"],
            ["One", "2027-03-01 09:00", "2027-03-10 09:00"],
            ["Two", "2027-03-05 09:00", "2027-03-20 09:00"],
        ],
    )
    catalog, problems = read_catalog(grids, NAMES, ZONE, "en")
    assert [b.name for b in catalog.batches] == ["One", "Two"]
    assert "closes (2027-02-01 09:00) before it opens" in problems[0]
    assert problems[1] == (
        "Batches rows 3 and 4: batches 'One' and 'Two' overlap — make one close before the "
        "other opens."
    )
