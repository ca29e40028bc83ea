"""One cell of a worksheet as XML, written the way openpyxl writes it.

:func:`cell_xml` turns a value into the ``<c>`` element openpyxl's writer produces for it (the
same types, number texts and date serials), so a workbook patched by the tool reads back,
in openpyxl and in python-calamine, exactly as if openpyxl had saved it. Two deliberate
differences, both invisible to a reader: text with spaces at either end is always marked
``xml:space="preserve"`` (openpyxl forgets it for text made only of spaces, and other programs
then drop them), and text such as ``#N/A`` is written as text, not as an error cell.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TIME_FORMATS
from openpyxl.utils.datetime import to_excel

from openorder_sheets.adapters.workbook_package import PackageUnsupported

_LONGEST_TEXT = 32767  # openpyxl cuts text there, as Excel does


def number_text(value: float | int | Decimal) -> bytes:
    """A number as openpyxl writes it (``%.16g``; not-a-number as nothing)."""
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        return b""
    return b"%.16g" % value


def escaped(text: str) -> bytes:
    """Element text as openpyxl's XML writer escapes it (``&``, ``<``, ``>`` only)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


_DATE_FORMATS = {kind: str(TIME_FORMATS[kind]) for kind in TIME_FORMATS}


def date_format_of(value: Any) -> str | None:
    """The number format openpyxl gives a date or time that lands in a cell without one."""
    found = _DATE_FORMATS.get(type(value))
    if found is None and isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        return str(TIME_FORMATS[type(value)])  # a subclass, as openpyxl looks it up
    return found


def cell_xml(reference: bytes, style: int, value: Any, epoch: dt.datetime) -> bytes | None:
    """The ``<c>`` element for ``value`` in style ``style`` (``None``: no element at all).

    :raises PackageUnsupported: a value openpyxl would refuse (control characters, a
        timezone, an unknown type): the openpyxl path raises its own error for it.
    """
    styled = b' s="%d"' % style if style else b""
    if value is None:
        return b'<c r="%s"%s/>' % (reference, styled) if style else None
    if isinstance(value, str):
        if ILLEGAL_CHARACTERS_RE.search(value):
            raise PackageUnsupported("a control character in text")
        text = value[:_LONGEST_TEXT]
        if not text:
            return b'<c r="%s"%s t="inlineStr"/>' % (reference, styled)
        space = b' xml:space="preserve"' if text != text.strip() else b""
        return b'<c r="%s"%s t="inlineStr"><is><t%s>%s</t></is></c>' % (
            reference,
            styled,
            space,
            escaped(text),
        )
    if isinstance(value, bool):
        return b'<c r="%s"%s t="b"><v>%d</v></c>' % (reference, styled, value)
    if isinstance(value, int | float | Decimal):
        return b'<c r="%s"%s t="n"><v>%s</v></c>' % (reference, styled, number_text(value))
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        if getattr(value, "tzinfo", None) is not None:
            raise PackageUnsupported("a date with a timezone")
        serial = to_excel(value, epoch)
        return b'<c r="%s"%s t="n"><v>%s</v></c>' % (reference, styled, number_text(serial))
    raise PackageUnsupported(f"a {type(value).__name__} value")
