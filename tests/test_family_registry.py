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

from app.activities import families, tally
from app.activities.families import Family
from app.activities.models import ActivityFamily, AttendanceStatus
from app.auth.models import Role, User
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
        # The maintained figures hold each activity's part as the provider said when it was
        # written: a provider changed in code is taken up when the tally is rebuilt.
        assert figures.monthly(None, first, 1)[0][1].activities == 1
        tally.refresh_all(db.session.connection())
        assert figures.monthly(None, first, 1)[0][1].activities == 0

        # The meeting now counts through the second provider alone, with the hours it credits.
        second = FigureProvider(ActivityFamily.STUDY, in_attendance=everything, hours=its_hours)
        monkeypatch.setitem(figures._providers, FAKE, second)
        assert _year(person) == mine
        assert "fake in_attendance" in asked and "fake hours" in asked
        tally.refresh_all(db.session.connection())
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
        # Before the integrity part (38) and the logs (40).
        assert titles[study + 1] == "Fake part"
        assert titles.index("Integrity activities") < titles.index("Approved logs")
    auth.login("member")
    html = client.get(f"/members/{world['member_person']}/record?year={year}").get_data(
        as_text=True
    )
    assert f"<section id='fake-part'>{year}</section>" in html
    assert html.index('id="sessions-heading"') < html.index("fake-part")
    assert html.index("fake-part") < html.index('id="logs-heading"')


@pytest.fixture
def linked_family(app, monkeypatch, second_family) -> list[tuple[str, str]]:
    """The second family with a calendar, a list by unit, a member's list, a member's panel and a
    section of the person's page; returns who its section was loaded for (person, viewer)."""
    loaded: list[tuple[str, str]] = []

    def load(person: Person, viewer: User) -> dict[str, Any]:
        loaded.append((person.name, viewer.username))
        return {"name": person.name}

    fake = replace(
        second_family,
        index_by_unit=True,
        mine_label="All my fake activities",
        calendar_endpoint="review.index",
        calendar_label="Fake calendar",
        dashboard_panels={Role.MEMBER: ("fake/_mine.html",), Role.ADMIN: ("fake/_work.html",)},
        person_sections=(families.PersonSection(20, "fake/_person.html", load),),
    )
    monkeypatch.setitem(families._families, FAKE, fake)
    partials = DictLoader(
        {
            "fake/_mine.html": "<p id='fake-mine'>{{ mine.year }}</p>",
            "fake/_work.html": "<p id='fake-work'>{{ work.tally.all }}</p>",
            "fake/_person.html": "<section id='fake-section'>{{ section.name }}</section>",
        }
    )
    monkeypatch.setattr(app.jinja_env, "loader", ChoiceLoader([partials, app.jinja_env.loader]))
    return loaded


MINE_LINKS = [
    '<a class="small" href="/study/">All my sessions</a>',
    '<a class="small" href="/logs/">All my fake activities</a>',
]
CALENDARS = [
    '<a class="small" href="/study/calendar">Calendar</a>',
    '<a class="small" href="/review/">Fake calendar</a>',
]


@pytest.mark.parametrize(
    ("username", "shown", "hidden"),
    [
        # The admin has no record of their own: no member's panel nor list of theirs.
        ("admin", [*CALENDARS, "<p id='fake-work'>"], ["fake-mine", "All my"]),
        # A secretary linked to a person: their role's panels (study's) and their record's.
        ("secretary", [*CALENDARS, *MINE_LINKS, "fake-mine", 'id="unarchived-heading"'], []),
        ("member", [*MINE_LINKS, f"<p id='fake-mine'>{local_today().year}</p>"], CALENDARS),
    ],
)
def test_the_dashboard_shows_each_familys_links_and_the_panels_of_the_role(
    client, auth, world, linked_family, username, shown, hidden
):
    auth.login(username)
    html = client.get("/").get_data(as_text=True)
    assert [part for part in shown if part not in html] == []
    assert [part for part in hidden if part in html] == []
    assert ("fake-work" in html) is (username == "admin")  # the admin's panel is theirs only


def test_the_table_of_units_links_each_familys_list_of_the_unit(client, auth, world, linked_family):
    auth.login("admin")
    html = client.get("/").get_data(as_text=True)
    jiguan = world["jiguan"]
    row = f'<a href="/study/?unit={jiguan}">Jiguan branch</a>'
    integrity = f'<a class="small" href="/integrity/?unit={jiguan}">Integrity</a>'
    fake = f'<a class="small" href="/logs/?unit={jiguan}">Fake activities</a>'
    assert f"{row} {integrity} {fake}" in html


def test_the_person_page_shows_each_familys_sections_in_order(
    client, auth, world, meeting, linked_family
):
    auth.login("secretary")
    html = client.get(f"/members/{world['member_person']}").get_data(as_text=True)
    assert "<section id='fake-section'>Member J</section>" in html
    assert html.index('id="owed-heading"') < html.index("fake-section")  # study's at 10, 20
    assert linked_family == [("Member J", "secretary")]


def test_without_study_registered_the_dashboard_and_person_page_name_no_study_page(
    client, auth, world, monkeypatch
):
    monkeypatch.delitem(families._families, ActivityFamily.STUDY)
    # Nor integrity's list by unit: the table's names would link to it instead.
    monkeypatch.delitem(families._families, ActivityFamily.INTEGRITY)
    for username in ("admin", "member"):
        auth.login(username)
        html = client.get("/").get_data(as_text=True)
        assert "/study/" not in html
        assert "All my sessions" not in html
        if username == "admin":  # the table of units names each unit without a link
            assert re.search(r'data-label="Unit" class="unit-depth-1">\s*Jiguan branch\s', html)
        auth.logout()
    auth.login("secretary")
    page = client.get(f"/members/{world['member_person']}").get_data(as_text=True)
    assert 'id="owed-heading"' not in page and "Member J" in page


def test_the_person_page_statements_do_not_grow_with_what_is_owed(
    app, client, auth, world, queries
):
    """Study's section loads what is owed in one statement, however much is owed."""
    yesterday = local_today() - timedelta(days=1)

    def owed(count: int) -> None:
        with app.app_context():
            secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
            for number in range(count):
                start = datetime.combine(yesterday, time(8 + number), tzinfo=UTC)
                session = create_session(
                    {
                        "title": f"Session {number}",
                        "kind": StudyKind.GENERAL_MEETING,
                        "unit": db.session.get(OrgUnit, world["jiguan"]),
                        "starts_at": start,
                        "ends_at": start + timedelta(minutes=30),
                    },
                    secretary,
                )
                db.session.flush()
                for row in session.participations:
                    if row.person_id == world["member_person"]:
                        row.status = AttendanceStatus.ABSENT
            db.session.commit()

    auth.login("secretary")
    url = f"/members/{world['member_person']}"
    owed(1)
    with queries() as one:
        first = client.get(url).get_data(as_text=True)
    owed(3)
    with queries() as four:
        again = client.get(url).get_data(as_text=True)
    assert first.count("Session ") == 1 and again.count("Session ") == 4
    assert four.count == one.count
