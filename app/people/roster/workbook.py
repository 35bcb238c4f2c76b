"""The roster workbook (花名册): its columns and values, reading an upload, writing the files.

The file format is Chinese, as the bureau's paper rosters are: the template and the export carry
Chinese headers and values, and an upload may use the Chinese headers or the English labels.
Nothing here touches the database; checking rows against the records is ``roster_import``.
"""

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from app.files import excel, office
from app.files.excel import DATE_FORMAT, TEXT_FORMAT
from app.forms import EARLIEST, LATEST, clean_text
from app.locale_text import enumeration
from app.people.models import Gender, MembershipRole, PartyStatus

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE = "花名册"
HELP_SHEET_TITLE = "填写说明"

# How far the reader looks: a title row or two above the header is common in hand-made rosters.
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 60
# Empty rows tolerated between and below the data before the sheet counts as too long.
EMPTY_ROWS_ALLOWED = 1000
WORKBOOK_CONTENT_TYPES = (
    b"spreadsheetml.sheet.main+xml",
    b"spreadsheetml.template.main+xml",
    b"ms-excel.sheet.macroEnabled.main+xml",
)
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

STATE_ACTIVE = "active"
STATE_TRANSFERRED = "transferred"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header of the template and the export
    label: Any  # English message id, shown translated
    kind: str  # text, date, gender, party_status, role, state
    width: int
    hint: Any = None


COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "人员编号",
        _l("Personnel code"),
        "text",
        12,
        _l("Required; letters, digits, '.', '-' or '_'. Rows are matched on it."),
    ),
    Column("name", "姓名", _l("Name"), "text", 10, _l("Required.")),
    Column("gender", "性别", _l("Gender"), "gender", 6),
    Column("birth_date", "出生日期", _l("Date of birth"), "date", 12),
    Column(
        "party_status",
        "政治面貌",
        _l("Party status"),
        "party_status",
        13,
        _l("Required for a new person."),
    ),
    Column(
        "joined_on",
        "入党日期",
        _l("Joined the Party"),
        "date",
        12,
        _l("Required for Party members; empty for others."),
    ),
    Column(
        "regularised_on",
        "转正日期",
        _l("Regularised"),
        "date",
        12,
        _l("Empty for probationary members."),
    ),
    Column(
        "department",
        "部门",
        _l("Department"),
        "text",
        14,
        _l("The name of an existing department."),
    ),
    Column("post", "职务", _l("Post"), "text", 14),
    Column("phone", "联系电话", _l("Phone"), "text", 14),
    Column(
        "unit",
        "所属组织代码",
        _l("Unit code"),
        "text",
        14,
        _l("Required for a new person: the code of one of your units."),
    ),
    Column(
        "role",
        "组织内职务",
        _l("Role in the unit"),
        "role",
        12,
        _l("Empty means 党员 for Party members and 工作人员 for others."),
    ),
    Column(
        "start_date",
        "加入日期",
        _l("In the unit since"),
        "date",
        12,
        _l("Empty means today."),
    ),
    Column("state", "状态", _l("Roster state"), "state", 8, _l("在册 or 转出.")),
    Column(
        "transferred_out_on",
        "转出日期",
        _l("Transferred out on"),
        "date",
        12,
        _l("Required with 转出."),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_COLUMNS = ("code", "name")

GENDER_LABELS = {Gender.MALE: "男", Gender.FEMALE: "女"}
PARTY_STATUS_LABELS = {
    PartyStatus.FULL: "正式党员",
    PartyStatus.PROBATIONARY: "预备党员",
    PartyStatus.ACTIVIST: "入党积极分子",
    PartyStatus.MASSES: "群众",
}
ROLE_LABELS = {
    MembershipRole.MEMBER: "党员",
    MembershipRole.STAFF: "工作人员",
    MembershipRole.SECRETARY: "书记",
    MembershipRole.DEPUTY_SECRETARY: "副书记",
    MembershipRole.ORGANISATION: "组织委员",
    MembershipRole.PUBLICITY: "宣传委员",
    MembershipRole.DISCIPLINE: "纪检委员",
    MembershipRole.COMMITTEE: "委员",
    MembershipRole.GROUP_LEADER: "党小组长",
}
STATE_LABELS = {STATE_ACTIVE: "在册", STATE_TRANSFERRED: "转出"}
CHOICE_LABELS: dict[str, dict[Any, str]] = {
    "gender": GENDER_LABELS,
    "party_status": PARTY_STATUS_LABELS,
    "role": ROLE_LABELS,
    "state": STATE_LABELS,
}

# Other spellings met in real rosters, beside the labels above, the English labels and the values.
GENDER_ALIASES = {"男性": Gender.MALE, "女性": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
PARTY_STATUS_ALIASES = {
    "中共党员": PartyStatus.FULL,
    "党员": PartyStatus.FULL,
    "中共预备党员": PartyStatus.PROBATIONARY,
    "积极分子": PartyStatus.ACTIVIST,
}
ROLE_ALIASES = {
    "普通党员": MembershipRole.MEMBER,
    "支部书记": MembershipRole.SECRETARY,
    "支部副书记": MembershipRole.DEPUTY_SECRETARY,
    "纪律检查委员": MembershipRole.DISCIPLINE,
    "支部委员": MembershipRole.COMMITTEE,
    "支委": MembershipRole.COMMITTEE,
    "小组长": MembershipRole.GROUP_LEADER,
    "党小组组长": MembershipRole.GROUP_LEADER,
}
STATE_ALIASES = {"已转出": STATE_TRANSFERRED}
# Headers of rosters kept in other systems. The template's own header wins when a file has both
# it and one of these; the other column is then named in the preview as not imported.
HEADER_ALIASES = {
    "编号": "code",
    "工号": "code",
    "工作证号": "code",
    "职工编号": "code",
    "出生年月": "birth_date",
    "出生时间": "birth_date",
    "手机": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "电话": "phone",
    "电话号码": "phone",
    "联系方式": "phone",
    "入党时间": "joined_on",
    "入党年月": "joined_on",
    "转正时间": "regularised_on",
    "转正年月": "regularised_on",
    "所在部门": "department",
    "工作部门": "department",
    "行政职务": "post",
    "职位": "post",
    "组织代码": "unit",
    "所属组织": "unit",
    "所在支部": "unit",
    "所在党支部": "unit",
    "所属支部": "unit",
    "所属党支部": "unit",
    "所在党组织": "unit",
    "所属党组织": "unit",
    "职务（组织内）": "role",
    "党内职务": "role",
    "加入组织日期": "start_date",
    "转出时间": "transferred_out_on",
}
# The other headers read as each column, for the template's help sheet and the import page.
ALIASES_OF: dict[str, list[str]] = {
    column.key: [word for word, key in HEADER_ALIASES.items() if key == column.key]
    for column in COLUMNS
}
# An identity-card column is never read: the product keeps no ID numbers. Its header is named
# in the preview so that nobody wonders where the numbers went.
IDENTITY_WORDS = ("身份证", "身份号码", "证件号码", "idcard", "idnumber")
# Words that make an unknown header look like one of the roster's columns (办公电话, 入党介绍时间):
# such a column is not imported, and the preview says so before anything is saved.
LOOKALIKE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("code", ("编号", "工号", "证号")),
    ("name", ("姓名",)),
    ("gender", ("性别",)),
    ("birth_date", ("出生", "生日")),
    ("party_status", ("政治面貌",)),
    ("regularised_on", ("转正",)),
    ("joined_on", ("入党时间", "入党日期", "入党年月")),
    ("department", ("部门", "科室")),
    ("phone", ("电话", "手机", "联系方式", "phone", "mobile")),
    ("unit", ("支部", "党组织", "所属组织", "所在组织")),
    ("role", ("党内职务", "组织内职务")),
    ("post", ("职务", "职位", "岗位")),
    ("start_date", ("加入",)),
    ("transferred_out_on", ("转出",)),
    ("state", ("状态",)),
)

_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_REQUIRED_MARK = re.compile(r"(\*|＊|[（(](必填|required)[)）])$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TRAILING_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31


class RosterFileError(ValueError):
    """The upload cannot be read as a roster; the message is for the user."""


class BadCell(ValueError):
    """One cell's value cannot be used; the message is for the user."""


@dataclass
class ColumnRef:
    """Where a column sits in the uploaded sheet."""

    letter: str
    header: str


@dataclass
class UnusedColumn:
    """A column of the upload that is not imported, and why that may matter to the user."""

    letter: str
    header: str
    looks_like: str | None = None  # the key of the roster column its header resembles
    identity: bool = False  # identity-card numbers: never read, never stored


@dataclass
class RosterSheet:
    """The rows of an upload, as plain JSON values keyed by column key (row = Excel row number)."""

    columns: dict[str, ColumnRef]
    rows: list[dict[str, Any]]
    unused: list[UnusedColumn] = field(default_factory=list)

    @property
    def ignored_headers(self) -> list[str]:
        """Columns not imported that resemble nothing the roster holds (备注, 序号)."""
        return [c.header for c in self.unused if c.looks_like is None and not c.identity]

    @property
    def identity_columns(self) -> list[UnusedColumn]:
        return [c for c in self.unused if c.identity]

    @property
    def lookalike_columns(self) -> list[UnusedColumn]:
        return [c for c in self.unused if c.looks_like is not None]

    def to_json(self) -> list[dict[str, Any]]:
        """What an import batch stores: one leading entry for the columns, then the rows."""
        meta = {
            "columns": {key: [ref.letter, ref.header] for key, ref in self.columns.items()},
            "unused": [[c.letter, c.header, c.looks_like, c.identity] for c in self.unused],
        }
        return [meta, *self.rows]

    @classmethod
    def from_json(cls, stored: list[dict[str, Any]]) -> "RosterSheet":
        meta, *rows = stored
        columns = {key: ColumnRef(*ref) for key, ref in meta["columns"].items()}
        unused = [UnusedColumn(*entry) for entry in meta.get("unused", [])]
        # A batch checked before unused columns were told apart named only their headers.
        unused += [UnusedColumn("", header) for header in meta.get("ignored", [])]
        return cls(columns=columns, rows=rows, unused=unused)


def _key(text: str) -> str:
    return _SPACES.sub("", text).casefold()


def cell_text(value: Any) -> str | None:
    """A cell as trimmed text; numbers typed into text columns (codes, phones) lose their '.0'."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    elif isinstance(value, date):
        value = value.isoformat()
    text = str(value).strip(" \t\r\n\u3000\u00a0")
    return text or None


def cell_date(value: Any) -> date | None:
    """An Excel date, an Excel serial number, or text such as 2021-03-08, 2021/3/8, 2021年3月8日."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return _plausible(value.date())
    if isinstance(value, date):
        return _plausible(value)
    if isinstance(value, bool):
        raise BadCell(_date_message())
    if isinstance(value, int | float):
        compact = _COMPACT_DATE.match(str(int(value))) if float(value).is_integer() else None
        if compact is not None:  # 20210308 typed as a number
            return _from_parts(*compact.groups())
        if 1 <= value <= EXCEL_SERIAL_MAX:  # a date cell saved without its date format
            return _plausible(from_excel(value).date())
        raise BadCell(_date_message())
    text = _TRAILING_TIME.sub("", str(value).strip())
    match = _DATE_TEXT.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        raise BadCell(_date_message())
    return _from_parts(*match.groups())


def _date_message() -> str:
    return _("Not a date. Write it as 2021-03-08, 2021/3/8 or 2021年3月8日.")


def _from_parts(year: str, month: str, day: str) -> date:
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        raise BadCell(_("This date does not exist.")) from None
    return _plausible(value)


def _plausible(value: date) -> date:
    """The forms' range: whatever a form accepts, an import accepts (and an export reads back)."""
    if not EARLIEST <= value <= LATEST:
        raise BadCell(_("The year must lie between 1900 and 2100."))
    return value


def _labels_in_locale() -> dict[str, dict[str, Any]]:
    """The display labels of every choice and column, in the locale in force."""
    return {
        "gender": {m.label: m for m in Gender},
        "party_status": {m.label: m for m in PartyStatus},
        "role": {m.label: m for m in MembershipRole},
        "state": {
            _("On the roster"): STATE_ACTIVE,
            _("Transferred out"): STATE_TRANSFERRED,
        },
        "headers": {str(column.label): column.key for column in COLUMNS},
    }


class Vocabulary:
    """The words a cell may hold for each choice column: the Chinese labels of the file format,
    common variants, the English labels and the labels in the user's language."""

    def __init__(self) -> None:
        with force_locale("en"):
            english = _labels_in_locale()
        local = _labels_in_locale()
        sources: dict[str, tuple[dict[Any, str], dict[str, Any]]] = {
            "gender": (GENDER_LABELS, GENDER_ALIASES),
            "party_status": (PARTY_STATUS_LABELS, PARTY_STATUS_ALIASES),
            "role": (ROLE_LABELS, ROLE_ALIASES),
            "state": (STATE_LABELS, STATE_ALIASES),
        }
        self.tables: dict[str, dict[str, Any]] = {}
        for kind, (labels, aliases) in sources.items():
            table: dict[str, Any] = {}
            for words in (local[kind], english[kind], aliases):
                table.update({_key(word): value for word, value in words.items()})
            table.update({_key(str(member)): member for member in labels})
            table.update({_key(label): member for member, label in labels.items()})
            self.tables[kind] = table
        headers: dict[str, str] = {}
        for words in (HEADER_ALIASES, local["headers"], english["headers"]):
            headers.update({_key(word): key for word, key in words.items()})
        headers.update({_key(column.key): column.key for column in COLUMNS})
        headers.update({_key(column.header): column.key for column in COLUMNS})
        self.headers = headers
        # Headers that name a column exactly (the template's, the labels, the keys); the others
        # are another system's words for it.
        self.exact_headers = set(headers) - {_key(word) for word in HEADER_ALIASES}
        self.messages = {
            "gender": _("Use one of: %(values)s.", values=_allowed(GENDER_LABELS)),
            "party_status": _(
                "Unknown party status. Use one of: %(values)s.",
                values=_allowed(PARTY_STATUS_LABELS),
            ),
            "role": _(
                "Unknown role in the unit. Use one of: %(values)s.", values=_allowed(ROLE_LABELS)
            ),
            "state": _("Use one of: %(values)s.", values=_allowed(STATE_LABELS)),
        }

    def choice(self, kind: str, value: Any) -> Any:
        """The member a choice cell names, None when empty; BadCell when it names nothing."""
        text = cell_text(value)
        if text is None:
            return None
        found = self.tables[kind].get(_key(text))
        if found is None:
            raise BadCell(self.messages[kind])
        return found

    def header_key(self, value: Any) -> str | None:
        text = cell_text(value)
        if text is None:
            return None
        return self.headers.get(_header_word(text))

    def is_exact_header(self, value: Any) -> bool:
        text = cell_text(value)
        return text is not None and _header_word(text) in self.exact_headers


def _header_word(text: str) -> str:
    return _key(_REQUIRED_MARK.sub("", text))


def unused_column(letter: str, header: str) -> UnusedColumn:
    """An unknown header, told apart: identity-card numbers, a look-alike of a roster column,
    or something the roster does not hold."""
    word = _header_word(header)
    if any(part in word for part in IDENTITY_WORDS):
        return UnusedColumn(letter, header, identity=True)
    for key, parts in LOOKALIKE_WORDS:
        if any(part in word for part in parts):
            return UnusedColumn(letter, header, looks_like=key)
    return UnusedColumn(letter, header)


def _allowed(labels: dict[Any, str]) -> str:
    return enumeration(labels.values())


def shown(value: Any) -> str:
    """A stored cell value as the user typed it, for the table of errors."""
    return cell_text(value) or ""


def _json_value(value: Any) -> Any:
    """A cell value the import batch can store as JSON (and read back unchanged in meaning)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _check_container(data: bytes) -> None:
    not_xlsx = _("This file is not an Excel workbook (.xlsx). Save it from Excel or WPS as .xlsx.")
    if data.startswith(OLE2_SIGNATURE):
        raise RosterFileError(
            _(
                "This is an old Excel 97–2003 (.xls) or a password-protected file. Save it as an "
                "Excel workbook (.xlsx) without a password and upload it again."
            )
        )
    # Guards against a decompression bomb before openpyxl inflates anything.
    try:
        content_types = office.open_package(data, office.ROSTER).content_types
    except office.TooLarge:
        raise RosterFileError(_("This workbook is too large to import.")) from None
    except office.NotOffice:
        raise RosterFileError(not_xlsx) from None
    if not any(kind in content_types for kind in WORKBOOK_CONTENT_TYPES):
        raise RosterFileError(not_xlsx)


def _pick_sheet(workbook: Any) -> Any:
    sheets = list(workbook.worksheets)
    if not sheets:
        raise RosterFileError(_("The workbook has no sheet."))
    for sheet in sheets:
        if sheet.title.strip() in (SHEET_TITLE, "Roster"):
            return sheet
    return sheets[0]


def read_roster(data: bytes, max_rows: int, vocabulary: Vocabulary) -> RosterSheet:
    """The header and data rows of the roster sheet; RosterFileError if the file cannot be used."""
    _check_container(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise RosterFileError(
            _("This workbook could not be read. Open it in Excel or WPS, save it again as .xlsx.")
        ) from None
    try:
        return _read_sheet(_pick_sheet(workbook), max_rows, vocabulary)
    except RosterFileError:
        raise
    except Exception:  # a damaged sheet part surfaces only while its rows are read
        raise RosterFileError(
            _("This workbook could not be read. Open it in Excel or WPS, save it again as .xlsx.")
        ) from None
    finally:
        workbook.close()


def _header_columns(
    values: Sequence[Any], found: dict[int, str | None], vocabulary: Vocabulary
) -> tuple[dict[str, ColumnRef], dict[str, int], list[UnusedColumn]]:
    """Which column holds which field, and the columns left out.

    A field named twice is read from the column with the template's own header (联系电话 beside
    手机号码); the other is left out and named in the preview. Named twice the same way, the
    file is refused: no column can be preferred."""
    columns: dict[str, ColumnRef] = {}
    positions: dict[str, int] = {}
    unused: list[UnusedColumn] = []
    for index, key in found.items():
        header = cell_text(values[index])
        letter = get_column_letter(index + 1)
        if key is None:
            if header:
                unused.append(unused_column(letter, header))
            continue
        if key in columns:
            kept = columns[key]
            exact = vocabulary.is_exact_header(header)
            if exact == vocabulary.is_exact_header(kept.header):
                if _header_word(kept.header) == _header_word(header or ""):
                    raise RosterFileError(
                        _("The column “%(header)s” appears twice.", header=header)
                    )
                raise RosterFileError(
                    _(
                        "The columns %(first)s and %(second)s both hold %(field)s. Keep one, or "
                        "rename the other.",
                        first=f"{kept.letter} · {kept.header}",
                        second=f"{letter} · {header}",
                        field=COLUMN_BY_KEY[key].header,
                    )
                )
            if not exact:
                unused.append(UnusedColumn(letter, header or "", looks_like=key))
                continue
            unused.append(UnusedColumn(kept.letter, kept.header, looks_like=key))
        columns[key] = ColumnRef(letter, header or "")
        positions[key] = index
    unused.sort(key=lambda column: (len(column.letter), column.letter))
    return columns, positions, unused


def _too_long(last_row: int) -> RosterFileError:
    return RosterFileError(
        _(
            "The sheet goes on past row %(row)d. Delete the empty rows below the table, "
            "or split the file.",
            row=last_row,
        )
    )


def _no_header(missing: list[str]) -> RosterFileError:
    """No header row: the required columns it lacks when a row looked like one, else which
    names the first row must hold."""
    if missing:
        return RosterFileError(
            _(
                "The sheet has no column %(headers)s. Use the template's header row.",
                headers=enumeration(COLUMN_BY_KEY[key].header for key in missing),
            )
        )
    return RosterFileError(
        _(
            "No header row was found. The first row must hold the template's column names "
            "(%(headers)s…).",
            headers=enumeration(COLUMN_BY_KEY[key].header for key in REQUIRED_COLUMNS),
        )
    )


def _read_sheet(sheet: Any, max_rows: int, vocabulary: Vocabulary) -> RosterSheet:
    columns: dict[str, ColumnRef] = {}
    positions: dict[str, int] = {}
    unused: list[UnusedColumn] = []
    rows: list[dict[str, Any]] = []
    header_row: int | None = None
    missing: list[str] = []
    # The size a sheet declares may be wrong; rows past it would be dropped without a word.
    sheet.reset_dimensions()
    last_row = HEADER_SEARCH_ROWS + max_rows + EMPTY_ROWS_ALLOWED
    for number, row_values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
        # Control characters are invisible and refused by the database: text loses them, as
        # in every form.
        values = tuple(clean_text(value) for value in row_values)
        if header_row is None:
            if number > HEADER_SEARCH_ROWS:
                break
            found = {i: vocabulary.header_key(v) for i, v in enumerate(values)}
            known = set(found.values()) - {None}
            if len(known) >= 2 and not missing:
                missing = [key for key in REQUIRED_COLUMNS if key not in known]
            if set(REQUIRED_COLUMNS) <= known:
                header_row = number
                columns, positions, unused = _header_columns(values, found, vocabulary)
            continue
        if number > last_row:
            raise _too_long(last_row)
        if all(v is None for v in values) or all(cell_text(v) is None for v in values):
            continue
        if len(rows) >= max_rows:
            raise RosterFileError(
                _("The file has more than %(max)d rows. Split it into smaller files.", max=max_rows)
            )
        cells = {
            key: _json_value(values[index]) if index < len(values) else None
            for key, index in positions.items()
        }
        rows.append({"row": number, "cells": cells})
    if header_row is None:
        raise _no_header(missing)
    if not rows:
        raise RosterFileError(_("The file has no rows to import."))
    return RosterSheet(columns=columns, rows=rows, unused=unused)


HEADER_FILL = PatternFill("solid", fgColor="FCE4E4")


def _new_roster_sheet(workbook: Workbook) -> Any:
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    excel.column_widths(sheet, [column.width for column in COLUMNS])
    for index, column in enumerate(COLUMNS, 1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        # Typed codes and phones stay text (leading zeros survive); typed dates show as dates.
        if column.kind == "text":
            dimension.number_format = TEXT_FORMAT
        elif column.kind == "date":
            dimension.number_format = DATE_FORMAT
    return sheet


def _header_cells(sheet: Any) -> list[WriteOnlyCell]:
    return excel.header_cells(sheet, [column.header for column in COLUMNS], fill=HEADER_FILL)


def _add_choice_lists(sheet: Any, rows: int) -> None:
    for index, column in enumerate(COLUMNS, 1):
        labels = CHOICE_LABELS.get(column.kind)
        if labels is None:
            continue
        validation = DataValidation(
            type="list", formula1='"' + ",".join(labels.values()) + '"', allow_blank=True
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{rows + 1}")
        sheet.data_validations.append(validation)


def roster_row(values: dict[str, Any]) -> list[Any]:
    """The export's cells for one person, in column order, as the import reads them back."""
    gender = values.get("gender")
    status = values.get("party_status")
    role = values.get("role")
    state = values.get("state")
    shown_values = {
        **values,
        "gender": GENDER_LABELS[gender] if gender else None,
        "party_status": PARTY_STATUS_LABELS[status] if status else None,
        "role": ROLE_LABELS[role] if role else None,
        "state": STATE_LABELS[state] if state else None,
    }
    return [shown_values.get(column.key) for column in COLUMNS]


def write_roster(rows: Iterable[list[Any]], max_rows: int) -> bytes:
    """The export: the header and one row per person, readable by ``read_roster`` unchanged."""
    workbook = Workbook(write_only=True)
    sheet = _new_roster_sheet(workbook)
    _add_choice_lists(sheet, max_rows)
    sheet.append(_header_cells(sheet))
    for values in rows:
        # openpyxl gives dates a date format itself; user text must not become a formula.
        cleaned = [excel.safe(v) for v in values]  # first: "\x01=…" must not become a formula
        sheet.append(
            [
                excel.text_cell(sheet, v) if isinstance(v, str) and v.startswith("=") else v
                for v in cleaned
            ]
        )
    return excel.save(workbook)


def write_template(
    units: Sequence[tuple[str, str]], departments: Sequence[str], max_rows: int
) -> bytes:
    """The empty roster with choice lists, and a sheet explaining every column."""
    workbook = Workbook(write_only=True)
    sheet = _new_roster_sheet(workbook)
    _add_choice_lists(sheet, max_rows)
    sheet.append(_header_cells(sheet))
    _write_help(workbook, units, departments, max_rows)
    return excel.save(workbook)


def _write_help(
    workbook: Workbook,
    units: Sequence[tuple[str, str]],
    departments: Sequence[str],
    max_rows: int,
) -> None:
    sheet = workbook.create_sheet(HELP_SHEET_TITLE)
    excel.column_widths(sheet, (16, 22, 70))

    def heading(text: str) -> list[WriteOnlyCell]:
        return excel.header_cells(sheet, [text])

    wrap = Alignment(wrap_text=True, vertical="top")

    def line(*values: Any) -> list[WriteOnlyCell]:
        cells = []
        for value in values:
            cell = (
                excel.text_cell(sheet, value)
                if isinstance(value, str)
                else WriteOnlyCell(sheet, value)
            )
            cell.alignment = wrap
            cells.append(cell)
        return cells

    sheet.append(heading(_("How to fill in the roster")))
    for text in _instructions(max_rows):
        sheet.append(line(text))
    sheet.append([])
    sheet.append(heading(_("Columns")))
    for column in COLUMNS:
        sheet.append(line(column.header, str(column.label), _column_notes(column)))
    sheet.append([])
    sheet.append(heading(_("Your units")))
    sheet.append(line(_("Unit code"), _("Unit")))
    for code, name in units:
        sheet.append(line(code, name))
    sheet.append([])
    sheet.append(heading(_("Departments")))
    for name in departments:
        sheet.append(line(name))


def _instructions(max_rows: int) -> tuple[str, ...]:
    """The help sheet's first lines: how a roster file is read."""
    return (
        _(
            "Fill in one row per person on the sheet %(sheet)s; keep its header row.",
            sheet=SHEET_TITLE,
        ),
        _(
            "Rows are matched on the personnel code: a known code updates that person, a new one "
            "adds a person."
        ),
        _("An empty cell keeps the recorded value; to clear a value, edit the person's page."),
        _("Dates may be Excel dates or text such as 2021-03-08, 2021/3/8 or 2021年3月8日."),
        _(
            "An import adds memberships but never ends one: to move someone to another unit, use "
            "“Change unit” on their page."
        ),
        _("At most %(max)d rows per file.", max=max_rows),
        _("Identity-card numbers are never imported: the product keeps none."),
    )


def _column_notes(column: Column) -> str:
    """What the help sheet says beside a column: its hint, its allowed values, other headers."""
    notes = [str(column.hint)] if column.hint else []
    if column.kind in CHOICE_LABELS:
        notes.append(_("Values: %(values)s", values=_allowed(CHOICE_LABELS[column.kind])))
    if ALIASES_OF[column.key]:
        notes.append(_("Also read from: %(headers)s", headers=enumeration(ALIASES_OF[column.key])))
    return " ".join(notes)


def write_accounts(accounts: Sequence[dict[str, str]]) -> bytes:
    """The initial passwords of the accounts an import created, handed over once."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Accounts")))
    headers = (
        ("code", _("Personnel code"), 14),
        ("name", _("Name"), 12),
        ("username", _("Username"), 16),
        ("password", _("Initial password"), 18),
    )
    excel.column_widths(sheet, [width for _field, _header, width in headers])
    sheet.append(excel.header_cells(sheet, [header for _field, header, _width in headers]))
    for account in accounts:
        row = []
        for key, _header, _width in headers:
            cell = excel.text_cell(sheet, account[key])
            cell.number_format = TEXT_FORMAT
            row.append(cell)
        sheet.append(row)
    sheet.append([])
    note = _("Each account must choose its own password at first sign-in. Keep this file safe.")
    sheet.append([excel.safe(note)])
    return excel.save(workbook)
