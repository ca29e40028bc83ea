"""Field masks (``fields=sheets.properties``, ``userEnteredFormat(textFormat,numberFormat)``).

Used two ways: to trim a response to the requested fields (partial response), and to apply an
update request's ``fields`` to a stored object.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import invalid

#: A parsed mask: key → sub-mask; an empty sub-mask selects the whole value.
Mask = dict[str, "Mask"]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text.replace(" ", "")
        self.pos = 0

    def parse(self) -> Mask:
        mask = self._list()
        if self.pos != len(self.text):
            raise invalid(f"Invalid field selection {self.text}")
        return mask

    def _list(self) -> Mask:
        mask: Mask = {}
        while True:
            _merge(mask, self._path())
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
                continue
            return mask

    def _name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",()./":
            self.pos += 1
        if start == self.pos:
            raise invalid(f"Invalid field selection {self.text}")
        return self.text[start : self.pos]

    def _path(self) -> Mask:
        name = self._name()
        sub: Mask = {}
        if self.pos < len(self.text) and self.text[self.pos] in "./":
            self.pos += 1
            sub = self._path()
        elif self.pos < len(self.text) and self.text[self.pos] == "(":
            self.pos += 1
            sub = self._list()
            if self.pos >= len(self.text) or self.text[self.pos] != ")":
                raise invalid(f"Invalid field selection {self.text}")
            self.pos += 1
        return {name: sub}


def _merge(into: Mask, other: Mask) -> None:
    for key, sub in other.items():
        if key in into:
            if not into[key] or not sub:
                into[key] = {}
            else:
                _merge(into[key], sub)
        else:
            into[key] = sub


def parse_mask(text: str) -> Mask:
    """Parse a field mask; raises a 400 ApiError for malformed text."""
    if not text.strip():
        return {}
    return _Parser(text).parse()


def select(value: Any, mask: Mask) -> Any:
    """Return ``value`` trimmed to the fields in ``mask`` (lists are trimmed element-wise)."""
    if not mask or "*" in mask:
        return value
    if isinstance(value, list):
        return [select(item, mask) for item in value]
    if isinstance(value, dict):
        return {key: select(value[key], sub) for key, sub in mask.items() if key in value}
    return value


def apply_mask(target: dict[str, Any], source: dict[str, Any], mask: Mask) -> dict[str, Any]:
    """Return a copy of ``target`` with the masked fields taken from ``source``.

    A masked field absent from ``source`` is cleared, as the API does. ``*`` replaces everything.
    """
    if "*" in mask:
        return copy.deepcopy(source)
    result = dict(target)
    for key, sub in mask.items():
        if not sub:
            if key in source and source[key] is not None:
                result[key] = copy.deepcopy(source[key])
            else:
                result.pop(key, None)
            continue
        inner_target = result.get(key)
        inner_source = source.get(key)
        updated = apply_mask(
            inner_target if isinstance(inner_target, dict) else {},
            inner_source if isinstance(inner_source, dict) else {},
            sub,
        )
        if updated:
            result[key] = updated
        else:
            result.pop(key, None)
    return result


def mask_paths(mask: Mask, prefix: str = "") -> list[str]:
    """Flatten a mask into dotted paths (for error messages and tests)."""
    paths: list[str] = []
    for key, sub in mask.items():
        path = f"{prefix}{key}"
        paths.extend(mask_paths(sub, path + ".") if sub else [path])
    return paths
