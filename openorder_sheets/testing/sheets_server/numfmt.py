"""Rendering numbers the way FORMATTED_VALUE does: the automatic format and number-format patterns.

Covers the common pattern syntax: sections (``pos;neg;zero``), ``0 # ?`` digits, grouping
``,``, decimals, ``%``, ``E+00``, quoted text, ``[$Rp-421]`` currency tokens, and date/time tokens
(``yyyy mm dd h mm ss am/pm``, month and day names, ``[h]``). Locale controls the decimal and
group separators and the default patterns of typed formats.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

EPOCH = dt.datetime(1899, 12, 30)
DATE_TYPES = frozenset({"DATE", "TIME", "DATE_TIME"})


@dataclass(frozen=True)
class LocaleInfo:
    """Separators and default patterns of a spreadsheet locale."""

    decimal: str
    group: str
    date: str
    time: str
    date_time: str
    currency: str
    day_first: bool


_EN_US = LocaleInfo(".", ",", "M/d/yyyy", "h:mm:ss am/pm", "M/d/yyyy H:mm:ss", "$", False)
_LOCALES = {
    "en_US": _EN_US,
    "en_GB": LocaleInfo(".", ",", "dd/MM/yyyy", "HH:mm:ss", "dd/MM/yyyy HH:mm:ss", "£", True),
    "en_AU": LocaleInfo(".", ",", "dd/MM/yyyy", "h:mm:ss am/pm", "dd/MM/yyyy H:mm:ss", "$", True),
    "id_ID": LocaleInfo(",", ".", "dd/MM/yyyy", "HH.mm.ss", "dd/MM/yyyy HH.mm.ss", "Rp", True),
    "in_ID": LocaleInfo(",", ".", "dd/MM/yyyy", "HH.mm.ss", "dd/MM/yyyy HH.mm.ss", "Rp", True),
    "de_DE": LocaleInfo(",", ".", "dd.MM.yyyy", "HH:mm:ss", "dd.MM.yyyy HH:mm:ss", "€", True),
    "fr_FR": LocaleInfo(",", "\u202f", "dd/MM/yyyy", "HH:mm:ss", "dd/MM/yyyy HH:mm:ss", "€", True),
    "nl_NL": LocaleInfo(",", ".", "d-M-yyyy", "HH:mm:ss", "d-M-yyyy HH:mm:ss", "€", True),
    "es_ES": LocaleInfo(",", ".", "d/MM/yyyy", "H:mm:ss", "d/MM/yyyy H:mm:ss", "€", True),
    "pt_BR": LocaleInfo(",", ".", "dd/MM/yyyy", "HH:mm:ss", "dd/MM/yyyy HH:mm:ss", "R$", True),
    "ms_MY": LocaleInfo(".", ",", "dd/MM/yyyy", "h:mm:ss am/pm", "dd/MM/yyyy H:mm:ss", "RM", True),
}

_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def locale_info(locale: str) -> LocaleInfo:
    """Return separators/patterns for ``locale`` (unknown locales behave like en_US)."""
    return _LOCALES.get(locale, _EN_US)


def to_serial(moment: dt.datetime | dt.date) -> float:
    """Serial day number of a date or datetime (days since 1899-12-30)."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day)
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000


def from_serial(serial: float) -> dt.datetime:
    """The datetime of a serial number, rounded to the second."""
    seconds = round(serial * 86400)
    return EPOCH + dt.timedelta(seconds=seconds)


def general(value: float | int, locale: str = "en_US") -> str:
    """The automatic format: integers plainly, up to 10 significant digits otherwise."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if not math.isfinite(value):
        return "#NUM!"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e15 or magnitude < 1e-10:
        mantissa, _, exponent = f"{value:.9E}".partition("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}E{exponent[0]}{int(exponent[1:]):02d}"
    elif float(value).is_integer():
        text = str(int(value))
    else:
        digits = max(0, 10 - (math.floor(math.log10(magnitude)) + 1))
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", locale_info(locale).decimal)


# --- pattern tokenizer -------------------------------------------------------------------

Token = tuple[str, str]
_DATE_LETTERS = "ymdhs"
_NUMBER_KINDS = frozenset({"digit", "dot", "comma", "pct", "exp"})


def split_sections(pattern: str) -> list[str]:
    """Split a pattern on ``;`` outside quotes, brackets and escapes."""
    sections, current, i = [], [], 0
    in_quote = in_bracket = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and not in_quote:
            current.append(pattern[i : i + 2])
            i += 2
            continue
        if char == '"' and not in_bracket:
            in_quote = not in_quote
        elif char == "[" and not in_quote:
            in_bracket = True
        elif char == "]" and not in_quote:
            in_bracket = False
        if char == ";" and not in_quote and not in_bracket:
            sections.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    sections.append("".join(current))
    return sections


@lru_cache(maxsize=512)
def tokenize(section: str) -> tuple[Token, ...]:
    """Tokenize one pattern section."""
    tokens: list[Token] = []
    i = 0
    while i < len(section):
        char = section[i]
        lower = char.lower()
        if char == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            tokens.append(("lit", section[i + 1 : end]))
            i = end + 1
        elif char == "\\" and i + 1 < len(section):
            tokens.append(("lit", section[i + 1]))
            i += 2
        elif char == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            inner = section[i + 1 : end]
            if inner.startswith("$"):
                tokens.append(("lit", inner[1:].split("-")[0]))
            elif inner.lower() in ("h", "hh", "m", "mm", "s", "ss"):
                tokens.append(("elapsed", inner.lower()[0]))
            i = end + 1
        elif char in "_*" and i + 1 < len(section):
            if char == "_":
                tokens.append(("lit", " "))
            i += 2
        elif section[i : i + 5].lower() == "am/pm":
            tokens.append(("ampm", "AM/PM"))
            i += 5
        elif section[i : i + 3].lower() == "a/p":
            tokens.append(("ampm", "A/P"))
            i += 3
        elif lower in _DATE_LETTERS:
            j = i
            while j < len(section) and section[j].lower() == lower:
                j += 1
            tokens.append(("date", lower * (j - i)))
            i = j
        elif char in "0#?":
            tokens.append(("digit", char))
            i += 1
        elif char in "eE" and i + 1 < len(section) and section[i + 1] in "+-":
            tokens.append(("exp", section[i + 1]))
            i += 2
        else:
            kind = {".": "dot", ",": "comma", "%": "pct", "@": "text"}.get(char, "lit")
            tokens.append((kind, char))
            i += 1
    return tuple(tokens)


def default_pattern(kind: str | None, locale: str) -> str:
    """The pattern a typed number format uses when its pattern is empty."""
    info = locale_info(locale)
    return {
        "NUMBER": "#,##0.00",
        "PERCENT": "0.00%",
        "CURRENCY": f'"{info.currency}"#,##0.00',
        "DATE": info.date,
        "TIME": info.time,
        "DATE_TIME": info.date_time,
        "SCIENTIFIC": "0.00E+00",
        "TEXT": "@",
    }.get(kind or "", "")


def is_date_format(number_format: dict[str, Any] | None) -> bool:
    """True when a cell's number format shows a date, time or datetime."""
    if not number_format:
        return False
    if number_format.get("type") in DATE_TYPES:
        return True
    pattern = number_format.get("pattern") or ""
    return any(
        kind in ("date", "ampm", "elapsed") for kind, _ in tokenize(split_sections(pattern)[0])
    )


def render(value: float | int, number_format: dict[str, Any] | None, locale: str) -> str:
    """Render a number with a cell's numberFormat (or the automatic format)."""
    if not number_format:
        return general(value, locale)
    pattern = number_format.get("pattern") or default_pattern(number_format.get("type"), locale)
    if not pattern or pattern in ("@", "General") or not math.isfinite(value):
        return general(value, locale)
    sections = split_sections(pattern)
    section, negative_section = sections[0], False
    if value < 0 and len(sections) > 1 and sections[1]:
        section, negative_section = sections[1], True
    elif value == 0 and len(sections) > 2 and sections[2]:
        section = sections[2]
    tokens = tokenize(section)
    if any(kind in ("date", "ampm", "elapsed") for kind, _ in tokens):
        return _render_date(value, tokens)
    if not any(kind == "digit" for kind, _ in tokens):
        if any(kind == "text" for kind, _ in tokens):
            return general(value, locale)
        return "".join(text for kind, text in tokens if kind == "lit")
    return _render_number(value, tokens, negative_section, locale_info(locale))


def _render_date(serial: float, tokens: tuple[Token, ...]) -> str:
    moment = from_serial(serial)
    twelve = any(kind == "ampm" for kind, _ in tokens)
    date_tokens = [i for i, (kind, _) in enumerate(tokens) if kind in ("date", "elapsed")]
    out: list[str] = []
    for position, (kind, text) in enumerate(tokens):
        if kind == "date":
            out.append(_date_part(moment, text, position, tokens, date_tokens, twelve))
        elif kind == "elapsed":
            total = serial * {"h": 24, "m": 1440, "s": 86400}[text]
            out.append(str(math.floor(total + 1e-9)))
        elif kind == "ampm":
            if text == "A/P":
                out.append("A" if moment.hour < 12 else "P")
            else:
                out.append("AM" if moment.hour < 12 else "PM")
        elif kind in ("lit", "dot", "comma", "pct", "digit"):
            out.append(text)
    return "".join(out)


def _date_part(
    moment: dt.datetime,
    text: str,
    position: int,
    tokens: tuple[Token, ...],
    date_tokens: list[int],
    twelve: bool,
) -> str:
    letter, width = text[0], len(text)
    if letter == "m" and width <= 2:
        index = date_tokens.index(position)
        before = tokens[date_tokens[index - 1]][1][0] if index > 0 else ""
        after = tokens[date_tokens[index + 1]][1][0] if index + 1 < len(date_tokens) else ""
        if before == "h" or after == "s":
            return f"{moment.minute:02d}" if width == 2 else str(moment.minute)
    if letter == "y":
        return str(moment.year)[-2:] if width <= 2 else f"{moment.year:04d}"
    if letter == "m":
        if width <= 2:
            return f"{moment.month:02d}" if width == 2 else str(moment.month)
        name = _MONTHS[moment.month - 1]
        return name[:3] if width == 3 else name[0] if width == 5 else name
    if letter == "d":
        if width <= 2:
            return f"{moment.day:02d}" if width == 2 else str(moment.day)
        name = _DAYS[moment.weekday()]
        return name[:3] if width == 3 else name
    if letter == "h":
        hour = moment.hour % 12 or 12 if twelve else moment.hour
        return f"{hour:02d}" if width >= 2 else str(hour)
    return f"{moment.second:02d}" if width >= 2 else str(moment.second)


def _render_number(
    value: float | int, tokens: tuple[Token, ...], negative_section: bool, info: LocaleInfo
) -> str:
    kinds = [kind for kind, _ in tokens]
    first = next(i for i, kind in enumerate(kinds) if kind == "digit")
    last = max(i for i, kind in enumerate(kinds) if kind in _NUMBER_KINDS)
    dot = kinds.index("dot") if "dot" in kinds[first : last + 1] else None
    exp = kinds.index("exp") if "exp" in kinds else None
    int_end = dot if dot is not None else (exp if exp is not None else last + 1)
    int_digits = [tokens[i][1] for i in range(first, int_end) if kinds[i] == "digit"]
    dec_end = exp if exp is not None else last + 1
    dec_digits = (
        [tokens[i][1] for i in range(dot + 1, dec_end) if kinds[i] == "digit"] if dot else []
    )
    last_int_digit = max(i for i in range(first, int_end) if kinds[i] == "digit")
    grouping = any(kinds[i] == "comma" for i in range(first, last_int_digit))
    scale = sum(1 for i in range(last_int_digit + 1, int_end) if kinds[i] == "comma")
    magnitude = abs(value) * 100 ** kinds.count("pct") / 1000**scale
    exponent_text = ""
    if exp is not None:
        power = math.floor(math.log10(magnitude)) if magnitude else 0
        power -= len(int_digits) - 1 if int_digits else 0
        magnitude = magnitude / 10**power
        exp_digits = sum(1 for i in range(exp + 1, last + 1) if kinds[i] == "digit")
        sign = "-" if power < 0 else ("+" if tokens[exp][1] == "+" else "")
        exponent_text = f"E{sign}{abs(power):0{max(exp_digits, 1)}d}"
    quantum = Decimal(1).scaleb(-len(dec_digits))
    rounded = Decimal(repr(float(magnitude))).quantize(quantum, rounding=ROUND_HALF_UP)
    whole, _, frac = f"{rounded:f}".partition(".")
    keep = len(dec_digits)
    while keep > 0 and dec_digits[keep - 1] != "0" and frac[keep - 1 : keep] == "0":
        keep -= 1
    frac = frac[:keep]
    min_int = int_digits.count("0")
    whole = whole.lstrip("0")
    whole = whole.rjust(min_int, "0")
    if grouping and whole:
        groups: list[str] = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        groups.insert(0, whole)
        whole = info.group.join(groups)
    number = whole + (info.decimal + frac if dot is not None else "") + exponent_text
    prefix = "".join(text for kind, text in tokens[:first] if kind in ("lit", "pct"))
    middle = "".join(
        text for kind, text in tokens[first : last + 1] if kind in ("lit", "pct") and text != ","
    )
    suffix = "".join(text for kind, text in tokens[last + 1 :] if kind in ("lit", "pct"))
    sign = "-" if value < 0 and not negative_section and rounded != 0 else ""
    return f"{sign}{prefix}{number}{middle}{suffix}"
