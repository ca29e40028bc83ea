"""Reading cell values of any type, and making text safe to write.

A cell can hold anything: text, a number, a boolean, a date, a formula's result, or nothing.
These functions turn a cell into the value a rule needs, or return ``None``/raise
:class:`CellError` with words a seller understands. Nothing here ever crashes on a value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from openorder_sheets.ports import Cell

#: Google Sheets and Excel count days from 30 December 1899.
SERIAL_EPOCH = dt.datetime(1899, 12, 30)

#: Text starting with one of these could be read as a formula by a spreadsheet (SPEC §3).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TRUE_WORDS = frozenset({"true", "ya", "yes", "y", "1", "benar", "iya", "✓", "✔", "x"})
FALSE_WORDS = frozenset({"false", "tidak", "no", "n", "0", "salah", "", "-"})

#: The largest whole number a cell may hold (a quantity, a capacity, a limit): nine digits, as a
#: typed quantity allows. Anything larger is a typo or a stray value, and would overflow the
#: money arithmetic (a 1e24 quantity times a price has more digits than a Decimal keeps).
MAX_WHOLE = 999_999_999
#: The largest price or amount: a thousand billion (far above any home-business order), so a
#: quantity times a price always stays well inside what Decimal and the formats can hold.
MAX_AMOUNT = Decimal(10) ** 12
#: The largest other number (a material's quantity per unit).
MAX_NUMBER = Decimal(10) ** 9

_QUANTITY = re.compile(r"^(\d{1,9})\s*(?:[x×]|[^\W\d_]{1,20}\.?)?$", re.IGNORECASE)
_NONE_QUANTITIES = frozenset({"", "0", "-", "–", "—"})

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H.%M.%S",
    "%d/%m/%Y %H.%M",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
)


class CellError(ValueError):
    """A cell holds a value a rule cannot use; the message says what was expected."""


def text(cell: Cell) -> str:
    """The cell as trimmed text (numbers without a trailing ``.0``)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if math.isfinite(cell) and cell.is_integer() and abs(cell) < 1e16:
            return str(int(cell))
        return repr(cell)  # 1e+24 as the seller typed it, not 999999999999999983222784
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ", timespec="minutes")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    if isinstance(cell, int):
        return _integer_text(cell)
    return str(cell).strip()


def _integer_text(number: int) -> str:
    """An int as text; one of more than 30 digits (no real cell holds one, and ``str`` raises
    past 4,300) in scientific notation, as ``1.000e+400``."""
    if number.bit_length() <= 100:
        return str(number)
    return f"{Decimal(number):.3e}"


def _shown(cell: Cell) -> str:
    """The cell's text as a problem quotes it: on one line and at most 60 characters."""
    return one_line(text(cell))[:60]


def unescape(value: str) -> str:
    """Undo :func:`safe_text` when reading back text the tool wrote."""
    if value.startswith("'") and value[1:2] in FORMULA_STARTS and value[1:2]:
        return value[1:]
    return value


def safe_text(value: str) -> str:
    """Text that no spreadsheet will read as a formula: a leading ``'`` where needed."""
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def one_line(value: str) -> str:
    """Text with every line break and tab folded to one space (for names and headers)."""
    return " ".join(value.split())


def is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def boolean(cell: Cell) -> bool:
    """A checkbox or a yes/no word in English or Indonesian."""
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float):
        return cell != 0
    word = text(cell).casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"'{text(cell)}' is not yes or no")


def whole_number(cell: Cell) -> int | None:
    """A whole number ≥ 0, or ``None`` for a blank cell."""
    if is_blank(cell):
        return None
    if isinstance(cell, bool):
        raise CellError(f"'{_shown(cell)}' is not a whole number")
    if isinstance(cell, int):
        number = cell
    elif isinstance(cell, float):
        if not math.isfinite(cell) or not cell.is_integer():
            raise CellError(f"'{_shown(cell)}' is not a whole number")
        if cell > MAX_WHOLE:
            raise CellError(f"'{_shown(cell)}' is too large (at most {MAX_WHOLE:,})")
        number = int(cell)
    elif isinstance(cell, str):
        cleaned = cell.strip().replace(".", "").replace(",", "") if _looks_grouped(cell) else cell
        cleaned = cleaned.strip()
        if len(cleaned.lstrip("+-0")) > len(str(MAX_WHOLE)):  # int() of 5,000 digits raises
            raise CellError(f"'{_shown(cell)}' is too large (at most {MAX_WHOLE:,})")
        try:
            number = int(cleaned)
        except ValueError:
            raise CellError(f"'{_shown(cell)}' is not a whole number") from None
    else:
        raise CellError(f"'{_shown(cell)}' is not a whole number")
    if number < 0:
        raise CellError(f"'{_shown(cell)}' is below zero")
    if number > MAX_WHOLE:
        raise CellError(f"'{_shown(cell)}' is too large (at most {MAX_WHOLE:,})")
    return number


def _looks_grouped(value: str) -> bool:
    """``10.000`` or ``10,000``: thousands separators, as Indonesians write prices."""
    return re.fullmatch(r"\s*\d{1,3}([.,]\d{3})+\s*", value) is not None


def money(cell: Cell) -> Decimal | None:
    """A price: a number, or text like ``Rp 85.000`` / ``85,000``. ``None`` when blank."""
    if is_blank(cell):
        return None
    if isinstance(cell, bool) or not isinstance(cell, int | float | str):
        raise CellError(f"'{_shown(cell)}' is not a price")
    if isinstance(cell, int | float):
        if isinstance(cell, float) and not math.isfinite(cell):
            raise CellError(f"'{_shown(cell)}' is not a price")
        amount = Decimal(cell) if isinstance(cell, int) else Decimal(repr(cell))
    else:
        raw = re.sub(r"^(rp|idr)\s*\.?", "", cell.strip(), flags=re.IGNORECASE).strip()
        if _looks_grouped(raw):
            raw = raw.replace(".", "").replace(",", "")
        try:
            amount = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise CellError(f"'{_shown(cell)}' is not a price") from None
        if not amount.is_finite():
            raise CellError(f"'{_shown(cell)}' is not a price")
    if amount < 0:
        raise CellError(f"'{_shown(cell)}' is below zero")
    if amount > MAX_AMOUNT:
        raise CellError(f"'{_shown(cell)}' is too large (at most {MAX_AMOUNT:,})")
    return _plain(amount)


def decimal_number(cell: Cell) -> Decimal | None:
    """Any number ≥ 0 (``0.25``, ``0,25``); ``None`` when blank."""
    if is_blank(cell):
        return None
    if isinstance(cell, bool) or not isinstance(cell, int | float | str):
        raise CellError(f"'{_shown(cell)}' is not a number")
    try:
        if isinstance(cell, int):
            amount = Decimal(cell)
        elif isinstance(cell, float):
            amount = Decimal(repr(cell))
        else:
            amount = Decimal(cell.strip().replace(",", "."))
    except InvalidOperation:
        raise CellError(f"'{_shown(cell)}' is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise CellError(f"'{_shown(cell)}' is not a number ≥ 0")
    if amount > MAX_NUMBER:
        raise CellError(f"'{_shown(cell)}' is too large (at most {MAX_NUMBER:,})")
    return _plain(amount)


def _plain(amount: Decimal) -> Decimal:
    """``amount`` with a bounded exponent: ``1E-999999`` would make every sum crawl or trap.

    Digits beyond the 12th decimal place are no real price or quantity; they are dropped.
    """
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -12:
        rounded = amount.quantize(Decimal("1e-12")).normalize()
        return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral_value() else rounded
    return amount


def quantity(cell: Cell) -> int:
    """A form quantity: ``2``, ``2 jar``, ``2x``; blank, ``0`` and ``-`` mean none (SPEC §4.2)."""
    if isinstance(cell, bool):
        raise CellError(f"'{text(cell)}' is not a whole number")
    if cell is None:
        return 0
    if isinstance(cell, int | float):
        return whole_number(cell) or 0
    if not isinstance(cell, str):
        raise CellError(f"'{text(cell)}' is not a whole number")
    value = " ".join(cell.split())
    if value in _NONE_QUANTITIES:
        return 0
    match = _QUANTITY.match(value)
    if match is None:
        raise CellError(f"'{one_line(cell)[:60]}' is not a whole number")
    return int(match.group(1))


def when(cell: Cell, zone: ZoneInfo) -> dt.datetime | None:
    """A moment in the shop's zone; ``None`` when blank. Serial numbers are read in ``zone``."""
    if is_blank(cell):
        return None
    if isinstance(cell, bool):
        raise CellError(f"'{text(cell)}' is not a date and time")
    if isinstance(cell, dt.datetime):
        return cell.replace(tzinfo=zone) if cell.tzinfo is None else cell.astimezone(zone)
    if isinstance(cell, dt.date):
        return dt.datetime.combine(cell, dt.time(), tzinfo=zone)
    if isinstance(cell, int | float):
        # The range check alone refuses nan and ±inf; math.isfinite() would raise
        # OverflowError on an int past a double.
        if not 0 < cell < 2958466:
            raise CellError(f"'{_shown(cell)}' is not a date and time")
        return from_serial(float(cell)).replace(tzinfo=zone)
    if isinstance(cell, str):
        value = cell.strip()
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = _parse_local(value)
        return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed.astimezone(zone)
    raise CellError(f"'{text(cell)}' is not a date and time")


def _parse_local(value: str) -> dt.datetime:
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern)
        except ValueError:
            continue
    raise CellError(f"'{one_line(value)[:40]}' is not a date and time (use 2027-02-20 10:00)")


def day(cell: Cell, zone: ZoneInfo) -> dt.date | None:
    """A calendar date; ``None`` when blank."""
    moment = when(cell, zone)
    return None if moment is None else moment.date()


def from_serial(value: float, *, whole_seconds: bool = False) -> dt.datetime:
    """The wall-clock moment (naive) of a spreadsheet serial: days since 30 December 1899.
    Serials carry float noise (10:04 can read back as 10:03:59.99997): the moment is rounded
    to the millisecond, or with ``whole_seconds`` to the second."""
    if whole_seconds:
        return SERIAL_EPOCH + dt.timedelta(seconds=round(value * 86_400))
    return SERIAL_EPOCH + dt.timedelta(milliseconds=round(value * 86_400_000))


def to_serial(moment: dt.datetime) -> float:
    """The spreadsheet serial of a moment in its own zone's wall-clock time."""
    naive = moment.replace(tzinfo=None)
    return (naive - SERIAL_EPOCH) / dt.timedelta(days=1)
