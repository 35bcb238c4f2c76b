"""PDFs taken as evidence: read through, and refused when they carry JavaScript, a Launch action
or embedded files."""

import io

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from app.refusals import Refused

UNREADABLE_PDF = _l(
    "This PDF could not be read, so it could not be checked; it may be damaged or protected by a "
    "password. Save it again as a PDF without protection and upload that."
)

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


def check_pdf(data: bytes) -> None:
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
