"""Money and dates as buyers read them, through Babel (``Rp165.000``, ``Sabtu, 20 Februari 2027``).

Pure formatting: no clock, no I/O. The same functions serve emails, the WhatsApp text and the
CLI, so a buyer sees one way of writing an amount everywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from babel.dates import format_date, format_time
from babel.numbers import format_currency

_LOCALES = {"id": "id_ID", "en": "en_US"}
_ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
#: A time read back from the tool's memory carries its offset, not its zone's name.
_OFFSET_NAMES = {7: "WIB", 8: "WITA", 9: "WIT"}


def locale_of(language: str) -> str:
    return _LOCALES.get(language, "en_US")


def money(amount: Decimal | int | float, currency: str, language: str) -> str:
    """``Rp165.000`` for IDR in both languages; cents only where the currency has them."""
    return _money(amount, currency, language)


# Babel builds a formatter from locale data on every call (~50 µs); a sync formats the same
# few amounts and dates thousands of times, so the pure functions below remember answers.
@functools.lru_cache(maxsize=4096)
def _money(amount: Decimal | int | float, currency: str, language: str) -> str:
    code = currency.upper()
    digits = code != "IDR"
    pattern = "¤#,##0.00" if digits else "¤#,##0"
    # en_US would write "IDR165,000"; Indonesian buyers read rupiah as "Rp165.000" either way.
    locale = "en_ID" if code == "IDR" and language == "en" else locale_of(language)
    return format_currency(
        Decimal(amount), code, format=pattern, locale=locale, currency_digits=digits
    )


def long_date(day: dt.date, language: str) -> str:
    """``Sabtu, 20 Februari 2027`` / ``Saturday, February 20, 2027``."""
    return _long_date(day.year, day.month, day.day, language)  # a datetime's wall date too


@functools.lru_cache(maxsize=4096)
def _long_date(year: int, month: int, day: int, language: str) -> str:
    # Babel's "full" Indonesian pattern pads the day ("Senin, 01 Maret 2027"); sellers write 1.
    pattern = "EEEE, d MMMM y" if language == "id" else "full"
    return format_date(dt.date(year, month, day), format=pattern, locale=locale_of(language))


def moment(when: dt.datetime, language: str) -> str:
    """``Sabtu, 20 Februari 2027, 10.15 WIB`` / ``Saturday, February 20, 2027, 10:15 AM WIB``."""
    zone = _ZONE_NAMES.get(str(when.tzinfo), "")
    if not zone and when.tzinfo is not None:
        offset = when.utcoffset()
        hours = offset.total_seconds() / 3600 if offset is not None else None
        named = _OFFSET_NAMES.get(int(hours)) if hours is not None and hours.is_integer() else None
        zone = named or when.strftime("%Z")
    clock = _clock(when.hour, when.minute, language)
    text = f"{long_date(when.date(), language)}, {clock}"
    return f"{text} {zone}".rstrip()


@functools.lru_cache(maxsize=4096)
def _clock(hour: int, minute: int, language: str) -> str:
    """``10.15`` / ``10:15 AM``: the wall-clock time as the language writes it."""
    pattern = "HH.mm" if language == "id" else "h:mm a"
    return format_time(dt.time(hour, minute), pattern, locale=locale_of(language))


_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def day_and_time(when: dt.datetime, language: str) -> str:
    """``1 Des 11.19`` / ``1 Dec 11:19``: short enough to scan down a column or a line."""
    lang = "id" if language == "id" else "en"
    month = _MONTHS[lang][when.month - 1]
    separator = "." if lang == "id" else ":"
    return f"{when.day} {month} {when.hour:02d}{separator}{when.minute:02d}"
