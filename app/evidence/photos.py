"""Photos taken as evidence: decoded within a bounded cost, turned upright, shrunk to at most
``MAX_SIDE`` pixels and written again without any metadata (EXIF, GPS, XMP, comments, colour
profiles), with a small JPEG thumbnail. They are stored as PNG when they came as PNG (screenshots,
scans with sharp edges) and as JPEG otherwise, because the annual Word compilation embeds them and
Word takes neither WebP nor HEIC."""

import io
import threading
import warnings
from typing import Any

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps
from pillow_heif import register_heif_opener

from app.refusals import Refused

register_heif_opener()

# Longest side of a stored photo: sharp on any screen and in print at A4 width.
MAX_SIDE = 4000
THUMBNAIL_SIDE = 480
# What decoding a photo may cost. Pillow holds 4 bytes a pixel for RGB and RGBA alike, and a
# decoder may keep more beside (see FORMAT_PIXELS); photos are refused by their header, before a
# single pixel is decoded, so cleaning the largest accepted one adds at most 300 MB to the
# process (tests/test_image_cost.py measures it), and one process cleans one photo at a time.
#
# The most pixels any photo may have: a sequential JPEG, which is decoded at 1/2, 1/4 or 1/8 of
# its width and height when it is large (``_draft``), so a 200-megapixel one costs no more than
# a PNG at FORMAT_PIXELS["PNG"]; a 108-megapixel phone photo passes.
MAX_PIXELS = 200_000_000
# A sequential JPEG up to this size is decoded at full size (sharpest), a larger one at 1/2 or less.
JPEG_FULL_DECODE_PIXELS = 32_000_000
# Formats decoded at full size, and JPEGs whose decoder keeps every coefficient (progressive
# ones, or several scans: 2 bytes per coefficient, 8 bytes a pixel for CMYK).
#
# Measured (peak resident size over the process's own, ru_maxrss, Pillow 13, pillow-heif 1.8)
# for the costliest accepted shape of each kind — square, turned by EXIF, with transparency:
#   PNG 32 MP RGB or RGBA 271 MB (36 MP: 291 MB; before these changes 20 MP RGBA took 340 MB),
#   JPEG 32 MP decoded at full size 271 MB, 128 MP at 1/2 271 MB, 200 MP CMYK at 1/4 141 MB,
#   progressive CMYK 24 MP 207 MB, WebP 16 MP RGBA 274 MB (its decoder keeps two frames and a
#   copy: 16 bytes a pixel), HEIC 24.5 MP (iPhone, 512-pixel tiles) 215 MB, with alpha 224 MB.
BUFFERED_JPEG = "JPEG-BUFFERED"
FORMAT_PIXELS = {
    "PNG": 32_000_000,
    "WEBP": 16_000_000,
    "HEIF": 25_000_000,
    BUFFERED_JPEG: 24_000_000,
}
# The pixels all the photos of one request may be decoded at together (a large JPEG counts at
# the reduced size it is decoded at): bounds the request's time, as decoding and shrinking take
# about the same time per decoded pixel in every format.
REQUEST_PIXELS = 400_000_000
FORMAT_NAMES = {
    "JPEG": "JPEG",
    BUFFERED_JPEG: _l("progressive JPEG"),
    "PNG": "PNG",
    "WEBP": "WebP",
    "HEIF": "HEIC",
}
PREMULTIPLIED = {"RGBA": "RGBa", "LA": "La"}
# Pillow's own bomb check would stop a 200-megapixel JPEG at open (its error comes at twice
# this); ours is stricter per format.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# One photo decoded at a time in this process, however many threads serve requests.
_DECODING = threading.BoundedSemaphore(1)
JPEG_QUALITY = 85

UNREADABLE_PHOTO = _l("This photo could not be read; the file may be damaged.")
# JPEG frame markers: sequential and progressive DCT, Huffman or arithmetic coded; markers
# that stand alone without a length.
JPEG_SEQUENTIAL = {0xC0, 0xC1, 0xC9}
JPEG_PROGRESSIVE = {0xC2, 0xCA}
JPEG_STANDALONE = {0x01, *range(0xD0, 0xD9)}
# Errors Pillow raises on a damaged or hostile file.
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)


def clean_image(data: bytes, image_format: str) -> tuple[bytes, str, bytes]:
    """(the photo re-encoded without metadata, its extension, a JPEG thumbnail).

    One photo at a time per process (``_DECODING``), and the full-size pixels are dropped as soon
    as the photo is shrunk: the rest works on at most ``MAX_SIDE`` × ``MAX_SIDE``."""
    try:
        with warnings.catch_warnings(), _DECODING:
            # Sizes between Pillow's warning and error limits are checked against our own.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                kind = _check_pixels(image, data)
                if image_format == "JPEG":
                    _draft(image, buffered=kind == BUFFERED_JPEG)
                _charge_request(image.size)  # the size it is decoded at
                image.load()
                icc_profile = image.info.get("icc_profile")
                _shrink(image)
                ImageOps.exif_transpose(image, in_place=True)
                photo = _to_srgb(image, icc_profile)
                keep_png = image_format == "PNG"
                photo = _png_mode(photo) if keep_png else _on_white(photo)
                if photo is not image:
                    image.close()
                # Nothing the camera or an editor attached is carried over.
                photo.info = {}
                stored = io.BytesIO()
                if keep_png:
                    photo.save(stored, "PNG")
                    extension = "png"
                else:
                    photo.save(stored, "JPEG", quality=JPEG_QUALITY, optimize=True)
                    extension = "jpg"
                thumbnail = _thumbnail(photo)
    except Image.DecompressionBombError as error:
        raise Refused(_too_many_pixels(image_format, MAX_PIXELS)) from error
    except DECODE_ERRORS as error:
        raise Refused(UNREADABLE_PHOTO) from error
    return stored.getvalue(), extension, thumbnail


def _shrink(image: Image.Image) -> None:
    """Fit the photo into ``MAX_SIDE`` in place: the decoded pixels are replaced by the shrunk
    ones, not kept beside them.

    Pillow resizes a photo with transparency through a premultiplied copy made beside the
    original; converting in place instead leaves one full-size image at a time."""
    premultiplied = PREMULTIPLIED.get(image.mode)
    if premultiplied is None or max(image.size) <= MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        return
    mode = image.mode
    image.im = image.im.convert(premultiplied)
    image._mode = premultiplied
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    image.im = image.im.convert(mode)
    image._mode = mode


def _check_pixels(image: Image.Image, data: bytes) -> str:
    """The photo's kind (its format, or ``BUFFERED_JPEG``) once it is within its kind's limit;
    refused, before anything is decoded, otherwise."""
    width, height = image.size
    pixels = width * height
    kind = image.format or ""
    if kind == "JPEG":
        buffered = _jpeg_buffered(data)
        if buffered is None:
            raise Refused(UNREADABLE_PHOTO)
        if buffered:
            kind = BUFFERED_JPEG
    limit = min(MAX_PIXELS, FORMAT_PIXELS.get(kind, MAX_PIXELS))
    if pixels > limit:
        raise Refused(_too_many_pixels(kind, limit))
    return kind


def _charge_request(size: tuple[int, int]) -> None:
    """Count a photo against the pixels one request may decode (``REQUEST_PIXELS``)."""
    if not has_request_context():
        return
    used = g.get("photo_pixels", 0) + size[0] * size[1]
    if used > REQUEST_PIXELS:
        raise Refused(
            _l(
                "The photos of one upload may have at most %(mp)s megapixels together; upload "
                "them in smaller batches.",
                mp=_megapixels(REQUEST_PIXELS),
            )
        )
    g.photo_pixels = used


def _too_many_pixels(kind: str, limit: int) -> Any:
    return _l(
        "This photo has too many pixels: a %(kind)s photo may have at most %(mp)s megapixels. "
        "Upload a smaller version of it.",
        kind=FORMAT_NAMES.get(kind, kind),
        mp=_megapixels(limit),
    )


def _megapixels(pixels: int) -> str:
    return f"{pixels // 1_000_000}" if pixels >= 1_000_000 else f"{pixels / 1_000_000:.3f}"


def _jpeg_buffered(data: bytes) -> bool | None:
    """Whether the decoder must hold every coefficient of the image (a progressive frame, or
    more than one scan), False for one sequential scan; None for a coding that is not accepted
    (lossless, hierarchical) or a broken marker sequence.

    Walks the marker segments up to the first scan, so an EXIF thumbnail is not mistaken for
    one; after it, a scan marker can only be a marker (the coded data escapes 0xFF)."""
    position = 2
    progressive: bool | None = None
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in JPEG_STANDALONE:
            position += 2
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if marker in JPEG_SEQUENTIAL or marker in JPEG_PROGRESSIVE:
            progressive = marker in JPEG_PROGRESSIVE
        elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return None  # lossless or hierarchical
        position += 2 + length
        if marker == 0xDA:
            if progressive is None:
                return None
            return progressive or data.find(b"\xff\xda", position) != -1
    return None


def _draft(image: Image.Image, *, buffered: bool) -> None:
    """Let the JPEG decoder scale down by 2, 4 or 8 while it decodes: enough to still fill
    ``MAX_SIDE``, and more when the full size would be over ``JPEG_FULL_DECODE_PIXELS`` — a photo
    that big is decoded to at most half its width and height (a quarter of the pixels). A
    buffered one (its coefficients are held already) larger than ``MAX_SIDE`` is decoded at half."""
    width, height = image.size
    scale = 2 if buffered and max(width, height) > MAX_SIDE else 1
    while scale < 8 and (
        max(width, height) // (scale * 2) >= MAX_SIDE
        or width * height // (scale * scale) > JPEG_FULL_DECODE_PIXELS
    ):
        scale *= 2
    scale = min(scale, width, height)
    if scale > 1:
        # Pillow takes the largest scale that keeps at least the size asked for: ask for 1/scale.
        image.draft(None, (width // scale, height // scale))


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "transparency" in image.info


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with any transparency flattened onto white (JPEG has no alpha)."""
    if _has_alpha(image):
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode in ("L", "RGB") else image.convert("RGB")


def _png_mode(image: Image.Image) -> Image.Image:
    if _has_alpha(image):
        return image if image.mode == "RGBA" else image.convert("RGBA")
    return image if image.mode in ("L", "RGB") else image.convert("RGB")


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The pixels in sRGB, so that they look the same once the profile is dropped (phones shoot
    in Display P3, print shops send CMYK)."""
    if not icc_profile or image.mode not in ("L", "RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        srgb = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken profile: keep the pixels as they are
    return converted if converted is not None else image


def _thumbnail(image: Image.Image) -> bytes:
    width, height = image.size
    scale = min(1.0, THUMBNAIL_SIDE / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = _on_white(image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0))
    small.info = {}
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()
