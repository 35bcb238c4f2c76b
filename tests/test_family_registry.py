"""The generic figures, the dashboard and the navigation take each family's part from the
registry: a second family registered here (with fake hooks, no model of its own) is asked for
its part and shows where the registry says, beside study's."""

import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from jinja2 import ChoiceLoader, DictLoader

from app.activities import families
from app.activities.families import Family
from app.activities.models import ActivityFamily, AttendanceStatus
from app.auth.models import User
from app.extensions import db
from app.files.document import Section
from app.people.models import OrgUnit, Person
from app.reports import figures, personal_record
from app.reports.figures import FigureProvider
from app.study.models import StudyKind, StudySession
from app.study.services import create_session
from app.types import local_today

# A second family's place on the registries. Its activities are stood in for by study's rows
# (the family column knows one family only), so its key on the record is study's.
FAKE: Any = "fake"


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def meeting(app, world) -> int:
    """A general meeting of the Jiguan branch yesterday, the member present."""
    yesterday = local_today() - timedelta(days=1)

    def at(hour: int) -> datetime:
        local = datetime.combine(yesterday, time(hour), tzinfo=ZoneInfo("Asia/Shanghai"))
        return local.astimezone(UTC)

    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        session = create_session(
            {
                "title": "General meeting",
                "kind": StudyKind.GENERAL_MEETING,
                "unit": db.session.get(OrgUnit, world["jiguan"]),
                "starts_at": at(9),
                "ends_at": at(11),
            },
            secretary,
        )
        db.session.flush()
        for row in session.participations:
            if row.person_id == world["member_person"]:
                row.status = AttendanceStatus.PRESENT
        db.session.commit()
        return session.id


def _year(person_id: int) -> figures.MemberFigures:
    today = local_today()
    start, end = today - timedelta(days=40), today + timedelta(days=1)
    return figures.member_figures([person_id], start, end)[person_id]


def test_member_figures_take_each_provider_part(app, world, meeting, monkeypatch):
    asked: list[str] = []

    def everything() -> sa.ColumnElement[bool]:
        asked.append("fake in_attendance")
        return sa.true()

    def its_hours() -> sa.Column[Decimal]:
        asked.append("fake hours")
        return StudySession.__table__.c.study_hours

    with app.app_context():
        person = world["member_person"]
        mine = _year(person)
        assert (mine.expected, mine.present) == (1, 1)
        hours = db.session.get(StudySession, meeting).study_hours
        assert hours > 0 and mine.session_hours == hours
        first = (local_today() - timedelta(days=1)).replace(day=1)  # the meeting's month
        month = figures.monthly(None, first, 1)
        assert month[0][1].activities == 1

        study = figures._providers[ActivityFamily.STUDY]
        monkeypatch.setitem(
            figures._providers, ActivityFamily.STUDY, replace(study, in_attendance=sa.false)
        )
        emptied = _year(person)
        assert (emptied.expected, emptied.present, emptied.session_hours) == (0, 0, 0)
        assert figures.monthly(None, first, 1)[0][1].activities == 0

        # The meeting now counts through the second provider alone, with the hours it credits.
        second = FigureProvider(ActivityFamily.STUDY, in_attendance=everything, hours=its_hours)
        monkeypatch.setitem(figures._providers, FAKE, second)
        assert _year(person) == mine
        assert "fake in_attendance" in asked and "fake hours" in asked
        assert figures.monthly(None, first, 1) == month


@pytest.fixture
def second_family(app, monkeypatch) -> Family:
    """A second family on the registry: a navigation entry and a dashboard panel of its own."""
    fake = Family(
        key=ActivityFamily.STUDY,
        model=StudySession,
        label="Fake activity",
        show_endpoint="study.show",
        show_arg="session_id",
        index_endpoint="logs.index",
        index_label="Fake activities",
        navigation=True,
        dashboard_panels=("fake/_panel.html",),
    )
    monkeypatch.setitem(families._families, FAKE, fake)
    panel = DictLoader({"fake/_panel.html": "<p id='fake-panel'>{{ work.tally.all }} fake</p>"})
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([panel, app.jinja_env.loader]))
    return fake


def test_dashboard_and_navigation_show_every_family(
    app, client, auth, world, meeting, second_family
):
    auth.login("secretary")
    html = client.get("/").get_data(as_text=True)
    assert re.search(r"<p id='fake-panel'>\d+ fake</p>", html)  # reads the generic tally
    assert 'id="unarchived-heading"' in html  # study's panel stays
    assert html.count("Fake activities") == 2  # the navigation and "Go to"
    assert html.index("Study sessions") < html.index("Fake activities")


def test_without_study_panel_the_dashboard_shows_none(app, client, auth, world, monkeypatch):
    study = families.family_for(ActivityFamily.STUDY)
    monkeypatch.setitem(
        families._families,
        ActivityFamily.STUDY,
        replace(study, dashboard_panels=(), navigation=False),
    )
    auth.login("secretary")
    html = client.get("/").get_data(as_text=True)
    assert 'id="unarchived-heading"' not in html
    assert 'href="/study/"' not in html.split("<main", 1)[0]  # no navigation entry


def test_a_family_part_of_the_personal_record_is_shown_and_printed(
    app, client, auth, world, meeting, monkeypatch
):
    """A second family's part comes at its place, on the page and in the printed sections."""
    part = personal_record.RecordPart(
        35, lambda record: [Section("Fake part", passages=[])], "fake/_record.html"
    )
    monkeypatch.setattr(personal_record, "_parts", [*personal_record._parts])
    personal_record.register_part(part)
    fake = DictLoader({"fake/_record.html": "<section id='fake-part'>{{ record.year }}</section>"})
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([fake, app.jinja_env.loader]))
    year = local_today().year
    with app.test_request_context(headers={"Accept-Language": "en"}):
        person = db.session.get(Person, world["member_person"])
        record = personal_record.build_record(person, year)
        titles = [section.heading for section in personal_record.contents(record).sections]
        study = titles.index("Study sessions")
        assert titles[study + 1 : study + 3] == ["Fake part", "Approved logs"]
    auth.login("member")
    html = client.get(f"/members/{world['member_person']}/record?year={year}").get_data(
        as_text=True
    )
    assert f"<section id='fake-part'>{year}</section>" in html
    assert html.index('id="sessions-heading"') < html.index("fake-part")
    assert html.index("fake-part") < html.index('id="logs-heading"')
