"""The printed meeting record 会议记录: counts beside names, reasons beside absentees, 列席 and
guests, the lines to sign at, paper and fonts; and who may download it.

One branch, counted by hand, a branch general meeting on Tuesday 10 March 2026, 14:30–16:00 in
Beijing. Expected (the branch's five Party members): 王明 (chair), 李华, 赵敏 (probationary, late)
present; 张强 on leave (approved request: 出差); 陈静 absent (the secretary's note: 家中有事).
So 应到 5 (正式 4 · 预备 1), 实到 3 (正式 2 · 预备 1), 请假 1, 缺席 1. 孙丽, non-Party staff, is
not expected. 吴刚 of another branch attends as 列席; 王丽 of the district is a guest (a second
guest was removed and is not printed).
"""

from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import make_person, make_unit, make_user
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from flask import Flask
from test_sign_in_sheet import column, in_locale
from test_study import new_session as plain_session

from app.activities import meeting_record
from app.activities.models import (
    AttendanceStatus,
    LeaveState,
    ParticipantRole,
    Participation,
)
from app.activities.services import add_guest, cancel
from app.auth.models import Role, User
from app.extensions import db
from app.people.models import MembershipRole, OrgUnit, PartyStatus, UnitKind
from app.study.models import StudyKind, StudySession
from app.study.services import create_session
from app.types import utcnow

STARTS_AT = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
ENDS_AT = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def branch(app: Flask) -> dict[str, Any]:
    with app.app_context():
        bureau = make_unit("bureau", UnitKind.BUREAU, name="科工信局")
        unit = make_unit("jiguan", UnitKind.BRANCH, bureau, "机关党支部")
        other = make_unit("cujin", UnitKind.BRANCH, bureau, "促进中心党支部")
        make_person("P1", "王明", unit, MembershipRole.SECRETARY)
        make_person("P2", "李华", unit)
        make_person("P3", "赵敏", unit, status=PartyStatus.PROBATIONARY)
        make_person("P4", "张强", unit)
        make_person("P5", "陈静", unit)
        make_person("P6", "孙丽", unit, MembershipRole.STAFF, PartyStatus.MASSES)
        guest = make_person("P7", "吴刚", other, status=PartyStatus.ACTIVIST)
        make_user("secretary", Role.SECRETARY, units=[unit])
        db.session.commit()
        return {"unit": unit.id, "guest": guest.id}


def _mark(session: StudySession, name: str, status: AttendanceStatus, **values: Any) -> None:
    row = next(row for row in session.participations if row.person.name == name)
    row.status, row.confirmed = status, True
    for key, value in values.items():
        setattr(row, key, value)


def meeting(app: Flask, branch: dict[str, Any], **values: Any) -> StudySession:
    """A branch general meeting on 10 March 2026, in an English request context."""
    session = create_session(
        {
            "title": "学习贯彻全会精神",
            "kind": StudyKind.GENERAL_MEETING,
            "unit": db.session.get(OrgUnit, branch["unit"]),
            "starts_at": STARTS_AT,
            "ends_at": ENDS_AT,
            "late_reason": "Entered from the paper record.",
            **values,
        },
        db.session.scalar(sa.select(User)),
    )
    db.session.flush()
    return session


def held_meeting(app: Flask, branch: dict[str, Any]) -> int:
    with in_locale(app, "en"):
        session = meeting(
            app,
            branch,
            place="三楼会议室",
            chair_name="王明",
            minute_taker_name="赵敏",
            topics="传达学习全会精神\n讨论年度工作计划",
            minutes="王明同志领学全会公报。",
            resolutions="通过年度工作计划。",
        )
        _mark(session, "王明", AttendanceStatus.PRESENT)
        _mark(session, "李华", AttendanceStatus.PRESENT)
        _mark(session, "赵敏", AttendanceStatus.LATE)
        _mark(
            session,
            "张强",
            AttendanceStatus.LEAVE,
            leave_state=LeaveState.APPROVED,
            leave_reason="出差",
        )
        _mark(session, "陈静", AttendanceStatus.ABSENT, absence_reason="家中有事")
        db.session.add(
            Participation(
                activity=session,
                person_id=branch["guest"],
                role=ParticipantRole.NON_VOTING,
                status=AttendanceStatus.PRESENT,
                confirmed=True,
            )
        )
        add_guest(session, "王丽", "区委组织部")
        add_guest(session, "李四", None).deleted_at = utcnow()
        db.session.commit()
        return session.id


def record(app: Flask, session_id: int, locale: str = "zh_CN") -> Any:
    """The record as python-docx reads it back."""
    with in_locale(app, locale):
        return Document(BytesIO(meeting_record.build(db.session.get(StudySession, session_id))))


def text_of(doc: Any) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def attendance(doc: Any) -> dict[str, tuple[str, str]]:
    """The attendance table as {group: (headcount, names)}."""
    return {
        row.cells[0].text: (row.cells[1].text, row.cells[2].text) for row in doc.tables[0].rows[1:]
    }


def test_counts_and_names_of_each_group(app: Flask, branch: dict) -> None:
    doc = record(app, held_meeting(app, branch))

    assert attendance(doc) == {
        "应到": ("5（正式 4 · 预备 1）", "陈静、李华、王明、张强、赵敏"),  # in pinyin order
        "实到（含迟到）": ("3（正式 2 · 预备 1）", "李华、王明、赵敏"),
        "请假": ("1", "张强（出差）"),
        "缺席": ("1", "陈静（家中有事）"),
    }
    assert "孙丽" not in text_of(doc) + str(attendance(doc))


def test_non_voting_attendees_and_guests_have_their_own_tables(app: Flask, branch: dict) -> None:
    doc = record(app, held_meeting(app, branch))

    _counts, non_voting, guests = doc.tables
    assert column(non_voting, 1) == ["吴刚"]
    assert column(non_voting, 3) == ["入党积极分子"]
    assert column(guests, 1) == ["王丽"]  # the removed guest is not printed
    assert column(guests, 2) == ["区委组织部"]
    assert "李四" not in column(guests, 1)
    assert "列席人员" in text_of(doc) and "来宾" in text_of(doc)


def test_facts_proceedings_and_signature_lines(app: Flask, branch: dict) -> None:
    doc = record(app, held_meeting(app, branch))

    text = text_of(doc)
    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[0].text == "科工信局会议记录"
    for line in (
        "标题：学习贯彻全会精神",
        "类型：支部党员大会",
        "所属组织：机关党支部",
        "地点：三楼会议室",
        "主持人：王明",
        "记录人：赵敏",
        "14:30–16:00",
        "议题",
        "传达学习全会精神",
        "讨论年度工作计划",
        "王明同志领学全会公报。",
        "通过年度工作计划。",
    ):
        assert line in text, line
    signatures = [p.text for p in doc.paragraphs if "签字" in p.text]
    assert len(signatures) == 1
    assert "主持人签字" in signatures[0] and "记录人签字" in signatures[0]
    assert "已取消" not in text


def test_english_record(app: Flask, branch: dict) -> None:
    doc = record(app, held_meeting(app, branch), "en")

    text = text_of(doc)
    assert "Chair's signature" in text and "Minute-taker's signature" in text
    assert "March 10, 2026 14:30–16:00" in text
    assert attendance(doc)["On leave"] == ("1", "张强 (出差)")
    assert attendance(doc)["Expected"][1] == "陈静, 李华, 王明, 张强, 赵敏"


def test_page_is_a4_with_chinese_fonts(app: Flask, branch: dict) -> None:
    doc = record(app, held_meeting(app, branch))

    section = doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    for name in ("Title", "Heading 1", "Heading 2"):
        assert doc.styles[name].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体", name


def test_a_cancelled_meeting_says_so_and_why(app: Flask, branch: dict) -> None:
    with in_locale(app, "en"):
        session = meeting(app, branch, title="三月党员大会")
        cancel(session, "改期至下周")
        db.session.commit()
        session_id = session.id
    doc = record(app, session_id)

    assert "已取消：改期至下周" in text_of(doc)
    assert "应到" not in [row.cells[0].text for table in doc.tables for row in table.rows]


def test_filename_like_the_sign_in_sheet(app: Flask, branch: dict) -> None:
    session_id = held_meeting(app, branch)
    with in_locale(app, "zh_CN"):
        name = meeting_record.filename(db.session.get(StudySession, session_id))
    assert name == "会议记录-2026-03-10-学习贯彻全会精神.docx"


def test_download_and_access(app, client, auth, world) -> None:
    session_id = plain_session(app, timedelta(days=-1))
    url = f"/activities/{session_id}/meeting-record.docx"
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    assert "/auth/login" in client.get(url).headers["Location"]
    auth.login("secretary")
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    doc = Document(BytesIO(response.data))
    assert doc.paragraphs[0].style.name == "Title"
    # Nobody is marked yet: the record lists them as unmarked, not as absent.
    groups = attendance(doc)
    assert groups["Unmarked"][0] == groups["Expected"][0].split(" (")[0] != "0"
    assert groups["Unmarked"][1] == groups["Expected"][1]
    assert groups["Absent"] == ("0", "")
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    assert f'href="{url}" hx-boost="false"' in page
    auth.logout()
    auth.login("member")
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login("secretary2")
    assert client.get(url).status_code == 404
