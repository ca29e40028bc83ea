"""The typed value held by one cell.

A cell holds ``None`` (empty), ``bool``, ``int``, ``float``, ``str`` or a :class:`Formula`. Dates
are numbers (serial days since 1899-12-30) whose cell carries a date number format, as in Google.
"""

from __future__ import annotations

import math
from typing import Any


class Formula:
    """A formula as the user entered it, e.g. ``=SUM(A1:A3)``."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Formula) and other.text == self.text

    def __hash__(self) -> int:
        return hash(("formula", self.text))

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"


class CellError:
    """A formula error such as ``#DIV/0!``; ``kind`` is the API's ErrorType name."""

    __slots__ = ("kind", "message", "text")

    def __init__(self, text: str, kind: str, message: str = "") -> None:
        self.text = text
        self.kind = kind
        self.message = message

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CellError) and other.text == self.text

    def __hash__(self) -> int:
        return hash(("error", self.text))

    def __repr__(self) -> str:
        return f"CellError({self.text!r})"


#: What a cell stores.
Value = None | bool | int | float | str | Formula
#: What a formula evaluates to.
Result = None | bool | int | float | str | CellError


def tidy_number(value: float | int) -> int | float:
    """Return ints for integral numbers (Google answers ``1`` rather than ``1.0``)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def from_json(value: Any) -> Value:
    """Turn a JSON scalar from a RAW write into a stored value ('' clears the cell)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return tidy_number(value)
    return str(value)


def extended_value(value: Value | CellError) -> dict[str, Any] | None:
    """The API's ExtendedValue for a stored value or a formula result."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    if isinstance(value, Formula):
        return {"formulaValue": value.text}
    if isinstance(value, CellError):
        error: dict[str, Any] = {"type": value.kind}
        if value.message:
            error["message"] = value.message
        return {"errorValue": error}
    return {"stringValue": value}
