"""The personal annual study record 个人年度学习档案: the page and the Word document, against a year
counted by hand, who may open it, and a query count that does not grow with the year's length.

``member`` (Member J, jiguan branch) in 2025, every session a branch general meeting of jiguan:
  S1 学习党章 14 March, 2 h        present, with a reflection      → 2.0 h
  S2 主题党日 11 April, 1 h 30     late (late counts as present)   → 1.5 h
  S3 专题学习 13 June, 2 h         absent, make-up confirmed       → 2.0 h (make-up)
  S4 组织生活会 12 September, 2 h  on leave, nothing handed in     → 0, make-up owed
  cancelled 10 October: counts nowhere, not listed; a 2024 session: not in 2025
Logs: training 3.0 h approved (study), training 5.0 h returned (nowhere), volunteer 4.0 h approved
(volunteer hours, apart), a 2024 training log approved (not in 2025).

  应到 4 · 实到 2 · 请假 1 · 缺席 1 · make-ups 1 · owed 1
  出席率 2/4 = 50.0% · 参学率 (2 + 1)/4 = 75.0%
  学时 = sessions 3.5 + make-ups 2.0 + logs 3.0 = 8.5 of the member's target 32.0 (23.5 short)
  volunteer hours 4.0
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import csrf_token, make_person
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from flask import Flask

from app.activities import services
from app.activities.models import AttendanceStatus, Participation
from app.auth.models import User
from app.extensions import db
from app.logs import services as logs
from app.logs.models import LogKind
from app.people.models import OrgUnit, Person
from app.reports import personal_record
from app.study.models import StudyKind, StudySession
from app.study.services import create_session

YEAR = 2025
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@contextmanager
def english(app: Flask) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def utc(day: date, hour: int = 1) -> datetime:
    """09:00 in Beijing on that day."""
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def add_session(title: str, day: date, hours: float = 2.0) -> StudySession:
    secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
    jiguan = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "jiguan"))
    session = create_session(
        {
            "title": title,
            "kind": StudyKind.GENERAL_MEETING,
            "unit": jiguan,
            "starts_at": utc(day),
            "ends_at": utc(day) + timedelta(hours=hours),
            "late_reason": "Entered from the paper record.",
        },
        secretary,
    )
    db.session.flush()
    return session


def row_of(session: StudySession, person_id: int) -> Participation:
    return next(row for row in session.participations if row.person_id == person_id)


def add_log(person: Person, kind: LogKind, day: date, hours: str, title: str, approve: bool):
    secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
    log = logs.submit(
        person, {"kind": kind, "done_on": day, "hours": Decimal(hours), "title": title}
    )
    db.session.flush()
    logs.review(log, approve, None if approve else "No certificate.", secretary)
    return log


@pytest.fixture
def year(app: Flask, world: dict) -> dict[str, Any]:
    with english(app):
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        member = db.session.get(Person, world["member_person"])
        mid = member.id

        s1 = add_session("学习党章", date(2025, 3, 14))
        services.mark(row_of(s1, mid), AttendanceStatus.PRESENT, secretary)
        services.write_reflection(row_of(s1, mid), "Read the constitution again.\nTwo lessons.")

        s2 = add_session("主题党日", date(2025, 4, 11), hours=1.5)
        services.mark(row_of(s2, mid), AttendanceStatus.LATE, secretary)

        s3 = add_session("专题学习", date(2025, 6, 13))
        services.mark(row_of(s3, mid), AttendanceStatus.ABSENT, secretary)
        services.submit_make_up(row_of(s3, mid), "Read the materials and wrote notes.")
        services.review_make_up(row_of(s3, mid), True, None, secretary)

        s4 = add_session("组织生活会", date(2025, 9, 12))
        services.request_leave(row_of(s4, mid), "Travelling", now=utc(date(2025, 9, 11)))
        services.decide_leave(row_of(s4, mid), True, secretary)

        cancelled = add_session("Cancelled meeting", date(2025, 10, 10))
        services.cancel(cancelled, "Typhoon")
        last_year = add_session("Last year's meeting", date(2024, 12, 13))
        services.mark(row_of(last_year, mid), AttendanceStatus.PRESENT, secretary)

        add_log(member, LogKind.TRAINING, date(2025, 5, 20), "3.0", "Online course", True)
        add_log(member, LogKind.TRAINING, date(2025, 5, 21), "5.0", "Unproven course", False)
        add_log(member, LogKind.VOLUNTEER, date(2025, 7, 1), "4.0", "Community service", True)
        add_log(member, LogKind.TRAINING, date(2024, 11, 1), "2.0", "Old course", True)
        db.session.commit()
    return {**world, "member": mid}


def sign_in(client, username: str) -> None:
    from conftest import PASSWORD, csrf_token

    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, username


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1).strip()


def test_page_shows_the_year_counted_by_hand(client, year) -> None:
    sign_in(client, "member")
    response = client.get(f"/members/{year['member']}/record?year={YEAR}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    assert {name: figure(html, name) for name in FIGURES} == FIGURES
    assert "23.5 hours short" in html
    for title in ("学习党章", "主题党日", "专题学习", "组织生活会"):
        assert title in html
    assert "Cancelled meeting" not in html
    assert "Last year&#39;s meeting" not in html and "Last year's meeting" not in html
    # Approved logs only, of the year; the returned one counts nowhere and is not listed.
    assert "Online course" in html and "Community service" in html
    assert "Unproven course" not in html and "Old course" not in html
    assert "Read the constitution again." in html
    assert "Read the materials and wrote notes." in html
    assert "Make-up confirmed" in html and "Owed" in html
    # Drawn without inline styles (CSP): the bar is SVG with presentation attributes.
    assert "style=" not in html
    assert '<rect x="0" y="0" width="26" height="12"' in html  # 8.5 / 32 = 26 %
    assert f'href="/members/{year["member"]}/record.docx?year={YEAR}"' in html
    assert 'hx-boost="false"' in html


FIGURES = {
    "expected": "4",
    "present": "2",
    "leave": "1",
    "absent": "1",
    "unmarked": "0",
    "pending": "0",
    "make_ups": "1",
    "make_ups_owed": "1",
    "attendance_rate": "50.0%",
    "participation_rate": "75.0%",
    "study_hours": "8.5",
    "target": "32.0",
    "target_met": "23.5 hours short",
    "session_hours": "3.5",
    "make_up_hours": "2.0",
    "log_hours": "3.0",
    "volunteer_hours": "4.0",
}


def test_session_lines_agree_with_the_figures(app, year) -> None:
    with english(app):
        person = db.session.get(Person, year["member"])
        record = personal_record.build_record(person, YEAR)
        f = record.figures
        assert [line.status for line in record.sessions] == ["present", "late", "absent", "leave"]
        assert [line.hours for line in record.sessions] == [
            Decimal("2.0"),
            Decimal("1.5"),
            Decimal("2.0"),
            Decimal("0.0"),
        ]
        assert [line.make_up for line in record.sessions] == [None, None, "confirmed", "owed"]
        assert record.session_hours_listed == f.session_hours + f.make_up_hours
        assert f.study_hours == Decimal("8.5") and f.volunteer_hours == Decimal("4.0")
        assert [line.counts_as for line in record.logs] == ["study", "volunteer"]
        assert [line.session.title for line in record.reflections] == ["学习党章"]
        assert [line.session.title for line in record.make_ups] == ["专题学习", "组织生活会"]
        assert record.committee_post is None and record.target == Decimal("32.0")
        assert not record.target_met and record.hours_short == Decimal("23.5")
        assert record.progress == 26
        assert record.units_label == "Jiguan branch (Member)"

        previous = personal_record.build_record(person, YEAR - 1)
        assert [line.session.title for line in previous.sessions] == ["Last year's meeting"]
        assert previous.figures.study_hours == Decimal("4.0")  # 2.0 attended + 2.0 logged


def test_committee_post_has_its_own_target(client, year) -> None:
    sign_in(client, "secretary")
    html = client.get(f"/members/{year['sec_person']}/record?year={YEAR}").get_data(as_text=True)
    assert figure(html, "target") == "56.0"
    assert figure(html, "expected") == "4"  # the secretary was unmarked at all four
    assert figure(html, "attendance_rate") == "0.0%"
    # Unmarked at all four: the parts still add up to the expected.
    assert (figure(html, "unmarked"), figure(html, "pending")) == ("4", "0")


def test_docx_is_a4_with_chinese_fonts_and_the_figures(client, year) -> None:
    sign_in(client, "member")
    response = client.get(f"/members/{year['member']}/record.docx?year={YEAR}")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert 'filename="Personal annual study record-2025-Member J.docx"' in disposition

    doc = Document(BytesIO(response.data))
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    assert abs(section.page_height - Cm(29.7)) < Cm(0.01)
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    for name in ("Title", "Heading 1", "Heading 2"):
        fonts = doc.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == "黑体", name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name

    assert doc.paragraphs[0].style.name == "Title"
    assert doc.paragraphs[0].text == "科工信局 personal study record 2025"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Name: Member J" in text and "Party status: Full member" in text
    assert "Units: Jiguan branch (Member)" in text and "Department: Office" in text
    assert "Read the constitution again." in text and "Two lessons." in text
    assert "Member's signature" in text and "Branch secretary's signature" in text

    attendance, hours, sessions, approved, make_ups = doc.tables
    assert cells(attendance, 1) == ["4", "2", "1", "1", "0", "0", "1", "1", "50.0%", "75.0%"]
    assert cells(hours, 1) == ["3.5", "2.0", "3.0", "8.5", "32.0", "No", "4.0"]
    assert column(sessions, 3) == ["学习党章", "主题党日", "专题学习", "组织生活会"]
    # The reason of the granted leave travels with the mark.
    assert column(sessions, 5) == ["Present", "Late", "Absent", "On leave (Travelling)"]
    assert column(sessions, 7) == ["2.0", "1.5", "2.0", "0.0"]
    assert column(approved, 3) == ["Online course", "Community service"]
    assert column(approved, 5) == ["Study hours", "Volunteer hours"]
    assert column(make_ups, 3) == ["Make-up confirmed", "Owed"]


def cells(table: Any, row: int) -> list[str]:
    return [cell.text for cell in table.rows[row].cells]


def column(table: Any, index: int) -> list[str]:
    return [row.cells[index].text for row in table.rows[1:]]


def test_filename_carries_the_year_and_a_safe_name(app, year) -> None:
    with english(app):
        person = db.session.get(Person, year["member"])
        person.name = ' 张/三: "?" '
        record = personal_record.build_record(person, YEAR)
        name = personal_record.filename(record)
        db.session.rollback()
    assert name == "Personal annual study record-2025-张 三.docx"
    assert not set('/\\:*?"<>|') & set(name)


def test_empty_year_says_so(client, year) -> None:
    sign_in(client, "member")
    html = client.get(f"/members/{year['member']}/record?year=2019").get_data(as_text=True)
    assert "No study session listed Member J in 2019." in html
    assert "No approved logs in 2019." in html
    assert figure(html, "attendance_rate") == "—"
    doc = Document(BytesIO(client.get(f"/members/{year['member']}/record.docx?year=2019").data))
    assert len(doc.tables) == 2  # the figures; every list says "None."
    # Sessions, logs, reflections, make-ups; the integrity part's activities, documents, talks.
    assert sum(p.text == "None." for p in doc.paragraphs) == 7


@pytest.mark.parametrize("raw", ["1899", "2101", "abc", "", "99999999999999"])
def test_year_outside_the_bounds_is_this_year(app, client, year, raw) -> None:
    from app.types import local_today

    with app.app_context():
        this_year = local_today().year
    sign_in(client, "member")
    response = client.get(f"/members/{year['member']}/record?year={raw}")
    assert response.status_code == 200
    assert f"Annual study record {this_year}</h1>" in response.get_data(as_text=True)


def test_person_page_links_to_the_record_and_years_to_each_other(client, year) -> None:
    sign_in(client, "member")
    html = client.get(f"/members/{year['member']}").get_data(as_text=True)
    assert f'href="/members/{year["member"]}/record"' in html
    html = client.get(f"/members/{year['member']}/record?year={YEAR}").get_data(as_text=True)
    assert f'href="/members/{year["member"]}/record?year=2024"' in html  # an earlier year
    assert 'aria-current="page">2025</a>' in html


@pytest.mark.parametrize(
    ("username", "own", "other"),
    [
        ("member", 200, 404),
        ("secretary", 200, 200),
        ("secretary2", 404, 404),
        ("admin", 200, 200),
    ],
)
def test_who_may_open_a_record(client, year, username, own, other) -> None:
    sign_in(client, username)
    for suffix in ("record", "record.docx"):
        url = f"/members/{year['member']}/{suffix}?year={YEAR}"
        assert client.get(url).status_code == own, (suffix, "own")
        url = f"/members/{year['grouped']}/{suffix}?year={YEAR}"
        assert client.get(url).status_code == other, (suffix, "other")


def test_anonymous_is_sent_to_sign_in(client, year) -> None:
    for suffix in ("record", "record.docx"):
        response = client.get(f"/members/{year['member']}/{suffix}")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")


def test_a_secretary_reads_only_their_units_part_of_a_member_who_moved(app, client, year) -> None:
    """A member who came from cujin in July: the jiguan secretary reads the jiguan part only (a
    unit's records are not another's to read); the cujin secretary the cujin part; the member
    and admins all of it."""
    with english(app):
        cujin = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "cujin"))
        jiguan = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "jiguan"))
        mover = make_person("M001", "Mover", cujin, start=date(2020, 1, 1), end=date(2025, 7, 1))
        from app.people.models import Membership, MembershipRole

        db.session.add(
            Membership(
                person=mover, unit=jiguan, role=MembershipRole.MEMBER, start_date=date(2025, 7, 1)
            )
        )
        db.session.flush()
        secretary2 = db.session.scalar(sa.select(User).where(User.username == "secretary2"))
        session = create_session(
            {
                "title": "Cujin meeting",
                "kind": StudyKind.GENERAL_MEETING,
                "unit": cujin,
                "starts_at": utc(date(2025, 5, 9)),
                "ends_at": utc(date(2025, 5, 9)) + timedelta(hours=2),
                "late_reason": "Entered from the paper record.",
            },
            secretary2,
        )
        db.session.flush()
        services.mark(row_of(session, mover.id), AttendanceStatus.PRESENT, secretary2)
        db.session.commit()
        mover_id, session_id = mover.id, session.id
    sign_in(client, "secretary")
    html = client.get(f"/members/{mover_id}/record?year={YEAR}").get_data(as_text=True)
    assert "Cujin meeting" not in html and "Only what took place in your units" in html
    assert figure(html, "expected") == "0"
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, "secretary2")
    html = client.get(f"/members/{mover_id}/record?year={YEAR}").get_data(as_text=True)
    assert "Cujin meeting" in html and f"/study/{session_id}" in html
    assert figure(html, "expected") == "1" and figure(html, "session_hours") == "2.0"
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    sign_in(client, "admin")
    html = client.get(f"/members/{mover_id}/record?year={YEAR}").get_data(as_text=True)
    assert "Cujin meeting" in html and "Only what took place" not in html


def test_query_count_does_not_grow_with_the_year(app, client, year, queries) -> None:
    sign_in(client, "member")
    url = f"/members/{year['member']}/record?year={YEAR}"
    client.get(url)  # warm up: the first request loads the settings and the catalogs
    with queries() as before:
        assert client.get(url).status_code == 200
    with english(app):
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        person = db.session.get(Person, year["member"])
        for month in (1, 2, 5, 7, 8, 11):
            session = add_session(f"Extra {month}", date(2025, month, 3))
            row = row_of(session, person.id)
            services.mark(row, AttendanceStatus.PRESENT, secretary)
            services.write_reflection(row, f"Notes {month}")
            add_log(person, LogKind.SELF_STUDY, date(2025, month, 4), "1.0", f"Book {month}", True)
        db.session.commit()
    with queries() as after:
        html = client.get(url).get_data(as_text=True)
    assert figure(html, "expected") == "10"
    assert after.count == before.count, after.statements
    with queries() as docx:
        assert client.get(url.replace("/record?", "/record.docx?")).status_code == 200
    assert docx.count <= before.count


def test_the_document_is_built_as_plain_data_before_it_is_written(app, year) -> None:
    """What the record says, before any format: the sections the compilation reuses."""
    with english(app):
        person = db.session.get(Person, year["member"])
        record = personal_record.build_record(person, YEAR)
        contents = personal_record.contents(record)
        empty = personal_record.contents(personal_record.build_record(person, 2019))
    assert contents.title == "科工信局 personal study record 2025"
    assert contents.facts[0] == [("Name", "Member J"), ("Party status", "Full member")]
    headings = [section.heading for section in contents.sections]
    assert headings == [
        "Attendance",
        "Study hours",
        "Study sessions",
        "Integrity activities",
        "Signed documents",
        "Integrity talks",
        "Approved logs",
        "Reflections",
        "Make-up study",
    ]
    attendance, hours, sessions, *integrity, logs, reflections, make_ups = contents.sections
    assert all(not section.table.rows for section in integrity)
    assert attendance.table.rows == [["4", "2", "1", "1", "0", "0", "1", "1", "50.0%", "75.0%"]]
    assert hours.table.rows == [["3.5", "2.0", "3.0", "8.5", "32.0", "No", "4.0"]]
    assert [row[0] for row in sessions.table.rows] == ["1", "2", "3", "4"]
    assert sessions.table.numbered and not attendance.table.numbered
    assert [row[5] for row in logs.table.rows] == ["Study hours", "Volunteer hours"]
    assert [p.paragraphs for p in reflections.passages] == [
        ["Read the constitution again.", "Two lessons."]
    ]
    assert [row[3] for row in make_ups.table.rows] == ["Make-up confirmed", "Owed"]
    assert not any(section.empty for section in [attendance, hours, sessions, logs, reflections])
    assert [section.empty for section in empty.sections] == [False, False, *[True] * 7]
