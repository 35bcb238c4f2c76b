"""Evidence files 佐证材料: taken by what their bytes are, cleaned, stored under random names.

Neither the file name nor the browser's content type decides anything: a file is accepted only when
its content is a photo (JPEG, PNG, WebP, HEIC/HEIF), a PDF, or a Word or Excel document. Photos
are decoded, turned upright, shrunk to at most ``MAX_SIDE`` pixels and written again without any
metadata (EXIF, GPS, XMP, comments, colour profiles), with a small JPEG thumbnail; they are stored
as PNG when they came as PNG (screenshots, scans with sharp edges) and as JPEG otherwise, because
the annual Word compilation embeds them and Word takes neither WebP nor HEIC. A PDF is read
through and refused when it carries JavaScript, a Launch action or embedded files. Documents are
stored as sent.

Files are written before the database row is committed. Every file written in a transaction is
deleted again when that transaction ends without a commit, so a refused batch, a failed flush or
an error later in the request leaves nothing on disk.
"""

import io
import secrets
import threading
import warnings
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import sqlalchemy as sa
from babel.lists import format_list
from flask import current_app, g, has_request_context, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps
from pillow_heif import register_heif_opener
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.datastructures import FileStorage

from app.activities.models import Activity, Evidence, EvidenceKind, Participation
from app.activities.services import require_not_cancelled, require_open
from app.auth.models import User
from app.auth.policy import can_manage_activity
from app.extensions import db
from app.logs.models import LogState, MemberLog
from app.refusals import Refused
from app.types import utcnow

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

# An Office file is a zip: a few hundred parts and tens of megabytes unpacked are plenty; more is
# a zip bomb aimed at whoever opens it.
MAX_ZIP_ENTRIES = 2000
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_CONTENT_TYPES = 1024 * 1024

NOT_ACCEPTED = _l(
    "This file type is not accepted: upload a photo (JPEG, PNG, WebP, HEIC), a PDF, a Word or an "
    "Excel file."
)
UNREADABLE_PHOTO = _l("This photo could not be read; the file may be damaged.")
UNREADABLE_PDF = _l(
    "This PDF could not be read, so it could not be checked; it may be damaged or protected by a "
    "password. Save it again as a PDF without protection and upload that."
)

CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The main part's declared type: the macro-enabled (.docm, .xlsm) and template variants differ.
OFFICE_MAIN_PARTS = {
    EvidenceKind.DOCX: (
        "/word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    EvidenceKind.XLSX: (
        "/xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
}
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# JPEG frame markers: sequential and progressive DCT, Huffman or arithmetic coded; markers
# that stand alone without a length.
JPEG_SEQUENTIAL = {0xC0, 0xC1, 0xC9}
JPEG_PROGRESSIVE = {0xC2, 0xCA}
JPEG_STANDALONE = {0x01, *range(0xD0, 0xD9)}
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# Errors Pillow raises on a damaged or hostile file.
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)


# --- where files live --------------------------------------------------------------------------


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def relative_path(stored_name: str) -> str:
    """Files are spread over subfolders named by their first two characters."""
    return f"{stored_name[:2]}/{stored_name}"


def activity_url(activity: Activity) -> str:
    """The page an activity is shown on (each record family has its own)."""
    return url_for("study.show", session_id=activity.id)


# --- reading what was sent ---------------------------------------------------------------------


def _read(file: FileStorage) -> bytes:
    megabytes = int(current_app.config["MAX_UPLOAD_MB"])
    limit = megabytes * 1024 * 1024
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise Refused(_l("The file is larger than %(mb)s MB.", mb=megabytes))
    if not data:
        raise Refused(_l("The file is empty."))
    return data


def _sniff(data: bytes) -> tuple[EvidenceKind, str | None]:
    """The kind, and for a photo the Pillow format that alone may open it."""
    if data.startswith(b"\xff\xd8\xff"):
        return EvidenceKind.IMAGE, "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return EvidenceKind.IMAGE, "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return EvidenceKind.IMAGE, "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return EvidenceKind.IMAGE, "HEIF"
    if data.startswith(b"%PDF-"):
        return EvidenceKind.PDF, None
    if data.startswith(b"PK\x03\x04"):
        kind = _office_kind(data)
        if kind is not None:
            return kind, None
    raise Refused(NOT_ACCEPTED)


def _office_kind(data: bytes) -> EvidenceKind | None:
    """DOCX or XLSX when the zip is an Office package with that main part; None otherwise.

    Nothing is unpacked but the small ``[Content_Types].xml``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                return None
            if sum(entry.file_size for entry in entries) > MAX_UNZIPPED:
                return None
            names = {entry.filename for entry in entries}
            # Macros hide in vbaProject.bin whatever the package claims to be.
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None
            if "[Content_Types].xml" not in names:
                return None
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES:
                return None
            with archive.open(info) as handle:
                declared = _declared_types(handle.read(MAX_CONTENT_TYPES + 1))
    except (zipfile.BadZipFile, OSError, RuntimeError, KeyError, EOFError, ValueError):
        # Damaged, encrypted, or packed with a method zipfile does not know.
        return None
    for kind, (part, content_type) in OFFICE_MAIN_PARTS.items():
        if part[1:] in names and declared.get(part) == content_type:
            return kind
    return None


def _declared_types(xml: bytes) -> dict[str, str]:
    """Part name (lower case) → declared content type, from ``[Content_Types].xml``."""
    # An Office package never has a DTD; refusing one leaves no entity to expand.
    if len(xml) > MAX_CONTENT_TYPES or b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        return {}
    try:
        root = ElementTree.fromstring(xml)  # noqa: S314 - no DTD, checked above
    except ElementTree.ParseError:
        return {}
    return {
        (element.get("PartName") or "").lower(): element.get("ContentType") or ""
        for element in root.iter(f"{CONTENT_TYPES_NS}Override")
    }


# --- photos ------------------------------------------------------------------------------------


def _clean_image(data: bytes, image_format: str) -> tuple[bytes, str, bytes]:
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


# --- PDFs ----------------------------------------------------------------------------------------

# What a PDF may not carry: whatever runs or opens something on the reader's computer. Each is
# recognised by a dictionary key, or by a key's name value (an action's /S, an annotation's
# /Subtype, a stream's /Type).
PDF_ACTIVE_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/XFA": "javascript",  # XML forms carry their own scripts
    "/EmbeddedFiles": "embedded",
    "/EF": "embedded",
}
PDF_ACTIVE_NAMES = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/EmbeddedFile": "embedded",
    "/FileAttachment": "embedded",
    "/GoToE": "embedded",
}
PDF_ACTIVE_LABELS = {
    "javascript": _l("JavaScript"),
    "launch": _l("an action that starts a program"),
    "embedded": _l("embedded files"),
}
PDF_ERRORS = (PyPdfError, ValueError, TypeError, KeyError, IndexError, OSError, RecursionError)


def _check_pdf(data: bytes) -> None:
    """Refuse a PDF that carries JavaScript, a Launch action or embedded files.

    Every object of the file is read (those in compressed object streams too), not only those
    reachable from its catalogue, and names are compared as decoded (``/J#53`` is ``/JS``). A
    file that cannot be read cannot be checked and is refused as well."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused(UNREADABLE_PDF)
        found = _pdf_active_content(reader)
    except PDF_ERRORS as error:
        raise Refused(UNREADABLE_PDF) from error
    if found:
        what = [str(PDF_ACTIVE_LABELS[kind]) for kind in PDF_ACTIVE_LABELS if kind in found]
        raise Refused(
            _l(
                "This PDF is not accepted: it contains %(what)s, which could run on the computer "
                "of whoever opens it. Print it to a new PDF, or save a copy without them, and "
                "upload that.",
                what=format_list(what, locale=get_locale() or "en"),
            )
        )


def _pdf_active_content(reader: PdfReader) -> set[str]:
    """The kinds of active content (keys of ``PDF_ACTIVE_LABELS``) anywhere in the file."""
    found: set[str] = set()
    numbers = {(number, generation) for generation, rows in reader.xref.items() for number in rows}
    numbers |= {(number, 0) for number in reader.xref_objStm}
    pending: list[PdfObject] = [reader.trailer]
    pending += [IndirectObject(number, generation, reader) for number, generation in numbers]
    seen: set[tuple[int, int]] = set()
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in PDF_ACTIVE_KEYS:
                    found.add(PDF_ACTIVE_KEYS[key])
                if isinstance(value, NameObject) and value in PDF_ACTIVE_NAMES:
                    found.add(PDF_ACTIVE_NAMES[value])
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return found


# --- storing, with clean-up when the transaction does not commit --------------------------------

_WRITTEN = "evidence_files_written"


def _store(stored_name: str, data: bytes) -> None:
    path = upload_folder() / relative_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    db.session.info.setdefault(_WRITTEN, []).append(path)
    with open(path, "xb") as handle:
        handle.write(data)


@sa.event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@sa.event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """A rollback, or a session closed without a commit: the files have no row to belong to."""
    if transaction.parent is not None:
        return
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


def _display_name(filename: str | None, extension: str) -> str:
    """The name offered on download: the sender's name without folders or control characters,
    with the extension of what is stored (a HEIC photo downloads as .jpg)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = stem.strip(" .")[:150] or "evidence"
    return f"{stem}.{extension}"


# --- the operations views call -----------------------------------------------------------------


def attach(
    file: FileStorage,
    *,
    activity: Activity | None = None,
    participation: Participation | None = None,
    member_log: MemberLog | None = None,
    by: User,
) -> Evidence:
    """Check and store one upload as evidence of an activity, a make-up study or a member log.

    Session evidence needs an open activity; make-up evidence may arrive after archiving, never
    on a cancelled activity; a log takes files while its author may still change it. Raises
    ``Refused`` with the reason, having stored nothing."""
    if sum(owner is not None for owner in (activity, participation, member_log)) != 1:
        raise ValueError("evidence has exactly one owner")
    if activity is not None:
        require_open(activity)
    elif participation is not None:
        require_not_cancelled(participation.activity)
    else:
        _require_changeable(member_log)  # type: ignore[arg-type]
    data = _read(file)
    kind, image_format = _sniff(data)
    thumbnail = None
    if image_format is not None:
        data, extension, thumbnail = _clean_image(data, image_format)
    elif kind is EvidenceKind.PDF:
        _check_pdf(data)
        extension = kind.value
    else:
        extension = kind.value
    token = secrets.token_hex(16)
    evidence = Evidence(
        activity=activity,
        participation=participation,
        member_log=member_log,
        kind=kind,
        original_name=_display_name(file.filename, extension),
        stored_name=f"{token}.{extension}",
        thumbnail_name=f"{token}-thumb.jpg" if thumbnail else None,
        content_type=CONTENT_TYPES[extension],
        size=len(data),
        uploaded_by_id=by.id,
    )
    _store(evidence.stored_name, data)
    if thumbnail and evidence.thumbnail_name:
        _store(evidence.thumbnail_name, thumbnail)
    db.session.add(evidence)
    return evidence


def remove(evidence: Evidence) -> None:
    """Soft delete: the row and the file stay (restorable), nobody sees them any more."""
    if evidence.activity is not None:
        require_open(evidence.activity)
    elif evidence.participation is not None:
        require_not_cancelled(evidence.participation.activity)
    elif evidence.member_log is not None:
        _require_changeable(evidence.member_log)
    evidence.deleted_at = utcnow()


def _require_changeable(log: MemberLog) -> None:
    """A reviewed or withdrawn log keeps the files it was judged on."""
    if log.state not in (LogState.PENDING, LogState.RETURNED):
        raise Refused(_l("Only a log waiting for review or returned can be changed."))


def activity_evidence(activity: Activity) -> list[Evidence]:
    return list(
        db.session.scalars(
            sa.select(Evidence)
            .where(Evidence.activity_id == activity.id, Evidence.deleted_at.is_(None))
            .order_by(Evidence.created_at, Evidence.id)
        )
    )


def participation_evidence(participation_ids: list[int]) -> list[Evidence]:
    """The live make-up files of several participations, in one query."""
    if not participation_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Evidence)
            .where(Evidence.participation_id.in_(participation_ids), Evidence.deleted_at.is_(None))
            .order_by(Evidence.created_at, Evidence.id)
        )
    )


def log_evidence(log_ids: list[int]) -> list[Evidence]:
    """The live files of several member logs, in one query."""
    if not log_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Evidence)
            .where(Evidence.member_log_id.in_(log_ids), Evidence.deleted_at.is_(None))
            .order_by(Evidence.created_at, Evidence.id)
        )
    )


def gallery(activity: Activity, user: User) -> dict[str, Any]:
    """What ``activities/_gallery.html`` needs. Those who may upload may also remove."""
    return {
        "activity": activity,
        "evidence": activity_evidence(activity),
        "can_upload": activity.is_open and can_manage_activity(user, activity),
    }
