"""What every Excel workbook the product writes shares: text that stays text, bold header rows,
column widths, and the bytes of the saved file. Workbooks are written write-only (openpyxl's
streaming mode), so cells are ``WriteOnlyCell``s appended row by row."""

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
HEADER_FONT = Font(bold=True)


def safe(value: Any) -> Any:
    """Text without the control characters XLSX refuses (old records may hold some): a stray
    one must never stop a file from being written."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def text_cell(sheet: Any, value: Any) -> Any:
    """A value as written: text stays text, even when it starts with '=' (never a formula)."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=safe(value))
    cell.data_type = "s"
    return cell


def header_cells(
    sheet: Any, headers: Iterable[Any], fill: PatternFill | None = None
) -> list[WriteOnlyCell]:
    """A header row: bold, with a background when ``fill`` is given."""
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe(str(header)))
        cell.font = HEADER_FONT
        if fill is not None:
            cell.fill = fill
        cells.append(cell)
    return cells


def column_widths(sheet: Any, widths: Iterable[float]) -> None:
    """The widths of the first columns, in Excel's character units."""
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
