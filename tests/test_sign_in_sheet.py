"""The printed sign-in sheet: who is listed, in which order, with which status, on which paper and
in which fonts; and the check-in QR code drawn without inline styles.

One branch, counted by hand, session on Tuesday 10 March 2026, 14:30–16:00 in Beijing:
- expected (Party members of the branch): 李华 (Finance, regularised after the date → 预备),
  王明 and 赵敏 (Office; 赵敏 probationary), 张强 (no department, regularised before → 正式);
- 孙丽, non-Party staff of the branch: not expected at a general meeting, expected at a fixed
  study day; 周杰 of another branch: never expected; 吴刚, an activist, attends as 列席.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import make_person, make_unit, make_user
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from flask import Flask
from flask_babel import force_locale

from app.activities import sign_in_sheet
from app.activities.checkin import qr_svg
from app.activities.models import ParticipantRole, Participation
from app.auth.models import Role, User
from app.extensions import db
from app.people.models import Department, MembershipRole, OrgUnit, PartyStatus, UnitKind
from app.study.models import StudyKind, StudySession
from app.study.services import create_session

STARTS_AT = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
ENDS_AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
EXPECTED_ORDER = ["李华", "王明", "赵敏", "张强"]


@contextmanager
def in_locale(app: Flask, locale: str) -> Iterator[None]:
    with app.test_request_context(), force_locale(locale):
        yield


@pytest.fixture
def branch(app: Flask) -> dict[str, Any]:
    with app.app_context():
        bureau = make_unit("bureau", UnitKind.BUREAU, name="科工信局")
        unit = make_unit("jiguan", UnitKind.BRANCH, bureau, "机关党支部")
        other = make_unit("cujin", UnitKind.BRANCH, bureau, "促进中心党支部")
        finance = Department(name="财务科", sort_order=1)
        office = Department(name="办公室", sort_order=2)
        db.session.add_all([finance, office])
        make_person("P1", "王明", unit, MembershipRole.SECRETARY, department=office)
        late = make_person("P2", "李华", unit, department=finance)
        late.joined_on, late.regularised_on = date(2025, 5, 1), date(2026, 5, 1)
        early = make_person("P3", "张强", unit)
        early.joined_on, early.regularised_on = date(2025, 1, 15), date(2026, 1, 15)
        make_person("P4", "赵敏", unit, status=PartyStatus.PROBATIONARY, department=office)
        make_person("P5", "孙丽", unit, MembershipRole.STAFF, PartyStatus.MASSES, department=office)
        make_person("P6", "周杰", other)
        guest = make_person("P7", "吴刚", other, status=PartyStatus.ACTIVIST)
        make_user("secretary", Role.SECRETARY, units=[unit])
        db.session.commit()
        return {"unit": unit.id, "guest": guest.id}


def new_session(app: Flask, branch: dict[str, Any], kind: StudyKind, **values: Any) -> int:
    with in_locale(app, "en"):
        unit = db.session.get(OrgUnit, branch["unit"])
        session = create_session(
            {
                "title": "学习贯彻全会精神",
                "kind": kind,
                "unit": unit,
                "starts_at": STARTS_AT,
                "ends_at": ENDS_AT,
                "place": "三楼会议室",
                "chair_name": "王明",
                "minute_taker_name": "赵敏",
                "late_reason": "Entered from the paper record.",
                **values,
            },
            db.session.scalar(sa.select(User)),
        )
        db.session.flush()
        db.session.add(
            Participation(
                activity=session, person_id=branch["guest"], role=ParticipantRole.NON_VOTING
            )
        )
        db.session.commit()
        return session.id


def sheet(app: Flask, session_id: int, locale: str = "zh_CN") -> Any:
    with in_locale(app, locale):
        data = sign_in_sheet.build(db.session.get(StudySession, session_id))
    return Document(BytesIO(data))


def column(table: Any, index: int) -> list[str]:
    return [row.cells[index].text for row in table.rows[1:]]


def test_lists_exactly_the_expected_people_in_roster_order(app: Flask, branch: dict) -> None:
    session_id = new_session(app, branch, StudyKind.GENERAL_MEETING)
    doc = sheet(app, session_id)

    people, non_voting = doc.tables
    assert column(people, 1) == EXPECTED_ORDER
    assert column(people, 0) == ["1", "2", "3", "4"]
    assert column(people, 2) == ["财务科", "办公室", "办公室", ""]
    assert column(people, 4) == [""] * 4
    assert column(non_voting, 1) == ["吴刚"]
    assert column(non_voting, 3) == ["入党积极分子"]
    # The header row repeats on every page; rows stay whole for the signatures.
    assert people.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert people.rows[1].height >= Cm(1)


def test_party_status_is_the_status_on_the_session_date(app: Flask, branch: dict) -> None:
    doc = sheet(app, new_session(app, branch, StudyKind.GENERAL_MEETING))

    statuses = dict(zip(column(doc.tables[0], 1), column(doc.tables[0], 3), strict=True))
    assert statuses == {
        "李华": "预备党员",
        "王明": "正式党员",
        "赵敏": "预备党员",
        "张强": "正式党员",
    }


def test_fixed_study_day_lists_staff_with_their_status(app: Flask, branch: dict) -> None:
    doc = sheet(app, new_session(app, branch, StudyKind.FIXED_STUDY_DAY))

    statuses = dict(zip(column(doc.tables[0], 1), column(doc.tables[0], 3), strict=True))
    assert statuses["孙丽"] == "群众"
    assert "周杰" not in statuses
    assert len(statuses) == 5


def test_page_is_a4_portrait_with_chinese_fonts(app: Flask, branch: dict) -> None:
    doc = sheet(app, new_session(app, branch, StudyKind.GENERAL_MEETING))

    section = doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体"
    for name in ("Title", "Heading 1", "Heading 2"):
        fonts = doc.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name
        assert fonts.get(qn("w:eastAsia")) == "黑体", name
    # No theme reference left anywhere that could override the explicit names.
    assert not doc.styles.element.xpath(".//w:rFonts[@w:eastAsiaTheme or @w:asciiTheme]")


def test_heading_and_facts(app: Flask, branch: dict) -> None:
    doc = sheet(app, new_session(app, branch, StudyKind.PARTY_LECTURE, lecturer_name="王明"), "en")

    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].style.name == "Title"
    assert "科工信局" in doc.paragraphs[0].text
    assert doc.paragraphs[1].text == "学习贯彻全会精神"
    assert "Party lecture" in text
    assert "机关党支部" in text
    assert "March 10, 2026 14:30–16:00" in text  # in Beijing time, not UTC
    assert "三楼会议室" in text
    assert "Lecturer: 王明" in text
    assert "Chair's signature" in text and "Minute-taker's signature" in text
    assert column(doc.tables[0], 3)[0] == "Probationary member"


def test_no_non_voting_table_without_non_voting_attendees(app: Flask, branch: dict) -> None:
    session_id = new_session(app, branch, StudyKind.GENERAL_MEETING)
    with app.app_context():
        row = db.session.scalar(
            sa.select(Participation).where(Participation.role == ParticipantRole.NON_VOTING)
        )
        db.session.delete(row)
        db.session.commit()
    assert len(sheet(app, session_id).tables) == 1


def test_filename_carries_the_date_and_a_safe_title(app: Flask, branch: dict) -> None:
    session_id = new_session(app, branch, StudyKind.GENERAL_MEETING, title=' 会议/记录: "三" ? ')
    with in_locale(app, "en"):
        name = sign_in_sheet.filename(db.session.get(StudySession, session_id))
    assert name == "Sign-in sheet-2026-03-10-会议 记录 三.docx"
    assert not set('/\\:*?"<>|') & set(name)


def test_qr_svg_is_inline_svg_without_styles(app: Flask) -> None:
    with in_locale(app, "en"):
        svg = str(qr_svg("https://ledger.example/check-in/12?t=123.abc&x=1"))
    assert svg.startswith("<svg")
    assert "style=" not in svg
    assert 'class="qr-code"' in svg and "viewBox=" in svg
    assert 'role="img"' in svg and "<title>" in svg
    assert "ledger.example" not in svg


def test_guests_sign_in_on_their_own_table(app: Flask, branch: dict) -> None:
    from app.activities.services import add_guest

    session_id = new_session(app, branch, StudyKind.GENERAL_MEETING)
    with app.app_context():
        add_guest(db.session.get(StudySession, session_id), "王丽", "区委组织部")
        db.session.commit()
    people, non_voting, guests = sheet(app, session_id).tables
    assert column(guests, 1) == ["王丽"] and column(guests, 2) == ["区委组织部"]
    assert "王丽" not in column(people, 1) + column(non_voting, 1)


def test_within_a_department_names_read_in_pinyin_order(app: Flask, branch: dict) -> None:
    """The department order stays first (财务科 before 办公室 whatever the names); inside 办公室
    李 单 (Shàn) 王 张 赵, where code points would give 单 张 李 王 赵."""
    with app.app_context():
        unit = db.session.get(OrgUnit, branch["unit"])
        office = db.session.scalar(sa.select(Department).where(Department.name == "办公室"))
        for code, name in (("P8", "张伟"), ("P9", "单雄信"), ("P10", "李明"), ("P11", "艾青")):
            make_person(code, name, unit, department=office)
        db.session.commit()
    doc = sheet(app, new_session(app, branch, StudyKind.GENERAL_MEETING))

    assert column(doc.tables[0], 1) == [
        "李华",  # 财务科
        "艾青",  # 办公室
        "李明",
        "单雄信",
        "王明",
        "张伟",
        "赵敏",
        "张强",  # no department
    ]
