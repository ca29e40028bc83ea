"""Finding the form's questions: configured, detected, and clear errors when ambiguous."""

from __future__ import annotations

from decimal import Decimal

from openorder_sheets.core.form import form_headers, map_form
from openorder_sheets.core.model import Catalog, Product


def catalog(*names: tuple[str, str]) -> Catalog:
    return Catalog(
        tuple(
            Product(sku, name, Decimal(1), "jar", None, None, True, "", 2) for sku, name in names
        ),
        (),
        (),
    )


BASE = form_headers("id")


def test_indonesian_headers_are_detected() -> None:
    """Unset keys are auto-detected from common Indonesian headers (SPEC §7)."""
    mapping, problems = map_form("R", [*BASE, "Nastar"], catalog(("NASTAR", "Nastar")), {}, {})
    assert problems == []
    assert [
        mapping.fields[k]
        for k in ("timestamp", "email", "name", "phone", "address", "delivery", "notes", "opt_in")
    ] == list(range(8))
    assert mapping.products == {"NASTAR": 8}


def test_the_longest_product_name_wins_a_header() -> None:
    """`Nastar Premium` and `Nastar` do not fight over the same column."""
    shop = catalog(("NASTAR", "Nastar"), ("PREMIUM", "Nastar Premium"))
    mapping, problems = map_form("R", [*BASE, "Nastar (jar)", "Nastar Premium (jar)"], shop, {}, {})
    assert problems == []
    assert mapping.products == {"NASTAR": 8, "PREMIUM": 9}


def test_grid_questions_and_sku_brackets_are_found() -> None:
    """A grid question's `Question [Product]` columns and `[SKU]` headers both map."""
    shop = catalog(("NASTAR", "Nastar"), ("KST", "Kastengel"))
    mapping, problems = map_form("R", [*BASE, "Jumlah [Nastar]", "Jumlah [KST]"], shop, {}, {})
    assert problems == []
    assert mapping.products == {"NASTAR": 8, "KST": 9}


def test_an_ambiguous_product_names_the_columns() -> None:
    """Two columns that both look like one product are an error naming both."""
    _, problems = map_form(
        "R", [*BASE, "Nastar (jar)", "Nastar (box)"], catalog(("NASTAR", "Nastar")), {}, {}
    )
    assert any("'Nastar (jar)'" in p and "'Nastar (box)'" in p for p in problems)


def test_a_missing_product_column_is_an_error_naming_what_was_found() -> None:
    """A product the mapping cannot find is a configuration error listing the columns."""
    _, problems = map_form(
        "R", [*BASE, "Nastar"], catalog(("NASTAR", "Nastar"), ("KST", "Kastengel")), {}, {}
    )
    assert any("Kastengel" in p and "columns found" in p for p in problems)


def test_configured_questions_must_exist() -> None:
    """A `[form]` value that is not a header is an error that lists the headers."""
    _, problems = map_form(
        "R", [*BASE, "Nastar"], catalog(("NASTAR", "Nastar")), {"phone": "WA kamu"}, {}
    )
    assert any("'WA kamu'" in p and "Alamat email" in p for p in problems)


def test_products_map_through_the_config() -> None:
    """`[form.products]` maps a SKU to an exact question header."""
    mapping, problems = map_form(
        "R", [*BASE, "Kue kering A"], catalog(("NASTAR", "Nastar")), {}, {"NASTAR": "Kue kering A"}
    )
    assert problems == []
    assert mapping.products == {"NASTAR": 8}


def test_the_form_init_suggests_maps_every_field_in_both_languages() -> None:
    """The questions `init`, the demo and the bench write are the ones `map_form` recognises."""
    shop = catalog(("NASTAR", "Nastar Premium"), ("PUTRI", "Putri Salju"))
    for language in ("id", "en"):
        headers = form_headers(language, ["Nastar Premium (jar)", "Putri Salju (jar)"])
        mapping, problems = map_form("R", headers, shop, {}, {})
        assert problems == []
        assert [
            mapping.fields[k]
            for k in ("timestamp", "email", "name", "phone", "address", "delivery")
        ] == list(range(6))
        assert mapping.products == {"NASTAR": 6, "PUTRI": 7}
        assert (mapping.fields["notes"], mapping.fields["opt_in"]) == (8, 9)
