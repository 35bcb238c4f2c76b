"""Plain document contents (``app/files/document.py``) written as Word: A4, Chinese fonts,
headings, bordered tables, fact lines and signature lines."""

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from flask_babel import gettext as _

from app.files import word
from app.files.document import Contents, Section, Table

SIGNATURE_SPACE = Cm(0.6)


def to_docx(contents: Contents) -> bytes:
    doc = word.new_document()
    doc.core_properties.title = contents.subject
    word.add_heading(doc, contents.title, 0)
    write_facts(doc, contents.facts)
    for section in contents.sections:
        write_section(doc, section)
    write_signatures(doc, contents.printed, contents.signatures)
    return word.to_bytes(doc)


def write_facts(doc: Document, facts: list[list[tuple[str, str]]]) -> None:
    """The facts line by line, then an empty paragraph before the sections."""
    for pairs in facts:
        word.add_fields(doc, pairs)
    doc.add_paragraph()


def write_section(doc: Document, section: Section, level: int = 1) -> None:
    word.add_heading(doc, section.heading, level)
    if section.table is not None and section.table.rows:
        write_table(doc, section.table)
    for passage in section.passages:
        word.add_heading(doc, passage.heading, level + 1)
        for text in passage.paragraphs:
            doc.add_paragraph(text)
    if section.empty:
        doc.add_paragraph(_("None."))


def write_table(doc: Document, table: Table) -> None:
    widths = [Cm(width) for width in table.widths]
    written = word.add_table(doc, table.headers, table.rows, widths)
    if table.numbered:
        for row in written.rows:
            row.cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def write_signatures(doc: Document, printed: str, signatures: list[list[str]]) -> None:
    """Signed on paper: the note of when it was printed, then the lines to sign at."""
    note = doc.add_paragraph(printed)
    note.paragraph_format.space_before = SIGNATURE_SPACE
    for labels in signatures:
        word.add_fields(doc, [(label, "") for label in labels], SIGNATURE_SPACE)
