"""Evidence files 佐证材料: taken by what their bytes are, cleaned, stored under random names.

Neither the file name nor the browser's content type decides anything: a file is accepted only when
its content is a photo (JPEG, PNG, WebP, HEIC/HEIF), a PDF, or a Word or Excel document. Photos
are decoded, turned upright, shrunk to at most ``MAX_SIDE`` pixels and written again without any
metadata (EXIF, GPS, XMP, comments, colour profiles), with a small JPEG thumbnail; they are stored
as PNG when they came as PNG (screenshots, scans with sharp edges) and as JPEG otherwise, because
the annual Word compilation embeds them and Word takes neither WebP nor HEIC. Documents are stored
as sent.

Files are written before the database row is committed. Every file written in a transaction is
deleted again when that transaction ends without a commit, so a refused batch, a failed flush or
an error later in the request leaves nothing on disk.
"""

import io
import secrets
import warnings
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps
from pillow_heif import register_heif_opener
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.datastructures import FileStorage

from app.activities.models import Activity, Evidence, EvidenceKind, Participation
from app.activities.services import Refused, require_not_cancelled, require_open
from app.auth.models import User
from app.auth.policy import can_manage_activity
from app.extensions import db
from app.logs.models import LogState, MemberLog
from app.types import utcnow

register_heif_opener()

# Longest side of a stored photo: sharp on any screen and in print at A4 width.
MAX_SIDE = 4000
THUMBNAIL_SIDE = 480
# Refused before decoding; a 108-megapixel phone photo still passes. JPEGs are decoded at a
# reduced scale, other formats in full, so this also bounds the memory one upload can take.
MAX_PIXELS = 120_000_000
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
TOO_MANY_PIXELS = _l("This photo has too many pixels; upload a smaller version of it.")

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
    """(the photo re-encoded without metadata, its extension, a JPEG thumbnail)."""
    try:
        with warnings.catch_warnings():
            # Sizes between Pillow's warning and error limits are checked against MAX_PIXELS.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as original:
                width, height = original.size
                if width * height > MAX_PIXELS:
                    raise Refused(TOO_MANY_PIXELS)
                longest = max(width, height)
                if longest > MAX_SIDE:
                    # JPEG: decode at 1/2, 1/4 or 1/8 scale straight away (memory and time).
                    scale = MAX_SIDE / longest
                    original.draft(None, (round(width * scale), round(height * scale)))
                original.load()
                icc_profile = original.info.get("icc_profile")
                image = ImageOps.exif_transpose(original)
                image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
                image = _to_srgb(image, icc_profile)
                keep_png = image_format == "PNG"
                image = _png_mode(image) if keep_png else _on_white(image)
                # Nothing the camera or an editor attached is carried over.
                image.info = {}
                stored = io.BytesIO()
                if keep_png:
                    image.save(stored, "PNG")
                    extension = "png"
                else:
                    image.save(stored, "JPEG", quality=JPEG_QUALITY, optimize=True)
                    extension = "jpg"
                thumbnail = _thumbnail(image)
    except Image.DecompressionBombError as error:
        raise Refused(TOO_MANY_PIXELS) from error
    except DECODE_ERRORS as error:
        raise Refused(UNREADABLE_PHOTO) from error
    return stored.getvalue(), extension, thumbnail


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "transparency" in image.info


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with any transparency flattened onto white (JPEG has no alpha)."""
    if _has_alpha(image):
        rgba = image.convert("RGBA")
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
    small = _on_white(image.copy())
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    small.info = {}
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


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
