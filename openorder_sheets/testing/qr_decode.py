"""Reading QR images back in tests: segno's PNG decoded with the standard library, then
zxing-cpp (a test-only dependency, imported when used) reads the code.

No Pillow or numpy needed: zxing-cpp accepts any buffer of the right shape.
"""

from __future__ import annotations

import struct
import zlib

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


def png_chunks(data: bytes) -> dict[bytes, bytes]:
    """The PNG's chunks by type (IDAT chunks joined), checking the signature."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
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
    if (depth, colour, interlace) != (1, 0, 0):
        raise ValueError("expected segno's 1-bit greyscale PNG")
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
    """Every QR code's text in the PNG ``data``."""
    import zxingcpp

    return [barcode.text for barcode in zxingcpp.read_barcodes(png_pixels(data))]


__all__ = ["decoded", "png_chunks", "png_pixels", "png_size", "static_qris"]
