"""Cleaning buyers' answers: emails, phone numbers, names and quantities."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from openorder_sheets.core.form import map_form
from openorder_sheets.core.model import Catalog, Product
from openorder_sheets.core.responses import clean_email, clean_phone, read_response

JAKARTA = ZoneInfo("Asia/Jakarta")


def product(sku: str, name: str, *, active: bool = True) -> Product:
    return Product(sku, name, Decimal(85000), "jar", 10, None, active, "", 2)


CATALOG = Catalog(
    (product("NASTAR", "Nastar Premium"), product("SAGU", "Sagu Keju", active=False)), (), ()
)
HEADERS = [
    "Timestamp",
    "Email Address",
    "Nama",
    "No. WhatsApp",
    "Nastar Premium (jar)",
    "Sagu Keju (jar)",
]


def response(*cells: object):  # type: ignore[no-untyped-def]
    mapping, problems = map_form("Form Responses 1", HEADERS, CATALOG, {}, {})
    assert problems == []
    return read_response(2, list(cells), mapping, CATALOG, JAKARTA, "en")  # type: ignore[arg-type]


def test_phone_numbers_are_normalised_to_plus_62() -> None:
    """SPEC §3: phone normalised to +62… where it is Indonesian."""
    assert clean_phone("0812-3456-7890") == "+6281234567890"
    assert clean_phone("+62 857 1111 2222") == "+6285711112222"
    assert clean_phone("+65 9123 4567") == "+6591234567"
    assert clean_phone("") == ""


def test_emails_are_lower_cased_and_checked() -> None:
    """Email must be a valid address; it is stored lower-cased."""
    assert clean_email("Budi.Santoso@Yahoo.co.id") == "budi.santoso@yahoo.co.id"
    assert clean_email("agus.pratama@gmail") is None
    assert clean_email("a@b.com\r\nBcc: x@y.com") is None


def test_a_bad_quantity_names_the_column_and_value() -> None:
    """A quantity written `dua` makes a problem naming the column and the value."""
    found = response(dt.datetime(2027, 2, 2, 10), "a@example.com", "Siti", "0812", "dua", None)
    assert any('"Nastar Premium (jar)"' in p and "'dua'" in p for p in found.problems)


def test_a_name_with_a_line_break_becomes_one_line() -> None:
    """Names never carry line breaks into cells, subjects or headers."""
    found = response(dt.datetime(2027, 2, 2, 10), "a@example.com", "Putu\nAyu", "", 1, None)
    assert found.name == "Putu Ayu"
    assert found.problems == ()


def test_an_inactive_product_needs_attention() -> None:
    """SPEC §4.4: a quantity for an inactive product is a problem."""
    found = response(dt.datetime(2027, 2, 2, 10), "a@example.com", "Siti", "", None, 2)
    assert any("Sagu Keju" in p and "not active" in p for p in found.problems)


def test_no_items_and_no_name_are_both_reported() -> None:
    """Every problem of a row is listed, not just the first."""
    found = response(dt.datetime(2027, 2, 2, 10), "a@example.com", "", "", None, None)
    assert len(found.problems) == 2
