"""QR code images of a QRIS text, for the payment part of the buyer's email (segno, no Pillow).

The email shows the image EMAIL_WIDTH_PX wide. A dynamic QRIS of ~220 characters is a version
10–11 QR code (57–61 modules, 65–69 with the quiet zone); at DEFAULT_SCALE pixels a module the
PNG is ~520–550 px, so it stays sharp when a phone with a 2–3× screen draws it 220 px wide, and
far above ASPI's 115 px minimum for QRIS.
"""

from __future__ import annotations

import io

import segno

EMAIL_WIDTH_PX = 220
DEFAULT_SCALE = 8
QUIET_ZONE = 4  # modules of white around the code, as the QR standard requires
ERROR_CORRECTION = "m"  # 15 % of the code may be smudged or glared; what QRIS stickers use
# An opaque white background: a transparent one turns the code black on black in dark-mode mail.
_COLOURS = {"dark": "black", "light": "white"}


def png(payload: str, scale: int = DEFAULT_SCALE) -> bytes:
    """The PNG of `payload` as a QR code, `scale` pixels a module, black on opaque white."""
    output = io.BytesIO()
    _qr_code(payload, scale).save(output, kind="png", scale=scale, border=QUIET_ZONE, **_COLOURS)
    return output.getvalue()


def svg(payload: str, scale: int = DEFAULT_SCALE) -> str:
    """The SVG of `payload` as a QR code, for printing (Gmail and Outlook do not show SVG)."""
    output = io.BytesIO()
    _qr_code(payload, scale).save(
        output, kind="svg", scale=scale, border=QUIET_ZONE, xmldecl=False, **_COLOURS
    )
    return output.getvalue().decode("utf-8")


def _qr_code(payload: str, scale: int) -> segno.QRCode:
    if not payload:
        raise ValueError("A QR code needs the QRIS text; it is empty.")
    if scale < 1:
        raise ValueError(f"The QR code scale is pixels a module, at least 1, not {scale}.")
    # make_qr, not make: segno.make picks a Micro QR for short text, which payment apps cannot read.
    return segno.make_qr(payload, error=ERROR_CORRECTION, boost_error=False)
