"""QR images of a dynamic QRIS: they decode back to the exact text and are big enough to scan."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib
from decimal import Decimal

import pytest
import zxingcpp

from openorder_sheets.adapters import qr_image
from openorder_sheets.core import qris

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def field(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def static_qris(name: str) -> str:
    """A made-up shop's static QRIS (no real merchant data), sealed with our own CRC."""
    body = (
        field("00", "01")
        + field("01", "11")
        + field("26", field("00", "ID.CO.CONTOHBANK.WWW") + field("01", "9360099912345678901"))
        + field("51", field("00", "ID.CO.QRIS.WWW") + field("02", "ID1029384756012"))
        + field("52", "5812")
        + field("53", "360")
        + field("58", "ID")
        + field("59", name)
        + field("60", "JAKARTA SELATAN")
        + field("61", "12345")
        + field("62", field("07", "KASIR 01"))
        + "6304"
    )
    return body + qris.crc16(body)


DYNAMIC = qris.with_amount(static_qris("TOKO KUE BU SARI"), Decimal(150123))


def png_chunks(data: bytes) -> dict[bytes, bytes]:
    """The PNG's chunks by type (IDAT chunks joined), checking the signature."""
    assert data.startswith(PNG_SIGNATURE)
    chunks: dict[bytes, bytes] = {}
    position = len(PNG_SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunks[kind] = chunks.get(kind, b"") + data[position + 8 : position + 8 + length]
        position += 12 + length
    return chunks


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png_chunks(data)[b"IHDR"][:8])
    return width, height


def unfilter(kind: int, line: bytes, above: bytes) -> bytes:
    """Undo one scanline's PNG filter (1 byte a pixel-step at bit depth 1)."""
    out = bytearray(line)
    for x, value in enumerate(out):
        left = out[x - 1] if x else 0
        up, up_left = above[x], (above[x - 1] if x else 0)
        guess = left + up - up_left
        # Paeth: the neighbour nearest the guess, ties going to left, then up, then up-left.
        paeth = min((abs(guess - n), i, n) for i, n in enumerate((left, up, up_left)))[2]
        out[x] = (value + (0, left, up, (left + up) // 2, paeth)[kind]) & 0xFF
    return bytes(out)


def png_pixels(data: bytes) -> memoryview:
    """Decode segno's 1-bit greyscale PNG into an 8-bit (height, width) buffer zxing-cpp reads.

    The venv has neither Pillow nor numpy; zxing-cpp accepts any buffer of the right shape.
    """
    chunks = png_chunks(data)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour, interlace) == (1, 0, 0), "expected segno's 1-bit greyscale PNG"
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (width + 7) // 8
    pixels = bytearray()
    line = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = unfilter(raw[start], raw[start + 1 : start + 1 + stride], line)
        pixels += bytes(255 * (line[x // 8] >> (7 - x % 8) & 1) for x in range(width))
    return memoryview(bytes(pixels)).cast("B", (height, width))


def decoded(data: bytes) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(png_pixels(data))]


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
