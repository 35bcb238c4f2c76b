"""What a sent file is, told by its bytes alone.

Neither the file name nor the browser's content type decides anything: a file is accepted only
when its content is a photo (JPEG, PNG, WebP, HEIC/HEIF), a PDF, or a Word or Excel document."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from app.evidence.models import EvidenceKind
from app.files import office
from app.refusals import Refused

NOT_ACCEPTED = _l(
    "This file type is not accepted: upload a photo (JPEG, PNG, WebP, HEIC), a PDF, a Word or an "
    "Excel file."
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
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}


def read(file: FileStorage) -> bytes:
    megabytes = int(current_app.config["MAX_UPLOAD_MB"])
    limit = megabytes * 1024 * 1024
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise Refused(_l("The file is larger than %(mb)s MB.", mb=megabytes))
    if not data:
        raise Refused(_l("The file is empty."))
    return data


def sniff(data: bytes) -> tuple[EvidenceKind, str | None]:
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
        kind = office_kind(data)
        if kind is not None:
            return kind, None
    raise Refused(NOT_ACCEPTED)


def office_kind(data: bytes) -> EvidenceKind | None:
    """DOCX or XLSX when the zip is an Office package with that main part, within the evidence
    policy (no macros, at most ``office.EVIDENCE``'s parts); None otherwise."""
    try:
        package = office.open_package(data, office.EVIDENCE)
    except office.NotOffice:
        return None
    declared = package.declared_types()
    for kind, (part, content_type) in OFFICE_MAIN_PARTS.items():
        if part[1:] in package.names and declared.get(part) == content_type:
            return kind
    return None
