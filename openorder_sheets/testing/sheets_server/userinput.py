"""USER_ENTERED parsing: what Google makes of a string typed into a cell.

Numbers (with the locale's separators), ``TRUE``/``FALSE``, percentages, currency amounts, dates,
times and datetimes become typed values (dates and times also get a number format, as in the
UI), ``=...`` becomes a formula, and a leading apostrophe forces text.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from .cellvalue import Formula, Value, from_json, tidy_number
from .numfmt import LocaleInfo, locale_info, to_serial

NumberFormat = dict[str, Any]

_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*([AaPp][Mm]))?"
_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]" + _TIME + ")?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:\s+" + _TIME + ")?$")
_TIME_ONLY = re.compile("^" + _TIME + "$")


@lru_cache(maxsize=32)
def _number_patterns(info: LocaleInfo) -> tuple[re.Pattern[str], re.Pattern[str]]:
    dec = re.escape(info.decimal)
    groups = {info.group, "\u00a0"} if info.group.isspace() else {info.group}
    grp = "(?:" + "|".join(re.escape(g) for g in sorted(groups)) + ")"
    plain = re.compile(rf"^(\d+(?:{dec}\d*)?|{dec}\d+)(?:[eE]([+-]?\d+))?$")
    grouped = re.compile(rf"^(\d{{1,3}}(?:{grp}\d{{3}})+)(?:{dec}(\d+))?$")
    return plain, grouped


def _parse_unsigned(text: str, info: LocaleInfo) -> tuple[float, str] | None:
    """Parse an unsigned number; return (value, 'plain'|'grouped'|'sci')."""
    plain, grouped = _number_patterns(info)
    match = plain.match(text)
    if match:
        number = float(match.group(1).replace(info.decimal, "."))
        if match.group(2):
            return number * 10 ** int(match.group(2)), "sci"
        return number, "plain"
    match = grouped.match(text)
    if match:
        whole = re.sub(r"\D", "", match.group(1))
        frac = match.group(2) or ""
        return float(f"{whole}.{frac}" if frac else whole), "grouped"
    return None


def _parse_number(text: str, info: LocaleInfo) -> tuple[Value, NumberFormat | None] | None:
    sign = 1.0
    body = text
    if body[:1] in "+-":
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:].strip()
    if body.endswith("%"):
        parsed = _parse_unsigned(body[:-1].strip(), info)
        if parsed is None:
            return None
        decimals = "0.00" if info.decimal in body else "0"
        return tidy_number(sign * parsed[0] / 100), {"type": "PERCENT", "pattern": decimals + "%"}
    for symbol in dict.fromkeys((info.currency, "$")):
        for amount in (body.removeprefix(symbol), body.removesuffix(symbol)):
            if amount == body:
                continue
            parsed = _parse_unsigned(amount.strip(), info)
            if parsed is not None:
                decimals = ".00" if info.decimal in amount else ""
                pattern = f'"{symbol}"#,##0{decimals}'
                return tidy_number(sign * parsed[0]), {"type": "CURRENCY", "pattern": pattern}
    parsed = _parse_unsigned(body, info)
    if parsed is None:
        return None
    value, kind = parsed
    if kind == "grouped":
        pattern = "#,##0.00" if info.decimal in body else "#,##0"
        return tidy_number(sign * value), {"type": "NUMBER", "pattern": pattern}
    if kind == "sci":
        return tidy_number(sign * value), {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
    return tidy_number(sign * value), None


def _time_seconds(hour: str, minute: str, second: str | None, ampm: str | None) -> int | None:
    h, m, s = int(hour), int(minute), int(second or 0)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    if h > 23 or m > 59 or s > 59:
        return None
    return h * 3600 + m * 60 + s


def _date_value(year: int, month: int, day: int, time_s: int | None) -> float | None:
    try:
        serial = to_serial(dt.date(year, month, day))
    except ValueError:
        return None
    return serial + (time_s or 0) / 86400


def _parse_date(text: str, info: LocaleInfo) -> tuple[Value, NumberFormat] | None:
    iso = _ISO_DATE.match(text)
    slash = None if iso else _SLASH_DATE.match(text)
    if iso:
        year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
        time_groups = iso.groups()[3:]
        sep = "-" if "-" in text[:8] else "/"
        date_pattern = f"yyyy{sep}mm{sep}dd"
    elif slash:
        first, second, year_text = int(slash.group(1)), int(slash.group(3)), slash.group(4)
        year = int(year_text) + (2000 if int(year_text) < 30 else 1900) * (len(year_text) == 2)
        day, month = (first, second) if info.day_first else (second, first)
        time_groups = slash.groups()[4:]
        date_pattern = info.date
    else:
        return None
    time_s = None
    if time_groups[0] is not None:
        time_s = _time_seconds(*time_groups)
        if time_s is None:
            return None
    value = _date_value(year, month, day, time_s)
    if value is None:
        return None
    if time_s is None:
        return tidy_number(value), {"type": "DATE", "pattern": date_pattern}
    pattern = (
        f"{date_pattern} {info.date_time.split(' ', 1)[1]}"
        if slash
        else (f"{date_pattern} H:mm:ss")
    )
    return tidy_number(value), {"type": "DATE_TIME", "pattern": pattern}


def parse_user_entered(raw: Any, locale: str = "en_US") -> tuple[Value, NumberFormat | None]:
    """Interpret one USER_ENTERED input; return the stored value and any implied number format."""
    if not isinstance(raw, str):
        return from_json(raw), None
    if raw == "":
        return None, None
    if raw.startswith("'"):
        return raw[1:] or None, None
    if raw.startswith("=") and len(raw) > 1:
        return Formula(raw), None
    text = raw.strip()
    upper = text.upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE", None
    info = locale_info(locale)
    number = _parse_number(text, info)
    if number is not None:
        return number
    date = _parse_date(text, info)
    if date is not None:
        return date
    time_match = _TIME_ONLY.match(text)
    if time_match:
        seconds = _time_seconds(*time_match.groups())
        if seconds is not None:
            return tidy_number(seconds / 86400), {"type": "TIME", "pattern": info.time}
    return raw, None
