"""What every Word document the product prints shares: A4 paper, Chinese fonts, plain tables.

python-docx starts from a Letter-sized template whose fonts are theme references (``asciiTheme``,
``eastAsiaTheme``) resolved through a Japanese theme language, so Chinese text would come out in a
Japanese font whatever ``font.name`` says. ``new_document`` replaces every theme reference with
explicit names and sets the paper to A4.

Fonts follow Chinese official documents: 宋体 for body text and tables (it prints cleanly at small
sizes in a grid), 黑体 for headings, Times New Roman for Latin letters and digits. Prose documents
in the style of an official paper (the annual summary) may pass ``body_font=FANGSONG``. Headings are
not bold: 黑体 carries the weight itself, and Word's synthetic bold smudges it.
"""

import re
from collections.abc import Sequence
from io import BytesIO

from docx import Document as open_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from flask import Response, send_file
from flask_babel import gettext as _
from lxml.etree import _Element

from app.types import utcnow

SONG = "宋体"
FANGSONG = "仿宋"
HEI = "黑体"
LATIN = "Times New Roman"

A4_WIDTH = Cm(21.0)
A4_HEIGHT = Cm(29.7)
# Left and right as GB/T 9704 (the left leaves room for binding the ledger); top and bottom
# tighter than an official paper's so that a sign-in sheet fits more rows on a page.
MARGIN_TOP = Cm(2.5)
MARGIN_BOTTOM = Cm(2.5)
MARGIN_LEFT = Cm(2.8)
MARGIN_RIGHT = Cm(2.6)
TEXT_WIDTH = Cm(21.0 - 2.8 - 2.6)

BODY_SIZE = Pt(12)  # 小四
# Title 小二, then 三号, 四号, 小四: the sizes Chinese documents step through.
HEADING_SIZES = {0: Pt(18), 1: Pt(16), 2: Pt(14), 3: Pt(12)}

_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def new_document(body_font: str = SONG) -> Document:
    """An empty A4 portrait document with explicit Chinese fonts in every style it uses."""
    doc = open_document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT

    # A theme reference wins over an explicit name in the same rFonts, so none may remain.
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        for attribute in _THEME_ATTRIBUTES:
            fonts.attrib.pop(qn(attribute), None)
    _set_defaults(doc, body_font)

    normal = doc.styles["Normal"]
    _set_fonts(normal, body_font)
    normal.font.size = BODY_SIZE
    for level, size in HEADING_SIZES.items():
        name = "Title" if level == 0 else f"Heading {level}"
        for style_name in (name, f"{name} Char"):
            style = doc.styles[style_name]
            _set_fonts(style, HEI)
            style.font.size = size
            style.font.bold = False
            style.font.color.rgb = RGBColor(0, 0, 0)
    title = doc.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _remove(title.element.pPr, "w:pBdr")  # the template's blue rule under the title
    _remove(title.element.rPr, "w:spacing")

    # File > Properties would otherwise name python-docx and a date in 2013.
    properties = doc.core_properties
    properties.author = properties.comments = properties.last_modified_by = ""
    properties.created = properties.modified = utcnow()
    return doc


def set_east_asian_font(target: BaseStyle | Run, name: str) -> None:
    """Set the font Word uses for Chinese characters, which ``font.name`` leaves alone."""
    element = target.element if isinstance(target, BaseStyle) else target._r
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    fonts.set(qn("w:eastAsia"), name)


def add_heading(doc: Document, text: str, level: int = 1) -> Paragraph:
    """A heading in 黑体; level 0 is the centred document title."""
    return doc.add_heading(text, level)


def add_table(
    doc: Document,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[Length],
    row_height: Length | None = None,
) -> Table:
    """A bordered table whose header row repeats on every page and whose rows never split.

    ``row_height`` is a minimum: tall empty rows leave room for handwriting."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    _mark_row(header, "w:tblHeader")
    for cell, text in zip(header.cells, headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for values in rows:
        row = table.add_row()
        if row_height is not None:
            row.height = row_height
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    for row in table.rows:
        _mark_row(row, "w:cantSplit")
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    # Word reads the cells' widths, LibreOffice and WPS the grid's: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    return table


def to_bytes(doc: Document) -> bytes:
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _set_fonts(style: BaseStyle, east_asian: str) -> None:
    style.font.name = LATIN
    set_east_asian_font(style, east_asian)


def _set_defaults(doc: Document, body_font: str) -> None:
    """Document defaults, for text in styles that name no font (table styles, footnotes)."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = run_defaults.find(qn("w:rFonts"))
    for attribute in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), LATIN)
    fonts.set(qn("w:eastAsia"), body_font)
    run_defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    # The template resolves East Asian theme fonts through Japanese; Chinese is what we print.
    theme_language = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:eastAsia"), "zh-CN")


def _mark_row(row: _Row, tag: str) -> None:
    properties = row._tr.get_or_add_trPr()
    if properties.find(qn(tag)) is None:
        properties.append(OxmlElement(tag))


def _remove(parent: _Element | None, tag: str) -> None:
    if parent is None:
        return
    for child in parent.findall(qn(tag)):
        parent.remove(child)


# A printed form's second column of facts or signatures starts here.
SECOND_COLUMN = Cm(7.8)
UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def field(label: str, value: str) -> str:
    """「主持人：王明」 — a label and its value as a document states them."""
    return _("%(label)s: %(value)s", label=label, value=value)


def add_fields(
    doc: Document, pairs: Sequence[tuple[str, str]], space_before: Length | None = None
) -> Paragraph:
    """One line of up to two label–value pairs, the second at ``SECOND_COLUMN`` (an empty value
    leaves room to sign)."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_after = 0
    if space_before is not None:
        paragraph.paragraph_format.space_before = space_before
    paragraph.paragraph_format.tab_stops.add_tab_stop(SECOND_COLUMN, WD_TAB_ALIGNMENT.LEFT)
    paragraph.add_run("\t".join(field(label, value) for label, value in pairs))
    return paragraph


def filename(*parts: str) -> str:
    """签到表-2026-03-08-<title>.docx: the parts joined, the last (a title or a name) stripped of
    what Windows, macOS or a browser refuse in a file name, and shortened."""
    *fixed, free = parts
    free = UNSAFE_IN_FILENAME.sub(" ", free)
    free = re.sub(r"\s+", " ", free).strip(" .")[:60].strip(" .")
    return "-".join([*fixed, *([free] if free else [])]) + ".docx"


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def send_docx(data: bytes, name: str) -> Response:
    """A Word file to download as ``name``."""
    return send_file(BytesIO(data), mimetype=DOCX_TYPE, as_attachment=True, download_name=name)
