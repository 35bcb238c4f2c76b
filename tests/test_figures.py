"""Figures: every count and rate of DOMAIN.md ("Figures — exact definitions"), checked against
numbers counted by hand, on SQLite and (with TEST_DATABASE_URL) on PostgreSQL.

The services call for a request context: a refusal's message is a lazy translation, and the
locale is chosen per request. Tests run in English so that the messages read as their ids.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import make_person, make_unit, make_user

from app import settings
from app.activities import services
from app.activities.models import (
    Activity,
    AttendanceStatus,
    LeaveState,
    MakeUpState,
    ParticipantRole,
    Participation,
    RecordedVia,
)
from app.activities.rules import CHECKIN_AFTER, CHECKIN_BEFORE
from app.activities.services import Refused, default_hours
from app.auth.models import Role, User
from app.extensions import db
from app.people.models import MembershipRole, OrgUnit, PartyStatus, Person, UnitKind
from app.reports import figures
from app.reports.figures import Counts
from app.study.models import StudyKind, StudySession
from app.study.services import create_session
from app.types import utcnow

# Session 1: fixed study day, Friday 14 March 2025, 09:00–11:00 in Beijing (01:00–03:00 UTC).
S1_START = datetime(2025, 3, 14, 1, 0, tzinfo=UTC)
S1_DATE = date(2025, 3, 14)
# R1 is regularised between the two sessions.
R1_REGULARISED = date(2025, 4, 1)
# F5 leaves the branch on the same day (end_date is the first day no longer in the unit).
F5_LEFT = date(2025, 4, 1)
# Session 2: themed Party day, Friday 11 April 2025, 09:00–11:00 in Beijing.
S2_START = datetime(2025, 4, 11, 1, 0, tzinfo=UTC)
S2_DATE = date(2025, 4, 11)


@contextmanager
def english(app) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def new_session(
    unit: OrgUnit, kind: StudyKind, starts_at: datetime, hours: float = 2, by: User | None = None
) -> StudySession:
    values: dict[str, Any] = {
        "title": f"{kind.value} {starts_at:%Y-%m-%d}",
        "kind": kind,
        "unit": unit,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=hours),
        "late_reason": "Entered from the paper record.",
    }
    session = create_session(values, by or db.session.scalar(sa.select(User)))
    db.session.flush()
    return session


def row_of(activity: Activity, person: Person) -> Participation:
    for row in activity.participations:
        if row.person_id == person.id:
            return row
    raise AssertionError(f"{person.code} has no row at {activity.title}")


def person_ids(activity: Activity) -> set[int]:
    return {row.person_id for row in activity.participations}


def identity_holds(counts: Counts) -> bool:
    """实到 + 请假 + 缺席 + 未标记 + 待确认 = 应到."""
    parts = counts.present + counts.leave + counts.absent + counts.unmarked + counts.pending
    return parts == counts.expected


def all_counting() -> Counts:
    return figures.pooled(figures.counting(sa.select(Activity.id)))


def build_branch() -> dict[str, Any]:
    """A branch of nine people and two sessions, recorded through the services.

    People (all in the branch from 2020 unless said otherwise):
      F1..F5  正式 members (F5 leaves the branch on 1 April 2025)
      R1      joined 1 April 2024, regularised 1 April 2025: 预备 at S1, 正式 at S2
      P1      预备 member, joined 1 September 2024
      T1, T2  non-Party staff (staff memberships)
      X1      an activist from elsewhere, 列席 at S1 (no membership in the branch)
      + a guest without a person record at S1

    Session 1 (fixed study day, 14 March 2025): F1 present, F2 late, F3 leave (asked the day
    before, approved), F4 absent with a confirmed make-up, F5 unmarked, R1 checked in with the
    button (waiting for the secretary), P1 present; T1 present, T2 unmarked; X1 present.
    F3 has also handed in a make-up that is not yet confirmed.

    Session 2 (themed Party day, 11 April 2025; staff are not expected, F5 has left):
    F1, F2, F3 present, F4 leave, R1 present by QR code, P1 late.
    """
    branch = make_unit("b1", UnitKind.BRANCH, name="Branch 1")
    elsewhere = make_unit("b2", UnitKind.BRANCH, name="Branch 2")
    f1 = make_person("F1", unit=branch, role=MembershipRole.SECRETARY)
    f2 = make_person("F2", unit=branch)
    f3 = make_person("F3", unit=branch)
    f4 = make_person("F4", unit=branch)
    f5 = make_person("F5", unit=branch, end=F5_LEFT)
    r1 = make_person("R1", unit=branch)
    r1.joined_on, r1.regularised_on = date(2024, 4, 1), R1_REGULARISED
    p1 = make_person("P1", unit=branch, status=PartyStatus.PROBATIONARY)
    p1.joined_on = date(2024, 9, 1)
    t1 = make_person("T1", unit=branch, role=MembershipRole.STAFF, status=PartyStatus.MASSES)
    t2 = make_person("T2", unit=branch, role=MembershipRole.STAFF, status=PartyStatus.MASSES)
    x1 = make_person("X1", unit=elsewhere, status=PartyStatus.ACTIVIST)
    sec = make_user("sec", Role.SECRETARY, f1, [branch])
    db.session.flush()

    s1 = new_session(branch, StudyKind.FIXED_STUDY_DAY, S1_START, by=sec)
    assert s1.held_on == S1_DATE
    assert person_ids(s1) == {p.id for p in (f1, f2, f3, f4, f5, r1, p1, t1, t2)}
    services.add_participant(s1, x1, ParticipantRole.NON_VOTING)
    services.add_guest(s1, "Guest G", "lecturer's aide")
    db.session.flush()
    services.mark(row_of(s1, f1), AttendanceStatus.PRESENT, sec)
    services.mark(row_of(s1, f2), AttendanceStatus.LATE, sec)
    services.request_leave(row_of(s1, f3), "Travelling", now=S1_START - timedelta(days=1))
    services.decide_leave(row_of(s1, f3), True, sec)
    services.mark(row_of(s1, f4), AttendanceStatus.ABSENT, sec)
    services.submit_make_up(row_of(s1, f4), "Read the materials.")
    services.review_make_up(row_of(s1, f4), True, None, sec)
    services.submit_make_up(row_of(s1, f3), "Read half of it.")  # not confirmed yet
    services.check_in(row_of(s1, r1), RecordedVia.BUTTON, sec, now=S1_START + timedelta(minutes=5))
    services.mark(row_of(s1, p1), AttendanceStatus.PRESENT, sec)
    services.mark(row_of(s1, t1), AttendanceStatus.PRESENT, sec)
    services.mark(row_of(s1, x1), AttendanceStatus.PRESENT, sec)

    s2 = new_session(branch, StudyKind.THEMED_DAY, S2_START, by=sec)
    assert person_ids(s2) == {p.id for p in (f1, f2, f3, f4, r1, p1)}
    for person in (f1, f2, f3):
        services.mark(row_of(s2, person), AttendanceStatus.PRESENT, sec)
    services.mark(row_of(s2, f4), AttendanceStatus.LEAVE, sec)
    services.check_in(row_of(s2, r1), RecordedVia.QR, r1_user(r1), now=S2_START)
    services.mark(row_of(s2, p1), AttendanceStatus.LATE, sec)
    db.session.commit()
    people = {p.code: p for p in (f1, f2, f3, f4, f5, r1, p1, t1, t2, x1)}
    return {"s1": s1, "s2": s2, "sec": sec, "branch": branch, **people}


def r1_user(person: Person) -> User:
    return make_user("r1", Role.MEMBER, person)


# Session 1 by hand (应到 are the Party members: F1..F5, R1, P1):
#   应到 7 = 正式 5 (F1..F5) + 预备 2 (R1 not yet regularised, P1)
#   实到 3 = F1, F2 (late counts as present), P1 → 正式 2, 预备 1 (R1 is still pending)
#   请假 1 (F3) · 缺席 1 (F4) · 未标记 1 (F5) · 待确认 1 (R1): 3 + 1 + 1 + 1 + 1 = 7
#   make-ups 1 (F4 confirmed; F3's is only submitted)
#   staff 2 expected (T1, T2), 1 present (T1) · 列席 1 (X1) · the guest counts nowhere
#   出席率 3/7 = 42.857… → 42.9 · 参学率 (3 + 1)/7 = 57.142… → 57.1
S1_COUNTS = Counts(
    expected=7,
    expected_full=5,
    expected_probationary=2,
    present=3,
    present_full=2,
    present_probationary=1,
    leave=1,
    absent=1,
    unmarked=1,
    pending=1,
    make_ups=1,
    staff_expected=2,
    staff_present=1,
    non_voting=1,
    activities=1,
)

# Session 2 by hand (F5 has left; staff are not expected at a themed Party day):
#   应到 6 = 正式 5 (F1..F4, R1 now regularised) + 预备 1 (P1)
#   实到 5 = F1, F2, F3, R1 (QR: confirmed at once), P1 (late) → 正式 4, 预备 1
#   请假 1 (F4) · 缺席 0 · 未标记 0 · 待确认 0: 5 + 1 = 6 · no make-ups
#   出席率 = 参学率 = 5/6 = 83.333… → 83.3
S2_COUNTS = Counts(
    expected=6,
    expected_full=5,
    expected_probationary=1,
    present=5,
    present_full=4,
    present_probationary=1,
    leave=1,
    absent=0,
    unmarked=0,
    pending=0,
    make_ups=0,
    staff_expected=0,
    staff_present=0,
    non_voting=0,
    activities=1,
)


def test_one_session_counted_by_hand(app):
    with english(app):
        world = build_branch()
        s1, s2 = world["s1"], world["s2"]
        assert len(s1.guests) == 1  # recorded, and counted nowhere

        c1 = figures.counts_for(s1)
        assert asdict(c1) == asdict(S1_COUNTS)
        assert c1.attendance_rate == Decimal("42.9")
        assert c1.participation_rate == Decimal("57.1")
        assert figures.percent(c1.participation_rate) == "57.1%"
        assert identity_holds(c1)

        c2 = figures.counts_for(s2)
        assert asdict(c2) == asdict(S2_COUNTS)
        assert c2.attendance_rate == Decimal("83.3")
        assert c2.participation_rate == Decimal("83.3")
        assert identity_holds(c2)

        # One grouped query gives the same figures for both.
        both = figures.activity_counts([s1.id, s2.id])
        assert asdict(both[s1.id]) == asdict(S1_COUNTS)
        assert asdict(both[s2.id]) == asdict(S2_COUNTS)


def test_party_status_is_the_one_on_the_session_date(app):
    with english(app):
        world = build_branch()
        r1, p1, t1 = world["R1"], world["P1"], world["T1"]
        day_before = R1_REGULARISED - timedelta(days=1)
        assert figures.status_on(r1, S1_DATE) == figures.PROBATIONARY
        assert figures.status_on(r1, day_before) == figures.PROBATIONARY
        assert figures.status_on(r1, R1_REGULARISED) == figures.FULL
        assert figures.status_on(r1, S2_DATE) == figures.FULL
        assert figures.status_on(r1, date(2024, 3, 31)) == figures.STAFF  # before joining
        assert figures.status_on(p1, S2_DATE) == figures.PROBATIONARY
        assert figures.status_on(t1, S2_DATE) == figures.STAFF
        # The SQL rule agrees with the Python one.
        for person, on, expected in [
            (r1, day_before, figures.PROBATIONARY),
            (r1, R1_REGULARISED, figures.FULL),
            (r1, date(2024, 3, 31), figures.STAFF),
            (p1, S2_DATE, figures.PROBATIONARY),
            (t1, S2_DATE, figures.STAFF),
            (world["F1"], S1_DATE, figures.FULL),
        ]:
            sql = sa.select(figures.party_status_on(sa.literal(on, sa.Date))).where(
                Person.id == person.id
            )
            assert db.session.scalar(sql) == expected, (person.code, on)


def test_archiving_resolves_every_row(app):
    with english(app):
        world = build_branch()
        s1, sec, r1, f5, t2 = world["s1"], world["sec"], world["R1"], world["F5"], world["T2"]

        with pytest.raises(Refused, match="pending"):
            services.archive(s1, sec)
        assert s1.is_open
        assert asdict(figures.counts_for(s1)) == asdict(S1_COUNTS)

        services.confirm_check_in(row_of(s1, r1), sec)
        # R1 now counts as present (预备 on that date): 实到 4 = 正式 2 + 预备 2; 待确认 0.
        after_confirm = figures.counts_for(s1)
        assert (after_confirm.present, after_confirm.present_probationary) == (4, 2)
        assert (after_confirm.pending, after_confirm.unmarked) == (0, 1)
        assert identity_holds(after_confirm)

        marked = services.archive(s1, sec)
        db.session.commit()
        assert marked == 2  # F5 (a member) and T2 (staff) were unmarked
        assert s1.is_archived
        assert row_of(s1, f5).status is AttendanceStatus.ABSENT
        assert row_of(s1, t2).status is AttendanceStatus.ABSENT
        assert row_of(s1, world["X1"]).status is AttendanceStatus.PRESENT  # 列席 untouched

        # By hand: 实到 4 (F1, F2, P1, R1) · 请假 1 · 缺席 2 (F4, F5) · 未标记 0 · 待确认 0 = 7;
        # staff 2 expected, 1 present; 出席率 4/7 → 57.1; 参学率 (4 + 1)/7 = 71.428… → 71.4.
        archived = figures.counts_for(s1)
        assert asdict(archived) == asdict(
            Counts(
                expected=7,
                expected_full=5,
                expected_probationary=2,
                present=4,
                present_full=2,
                present_probationary=2,
                leave=1,
                absent=2,
                unmarked=0,
                pending=0,
                make_ups=1,
                staff_expected=2,
                staff_present=1,
                non_voting=1,
                activities=1,
            )
        )
        assert identity_holds(archived)
        assert archived.attendance_rate == Decimal("57.1")
        assert archived.participation_rate == Decimal("71.4")

        # The member marked absent by archiving now owes a make-up, and can hand one in.
        f5_row = row_of(s1, f5)
        assert f5_row.owes_make_up
        assert not row_of(s1, world["F4"]).owes_make_up  # already confirmed
        services.submit_make_up(f5_row, "Read the materials afterwards.")
        services.review_make_up(f5_row, True, None, sec)
        assert not f5_row.owes_make_up
        assert figures.counts_for(s1).make_ups == 2
        assert figures.counts_for(s1).participation_rate == Decimal("85.7")  # 6/7


def test_archiving_is_refused_while_leave_waits_and_before_the_start(app):
    with english(app):
        world = build_branch()
        sec, f1 = world["sec"], world["F1"]
        later = new_session(world["branch"], StudyKind.GENERAL_MEETING, S2_START + timedelta(7))
        services.request_leave(row_of(later, f1), "Ill", now=later.starts_at - timedelta(hours=1))
        counts = figures.counts_for(later)
        assert (counts.pending, counts.unmarked, counts.expected) == (1, 5, 6)
        with pytest.raises(Refused, match="pending"):
            services.archive(later, sec)

        future = new_session(world["branch"], StudyKind.GENERAL_MEETING, utcnow() + timedelta(7))
        with pytest.raises(Refused, match="after it was held"):
            services.archive(future, sec)
        assert future.is_open


def test_cancelled_and_planned_sessions_count_nowhere(app):
    with english(app):
        world = build_branch()
        sec, branch = world["sec"], world["branch"]
        before = all_counting()
        assert before.activities == 2
        assert before.expected == 13

        # A session that did not take place, with one member already marked absent (not F1:
        # the secretary's own absence is another secretary's to record).
        cancelled = new_session(
            branch, StudyKind.GENERAL_MEETING, datetime(2025, 5, 9, 1, tzinfo=UTC)
        )
        services.mark(row_of(cancelled, world["F2"]), AttendanceStatus.ABSENT, sec)
        assert figures.counts_for(cancelled).expected == 6  # it does have rows
        services.cancel(cancelled, "Postponed by the bureau.")
        # A planned session next week, with its expected list.
        planned = new_session(branch, StudyKind.PARTY_LECTURE, utcnow() + timedelta(days=7))
        assert figures.counts_for(planned).expected == 6
        db.session.commit()

        counting_ids = set(db.session.scalars(figures.counting(sa.select(Activity.id))))
        assert counting_ids == {world["s1"].id, world["s2"].id}
        assert asdict(all_counting()) == asdict(before)

        # The planned one counts from its start on.
        at_start = figures.counting(sa.select(Activity.id), now=planned.starts_at)
        assert set(db.session.scalars(at_start)) == {world["s1"].id, world["s2"].id, planned.id}
        assert figures.pooled(at_start).expected == 13 + 6
        # A cancelled session never comes back, whatever the date.
        assert cancelled.id not in set(db.session.scalars(at_start))


def test_a_session_without_party_members_adds_nothing_to_a_pooled_rate(app):
    with english(app):
        world = build_branch()
        before = all_counting()
        # Only non-Party staff, chosen by hand: 应到 0, so its rate is "—".
        staff_only = new_session(
            world["branch"], StudyKind.OTHER, datetime(2025, 5, 9, 1, tzinfo=UTC)
        )
        services.set_expected(staff_only, {world["T1"].id, world["T2"].id})
        db.session.flush()
        services.mark(row_of(staff_only, world["T1"]), AttendanceStatus.PRESENT, world["sec"])
        own = figures.counts_for(staff_only)
        assert (own.expected, own.staff_expected, own.staff_present) == (0, 2, 1)
        assert own.attendance_rate is None
        assert figures.percent(own.attendance_rate) == "—"
        after = all_counting()
        assert after.activities == before.activities + 1
        assert after.attendance_rate == before.attendance_rate == Decimal("61.5")
        assert after.participation_rate == before.participation_rate


def test_pooled_rates_are_sums_not_means(app):
    with english(app):
        world = build_branch()
        s1, s2 = world["s1"], world["s2"]
        pooled = all_counting()
        # Σ over S1 and S2: 应到 7 + 6 = 13 (正式 10, 预备 3), 实到 3 + 5 = 8 (正式 6, 预备 2),
        # 请假 2, 缺席 1, 未标记 1, 待确认 1, make-ups 1, staff 2/1, 列席 1.
        assert asdict(pooled) == asdict(
            Counts(
                expected=13,
                expected_full=10,
                expected_probationary=3,
                present=8,
                present_full=6,
                present_probationary=2,
                leave=2,
                absent=1,
                unmarked=1,
                pending=1,
                make_ups=1,
                staff_expected=2,
                staff_present=1,
                non_voting=1,
                activities=2,
            )
        )
        assert identity_holds(pooled)
        # 出席率 8/13 = 61.538… → 61.5, not the mean of 42.857… and 83.333… (63.1).
        assert pooled.attendance_rate == Decimal("61.5")
        exact_mean = (Decimal(3) / 7 + Decimal(5) / 6) * 50
        assert round(exact_mean, 1) == Decimal("63.1") != pooled.attendance_rate
        # 参学率 (8 + 1)/13 = 69.230… → 69.2, not the mean of 57.142… and 83.333… (70.2).
        assert pooled.participation_rate == Decimal("69.2")
        mean_participation = (Decimal(4) / 7 + Decimal(5) / 6) * 50
        assert round(mean_participation, 1) == Decimal("70.2") != pooled.participation_rate
        # The per-session figures add up to the pooled ones.
        by_id = figures.activity_counts([s1.id, s2.id])
        assert asdict(by_id[s1.id] + by_id[s2.id]) == asdict(pooled)
        # Pooling a selection: S2 alone.
        only_s2 = figures.pooled(
            figures.counting(sa.select(Activity.id)).where(Activity.id == s2.id)
        )
        assert asdict(only_s2) == asdict(S2_COUNTS)


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [
        (2, 3, "66.7"),
        (1, 8, "12.5"),
        (1, 6, "16.7"),
        (5, 7, "71.4"),
        (1, 16, "6.3"),  # exactly 6.25: half up, not to even
        (1, 80, "1.3"),  # exactly 1.25
        (3, 7, "42.9"),
        (0, 5, "0.0"),
        (7, 7, "100.0"),
    ],
)
def test_rate_rounds_half_up_to_one_decimal(numerator, denominator, shown):
    value = figures.rate(numerator, denominator)
    assert value == Decimal(shown)
    assert str(value) == shown
    assert figures.percent(value) == f"{shown}%"


def test_rate_without_expected_is_a_dash():
    assert figures.rate(0, 0) is None
    assert figures.rate(3, 0) is None
    assert figures.percent(None) == "—"
    assert Counts().attendance_rate is None
    assert Counts(make_ups=2).participation_rate is None


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [
        (105, "2.0"),  # 1 h 45
        (96, "1.5"),  # 1 h 36
        (75, "1.5"),  # 1 h 15: exactly halfway, up
        (74, "1.0"),  # 1 h 14
        (120, "2.0"),
        (45, "1.0"),
        (44, "0.5"),
        (195, "3.5"),
    ],
)
def test_default_hours_nearest_half_hour_halves_up(minutes, hours):
    start = datetime(2025, 3, 14, 1, 0, tzinfo=UTC)
    assert default_hours(start, start + timedelta(minutes=minutes)) == Decimal(hours)


def test_a_session_takes_its_default_hours(app):
    with english(app):
        unit = make_unit("b1", UnitKind.BRANCH)
        make_user("admin", Role.ADMIN)
        session = new_session(unit, StudyKind.PARTY_LECTURE, S1_START, hours=1.75)
        assert session.study_hours == Decimal("2.0")


def test_expected_list_defaults(app):
    with english(app):
        branch = make_unit("b1", UnitKind.BRANCH)
        group = make_unit("b1-g1", UnitKind.GROUP, branch)
        other = make_unit("b2", UnitKind.BRANCH)
        day = S1_DATE
        secretary = make_person("SEC", unit=branch, role=MembershipRole.SECRETARY)
        committee = make_person("COM", unit=branch, role=MembershipRole.COMMITTEE)
        member = make_person("MEM", unit=branch)
        probationary = make_person("PRO", unit=branch, status=PartyStatus.PROBATIONARY)
        in_group = make_person("GRP", unit=group, role=MembershipRole.GROUP_LEADER)
        staff = make_person(
            "STF", unit=branch, role=MembershipRole.STAFF, status=PartyStatus.MASSES
        )
        starts_later = make_person("NEW", unit=branch, start=day + timedelta(days=1))
        starts_that_day = make_person("NEWDAY", unit=branch, start=day)
        ended_before = make_person("OLD", unit=branch, end=day)  # end_date exclusive
        ends_after = make_person("LEAVING", unit=branch, end=day + timedelta(days=1))
        transferred = make_person("GONE", unit=branch)
        transferred.transferred_out_on = day - timedelta(days=10)
        transferring_later = make_person("GOING", unit=branch)
        transferring_later.transferred_out_on = day + timedelta(days=10)
        make_person("ELSE", unit=other)
        make_user("admin", Role.ADMIN)
        db.session.flush()

        members = {
            secretary,
            committee,
            member,
            probationary,
            in_group,
            starts_that_day,
            ends_after,
            transferring_later,
        }
        start = datetime(2025, 3, 14, 1, tzinfo=UTC)
        general = new_session(branch, StudyKind.GENERAL_MEETING, start)
        assert person_ids(general) == {p.id for p in members}
        for absent in (starts_later, ended_before, transferred, staff):
            assert absent.id not in person_ids(general), absent.code

        fixed_day = new_session(branch, StudyKind.FIXED_STUDY_DAY, start)
        assert person_ids(fixed_day) == {p.id for p in members | {staff}}

        committee_meeting = new_session(branch, StudyKind.COMMITTEE_MEETING, start)
        assert person_ids(committee_meeting) == {secretary.id, committee.id}

        talk = new_session(branch, StudyKind.HEART_TALK, start)
        assert person_ids(talk) == set()

        # A day later the newcomer is expected and the one leaving is not.
        next_day = new_session(branch, StudyKind.GENERAL_MEETING, start + timedelta(days=1))
        assert starts_later.id in person_ids(next_day)
        assert ends_after.id not in person_ids(next_day)

        # The 党小组 alone expects only its own members.
        group_meeting = new_session(group, StudyKind.GROUP_MEETING, start)
        assert person_ids(group_meeting) == {in_group.id}


def test_someone_not_yet_in_the_party_is_not_expected_at_a_party_meeting(app):
    with english(app):
        branch = make_unit("b1", UnitKind.BRANCH)
        make_user("admin", Role.ADMIN)
        member = make_person("MEM", unit=branch)
        newcomer = make_person("NEW", unit=branch, status=PartyStatus.PROBATIONARY)
        newcomer.joined_on = S1_DATE + timedelta(days=30)  # joined the Party after the session
        themed = new_session(branch, StudyKind.THEMED_DAY, S1_START)  # entered afterwards
        assert person_ids(themed) == {member.id}
        assert figures.counts_for(themed).staff_expected == 0


def small_session(kind: StudyKind = StudyKind.GENERAL_MEETING) -> dict[str, Any]:
    unit = make_unit("b1", UnitKind.BRANCH)
    secretary = make_person("SEC", unit=unit, role=MembershipRole.SECRETARY)
    member = make_person("MEM", unit=unit)
    sec = make_user("sec", Role.SECRETARY, secretary, [unit])
    session = new_session(unit, kind, S1_START, by=sec)
    return {
        "session": session,
        "sec": sec,
        "row": row_of(session, member),
        "sec_row": row_of(session, secretary),
    }


def test_refused_leave_leaves_the_row_unmarked(app):
    with english(app):
        world = small_session()
        row, sec, session = world["row"], world["sec"], world["session"]
        with pytest.raises(Refused, match="before the session starts"):
            services.request_leave(row, "Too late", now=S1_START)
        assert row.leave_state is None

        services.request_leave(row, "Ill", now=S1_START - timedelta(hours=2))
        waiting = figures.counts_for(session)
        assert (waiting.pending, waiting.unmarked) == (1, 1)  # the secretary's own row unmarked
        with pytest.raises(Refused, match="already waiting"):
            services.request_leave(row, "Ill", now=S1_START - timedelta(hours=1))

        services.decide_leave(row, False, sec)
        assert row.leave_state is LeaveState.REFUSED
        assert row.status is AttendanceStatus.UNMARKED
        assert not row.owes_make_up
        after = figures.counts_for(session)
        assert (after.pending, after.unmarked, after.leave) == (0, 2, 0)
        assert identity_holds(after)
        with pytest.raises(Refused, match="no leave request"):
            services.decide_leave(row, True, sec)


def test_check_in_twice_is_refused(app):
    with english(app):
        world = small_session()
        row, sec = world["row"], world["sec"]
        services.check_in(row, RecordedVia.BUTTON, sec, now=S1_START)
        assert (row.status, row.confirmed, row.is_pending) == (
            AttendanceStatus.PRESENT,
            False,
            True,
        )
        with pytest.raises(Refused, match="already checked in"):
            services.check_in(row, RecordedVia.BUTTON, sec, now=S1_START + timedelta(minutes=1))
        assert row.recorded_at == S1_START  # the first check-in stands
        assert figures.counts_for(world["session"]).pending == 1
        # Scanning the code in the room afterwards proves presence: it confirms the check-in.
        services.check_in(row, RecordedVia.QR, sec, now=S1_START + timedelta(minutes=1))
        assert (row.confirmed, row.recorded_at) == (True, S1_START)
        counts = figures.counts_for(world["session"])
        assert (counts.pending, counts.present) == (0, 1)
        with pytest.raises(Refused, match="already checked in"):
            services.check_in(row, RecordedVia.QR, sec, now=S1_START + timedelta(minutes=2))


def test_check_in_after_the_secretarys_mark_is_refused(app):
    with english(app):
        world = small_session()
        row = world["row"]
        services.mark(row, AttendanceStatus.ABSENT, world["sec"])
        with pytest.raises(Refused, match="already recorded"):
            services.check_in(row, RecordedVia.BUTTON, world["sec"], now=S1_START)
        assert row.status is AttendanceStatus.ABSENT


def test_check_in_window(app):
    with english(app):
        world = small_session()
        row, sec = world["row"], world["sec"]
        ends = S1_START + timedelta(hours=2)
        # Defaults: opens 30 minutes before the start, closes at the end.
        with pytest.raises(Refused, match="not opened"):
            services.check_in(row, RecordedVia.BUTTON, sec, now=S1_START - timedelta(minutes=31))
        with pytest.raises(Refused, match="closed"):
            services.check_in(row, RecordedVia.BUTTON, sec, now=ends + timedelta(minutes=1))
        assert row.status is AttendanceStatus.UNMARKED
        assert figures.counts_for(world["session"]).unmarked == 2

        # The window follows the settings.
        settings.put(CHECKIN_BEFORE.key, 60)
        settings.put(CHECKIN_AFTER.key, 15)
        db.session.flush()
        services.check_in(row, RecordedVia.BUTTON, sec, now=S1_START - timedelta(minutes=45))
        assert row.status is AttendanceStatus.PRESENT
        services.check_in(
            world["sec_row"], RecordedVia.BUTTON, sec, now=ends + timedelta(minutes=15)
        )
        assert world["sec_row"].status is AttendanceStatus.PRESENT


@pytest.mark.parametrize("offset", [timedelta(minutes=-30), timedelta(hours=2)])
def test_check_in_at_the_edges_of_the_window(app, offset):
    with english(app):
        world = small_session()
        services.check_in(world["row"], RecordedVia.BUTTON, world["sec"], now=S1_START + offset)
        assert world["row"].status is AttendanceStatus.PRESENT


def test_check_in_with_the_qr_code_is_confirmed_at_once(app):
    with english(app):
        world = small_session()
        row, sec, session = world["row"], world["sec"], world["session"]
        services.check_in(row, RecordedVia.QR, sec, now=S1_START + timedelta(minutes=10))
        assert (row.status, row.confirmed, row.recorded_via) == (
            AttendanceStatus.PRESENT,
            True,
            RecordedVia.QR,
        )
        assert not row.is_pending
        counts = figures.counts_for(session)
        assert (counts.present, counts.pending, counts.unmarked) == (1, 0, 1)
        with pytest.raises(Refused, match="no check-in to confirm"):
            services.confirm_check_in(row, sec)


def test_button_check_in_counts_once_confirmed(app):
    with english(app):
        world = small_session()
        row, sec, session = world["row"], world["sec"], world["session"]
        services.check_in(row, RecordedVia.BUTTON, sec, now=S1_START)
        pending = figures.counts_for(session)
        assert (pending.present, pending.pending) == (0, 1)
        services.confirm_check_in(row, sec)
        confirmed = figures.counts_for(session)
        assert (confirmed.present, confirmed.pending) == (1, 0)
        assert confirmed.attendance_rate == Decimal("50.0")


def test_make_up_is_only_owed_by_the_absent_and_excused(app):
    with english(app):
        world = small_session()
        row, sec, session = world["row"], world["sec"], world["session"]
        services.mark(row, AttendanceStatus.PRESENT, sec)
        with pytest.raises(Refused, match="No make-up"):
            services.submit_make_up(row, "Nothing owed")
        services.mark(row, AttendanceStatus.ABSENT, sec)
        services.submit_make_up(row, "Read it")
        assert row.make_up_state is MakeUpState.SUBMITTED
        assert figures.counts_for(session).make_ups == 0  # submitted is not confirmed
        with pytest.raises(Refused, match="why"):
            services.review_make_up(row, False, None, sec)
        services.review_make_up(row, False, "Too short", sec)
        assert figures.counts_for(session).make_ups == 0
        services.submit_make_up(row, "Read it all")
        services.review_make_up(row, True, None, sec)
        counts = figures.counts_for(session)
        assert (counts.absent, counts.make_ups) == (1, 1)
        assert counts.attendance_rate == Decimal("0.0")
        assert counts.participation_rate == Decimal("50.0")
