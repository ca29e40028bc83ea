"""QR images of a dynamic QRIS: they decode back to the exact text and are big enough to scan."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
import zxingcpp

from openorder_sheets.adapters import qr_image
from openorder_sheets.core import qris
from openorder_sheets.testing.qr_decode import (
    decoded,
    png_chunks,
    png_pixels,
    png_size,
    static_qris,
)

DYNAMIC = qris.with_amount(static_qris("TOKO KUE BU SARI"), Decimal(150123))


def test_png_decodes_back_to_the_exact_dynamic_qris() -> None:
    """A scanner reading the email's PNG gets the dynamic QRIS text, character for character."""
    assert decoded(qr_image.png(DYNAMIC)) == [DYNAMIC]


def test_png_of_a_latin1_shop_name_decodes_to_a_qris_with_a_valid_crc() -> None:
    """Accented shop names survive the QR code, so the paying app's CRC check passes."""
    dynamic = qris.with_amount(static_qris("KUÉ & CAFÉ ÑONYA"), Decimal(85000))
    (text,) = decoded(qr_image.png(dynamic))
    assert text == dynamic
    assert qris.parse(text).amount == Decimal(85000)


def test_png_is_a_full_qr_code_at_error_correction_m_with_a_four_module_quiet_zone() -> None:
    """Not a Micro QR (payment apps cannot read those), level M, 4 white modules all around."""
    image = qr_image.png("000201", scale=1)
    (barcode,) = zxingcpp.read_barcodes(png_pixels(image))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.ec_level == "M"
    pixels, side = png_pixels(image), png_size(image)[0]
    edge = (
        pixels[y, x]
        for y in range(side)
        for x in range(side)
        if min(x, y) < 4 or max(x, y) >= side - 4
    )
    assert set(edge) == {255}
    assert pixels[4, 4] == 0  # the finder pattern starts right inside the quiet zone


def test_default_png_is_sharp_when_shown_220px_wide_on_a_phone() -> None:
    """At least twice the email's display width (2× screens) and above ASPI's 115 px minimum."""
    width, height = png_size(qr_image.png(DYNAMIC))
    assert width == height >= 2 * qr_image.EMAIL_WIDTH_PX


def test_png_is_opaque_so_dark_mode_mail_shows_black_on_white() -> None:
    """No transparency chunk and greyscale without alpha: the white quiet zone stays white."""
    chunks = png_chunks(qr_image.png(DYNAMIC))
    assert b"tRNS" not in chunks
    assert chunks[b"IHDR"][9] == 0  # colour type 0: greyscale, no alpha


def test_scale_sets_pixels_per_module() -> None:
    """Doubling the scale doubles the image side; the quiet zone scales with it."""
    small, large = (png_size(qr_image.png(DYNAMIC, scale=s))[0] for s in (3, 6))
    assert large == 2 * small


def test_svg_has_the_same_size_as_the_png_on_a_white_background() -> None:
    """The printable SVG is the same code: same side in pixels, an opaque white square first."""
    svg = ET.fromstring(qr_image.svg(DYNAMIC))
    width = png_size(qr_image.png(DYNAMIC))[0]
    assert (svg.get("width"), svg.get("height")) == (str(width), str(width))
    background = svg.find(".//{http://www.w3.org/2000/svg}path")
    assert background is not None
    assert background.get("fill") == "#fff"


@pytest.mark.parametrize(("payload", "scale"), [("", 8), (DYNAMIC, 0)])
def test_an_empty_payload_or_a_scale_below_one_is_refused(payload: str, scale: int) -> None:
    """The caller learns of the mistake instead of mailing a blank or invisible image."""
    with pytest.raises(ValueError, match="QR code"):
        qr_image.png(payload, scale=scale)
