"""Integrity activities 党风廉政建设 (the family's own specifications; the core's run for it in
tests/test_activities.py): the form's rules, who is expected by default, family members as
guests counted on their own line, and "years in a row" as DOMAIN.md defines it — figures
counted by hand, years computed from today."""

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from activity_helpers import counts, post
from conftest import make_person

from app.activities import services as core
from app.activities.forms import to_utc
from app.activities.models import ActivityState, GuestKind
from app.auth.models import User
from app.extensions import db
from app.integrity.models import CautionaryForm, IntegrityActivity, IntegrityKind
from app.integrity.services import create_activity
from app.people.models import MembershipRole, OrgUnit, PartyStatus, Person
from app.reports.figures import years_in_a_row
from app.types import local_today


def _unit(code: str) -> OrgUnit:
    return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))


def _secretary() -> User:
    return db.session.scalar(sa.select(User).where(User.username == "secretary"))


def held(
    code: str, kind: IntegrityKind, on: date, state: ActivityState = ActivityState.OPEN
) -> IntegrityActivity:
    """An activity of the unit on the day at 09:00 local (the past ones entered late)."""
    starts = to_utc(on, time(9))
    activity = create_activity(
        {
            "title": f"{kind.value} {on}",
            "kind": kind,
            "unit": _unit(code),
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=1),
            "late_reason": "Entered from the paper record.",
        },
        _secretary(),
    )
    activity.state = state
    db.session.flush()
    return activity


def test_a_lecture_expects_the_units_party_members_and_a_forum_nobody(app, world):
    """jiguan and its group: Secretary J, Member J, Grouped J (full); an activist added here
    (staff) is not expected. A forum's cadres are chosen by hand."""
    with app.app_context():
        jiguan = _unit("jiguan")
        make_person("J010", "Activist J", jiguan, MembershipRole.STAFF, PartyStatus.ACTIVIST)
        lecture = held("jiguan", IntegrityKind.LECTURE, local_today() + timedelta(days=2))
        forum = held("jiguan", IntegrityKind.FAMILY_FORUM, local_today() + timedelta(days=3))
        names = sorted(row.person.name for row in lecture.participations)
        assert names == ["Grouped J", "Member J", "Secretary J"]
        assert forum.participations == []


def _form(kind: str, **fields: str) -> dict[str, str]:
    day = local_today() + timedelta(days=5)
    return {
        "title": "廉政教育",
        "kind": kind,
        "day": day.isoformat(),
        "start": "09:00",
        "end": "10:30",
        **fields,
    }


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(IntegrityActivity))


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("cautionary", {}, "Say what the cautionary education was"),
        ("lecture", {}, "Name who gave the integrity lecture."),
    ],
)
def test_the_form_refuses_what_a_kind_needs_and_saves_nothing(
    app, client, auth, world, kind, fields, message
):
    auth.login("secretary")
    answer = post(client, "/integrity/new", {**_form(kind, **fields), "unit_id": world["jiguan"]})
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    with app.app_context():
        assert _count() == 0


def test_a_cautionary_education_is_saved_with_its_form_and_shown(app, client, auth, world):
    auth.login("secretary")
    data = {**_form("cautionary", cautionary_form="base_visit"), "unit_id": world["jiguan"]}
    data["content"] = "参观廉政教育基地"
    answer = post(client, "/integrity/new", data)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    with app.app_context():
        activity = db.session.scalar(sa.select(IntegrityActivity))
        assert activity.cautionary_form is CautionaryForm.BASE_VISIT
        assert len(activity.participations) == 3
        url = f"/integrity/{activity.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Cautionary education · Visit to an education base" in page
    assert "参观廉政教育基地" in page
    listing = client.get("/integrity/?kind=cautionary").get_data(as_text=True)
    assert url in listing
    assert url not in client.get("/integrity/?kind=lecture").get_data(as_text=True)


def test_family_members_are_guests_counted_apart_never_expected(app, client, auth, world):
    """A forum with Secretary J and Member J as cadres and their two spouses: 应到 2, family
    attendees 2."""
    with app.app_context():
        forum = held("jiguan", IntegrityKind.FAMILY_FORUM, local_today() - timedelta(days=1))
        core.set_expected(forum, {world["sec_person"], world["member_person"]})
        db.session.flush()
        for person_id, name in (
            (world["sec_person"], "Spouse S"),
            (world["member_person"], "Spouse M"),
        ):
            person = db.session.get(Person, person_id)
            core.add_guest(forum, name, "spouse", GuestKind.FAMILY, person)
        db.session.commit()
        forum_id = forum.id
    assert counts(app, forum_id).expected == 2
    auth.login("secretary")
    page = client.get(f"/integrity/{forum_id}").get_data(as_text=True)
    assert "Spouse S" in page and "Family of Member J" in page
    assert '<div class="value">2</div><div class="label">Family attendees</div>' in page


def _years(code: str | None, year: int, now: datetime | None = None):
    from app.auth.policy import subtree_ids

    units = None if code is None else subtree_ids(sa.select(sa.literal(_unit(code).id)))
    kind = [IntegrityActivity.kind == IntegrityKind.FAMILY_FORUM]
    return years_in_a_row(IntegrityActivity, kind, units, year, now)


def test_years_in_a_row_count_back_from_the_year_asked(app, world):
    """Forums in Y-3, Y-1 and Y (Y: last year, so no current-year rule): asked for Y → 2 (since
    Y-1), for Y-1 → 1, for Y-2 → 0. A cancelled forum in Y-2 does not join the runs; cujin's
    forum counts for the bureau, not for jiguan."""
    y = local_today().year - 1
    with app.app_context():
        for year in (y - 3, y - 1, y):
            held("jiguan", IntegrityKind.FAMILY_FORUM, date(year, 3, 15), ActivityState.ARCHIVED)
        held("jiguan", IntegrityKind.FAMILY_FORUM, date(y - 2, 3, 15), ActivityState.CANCELLED)
        held("jiguan", IntegrityKind.LECTURE, date(y - 2, 4, 1), ActivityState.ARCHIVED)
        held("cujin", IntegrityKind.FAMILY_FORUM, date(y - 2, 3, 20), ActivityState.ARCHIVED)
        assert (_years("jiguan", y).years, _years("jiguan", y).since) == (2, y - 1)
        assert (_years("jiguan", y - 1).years, _years("jiguan", y - 1).since) == (1, y - 1)
        assert (_years("jiguan", y - 2).years, _years("jiguan", y - 2).since) == (0, None)
        assert _years("bureau", y).years == 4 and _years(None, y).since == y - 3
        assert _years("cujin", y - 2).years == 1


def test_the_current_year_counts_once_held_and_not_before(app, world):
    """Forums last year and the year before: asked for this year before this year's is held,
    the run ends with last year (2); a forum planned for later this year changes nothing; once
    this year's has started, 3."""
    this = local_today().year
    with app.app_context():
        for year in (this - 2, this - 1):
            held("jiguan", IntegrityKind.FAMILY_FORUM, date(year, 3, 15), ActivityState.ARCHIVED)
        assert _years("jiguan", this).years == 2 and _years("jiguan", this).since == this - 2
        planned = held("jiguan", IntegrityKind.FAMILY_FORUM, local_today() + timedelta(days=1))
        assert _years("jiguan", this).years == 2
        assert _years("jiguan", this, planned.starts_at + timedelta(minutes=1)).years == 3


def test_the_list_shows_each_kinds_years_in_a_row(app, client, auth, world):
    this = local_today().year
    with app.app_context():
        for year in range(this - 4, this):
            held("jiguan", IntegrityKind.FAMILY_FORUM, date(year, 3, 15), ActivityState.ARCHIVED)
        db.session.commit()
    auth.login("secretary")
    page = client.get("/integrity/").get_data(as_text=True)
    assert f"Family integrity forum: held 4 years in a row (since {this - 4})" in page
    assert "Cautionary education: not held this year or last" in page
    auth.logout()
    auth.login("member")
    assert 'id="streaks"' not in client.get("/integrity/").get_data(as_text=True)


def test_a_member_sees_the_activities_that_list_them(app, client, auth, world):
    with app.app_context():
        lecture = held("jiguan", IntegrityKind.LECTURE, local_today() + timedelta(days=2))
        elsewhere = held("cujin", IntegrityKind.LECTURE, local_today() + timedelta(days=2))
        db.session.commit()
        ids = (lecture.id, elsewhere.id)
    auth.login("member")
    listing = client.get("/integrity/").get_data(as_text=True)
    assert f"/integrity/{ids[0]}" in listing and f"/integrity/{ids[1]}" not in listing
    assert client.get(f"/integrity/{ids[1]}").status_code == 404


def test_presence_at_an_integrity_activity_is_no_attendance(app, world):
    """Idle I, on the roll since 2020, absent from the branch meeting 30 days ago and present at
    an integrity lecture 20 days ago: still inactive, never present at organisational life."""
    from app.reports.figures import inactive_members
    from app.study.models import StudyKind
    from app.study.services import create_session

    with app.app_context():
        idle = make_person("I010", "Idle I", _unit("jiguan"))
        starts = to_utc(local_today() - timedelta(days=30), time(9))
        meeting = create_session(
            {
                "title": "Branch meeting",
                "kind": StudyKind.GENERAL_MEETING,
                "unit": _unit("jiguan"),
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=1),
                "late_reason": "Entered from the paper record.",
            },
            _secretary(),
        )
        lecture = held("jiguan", IntegrityKind.LECTURE, local_today() - timedelta(days=20))
        db.session.flush()
        for activity, status in ((meeting, "absent"), (lecture, "present")):
            row = next(r for r in activity.participations if r.person_id == idle.id)
            core.mark(row, core.AttendanceStatus(status), _secretary())
        db.session.commit()
        listed = dict(inactive_members(None, local_today(), 90))
        assert idle in listed and listed[idle] is None


def test_the_homes_say_whether_this_years_family_forum_was_held(app, client, auth, world):
    """jiguan held this year's forum (at midnight today) and last year's; cujin held none: its
    secretary is told so, the admin counts 1 of the 2 branches."""
    with app.app_context():
        today = local_today()
        held(
            "jiguan",
            IntegrityKind.FAMILY_FORUM,
            date(today.year - 1, 3, 15),
            ActivityState.ARCHIVED,
        )
        forum = held("jiguan", IntegrityKind.FAMILY_FORUM, today)
        forum.starts_at = to_utc(today, time(0, 0))
        forum.ends_at = forum.starts_at + timedelta(minutes=1)
        db.session.commit()
    auth.login("secretary")
    panel = client.get("/").get_data(as_text=True)
    panel = panel[panel.index('id="integrity-forums"') :].split("</ul>")[0]
    assert "Jiguan branch" in panel and "Family forum held" in panel
    assert "2 years in a row" in panel
    auth.logout()
    auth.login("secretary2")
    panel = client.get("/").get_data(as_text=True)
    panel = panel[panel.index('id="integrity-forums"') :]
    assert "Family forum not yet held" in panel
    link = f'href="/integrity/new?kind=family_forum&amp;unit={world["cujin"]}"'
    assert link in panel
    asked = client.get(f"/integrity/new?kind=cautionary&unit={world['cujin']}")
    asked = asked.get_data(as_text=True)
    assert '<option selected value="cautionary">' in asked
    assert f'<option selected value="{world["cujin"]}">' in asked
    auth.logout()
    auth.login("admin")
    html = client.get("/").get_data(as_text=True)
    assert "Branches that have held this year's family integrity forum: 1 of 2" in html
