"""An Office file (.docx, .xlsx) is a zip: this looks into it before anything unpacks it.

A few hundred parts and tens of megabytes unpacked are plenty for any real document; more is a
zip bomb aimed at whoever opens it. Only the small ``[Content_Types].xml`` is read. Each use
passes its own ``ZipPolicy``: the roster import reads a workbook with openpyxl and takes one
saved by any spreadsheet program (macro-enabled ones too: openpyxl never runs macros), while
evidence is stored for others to open in Office and takes no part that carries macros.
"""

import io
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

CONTENT_TYPES_PART = "[Content_Types].xml"
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
MAX_CONTENT_TYPES = 1024 * 1024
# Damaged, encrypted, too large for zipfile, or packed with a method zipfile does not know.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    RuntimeError,
    KeyError,
    EOFError,
    ValueError,
)


@dataclass(frozen=True)
class ZipPolicy:
    max_entries: int
    max_unzipped: int
    allow_macros: bool


# The roster import: what it has always accepted.
ROSTER = ZipPolicy(max_entries=5000, max_unzipped=200 * 1024 * 1024, allow_macros=True)
# Evidence files, opened later by whoever reads the record: stricter.
EVIDENCE = ZipPolicy(max_entries=2000, max_unzipped=200 * 1024 * 1024, allow_macros=False)


class NotOffice(ValueError):
    """Not a zip, damaged, without ``[Content_Types].xml``, or carrying macros a policy refuses."""


class TooLarge(NotOffice):
    """More parts, or more bytes unpacked, than the policy allows."""


@dataclass(frozen=True)
class Package:
    names: frozenset[str]
    content_types: bytes

    def declared_types(self) -> dict[str, str]:
        """Part name (lower case) → declared content type, from ``[Content_Types].xml``."""
        xml = self.content_types
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


def open_package(data: bytes, policy: ZipPolicy) -> Package:
    """The part names and the content types of an Office package, within the policy's limits;
    ``TooLarge`` or ``NotOffice`` otherwise. Nothing but ``[Content_Types].xml`` is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > policy.max_entries:
                raise TooLarge
            if sum(entry.file_size for entry in entries) > policy.max_unzipped:
                raise TooLarge
            names = frozenset(entry.filename for entry in entries)
            # Macros hide in vbaProject.bin whatever the package claims to be.
            if not policy.allow_macros and any(
                name.lower().endswith("vbaproject.bin") for name in names
            ):
                raise NotOffice
            if CONTENT_TYPES_PART not in names:
                raise NotOffice
            info = archive.getinfo(CONTENT_TYPES_PART)
            if info.file_size > MAX_CONTENT_TYPES:
                raise NotOffice
            with archive.open(info) as handle:
                content_types = handle.read(MAX_CONTENT_TYPES + 1)
    except NotOffice:
        raise
    except ZIP_ERRORS:
        raise NotOffice from None
    return Package(names, content_types)
