"""Integrity activities 党风廉政建设 (the family's own specifications; the core's run for it in
tests/test_activities.py): the form's rules, who is expected by default, family members as
guests counted on their own line, and "years in a row" as DOMAIN.md defines it — figures
counted by hand, years computed from today."""

import re
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
from app.integrity.models import CautionaryForm, IntegrityActivity, IntegrityKind, IntegrityTalk
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


def _backfill_lines(world: dict, rows: list[tuple]) -> dict:
    data = {"reason": "From the paper sign-in sheets", "unit_id": str(world["jiguan"])}
    for number, (kind, day, present) in enumerate(rows):
        data |= {f"lines-{number}-kind": kind, f"lines-{number}-day": day}
        data |= {f"lines-{number}-present": present}
    return data


def test_past_forums_entered_from_paper_make_the_streak_true_at_once(app, client, auth, world):
    year = local_today().year
    rows = [
        ("family_forum", f"{year - 3}-03-10", "10"),
        ("family_forum", f"{year - 2}-03-12", "12"),
        ("family_forum", f"{year - 1}-03-11", "11"),
    ]
    auth.login("secretary")
    response = post(client, "/integrity/backfill", _backfill_lines(world, rows))
    assert response.status_code == 303 and response.headers["Location"] == "/integrity/"
    with app.app_context():
        made = db.session.scalars(sa.select(IntegrityActivity).order_by(IntegrityActivity.held_on))
        made = made.all()
        assert [(a.held_on.year, a.paper_present, a.state) for a in made] == [
            (year - 3, 10, ActivityState.ARCHIVED),
            (year - 2, 12, ActivityState.ARCHIVED),
            (year - 1, 11, ActivityState.ARCHIVED),
        ]
        assert all(a.late_entry and a.late_reason == "From the paper sign-in sheets" for a in made)
        assert all(not a.participations for a in made)
        units = sa.select(sa.literal(world["jiguan"]))
        criteria = [IntegrityActivity.kind == IntegrityKind.FAMILY_FORUM]
        # None held this year yet: the run ends last year (the current-year rule).
        assert years_in_a_row(IntegrityActivity, criteria, units, year).years == 3
        first = made[0].id
    page = client.get(f"/integrity/{first}").get_data(as_text=True)
    assert "Present (from the paper record)" in page and '<div class="value">10</div>' in page


def test_a_back_fill_with_a_half_line_or_a_date_from_today_saves_nothing(app, client, auth, world):
    auth.login("secretary")
    year = local_today().year
    half = _backfill_lines(world, [("family_forum", f"{year - 1}-03-11", "")])
    refused = post(client, "/integrity/backfill", half)
    assert refused.status_code == 422
    assert "Needed on a line that is filled in." in refused.get_data(as_text=True)
    today = _backfill_lines(
        world,
        [("cautionary", f"{year - 1}-04-01", "9"), ("lecture", local_today().isoformat(), "8")],
    )
    refused = post(client, "/integrity/backfill", today)
    assert refused.status_code == 422
    assert "Only activities held before today" in refused.get_data(as_text=True)
    elsewhere = _backfill_lines(world, [("lecture", f"{year - 1}-05-06", "7")])
    elsewhere["unit_id"] = str(world["cujin"])  # not one of the secretary's units
    assert post(client, "/integrity/backfill", elsewhere).status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IntegrityActivity)) == 0


def test_the_familys_year_figures_count_as_the_compilation_reads_them(app, client, auth, world):
    """jiguan last year, by hand: a forum (Secretary J and Member J present, two spouses), a
    cautionary education (three expected, two present), a lecture from paper (15 present), a
    cancelled one (nowhere), a collective routine talk (three present); talks with one person:
    two routine and a reminder (a removed one and cujin's nowhere); two of three pledges; the
    Spring Festival reminded. The admin's table of units says the same of jiguan, and of the
    bureau with cujin's talk and member."""
    from app.activities.models import AttendanceStatus
    from app.integrity.figures import coverage, year_figures
    from app.integrity.models import Holiday, PledgeKind, ReminderChannel, TalkKind
    from app.integrity.pledges import Signer, record_signing
    from app.integrity.reminders import create_reminder
    from app.integrity.services import PastActivity, backfill
    from app.integrity.talks import create_talk
    from app.reports.figures import family_years
    from app.types import utcnow

    year = local_today().year - 1
    with app.app_context():
        by, jiguan = _secretary(), _unit("jiguan")
        forum = held("jiguan", IntegrityKind.FAMILY_FORUM, date(year, 3, 10))
        core.set_expected(forum, {world["sec_person"], world["member_person"]})
        db.session.flush()
        core.mark_all_present(forum, by)
        for name in ("Spouse A", "Spouse B"):
            core.add_guest(
                forum, name, "spouse", GuestKind.FAMILY, db.session.get(Person, world["sec_person"])
            )
        film = held("jiguan", IntegrityKind.CAUTIONARY, date(year, 4, 10))
        for row in film.participations:
            status = (
                AttendanceStatus.ABSENT
                if row.person_id == world["grouped"]
                else AttendanceStatus.PRESENT
            )
            core.mark(row, status, by)
        backfill(
            [PastActivity(IntegrityKind.LECTURE, date(year, 5, 8), jiguan, 15, "Lecture")],
            "paper",
            by,
        )
        dropped = held("jiguan", IntegrityKind.CAUTIONARY, date(year, 6, 1))
        core.cancel(dropped, "moved")
        talk = held("jiguan", IntegrityKind.TALK, date(year, 1, 20))
        talk.talk_kind = TalkKind.ROUTINE
        core.mark_all_present(talk, by)
        cujin = _unit("cujin")
        for unit, kind, subject in (
            (jiguan, TalkKind.ROUTINE, "member_person"),
            (jiguan, TalkKind.ROUTINE, "grouped"),
            (jiguan, TalkKind.REMINDER, "member_person"),
            (jiguan, TalkKind.ROUTINE, "grouped"),
            (cujin, TalkKind.ROUTINE, "cujin_member"),
        ):
            day = date(year, 1, 18)
            create_talk(
                {
                    "unit": unit,
                    "kind": kind,
                    "held_at": to_utc(day, time(10)),
                    "held_on": day,
                    "place": None,
                    "subject": db.session.get(Person, world[subject]),
                    "talker_id": None,
                    "talker_name": "Talker",
                    "minute_taker_id": None,
                    "minute_taker_name": None,
                    "gist": "gist",
                },
                by,
            )
        db.session.flush()
        # The second routine talk with Grouped J was entered twice: one is removed.
        twice = db.session.scalars(
            sa.select(IntegrityTalk)
            .where(IntegrityTalk.subject_id == world["grouped"])
            .order_by(IntegrityTalk.id)
        ).all()
        twice[-1].deleted_at = utcnow()
        expected = coverage(PledgeKind.INTEGRITY, jiguan, year)
        signers = [Signer(world["sec_person"]), Signer(world["member_person"])]
        record_signing(
            PledgeKind.INTEGRITY, jiguan, year, None, date(year, 2, 20), signers, by, expected
        )
        values = {"unit": jiguan, "year": year, "holiday": Holiday.SPRING_FESTIVAL}
        values |= {"sent_on": date(year, 1, 10), "channel": ReminderChannel.SMS, "everyone": True}
        create_reminder(values | {"text": "t", "recipient_ids": set()}, by)
        db.session.commit()

        found = year_figures(jiguan, year, utcnow(), local_today(), 14)
        figures = {
            kind: (k.held, k.counts.expected, k.present, k.family_attendees)
            for kind, k in found.kinds.items()
        }
        assert figures == {
            IntegrityKind.FAMILY_FORUM: (1, 2, 2, 2),
            IntegrityKind.CAUTIONARY: (1, 3, 2, 0),
            IntegrityKind.LECTURE: (1, 0, 15, 0),
            IntegrityKind.TALK: (1, 3, 3, 0),
        }
        assert found.family_attendees == 2
        assert found.talks == {TalkKind.ROUTINE: 3, TalkKind.REMINDER: 1}
        assert found.collective_talk_people == 3
        pledges = {c.kind: (c.signed, c.expected) for c in found.coverage}
        assert pledges == {
            PledgeKind.INTEGRITY: (2, 3),
            PledgeKind.RESPONSIBILITY: (0, 0),
            PledgeKind.FAMILY: (0, 0),
        }
        assert [line.state for line in found.reminders][:2] == ["held", "missed"]
        assert found.streaks[IntegrityKind.FAMILY_FORUM].years == 1
        assert found.streaks[IntegrityKind.LECTURE].years == 1
        # The compilation reads it through the figures module's registry.
        from app.activities.models import ActivityFamily

        assert family_years(jiguan, year)[ActivityFamily.INTEGRITY].talks == found.talks

        from app.integrity.figures import unit_lines

        places = [(world[code], code, 0) for code in ("bureau", "jiguan", "cujin")]
        lines = {line.name: line for line in unit_lines(places, year, local_today(), utcnow(), 14)}
        states = [line.state for line in found.reminders]
        table = {
            name: (
                line.forum_held,
                line.forum_run,
                line.cautionary,
                line.lectures,
                line.talks,
                (line.pledges_signed, line.pledges_expected),
                (line.reminded, line.missed),
            )
            for name, line in lines.items()
        }
        jiguan_row = (True, 1, 1, 1, 4, (2, 3), (1, states.count("missed")))
        assert jiguan_row[4] == sum(found.talks.values())
        assert table == {
            "jiguan": jiguan_row,
            "bureau": (True, 1, 1, 1, 5, (2, 5), (1, states.count("missed"))),
            "cujin": (False, 0, 0, 0, 1, (0, 2), (0, len(states))),
        }

    auth.login("admin")
    page = client.get(f"/integrity/units?year={year}").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    assert [re.search(r'unit=\d+&amp;year=\d+">([^<]+)<', row).group(1) for row in rows[1:]] == [
        "Bureau",
        "Cujin branch",
        "Dangzu",
        "Jiguan branch",
    ]  # in tree order; the 党小组's work is its branch's: not a row of its own
    assert "2 of 3" in rows[4] and "66.7%" in rows[4]


def test_the_secretarys_home_says_how_many_signed_this_years_pledge(app, client, auth, world):
    from app.integrity.figures import coverage
    from app.integrity.models import PledgeKind
    from app.integrity.pledges import Signer, record_signing

    year = local_today().year
    with app.app_context():
        jiguan = _unit("jiguan")
        expected = coverage(PledgeKind.INTEGRITY, jiguan, year)
        signer = [Signer(world["member_person"])]
        record_signing(
            PledgeKind.INTEGRITY, jiguan, year, None, local_today(), signer, _secretary(), expected
        )
        db.session.commit()
    auth.login("secretary")
    home = client.get("/").get_data(as_text=True)
    assert "Integrity pledges: 1 of 3 signed" in home


def test_the_lists_unit_filter_stays_within_the_secretarys_units(app, world):
    """``?unit=`` of another branch reads nothing of it (years in a row, reminders)."""
    from app.integrity.lines import in_units

    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        assert db.session.scalars(in_units(secretary, world["cujin"])).all() == []
        own = set(db.session.scalars(in_units(secretary, world["jiguan"])))
        assert own == {world["jiguan"], world["group"]}
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        assert set(db.session.scalars(in_units(admin, world["cujin"]))) == {world["cujin"]}
