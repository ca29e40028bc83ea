"""Reading cells of any type: quantities, dates, booleans, prices, and formula-safe text."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from openorder_sheets.core import cells

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2", 2),
        ("2 jar", 2),
        ("2x", 2),
        ("2×", 2),
        (" 2 ", 2),
        ("3 pcs", 2 + 1),
        (2.0, 2),
        (4, 4),
        ("", 0),
        ("0", 0),
        ("-", 0),
        (None, 0),
        ("2X", 2),
    ],
)
def test_quantity_accepts_whole_numbers_with_units(value: cells.Cell, expected: int) -> None:
    """SPEC §4.2: a whole number ≥ 0, optionally followed by a unit word or x/×."""
    assert cells.quantity(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "dua",
        "1.5",
        "-1",
        "banyak",
        1.5,
        -1,
        True,
        "2 jar nastar",
        "1,5",
        float("nan"),
        dt.date(2027, 1, 1),
    ],
)
def test_quantity_rejects_anything_else(value: cells.Cell) -> None:
    """SPEC §4.2: `dua`, `1.5`, `-1`, `banyak` make the order need attention."""
    with pytest.raises(cells.CellError):
        cells.quantity(value)


def test_when_reads_serials_text_and_datetimes_in_the_shop_zone() -> None:
    """Google serials, ISO text, Indonesian d/m/Y text and datetimes mean the same moment."""
    expected = dt.datetime(2027, 2, 20, 10, 15, tzinfo=JAKARTA)
    serial = (dt.datetime(2027, 2, 20, 10, 15) - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1)
    for value in (
        serial,
        "2027-02-20 10:15",
        "20/02/2027 10:15:00",
        dt.datetime(2027, 2, 20, 10, 15),
    ):
        assert cells.when(value, JAKARTA) == expected
    assert cells.when(None, JAKARTA) is None


@pytest.mark.parametrize("value", ["kemarin", True, float("inf"), -5.0, "31/31/2027"])
def test_when_rejects_non_dates(value: cells.Cell) -> None:
    """A timestamp that is not a date is an error, not a crash."""
    with pytest.raises(cells.CellError):
        cells.when(value, JAKARTA)


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+62812", "-5", "@me", "\tx", "\rx"])
def test_safe_text_prefixes_formula_starts(value: str) -> None:
    """SPEC §3: text starting with = + - @ tab or CR is stored with a leading apostrophe."""
    assert cells.safe_text(value) == "'" + value
    assert cells.unescape(cells.safe_text(value)) == value


def test_safe_text_leaves_plain_text_alone() -> None:
    """Ordinary names are stored as written."""
    assert cells.safe_text("Siti Rahmawati") == "Siti Rahmawati"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("85000", 85000), ("Rp 85.000", 85000), ("85,000", 85000), (85000.0, 85000)],
)
def test_money_reads_indonesian_prices(value: cells.Cell, expected: int) -> None:
    """Prices may be typed as Rp 85.000 or 85,000."""
    assert cells.money(value) == expected


@pytest.mark.parametrize("value", ["sepuluh", True, "-3"])
def test_whole_number_rejects_words_and_negatives(value: cells.Cell) -> None:
    """A capacity of `sepuluh` is an error naming the value."""
    with pytest.raises(cells.CellError, match=r"not a whole number|below zero"):
        cells.whole_number(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Ya", True), ("Tidak", False), (True, True), ("yes", True), ("0", False), (1, True)],
)
def test_boolean_reads_english_and_indonesian(value: cells.Cell, expected: bool) -> None:
    """Active accepts TRUE/FALSE, Ya/Tidak, Yes/No, 1/0 and checkboxes."""
    assert cells.boolean(value) is expected
