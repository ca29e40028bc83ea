"""Cell formats: the colour/colour-style mirroring Google does, and effective formats."""

from __future__ import annotations

import copy
import math
import struct
from typing import Any

from .fieldmask import Mask

#: (colour key, style key) pairs that Google keeps in sync, by the object that holds them.
_PAIRS_TOP = (("backgroundColor", "backgroundColorStyle"),)
_PAIRS_TEXT = (("foregroundColor", "foregroundColorStyle"),)
_PAIRS_BORDER = (("color", "colorStyle"),)
_BORDERS = ("top", "bottom", "left", "right")


def float32(value: Any) -> Any:
    """A number as Google stores a colour component: a 32-bit float, printed in the fewest
    digits that read back as the same float (127/255 → 0.49803922); whole numbers as ints."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if not math.isfinite(value) or abs(value) > 3.4e38:
        return value
    single = struct.unpack("<f", struct.pack("<f", value))[0]
    if single.is_integer():
        return int(single)
    for digits in range(1, 10):
        shortest = float(f"{single:.{digits}g}")
        if struct.unpack("<f", struct.pack("<f", shortest))[0] == single:
            return shortest
    return single


def clean_color(color: Any) -> Any:
    """Drop zero components (proto3 omits them): ``{"red": 0, "green": 1}`` → ``{"green": 1}``,
    and round the others as Google stores them (:func:`float32`)."""
    if not isinstance(color, dict):
        return color
    return {
        k: float32(v) if k in ("red", "green", "blue", "alpha") else v
        for k, v in color.items()
        if not (k in ("red", "green", "blue") and v == 0)
    }


def strip_nulls(value: Any) -> Any:
    """Remove JSON nulls from objects (proto JSON treats them as absent)."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def _mirror(obj: dict[str, Any], pairs: tuple[tuple[str, str], ...], mask: Mask | None) -> None:
    for color_key, style_key in pairs:
        if color_key in obj:
            obj[color_key] = clean_color(obj[color_key])
            obj[style_key] = {"rgbColor": copy.deepcopy(obj[color_key])}
        elif isinstance(obj.get(style_key), dict) and "rgbColor" in obj[style_key]:
            obj[style_key] = {**obj[style_key], "rgbColor": clean_color(obj[style_key]["rgbColor"])}
            obj[color_key] = copy.deepcopy(obj[style_key]["rgbColor"])
        if mask is not None:
            if color_key in mask and style_key not in mask:
                mask[style_key] = mask[color_key]
            elif style_key in mask and color_key not in mask:
                mask[color_key] = mask[style_key]


def mirror_colors(fmt: dict[str, Any], mask: Mask | None = None) -> dict[str, Any]:
    """Return ``fmt`` with colours and colour styles mirrored; widen ``mask`` to match.

    ``mask`` is the sub-mask under ``userEnteredFormat`` (None when the whole format is set).
    """
    out = copy.deepcopy(fmt)
    _mirror(out, _PAIRS_TOP, mask)
    text_mask = mask.get("textFormat") if mask is not None else None
    if isinstance(out.get("textFormat"), dict):
        _mirror(out["textFormat"], _PAIRS_TEXT, text_mask or None)
    borders_mask = mask.get("borders") if mask is not None else None
    if isinstance(out.get("borders"), dict):
        for side in _BORDERS:
            if isinstance(out["borders"].get(side), dict):
                side_mask = borders_mask.get(side) if borders_mask else None
                _mirror(out["borders"][side], _PAIRS_BORDER, side_mask or None)
    return out


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Merge ``over`` into a copy of ``base`` recursively."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def effective_format(default: dict[str, Any], user: dict[str, Any] | None) -> dict[str, Any]:
    """What Sheets reports as ``effectiveFormat``: the default format overlaid by the cell's."""
    return deep_merge(default, user or {})
