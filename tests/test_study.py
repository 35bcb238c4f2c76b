"""Study sessions over HTTP: creating and editing, the list and its filters, study hours and the
quorum, as the people who use them do it. What every activity does (the grid, check-in, leave,
make-up, archiving) is specified in test_activities.py for every family."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from activity_helpers import BOOSTED, HX, counts, post
from conftest import make_person, make_unit, sqlite_plan, unlimited_unit_loads

from app.activities.forms import to_utc
from app.activities.models import (
    Activity,
)
from app.auth.models import User
from app.extensions import db
from app.people.models import OrgUnit, UnitKind
from app.people.unit_picker import SELECT_LIMIT
from app.study.models import StudyKind, StudySession
from app.study.services import create_session
from app.types import local_today, utcnow


def new_session(
    app,
    start_in: timedelta,
    hours: float = 2,
    kind=StudyKind.GENERAL_MEETING,
    unit="jiguan",
    title="Branch meeting",
) -> int:
    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        start = utcnow() + start_in
        session = create_session(
            {
                "title": title,
                "kind": kind,
                "unit": db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == unit)),
                "starts_at": start,
                "ends_at": start + timedelta(hours=hours),
                "late_reason": "paper record",
            },
            secretary,
        )
        db.session.commit()
        return session.id


def form_data(**changes: str) -> dict:
    data = {
        "title": "学习党章",
        "kind": "general_meeting",
        "day": (utcnow() + timedelta(days=2)).date().isoformat(),
        "start": "09:00",
        "end": "10:45",
        "place": "Room 3",
        "chair": "Secretary J (J001)",
        "minute_taker": "Member J (J002)",
        "lecturer": "An outside expert",
    }
    data.update(changes)
    return data


def test_secretary_creates_a_session_with_the_expected_list(app, client, auth, world):
    auth.login("secretary")
    response = post(client, "/study/new", {**form_data(), "unit_id": str(world["jiguan"])})
    assert response.status_code == 303
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        session = db.session.get(StudySession, session_id)
        assert session.study_hours == pytest.approx(2.0)  # 1 h 45 min → 2.0
        assert session.chair_id == world["sec_person"]
        assert session.minute_taker_id == world["member_person"]
        assert session.lecturer_id is None and session.lecturer_name == "An outside expert"
        listed = {row.person_id for row in session.participations}
        # Everyone in the branch and its 党小组 on that date; not the other branch.
        assert listed == {world["sec_person"], world["member_person"], world["grouped"]}
        assert not session.late_entry
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    assert "Grouped J" in page and "Member C" not in page


def test_a_late_entry_needs_a_reason_and_is_flagged(app, client, auth, world):
    auth.login("secretary")
    old_day = (utcnow() - timedelta(days=20)).date().isoformat()
    data = {**form_data(day=old_day), "unit_id": str(world["jiguan"])}
    refused = post(client, "/study/new", data)
    assert refused.status_code == 422
    assert "reason for the late entry" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0
    accepted = post(client, "/study/new", {**data, "late_reason": "Paper meeting, entered later"})
    assert accepted.status_code == 303
    listing = client.get("/study/").get_data(as_text=True)
    assert "Late entry" in listing


def test_invalid_times_are_refused_and_nothing_is_saved(app, client, auth, world):
    auth.login("secretary")
    response = post(
        client, "/study/new", {**form_data(end="08:00"), "unit_id": str(world["jiguan"])}
    )
    assert response.status_code == 422
    assert "The end must come after the start." in response.get_data(as_text=True)
    response = post(client, "/study/new", {**form_data(), "unit_id": str(world["cujin"])})
    assert response.status_code == 422  # not one of the secretary's units: not offered
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


def test_list_filters_in_three_modes(app, client, auth, world):
    meeting = new_session(app, timedelta(days=-3), title="Held meeting")
    new_session(app, timedelta(days=3), kind=StudyKind.PARTY_LECTURE, title="Planned lecture")
    new_session(app, timedelta(days=-3), unit="cujin", title="Other branch meeting")
    auth.login("secretary")
    url = "/study/?kind=general_meeting"
    plain = client.get(url).get_data(as_text=True)
    assert "<html" in plain and "Held meeting" in plain and "Planned lecture" not in plain
    assert "Other branch meeting" not in plain  # never another branch's
    fragment = client.get(url, headers=HX)
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and 'id="session-list"' in html and "Held meeting" in html
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get(url, headers=BOOSTED).get_data(as_text=True)
    assert "<html" in boosted
    planned = client.get("/study/?status=planned", headers=HX).get_data(as_text=True)
    assert "Planned lecture" in planned and "Held meeting" not in planned
    assert f"/study/{meeting}" in client.get("/study/?status=held").get_data(as_text=True)


def test_member_lists_only_sessions_that_list_them(app, client, auth, world):
    new_session(app, timedelta(days=1), title="Jiguan meeting")
    new_session(app, timedelta(days=1), unit="cujin", title="Cujin meeting")
    auth.login("member")
    page = client.get("/study/").get_data(as_text=True)
    assert "Jiguan meeting" in page and "Cujin meeting" not in page
    assert "New session" not in page


def test_list_and_grid_queries_do_not_grow(app, client, auth, world, queries):
    auth.login("secretary")
    first = new_session(app, timedelta(days=-2))
    client.get("/study/")
    with queries() as few_sessions:
        client.get("/study/")
    with queries() as small_grid:
        client.get(f"/study/{first}")
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        for n in range(12):
            make_person(f"X{n:03}", f"Extra {n}", jiguan)
        db.session.commit()
    for _ in range(6):
        new_session(app, timedelta(days=-2))
    big = new_session(app, timedelta(days=-1))
    with queries() as many_sessions:
        client.get("/study/")
    with queries() as big_grid:
        client.get(f"/study/{big}")
    assert many_sessions.count == few_sessions.count
    assert big_grid.count == small_grid.count
    assert counts(app, big).expected == 15


def test_editing_a_session_into_the_past_flags_it_as_late(app, client, auth, world):
    session_id = new_session(app, timedelta(days=1))
    auth.login("secretary")
    old_day = (utcnow() - timedelta(days=30)).date().isoformat()
    data = {**form_data(day=old_day), "unit_id": str(world["jiguan"]), "title": "Branch meeting"}
    refused = post(client, f"/study/{session_id}/edit", data)
    assert refused.status_code == 422 and "reason for the late entry" in refused.get_data(
        as_text=True
    )
    with app.app_context():
        assert not db.session.get(StudySession, session_id).late_entry
    saved = post(client, f"/study/{session_id}/edit", {**data, "late_reason": "Held on paper"})
    assert saved.status_code == 303
    with app.app_context():
        session = db.session.get(StudySession, session_id)
        assert session.late_entry and session.late_reason == "Held on paper"
        assert session.chair_id == world["sec_person"]  # "name (code)" still resolves


def test_study_hours_follow_the_times_unless_set(app, client, auth, world):
    session_id = new_session(app, timedelta(days=1))
    auth.login("secretary")
    page = client.get(f"/study/{session_id}/edit").get_data(as_text=True)
    assert (
        re.search(r'name="study_hours"[^>]*value=""', page)
        or 'name="study_hours" type="number"' in page
    )
    data = {
        **form_data(start="09:00", end="12:00"),
        "unit_id": str(world["jiguan"]),
        "study_hours": "",  # the browser sends the empty field
    }
    saved = post(client, f"/study/{session_id}/edit", data)
    assert saved.status_code == 303, re.findall(
        r"invalid-feedback[^>]*>([^<]*)", saved.get_data(as_text=True)
    )
    with app.app_context():
        assert float(db.session.get(StudySession, session_id).study_hours) == 3.0


def test_secretaries_list_sessions_that_list_them_elsewhere(app, client, auth, world):
    with app.app_context():
        from app.people.models import Membership, MembershipRole, Person

        sec = db.session.get(Person, world["sec_person"])
        db.session.add(
            Membership(
                person=sec,
                unit_id=world["dangzu"],
                role=MembershipRole.MEMBER,
                start_date=sec.memberships[0].start_date,
            )
        )
        db.session.commit()
    centre = new_session(
        app, timedelta(days=1), kind=StudyKind.CENTRE_GROUP, unit="dangzu", title="Centre group"
    )
    auth.login("secretary")
    assert f"/study/{centre}" in client.get("/study/").get_data(as_text=True)
    page = client.get(f"/study/{centre}").get_data(as_text=True)
    assert "Mark everyone unmarked present" not in page  # listed, not the keeper


def test_a_persons_page_shows_only_owed_make_ups_in_the_viewers_units(app, client, auth, world):
    with app.app_context():
        from app.people.models import Membership, MembershipRole, Person

        member = db.session.get(Person, world["member_person"])
        db.session.add(
            Membership(
                person=member,
                unit_id=world["cujin"],
                role=MembershipRole.MEMBER,
                start_date=member.memberships[0].start_date,
            )
        )
        db.session.commit()
    jiguan_meeting = new_session(app, timedelta(days=-1), title="Jiguan meeting")
    cujin_meeting = new_session(app, timedelta(days=-1), unit="cujin", title="Cujin meeting")
    with app.app_context():
        from app.activities import services as core

        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        core.archive(db.session.get(Activity, jiguan_meeting), admin)
        core.archive(db.session.get(Activity, cujin_meeting), admin)
        db.session.commit()
    auth.login("secretary")
    page = client.get(f"/members/{world['member_person']}").get_data(as_text=True)
    assert "Jiguan meeting" in page and "Cujin meeting" not in page
    auth.logout()
    auth.login("member")
    page = client.get(f"/members/{world['member_person']}").get_data(as_text=True)
    assert "Jiguan meeting" in page and "Cujin meeting" in page


def test_a_typed_name_that_fits_one_person_is_linked(app, client, auth, world):
    auth.login("secretary")
    data = {
        **form_data(minute_taker="Member J", chair="Someone Else"),
        "unit_id": str(world["jiguan"]),
    }
    response = post(client, "/study/new", data)
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        session = db.session.get(StudySession, session_id)
        assert session.minute_taker_id == world["member_person"]
        assert session.chair_id is None and session.chair_name == "Someone Else"


def test_quorum_of_a_general_meeting(app, client, auth, world):
    session_id = new_session(app, timedelta(hours=-1))
    auth.login("secretary")
    assert "Quorum not reached" in client.get(f"/study/{session_id}").get_data(as_text=True)
    post(client, f"/activities/{session_id}/attendance/all-present", {}, HX)
    assert "Quorum reached" in client.get(f"/study/{session_id}").get_data(as_text=True)


def test_an_archived_session_keeps_its_fields(app, client, auth, world):
    session_id = new_session(app, timedelta(minutes=-20))
    auth.login("secretary")
    assert post(client, f"/activities/{session_id}/archive").status_code == 303
    edit = post(
        client, f"/study/{session_id}/edit", {**form_data(), "unit_id": str(world["jiguan"])}
    )
    assert edit.status_code == 303
    with app.app_context():
        assert db.session.get(StudySession, session_id).title == "Branch meeting"


def test_cancelled_sessions_are_listed_apart(app, client, auth, world):
    held = new_session(app, timedelta(days=-2))
    cancelled = new_session(app, timedelta(days=-1))
    auth.login("secretary")
    post(client, f"/activities/{held}/attendance/all-present", {}, HX)
    assert (
        post(client, f"/activities/{cancelled}/cancel", {"reason": "Postponed"}).status_code == 303
    )
    listing = client.get("/study/?status=cancelled").get_data(as_text=True)
    assert f"/study/{cancelled}" in listing and f"/study/{held}" not in listing


def test_the_registry_names_the_family_and_its_page(app, world):
    from app.activities.families import family_of, show_url

    session_id = new_session(app, timedelta(days=1))
    with app.test_request_context():
        session = db.session.get(Activity, session_id)
        assert isinstance(session, StudySession)
        family = family_of(session)
        assert family.model is StudySession and family.make_up and family.reflections
        assert family.qr
        assert show_url(session) == f"/study/{session_id}"


def session_at(app, local: str, title: str) -> int:
    """A session starting at a Beijing wall-clock time (UTC+8 all year), entered after the fact."""
    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        start = datetime.fromisoformat(local).replace(tzinfo=UTC) - timedelta(hours=8)
        session = create_session(
            {
                "title": title,
                "kind": StudyKind.GENERAL_MEETING,
                "unit": db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "jiguan")),
                "starts_at": start,
                "ends_at": start + timedelta(hours=1),
                "late_reason": "paper record",
            },
            secretary,
        )
        db.session.commit()
        return session.id


def test_a_years_list_holds_the_days_of_the_year_newest_first(app, client, auth, world):
    """The year is its days in the bureau's zone (a session just after midnight on 1 January
    belongs to the new year although it started on 31 December in UTC); the list runs from the
    newest start back, sessions starting at the same moment newest entered first."""
    session_at(app, "2024-12-31T23:30", "Eve of 2025")
    first = session_at(app, "2025-01-01T00:30", "First of 2025")
    tied_a = session_at(app, "2025-06-01T09:00", "Tied A")
    tied_b = session_at(app, "2025-06-01T09:00", "Tied B")
    last = session_at(app, "2025-12-31T23:30", "Last of 2025")
    session_at(app, "2026-01-01T00:10", "First of 2026")
    auth.login("secretary")
    page = client.get("/study/?year=2025").get_data(as_text=True)
    assert "Eve of 2025" not in page and "First of 2026" not in page
    shown = [int(found) for found in re.findall(r'href="/study/(\d+)"', page)]
    shown = list(dict.fromkeys(shown))
    assert shown == [last, tied_b, tied_a, first]
    with app.app_context():
        held = db.session.scalars(sa.select(Activity.held_on).where(Activity.id.in_(shown)))
        assert {day.year for day in held} == {2025}


def test_a_years_list_reads_the_index_in_its_order(app, client, auth, world, queries):
    """Filtered on the family and the day and ordered by (day, start, id), the year's page is read
    off the family's index in list order and stops at the page: the year is not sorted whole,
    nor are the other families' activities walked (SQLite's plan shows it)."""
    session_at(app, "2025-03-01T09:00", "March meeting")
    auth.login("admin")
    with queries() as issued:
        assert "March meeting" in client.get("/study/?year=2025").get_data(as_text=True)
    (listed,) = [s for s in issued.statements if "ORDER BY activity.held_on DESC" in s]
    with app.app_context():
        plan = sqlite_plan(listed)
    if plan is None:
        return
    assert "ix_activity_family_day (family=? AND held_on>? AND held_on<?)" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


def _sessions_on(app, day, count: int, title: str) -> list[int]:
    """``count`` sessions of the jiguan branch on ``day``, an hour apart from 08:00 local."""
    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "jiguan"))
        ids = []
        for n in range(count):
            start = to_utc(day, time(8 + n))
            values = {
                "title": f"{title} {n + 1}",
                "kind": StudyKind.GENERAL_MEETING,
                "unit": unit,
                "starts_at": start,
                "ends_at": start + timedelta(hours=1),
                "late_reason": "paper record",
            }
            ids.append(create_session(values, secretary).id)
        db.session.commit()
        return ids


def _calendar_day(client, day) -> str:
    return client.get(f"/study/calendar?month={day:%Y-%m}").get_data(as_text=True)


CROWDED_DAY = (local_today().replace(day=1) + timedelta(days=40)).replace(day=10)


def test_calendar_day_shows_three_sessions_then_a_link_to_the_rest(app, client, auth, world):
    _sessions_on(app, CROWDED_DAY, 5, "Crowded")
    _sessions_on(app, CROWDED_DAY + timedelta(days=1), 2, "Quiet")
    auth.login("admin")
    page = _calendar_day(client, CROWDED_DAY)
    assert [f"Crowded {n}" in page for n in range(1, 6)] == [True, True, True, False, False]
    assert f'href="/study/?day={CROWDED_DAY.isoformat()}">+2 more</a>' in page
    assert "Quiet 1" in page and "Quiet 2" in page
    assert f"/study/?day={(CROWDED_DAY + timedelta(days=1)).isoformat()}" not in page
    listed = client.get(f"/study/?day={CROWDED_DAY.isoformat()}").get_data(as_text=True)
    assert all(f"Crowded {n}" in listed for n in range(1, 6))
    assert "Quiet 1" not in listed


def test_calendar_more_link_reads_in_chinese(app, client, auth, world):
    _sessions_on(app, CROWDED_DAY, 4, "Crowded")
    auth.login("admin")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert "还有 1 场" in _calendar_day(client, CROWDED_DAY)


def test_calendar_bytes_and_statements_do_not_grow_with_sessions_per_day(
    app, client, auth, world, queries
):
    _sessions_on(app, CROWDED_DAY, 3, "Session")
    auth.login("admin")
    with queries() as few:
        small = len(_calendar_day(client, CROWDED_DAY))
    _sessions_on(app, CROWDED_DAY, 12, "Session")
    with queries() as many:
        large = len(_calendar_day(client, CROWDED_DAY))
    assert many.count == few.count
    assert large - small < 200  # the "+12 more" link, not twelve more sessions


def _groups(app, count: int, prefix: str) -> list[int]:
    """``count`` 党小组 under the jiguan branch."""
    with app.app_context():
        branch = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "jiguan"))
        ids = [
            make_unit(f"jiguan-{prefix}{n}", UnitKind.GROUP, branch, f"{prefix}{n}").id
            for n in range(count)
        ]
        db.session.commit()
        return ids


def _sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(StudySession))


@pytest.mark.parametrize("many", [False, True], ids=["select", "search"])
def test_a_deactivated_unit_stays_on_its_sessions_edit_page(app, client, auth, world, many):
    groups = _groups(app, SELECT_LIMIT + 5 if many else 2, "党小组")
    session_id = new_session(app, timedelta(days=3))
    with app.app_context():
        db.session.get(StudySession, session_id).unit_id = groups[1]
        db.session.get(OrgUnit, groups[1]).deleted_at = utcnow()
        db.session.commit()
    auth.login("secretary")
    page = client.get(f"/study/{session_id}/edit").get_data(as_text=True)
    if many:
        assert f'<input type="hidden" name="unit_id" value="{groups[1]}"' in page
        assert 'value="党小组1"' in page and "党小组2" not in page
    else:
        assert f'<option selected value="{groups[1]}">党小组1</option>' in page
    data = {**form_data(title="Kept"), "unit_id": str(groups[1])}
    assert post(client, f"/study/{session_id}/edit", data).status_code == 303
    with app.app_context():
        session = db.session.get(StudySession, session_id)
        assert (session.title, session.unit_id) == ("Kept", groups[1])
    # A new session may not take the deactivated unit.
    before = _sessions(app)
    response = post(client, "/study/new", {**form_data(), "unit_id": str(groups[1])})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _sessions(app) == before


def test_session_forms_load_the_same_statements_however_many_units(
    app, client, auth, world, queries
):
    session_id = new_session(app, timedelta(days=3))
    auth.login("secretary")
    urls = ["/study/new", f"/study/{session_id}/edit"]
    _groups(app, SELECT_LIMIT + 5, "党小组")
    with queries() as few:
        assert [client.get(url).status_code for url in urls] == [200, 200]
    _groups(app, 3 * SELECT_LIMIT, "Group ")
    with queries() as many:
        bodies = [client.get(url).get_data(as_text=True) for url in urls]
    assert many.count == few.count
    assert unlimited_unit_loads(many.statements) == []
    for body in bodies:
        assert "Group 7" not in body and body.count("党小组") <= 1
        assert 'hx-get="/members/pick-unit"' in body
    # A new session's unit is the first one may take (in the admin's order, then pinyin).
    with app.app_context():
        first = db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == "jiguan-党小组0"))
    assert f'name="unit_id" value="{first}"' in bodies[0] and 'value="党小组0"' in bodies[0]
    branch = f'name="unit_id" value="{world["jiguan"]}"'
    assert branch in bodies[1] and 'value="Jiguan branch"' in bodies[1]
