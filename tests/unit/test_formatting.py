"""Money and dates as buyers read them (core/formatting.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from openorder_sheets.core.formatting import day_and_time, long_date, moment, money

JAKARTA = ZoneInfo("Asia/Jakarta")


def test_rupiah_reads_rp_with_dots_in_both_languages() -> None:
    """Indonesian buyers read rupiah as Rp165.000 whatever the email's language; no cents."""
    assert money(165000, "IDR", "id") == "Rp165.000"
    assert money(Decimal("165000.00"), "IDR", "en") == "Rp165.000"


def test_a_currency_with_cents_keeps_them() -> None:
    """Other currencies are written by the language's rules, with cents."""
    assert money(12.5, "USD", "en") == "$12.50"


def test_a_long_date_does_not_pad_the_day() -> None:
    """`Senin, 1 Maret 2027`, as sellers write it, not Babel's `01`."""
    assert long_date(dt.date(2027, 3, 1), "id") == "Senin, 1 Maret 2027"
    assert long_date(dt.date(2027, 3, 1), "en") == "Monday, March 1, 2027"


def test_a_moment_names_the_indonesian_zone() -> None:
    """WIB for Jakarta, with the clock written the language's way."""
    at = dt.datetime(2027, 2, 20, 14, 25, tzinfo=JAKARTA)
    assert moment(at, "id") == "Sabtu, 20 Februari 2027, 14.25 WIB"
    assert moment(at, "en") == "Saturday, February 20, 2027, 2:25 PM WIB"
    makassar = dt.datetime(2027, 2, 20, 14, 25, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert moment(makassar, "id").endswith("14.25 WITA")


def test_day_and_time_is_short_enough_for_a_column() -> None:
    """`1 Des 11.19` / `1 Dec 11:19`."""
    at = dt.datetime(2027, 12, 1, 11, 19)
    assert day_and_time(at, "id") == "1 Des 11.19"
    assert day_and_time(at, "en") == "1 Dec 11:19"
