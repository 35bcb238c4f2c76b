"""Photos with huge dimensions in small files, written quickly without holding their pixels.

Decoding costs memory by the pixel, not by the byte: a solid image compresses to almost nothing,
so these files stay far below the upload limit while they cost a decoder what a real photo of
that size would. PNGs are written row by row through zlib; JPEGs are written by hand with every
DCT coefficient zero (a mid-grey image), so even 200 megapixels take no time to make.
"""

import struct
import zlib
from pathlib import Path

from PIL import ExifTags, Image

# colour type → samples per pixel
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def write_png(
    path: Path,
    width: int,
    height: int,
    *,
    color_type: int = 6,
    bit_depth: int = 8,
    interlace: bool = False,
    orientation: int | None = None,
) -> Path:
    """A solid PNG; colour type 3 gets a palette with a transparent entry (tRNS)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, int(interlace))
    parts = [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header)]
    if color_type == 3:
        parts.append(_chunk(b"PLTE", bytes([200, 30, 30, 30, 200, 30])))
        parts.append(_chunk(b"tRNS", b"\x00"))
    if orientation is not None:
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        parts.append(_chunk(b"eXIf", exif.tobytes()[6:]))  # without the "Exif\0\0" prefix
    compressor = zlib.compressobj(9)
    idat = []
    bits_per_pixel = PNG_CHANNELS[color_type] * bit_depth
    if interlace:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4)]
        passes += [(1, 0, 2, 2), (0, 1, 1, 2)]
        sizes = [
            ((width - x + dx - 1) // dx, (height - y + dy - 1) // dy) for x, y, dx, dy in passes
        ]
    else:
        sizes = [(width, height)]
    for pass_width, pass_height in sizes:
        if not pass_width or not pass_height:
            continue
        row = bytes(1 + (pass_width * bits_per_pixel + 7) // 8)  # filter 0, all samples 0
        block = row * max(1, (1 << 22) // len(row))
        rows_per_block = len(block) // len(row)
        left = pass_height
        while left:
            count = min(left, rows_per_block)
            idat.append(compressor.compress(block[: count * len(row)]))
            left -= count
    idat.append(compressor.flush())
    parts.append(_chunk(b"IDAT", b"".join(idat)))
    parts.append(_chunk(b"IEND", b""))
    path.write_bytes(b"".join(parts))
    return path


# Sampling factors (horizontal, vertical) per component.
JPEG_LAYOUTS = {
    "L": [(1, 1)],
    "420": [(2, 2), (1, 1), (1, 1)],
    "444": [(1, 1), (1, 1), (1, 1)],
    "CMYK": [(1, 1), (1, 1), (1, 1), (1, 1)],
}


def _segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def _zero_bits(bits: int) -> bytes:
    """``bits`` zero bits, the last byte padded with ones as the standard says."""
    full, rest = divmod(bits, 8)
    return bytes(full) + (bytes([0xFF >> rest]) if rest else b"")


def write_jpeg(
    path: Path,
    width: int,
    height: int,
    *,
    layout: str = "420",
    progressive: bool = False,
    separate_scans: bool = False,
    orientation: int | None = None,
) -> Path:
    """A mid-grey JPEG. Its Huffman tables hold one 1-bit code each (DC difference 0, end of
    block), so every block is two zero bits (one in a progressive DC scan).

    ``separate_scans`` writes one scan per component (baseline, non-interleaved), which makes a
    decoder keep every coefficient of the image, as a progressive file does."""
    sampling = JPEG_LAYOUTS[layout]
    h_max = max(h for h, _ in sampling)
    v_max = max(v for _, v in sampling)
    parts = [b"\xff\xd8"]
    if orientation is not None:
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        parts.append(_segment(0xE1, exif.tobytes()))
    if layout == "CMYK":
        parts.append(_segment(0xEE, b"Adobe" + struct.pack(">HHHB", 100, 0, 0, 0)))
    parts.append(_segment(0xDB, b"\x00" + bytes([1] * 64)))
    frame = struct.pack(">BHHB", 8, height, width, len(sampling))
    for index, (h, v) in enumerate(sampling):
        frame += struct.pack(">BBB", index + 1, h * 16 + v, 0)
    parts.append(_segment(0xC2 if progressive else 0xC0, frame))
    # Table class/id, 16 code-length counts, the symbols: one code of length 1.
    parts.append(_segment(0xC4, b"\x00" + b"\x01" + bytes(15) + b"\x00"))
    parts.append(_segment(0xC4, b"\x10" + b"\x01" + bytes(15) + b"\x00"))
    mcus = _ceil(width, 8 * h_max) * _ceil(height, 8 * v_max)
    bits_per_block = 1 if progressive else 2
    if separate_scans:
        for index, (h, v) in enumerate(sampling):
            blocks = _ceil(_ceil(width * h, h_max), 8) * _ceil(_ceil(height * v, v_max), 8)
            parts.append(_segment(0xDA, struct.pack(">BBB", 1, index + 1, 0x00) + b"\x00\x3f\x00"))
            parts.append(_zero_bits(blocks * bits_per_block))
    else:
        scan = struct.pack(">B", len(sampling))
        for index in range(len(sampling)):
            scan += struct.pack(">BB", index + 1, 0x00)
        scan += b"\x00\x00\x00" if progressive else b"\x00\x3f\x00"
        parts.append(_segment(0xDA, scan))
        blocks_per_mcu = sum(h * v for h, v in sampling)
        parts.append(_zero_bits(mcus * blocks_per_mcu * bits_per_block))
    parts.append(b"\xff\xd9")
    path.write_bytes(b"".join(parts))
    return path


def write_encoded(
    path: Path, width: int, height: int, image_format: str, mode: str = "RGB"
) -> Path:
    """A solid photo in ``WEBP`` or ``HEIF``, encoded by the library the app decodes it with."""
    if image_format == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    options: dict = {"quality": 10}
    if image_format == "WEBP":
        options["method"] = 0
    else:
        options["enc_params"] = {"preset": "ultrafast"}
    Image.new(mode, (width, height), (90, 140, 200, 255)[: len(mode)]).save(
        path, image_format, **options
    )
    return path
