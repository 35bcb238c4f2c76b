"""The figures of people and periods: ``member_figures``, ``monthly`` and ``inactive_members``,
checked against numbers counted by hand (DOMAIN.md, "Figures — exact definitions"), on SQLite
and (with TEST_DATABASE_URL) on PostgreSQL.

Everything is recorded through the services a secretary's and a member's clicks go through. The
services call for a request context (a refusal's message is a lazy translation), so each test runs
in an English request.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from conftest import make_person, make_unit, make_user, sqlite_plan

from app.activities import services
from app.activities.models import Activity, AttendanceStatus, Participation, RecordedVia
from app.auth.models import Role, User
from app.auth.policy import subtree_ids
from app.extensions import db
from app.logs import services as logs
from app.logs.models import LogKind, LogState, MemberLog
from app.people.models import Membership, MembershipRole, OrgUnit, PartyStatus, Person, UnitKind
from app.reports import figures
from app.reports.figures import Counts, MemberFigures
from app.study import figures as study_figures
from app.study.models import StudyKind, StudySession
from app.study.services import create_session

YEAR_START, YEAR_END = date(2025, 1, 1), date(2026, 1, 1)
# "Now" for the year's figures: 1 December 2025, 10:00 in Beijing. A12 (12 December) is planned.
NOW = datetime(2025, 12, 1, 2, 0, tzinfo=UTC)
J_JOINS = date(2025, 7, 1)  # J's membership of A starts
V_MOVES = date(2025, 6, 1)  # V's membership of A ends and that of B starts (end date exclusive)
ZERO = Decimal("0.0")


@contextmanager
def english(app) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Beijing wall-clock time on ``day`` as UTC (Beijing is UTC+8 all year)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def session(
    unit: OrgUnit, kind: StudyKind, day: date, hour: int, minutes: int, by: User
) -> StudySession:
    """A session entered through the service, after the fact (hence the late-entry reason)."""
    starts = at(day, hour)
    created = create_session(
        {
            "title": f"{unit.code} {kind.value} {day}",
            "kind": kind,
            "unit": unit,
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=minutes),
            "late_reason": "Entered from the paper record.",
        },
        by,
    )
    db.session.flush()
    assert created.held_on == day
    return created


def row(activity: Activity, person: Person) -> Participation:
    for participation in activity.participations:
        if participation.person_id == person.id:
            return participation
    raise AssertionError(f"{person.code} is not on the list of {activity.title}")


def listed(activity: Activity) -> set[str]:
    return {participation.person.code for participation in activity.participations}


def subtree(unit: OrgUnit) -> sa.Select:
    return subtree_ids(sa.select(sa.literal(unit.id)))


def log(person: Person, kind: LogKind, day: date, hours: str | None, title: str) -> MemberLog:
    values: dict[str, Any] = {
        "kind": kind,
        "done_on": day,
        "hours": Decimal(hours) if hours else None,
        "title": title,
    }
    if kind is LogKind.VOLUNTEER:
        values |= {"place": "XX社区新时代文明实践站", "beneficiary": "社区老年居民"}
    created = logs.submit(person, values)
    db.session.flush()
    return created


def build_year() -> dict[str, Any]:
    """Two branches, A (with its 党小组 A-g) and B, through 2025.

    People (Party members since 2010):
      M  in A and A-g all year: the member whose year is counted in full
      J  in A from 1 July 2025 only (joined the branch mid-year)
      V  in A until 1 June 2025, then in B (moved branch)
      N  in B all year

    Sessions (Beijing time; 学时 = the duration rounded to the half hour):
      A03  A, general meeting,   14 Mar, 2 h    → 2.0  M late, V present            (J not yet)
      A03g A-g, group meeting,   26 Mar, 1 h    → 1.0  M absent, make-up handed in, not confirmed
      A04  A, themed day,        11 Apr, 1 h 30 → 1.5  M on leave (asked the day before, approved),
                                                       make-up confirmed; V absent, make-up
                                                       returned
      A06  A, Party lecture,     19 Jun, 1 h 30 → 1.5  M present                   (V has moved)
      A09  A, themed day,        12 Sep, 2 h    → 2.0  M checked in with the button, waiting for
                                                       the secretary; J present
      A10  A, general meeting,   10 Oct, 2 h           M marked absent, then cancelled
      A12  A, themed day,        12 Dec, 2 h           planned (after NOW): M's leave approved
      B03  B, themed day,        21 Mar, 2 h    → 2.0  N present                   (V still in A)
      B07  B, themed day,        18 Jul, 2 h 30 → 2.5  V present, N absent

    Logs (done on; hours; state):
      M  training 区委党校专题培训        20 May  8    approved
         self-study 学习强国专题学习      1 Aug   2    approved with a comment
         volunteer 社区志愿服务           6 Sep   3    approved
         training 业务培训               10 Jun  6    returned with a comment
         self-study 学习强国             15 Oct  4    pending
         training 线上培训                7 Jul  5    withdrawn
         other 参观红色教育基地           22 Apr  —    approved (no hours)
         training 年终培训            31 Dec 2024 5   approved (the year before)
         self-study 新年学习           1 Jan 2026 1.5  approved (the year after)
      V  volunteer 社区志愿服务          16 Aug  4    approved
         training 专题培训               20 Sep  6    pending
    """
    a = make_unit("A", UnitKind.BRANCH, name="Branch A")
    group = make_unit("A-g", UnitKind.GROUP, a, name="Group A-g")
    b = make_unit("B", UnitKind.BRANCH, name="Branch B")
    m = make_person("M", unit=a)
    db.session.add(
        Membership(person=m, unit=group, role=MembershipRole.MEMBER, start_date=date(2020, 1, 1))
    )
    j = make_person("J", unit=a, start=J_JOINS)
    v = make_person("V", unit=a, end=V_MOVES)
    db.session.add(Membership(person=v, unit=b, role=MembershipRole.MEMBER, start_date=V_MOVES))
    n = make_person("N", unit=b)
    admin = make_user("admin", Role.ADMIN)
    m_user = make_user("m", Role.MEMBER, m)
    db.session.flush()

    a03 = session(a, StudyKind.GENERAL_MEETING, date(2025, 3, 14), 9, 120, admin)
    services.mark(row(a03, m), AttendanceStatus.LATE, admin)
    services.mark(row(a03, v), AttendanceStatus.PRESENT, admin)

    a03g = session(group, StudyKind.GROUP_MEETING, date(2025, 3, 26), 16, 60, admin)
    services.mark(row(a03g, m), AttendanceStatus.ABSENT, admin)
    services.submit_make_up(row(a03g, m), "读了会议材料。")

    a04 = session(a, StudyKind.THEMED_DAY, date(2025, 4, 11), 9, 90, admin)
    services.request_leave(row(a04, m), "出差", now=a04.starts_at - timedelta(days=1))
    services.decide_leave(row(a04, m), True, admin)
    services.submit_make_up(row(a04, m), "学习了会议材料，写了学习笔记。")
    services.review_make_up(row(a04, m), True, None, admin)
    services.mark(row(a04, v), AttendanceStatus.ABSENT, admin)
    services.submit_make_up(row(a04, v), "已学习。")
    services.review_make_up(row(a04, v), False, "请补充学习体会。", admin)

    a06 = session(a, StudyKind.PARTY_LECTURE, date(2025, 6, 19), 15, 90, admin)
    services.mark(row(a06, m), AttendanceStatus.PRESENT, admin)

    a09 = session(a, StudyKind.THEMED_DAY, date(2025, 9, 12), 9, 120, admin)
    services.check_in(row(a09, m), RecordedVia.BUTTON, m_user, now=a09.starts_at)
    services.mark(row(a09, j), AttendanceStatus.PRESENT, admin)

    a10 = session(a, StudyKind.GENERAL_MEETING, date(2025, 10, 10), 9, 120, admin)
    services.mark(row(a10, m), AttendanceStatus.ABSENT, admin)
    services.cancel(a10, "改期。")

    a12 = session(a, StudyKind.THEMED_DAY, date(2025, 12, 12), 9, 120, admin)
    services.request_leave(row(a12, m), "出差", now=NOW)
    services.decide_leave(row(a12, m), True, admin)

    b03 = session(b, StudyKind.THEMED_DAY, date(2025, 3, 21), 9, 120, admin)
    services.mark(row(b03, n), AttendanceStatus.PRESENT, admin)

    b07 = session(b, StudyKind.THEMED_DAY, date(2025, 7, 18), 9, 150, admin)
    services.mark(row(b07, v), AttendanceStatus.PRESENT, admin)
    services.mark(row(b07, n), AttendanceStatus.ABSENT, admin)

    def approve(entry: MemberLog, comment: str | None = None) -> MemberLog:
        logs.review(entry, True, comment, admin)
        return entry

    approve(log(m, LogKind.TRAINING, date(2025, 5, 20), "8", "区委党校专题培训"))
    approve(log(m, LogKind.SELF_STUDY, date(2025, 8, 1), "2", "学习强国专题学习"), "学习扎实。")
    approve(log(m, LogKind.VOLUNTEER, date(2025, 9, 6), "3", "社区志愿服务"))
    returned = log(m, LogKind.TRAINING, date(2025, 6, 10), "6", "业务培训")
    logs.review(returned, False, "请上传培训通知或结业证明。", admin)
    pending = log(m, LogKind.SELF_STUDY, date(2025, 10, 15), "4", "学习强国")
    withdrawn = log(m, LogKind.TRAINING, date(2025, 7, 7), "5", "线上培训")
    logs.withdraw(withdrawn)
    approve(log(m, LogKind.OTHER, date(2025, 4, 22), None, "参观红色教育基地"))
    approve(log(m, LogKind.TRAINING, date(2024, 12, 31), "5", "年终培训"))
    approve(log(m, LogKind.SELF_STUDY, date(2026, 1, 1), "1.5", "新年学习"))
    approve(log(v, LogKind.VOLUNTEER, date(2025, 8, 16), "4", "社区志愿服务"))
    v_pending = log(v, LogKind.TRAINING, date(2025, 9, 20), "6", "专题培训")
    db.session.commit()
    return {
        "A": a,
        "A-g": group,
        "B": b,
        "M": m,
        "J": j,
        "V": v,
        "N": n,
        "admin": admin,
        "A03": a03,
        "A03g": a03g,
        "A04": a04,
        "A06": a06,
        "A09": a09,
        "A10": a10,
        "A12": a12,
        "B03": b03,
        "B07": b07,
        "M pending log": pending,
        "V pending log": v_pending,
    }


def year_of(person: Person, units: sa.Select | None = None, **kwargs: Any) -> MemberFigures:
    options = {"start": YEAR_START, "end": YEAR_END, "units": units, "now": NOW, **kwargs}
    return figures.member_figures([person.id], **options)[person.id]


# M by hand, over 2025 (every session of M is in A or its group A-g):
#   expected 5: A03, A03g, A04, A06, A09 (A10 cancelled and A12 planned count nowhere)
#   present 2: A03 (late counts as present), A06 · leave 1: A04 · absent 1: A03g
#   A09's check-in waits for the secretary: expected, and nowhere else
#   make-ups 1: A04 confirmed · owed 1: A03g (handed in, not confirmed)
#   session hours 2.0 (A03) + 1.5 (A06) = 3.5 · make-up hours 1.5 (A04's 学时)
#   log hours 8 + 2 = 10.0 (approved training and self-study of 2025) · volunteer 3.0
#   study hours 3.5 + 1.5 + 10.0 = 15.0
#   出席率 2/5 = 40.0 (leave stays in the denominator) · 参学率 (2 + 1)/5 = 60.0
M_YEAR = MemberFigures(
    expected=5,
    present=2,
    leave=1,
    absent=1,
    pending=1,  # A09: checked in with the button, waiting for the secretary
    make_ups=1,
    make_ups_owed=1,
    session_hours=Decimal("3.5"),
    make_up_hours=Decimal("1.5"),
    log_hours=Decimal("10.0"),
    volunteer_log_hours=Decimal("3.0"),
)


def test_a_members_year_counted_by_hand(app):
    with english(app):
        world = build_year()
        m = world["M"]
        mine = year_of(m)
        assert mine == M_YEAR
        # The parts add up to the expected: 2 + 1 + 1 + 0 unmarked + 1 to confirm = 5.
        parts = mine.present + mine.leave + mine.absent + mine.unmarked + mine.pending
        assert parts == mine.expected
        assert mine.study_hours == Decimal("15.0")
        assert mine.attendance_rate == Decimal("40.0")
        assert mine.participation_rate == Decimal("60.0")
        # The whole of A (with its group) holds every session of M's: the same figures.
        assert year_of(m, subtree(world["A"])) == M_YEAR
        # The group alone holds A03g only: expected 1, absent 1, owed 1, no session hours;
        # M was in the group all year, so all of M's logs of the year count there too.
        assert year_of(m, subtree(world["A-g"])) == MemberFigures(
            expected=1,
            absent=1,
            make_ups_owed=1,
            log_hours=Decimal("10.0"),
            volunteer_log_hours=Decimal("3.0"),
        )


def test_figures_of_several_people_in_one_call(app):
    with english(app):
        world = build_year()
        m, j, v, n = world["M"], world["J"], world["V"], world["N"]
        nobody = make_person("X")  # no membership, no session, no log
        every = figures.member_figures(
            [m.id, j.id, v.id, n.id, nobody.id], YEAR_START, YEAR_END, now=NOW
        )
        assert every[m.id] == M_YEAR
        # J: A09 present (2.0) · N: B03 present (2.0), B07 absent, no make-up (owed 1).
        assert every[j.id] == MemberFigures(expected=1, present=1, session_hours=Decimal("2.0"))
        assert every[n.id] == MemberFigures(
            expected=2, present=1, absent=1, make_ups_owed=1, session_hours=Decimal("2.0")
        )
        assert every[nobody.id] == MemberFigures()
        assert every[nobody.id].attendance_rate is None
        assert figures.member_figures([], YEAR_START, YEAR_END, now=NOW) == {}


def test_a_member_who_joined_mid_year_is_not_expected_before(app):
    with english(app):
        world = build_year()
        j = world["J"]
        # The expected lists come from the memberships on each date: J (from 1 July) is on A09's
        # and on the cancelled A10's and planned A12's lists, not on March's, April's or June's.
        assert "J" not in listed(world["A03"]) | listed(world["A04"]) | listed(world["A06"])
        assert {"J", "M"} <= listed(world["A09"]) & listed(world["A10"]) & listed(world["A12"])
        # By hand: expected 1 (A09), present 1 → 100.0; 学时 2.0.
        mine = year_of(j)
        assert (mine.expected, mine.present, mine.leave, mine.absent) == (1, 1, 0, 0)
        assert mine.attendance_rate == Decimal("100.0")
        assert mine.study_hours == Decimal("2.0")
        # Before joining there is nothing at all.
        assert year_of(j, end=J_JOINS) == MemberFigures()


def test_a_member_who_moved_counts_in_each_branch_for_their_time_there(app):
    with english(app):
        world = build_year()
        v = world["V"]
        assert "V" in listed(world["A03"]) and "V" in listed(world["A04"])
        assert "V" not in listed(world["A06"]) | listed(world["B03"])  # June in B; March in A
        assert "V" in listed(world["B07"])
        # The approved volunteer log of 16 August was done while V was in B: it counts in B and
        # everywhere, not in A (a log counts where its author was a member on the day it was
        # done, as the secretaries who keep it see it; it used to count in every branch V was
        # ever in, which gave A hours of B's time).
        volunteer = Decimal("4.0")
        # In A (until 1 June): A03 present (2.0), A04 absent with a returned make-up (owed).
        in_a = year_of(v, subtree(world["A"]))
        assert in_a == MemberFigures(
            expected=2,
            present=1,
            absent=1,
            make_ups_owed=1,
            session_hours=Decimal("2.0"),
        )
        assert in_a.attendance_rate == Decimal("50.0")
        # In B (from 1 June): B07 present (2.5), the volunteer log.
        in_b = year_of(v, subtree(world["B"]))
        assert in_b == MemberFigures(
            expected=1, present=1, session_hours=Decimal("2.5"), volunteer_log_hours=volunteer
        )
        assert in_b.attendance_rate == Decimal("100.0")
        # Everywhere: the two added; volunteer hours are not study hours.
        everywhere = year_of(v)
        assert everywhere == MemberFigures(
            expected=3,
            present=2,
            absent=1,
            make_ups_owed=1,
            session_hours=Decimal("4.5"),
            volunteer_log_hours=volunteer,
        )
        assert everywhere.study_hours == Decimal("4.5")
        assert everywhere.attendance_rate == Decimal("66.7")


def test_a_pending_check_in_counts_once_confirmed(app):
    with english(app):
        world = build_year()
        m = world["M"]
        before = year_of(m)
        assert (before.present, before.session_hours) == (2, Decimal("3.5"))
        services.confirm_check_in(row(world["A09"], m), world["admin"])
        db.session.commit()
        # A09 now counts: present 3, 学时 3.5 + 2.0; 出席率 3/5 = 60.0, 参学率 4/5 = 80.0.
        after = year_of(m)
        assert (after.expected, after.present) == (5, 3)
        assert after.session_hours == Decimal("5.5")
        assert after.attendance_rate == Decimal("60.0")
        assert after.participation_rate == Decimal("80.0")


def test_make_up_hours_count_once_confirmed(app):
    with english(app):
        world = build_year()
        v, admin = world["V"], world["admin"]
        a04_v = row(world["A04"], v)
        returned = year_of(v, subtree(world["A"]))
        assert (returned.make_ups, returned.make_ups_owed, returned.make_up_hours) == (0, 1, ZERO)
        services.submit_make_up(a04_v, "已学习会议材料并撰写学习体会。")
        db.session.commit()
        submitted = year_of(v, subtree(world["A"]))
        assert (submitted.make_ups, submitted.make_ups_owed, submitted.make_up_hours) == (
            0,
            1,
            ZERO,
        )
        services.review_make_up(a04_v, True, None, admin)
        db.session.commit()
        # Confirmed: A04's 学时 1.5 counts; 参学率 (1 + 1)/2 = 100.0, 出席率 still 50.0.
        confirmed = year_of(v, subtree(world["A"]))
        assert (confirmed.make_ups, confirmed.make_ups_owed) == (1, 0)
        assert confirmed.make_up_hours == Decimal("1.5")
        assert confirmed.study_hours == Decimal("3.5")
        assert confirmed.participation_rate == Decimal("100.0")
        assert confirmed.attendance_rate == Decimal("50.0")


def test_only_approved_logs_count_and_by_kind(app):
    with english(app):
        world = build_year()
        m, v, admin = world["M"], world["V"], world["admin"]
        # The logs of 31 December 2024 and 1 January 2026 fall in their own years.
        assert year_of(m, start=date(2024, 1, 1), end=YEAR_START).log_hours == Decimal("5.0")
        assert year_of(m, start=YEAR_END, end=date(2027, 1, 1)).log_hours == Decimal("1.5")
        states = {entry.title: entry.state for entry in db.session.scalars(sa.select(MemberLog))}
        assert states["业务培训"] is LogState.RETURNED
        assert states["线上培训"] is LogState.WITHDRAWN
        # The pending self-study log of M counts once approved: 10 + 4.
        logs.review(world["M pending log"], True, None, admin)
        # V's pending training log counts as study hours once approved, not volunteer hours.
        logs.review(world["V pending log"], True, None, admin)
        db.session.commit()
        assert year_of(m).log_hours == Decimal("14.0")
        assert year_of(m).volunteer_hours == Decimal("3.0")
        assert year_of(v).log_hours == Decimal("6.0")
        assert year_of(v).volunteer_hours == Decimal("4.0")
        assert year_of(v).study_hours == Decimal("4.5") + Decimal("6.0")


def test_cancelled_and_planned_sessions_count_nowhere_for_a_member(app):
    with english(app):
        world = build_year()
        m, a10, a12 = world["M"], world["A10"], world["A12"]
        # Both have M's row recorded: absent at A10, leave approved at A12.
        assert row(a10, m).status is AttendanceStatus.ABSENT and a10.is_cancelled
        assert row(a12, m).status is AttendanceStatus.LEAVE
        assert year_of(m) == M_YEAR
        # From its start A12 counts: expected 6, leave 2, owed 2 (A12's make-up); A10 never.
        at_start = year_of(m, now=a12.starts_at)
        assert (at_start.expected, at_start.leave, at_start.absent) == (6, 2, 1)
        assert at_start.make_ups_owed == 2
        assert at_start.attendance_rate == Decimal("33.3")


def test_staff_rows_before_joining_the_party_stay_out_of_the_counts(app):
    """S worked in A as non-Party staff and joined the Party on 1 July 2025 (预备). Staff are
    expected at fixed study days, so S has rows from before joining: they stay on the staff line
    and out of S's own counts and rates; the hours S studied there still count (a staff member
    at a fixed study day studied all the same)."""
    with english(app):
        world = build_year()
        a, admin = world["A"], world["admin"]
        s = make_person(
            "S", "Staff S", unit=a, role=MembershipRole.STAFF, status=PartyStatus.PROBATIONARY
        )
        s.joined_on = J_JOINS
        db.session.query(Membership).filter_by(person_id=s.id).update({"end_date": J_JOINS})
        db.session.add(Membership(person=s, unit=a, role=MembershipRole.MEMBER, start_date=J_JOINS))
        db.session.flush()
        may = session(a, StudyKind.FIXED_STUDY_DAY, date(2025, 5, 16), 15, 120, admin)  # 2.0
        june = session(a, StudyKind.FIXED_STUDY_DAY, date(2025, 6, 13), 15, 60, admin)  # 1.0
        august = session(a, StudyKind.THEMED_DAY, date(2025, 8, 15), 9, 90, admin)  # 1.5
        assert "S" in listed(may) & listed(june) & listed(august)
        services.mark(row(may, s), AttendanceStatus.PRESENT, admin)
        services.mark(row(june, s), AttendanceStatus.ABSENT, admin)
        services.mark(row(august, s), AttendanceStatus.PRESENT, admin)
        db.session.commit()
        assert figures.status_on(s, may.held_on) == figures.STAFF
        assert figures.status_on(s, august.held_on) == figures.PROBATIONARY
        # On the sessions' own figures S is staff in May and June, a member in August.
        assert (figures.counts_for(may).staff_expected, figures.counts_for(may).staff_present) == (
            1,
            1,
        )
        assert figures.counts_for(june).staff_expected == 1
        # By hand: expected 1 (August), present 1; June's absence is no absence of a member and
        # owes no make-up; 学时 2.0 (May, as staff) + 1.5 (August) = 3.5.
        mine = year_of(s)
        assert mine == MemberFigures(expected=1, present=1, session_hours=Decimal("3.5"))
        assert mine.attendance_rate == Decimal("100.0")
        assert mine.study_hours == Decimal("3.5")
        assert year_of(s, subtree(a)) == mine
        assert year_of(s, end=J_JOINS).expected == 0


def test_a_log_counts_where_its_author_was_on_the_day(app):
    """V was in A until 1 June (exclusive) and in B from then: with ``units`` a log counts in
    the unit V belonged to on the day it was done (``member_of_on``), without in full."""
    with english(app):
        world = build_year()
        v, admin = world["V"], world["admin"]
        in_a = log(v, LogKind.TRAINING, date(2025, 5, 10), "3", "支部专题培训")
        on_the_day = log(v, LogKind.SELF_STUDY, V_MOVES, "1", "调入当天学习")
        for entry in (in_a, on_the_day, world["V pending log"]):
            logs.review(entry, True, None, admin)
        db.session.commit()
        # A: 10 May (3). B: 1 June, V's first day there (1), 20 Sep (6); volunteer 16 Aug (4).
        a = year_of(v, subtree(world["A"]))
        assert (a.log_hours, a.volunteer_hours) == (Decimal("3.0"), ZERO)
        b = year_of(v, subtree(world["B"]))
        assert (b.log_hours, b.volunteer_hours) == (Decimal("7.0"), Decimal("4.0"))
        everywhere = year_of(v)
        assert (everywhere.log_hours, everywhere.volunteer_hours) == (
            Decimal("10.0"),
            Decimal("4.0"),
        )
        # The same predicate as a SELECT of logs: the unit keeps exactly those.
        kept = db.session.scalars(
            sa.select(MemberLog.title).where(
                MemberLog.person_id == v.id,
                figures.member_of_on(subtree(world["A"]), MemberLog.person_id, MemberLog.done_on),
            )
        )
        assert set(kept) == {"支部专题培训"}


def test_monthly_pools_each_month(app):
    with english(app):
        world = build_year()
        months = figures.monthly(subtree(world["A"]), YEAR_START, 12, now=NOW)
        assert [day for day, _counts in months] == [date(2025, n, 1) for n in range(1, 13)]
        by_month = {day.month: counts for day, counts in months}
        # A by hand (the group A-g included; B's sessions not):
        #   March: A03 (expected 2: M late, V present) + A03g (expected 1: M absent)
        #          → 应到 3, 实到 2, 缺席 1: 2/3 = 66.7, not the mean of 100.0 and 0.0 (50.0)
        #   April: A04 (M on leave with a confirmed make-up, V absent) → 0/2 = 0.0, 参学率 50.0
        #   June:  A06 (M present) → 1/1 = 100.0
        #   September: A09 (M waiting for confirmation, J present) → 1/2 = 50.0, 待确认 1
        #   October: A10 cancelled; December: A12 planned; the rest hold no session → "—"
        march = by_month[3]
        assert (march.expected, march.present, march.absent, march.leave) == (3, 2, 1, 0)
        assert march.attendance_rate == Decimal("66.7")
        april = by_month[4]
        assert (april.expected, april.present, april.leave, april.absent) == (2, 0, 1, 1)
        assert april.make_ups == 1
        assert april.attendance_rate == Decimal("0.0")
        assert april.participation_rate == Decimal("50.0")
        assert (by_month[6].expected, by_month[6].present) == (1, 1)
        assert by_month[6].attendance_rate == Decimal("100.0")
        september = by_month[9]
        assert (september.expected, september.present, september.pending) == (2, 1, 1)
        assert september.attendance_rate == Decimal("50.0")
        for month in (1, 2, 5, 7, 8, 10, 11, 12):
            assert by_month[month].expected == 0, month
            assert by_month[month].attendance_rate is None, month
            assert by_month[month].participation_rate is None, month
        # The months add up to the pooled year: 4/8 = 50.0.
        year = sum((counts for _day, counts in months), Counts())
        assert (year.expected, year.present) == (8, 4)
        assert year.attendance_rate == Decimal("50.0")


def test_monthly_counts_the_sessions_of_each_month(app):
    with english(app):
        world = build_year()
        by_month = {
            d.month: c for d, c in figures.monthly(subtree(world["A"]), YEAR_START, 12, now=NOW)
        }
        # March holds A03 and A03g; April A04; October's A10 was cancelled; January nothing.
        assert [by_month[n].activities for n in (1, 3, 4, 6, 9, 10)] == [0, 2, 1, 1, 1, 0]
        # The same as pooling the month's sessions.
        march = study_figures.study_sessions(
            date(2025, 3, 1), date(2025, 4, 1), subtree(world["A"]), NOW
        )
        assert figures.pooled(march).activities == 2


def test_monthly_of_every_unit_and_at_a_later_moment(app):
    with english(app):
        world = build_year()
        by_month = {d.month: c for d, c in figures.monthly(None, YEAR_START, 12, now=NOW)}
        # Every unit: March adds B03 (N present) → 3/4 = 75.0; July holds B07 (V present,
        # N absent) → 1/2 = 50.0.
        assert (by_month[3].expected, by_month[3].present) == (4, 3)
        assert by_month[3].attendance_rate == Decimal("75.0")
        assert (by_month[7].expected, by_month[7].present, by_month[7].absent) == (2, 1, 1)
        assert by_month[7].attendance_rate == Decimal("50.0")
        # Once A12 has begun, December holds it: expected M and J, M on leave, J unmarked.
        later = figures.monthly(
            subtree(world["A"]), date(2025, 12, 1), 1, now=world["A12"].starts_at
        )
        [(december, counts)] = later
        assert december == date(2025, 12, 1)
        assert (counts.expected, counts.present, counts.leave, counts.unmarked) == (2, 0, 1, 1)
        assert counts.attendance_rate == Decimal("0.0")
        # A window across the turn of the year.
        turn = figures.monthly(subtree(world["B"]), date(2024, 12, 1), 3, now=NOW)
        assert [d for d, _c in turn] == [date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]
        assert all(c.expected == 0 for _d, c in turn)


# The dashboard as seen on Thursday 20 November 2025 at 10:00 in Beijing.
TODAY = date(2025, 11, 20)
TODAY_NOW = at(TODAY, 10)


def build_inactive() -> dict[str, Any]:
    """Branch C and the story of each of its people over the last 90 days.

    Sessions of C: OLD (120 days ago, outside the window), RECENT (a fixed study day 30 days
    ago: staff are expected too), CALLED_OFF (20 days ago, cancelled) and LATER (today at 15:00,
    after "now").

      ABSENT   member since 2020: present at OLD, absent at RECENT           → listed (OLD's date)
      PRESENT  member since 2020: absent at OLD, present at RECENT            → not listed
      LEAVE    member since 2020: on leave at OLD and RECENT, never present   → listed (never)
      NEW      membership from 40 days ago: absent at RECENT                  → not listed
      STAFF    non-Party staff since 2020: absent at RECENT                   → not listed
      AWAY     member since 2020: absent at OLD; taken off RECENT's list (on secondment);
               unmarked at CALLED_OFF and LATER, which count nowhere; expected by hand at
               branch D's training 10 days ago and absent                    → not listed for C
                                                                               (listed bureau-wide)
    """
    c = make_unit("C", UnitKind.BRANCH, name="Branch C")
    other = make_unit("D", UnitKind.BRANCH, name="Branch D")
    absent = make_person("ABSENT", "Absent A", unit=c)
    present = make_person("PRESENT", "Present P", unit=c)
    leave = make_person("LEAVE", "Leave L", unit=c)
    new = make_person("NEW", "New N", unit=c, start=TODAY - timedelta(days=40))
    staff = make_person("STAFF", unit=c, role=MembershipRole.STAFF, status=PartyStatus.MASSES)
    away = make_person("AWAY", "Away W", unit=c)
    make_person("ELSEWHERE", unit=other)
    admin = make_user("admin", Role.ADMIN)
    db.session.flush()

    old = session(c, StudyKind.THEMED_DAY, TODAY - timedelta(days=120), 9, 120, admin)
    services.mark(row(old, absent), AttendanceStatus.PRESENT, admin)
    services.mark(row(old, present), AttendanceStatus.ABSENT, admin)
    services.request_leave(row(old, leave), "出差", now=old.starts_at - timedelta(days=1))
    services.decide_leave(row(old, leave), True, admin)
    services.mark(row(old, away), AttendanceStatus.ABSENT, admin)
    assert "NEW" not in listed(old) and "STAFF" not in listed(old)

    recent = session(c, StudyKind.FIXED_STUDY_DAY, TODAY - timedelta(days=30), 15, 120, admin)
    everyone = {p.person_id for p in recent.participations}
    services.set_expected(recent, everyone - {away.id})
    db.session.flush()
    db.session.refresh(recent)
    assert listed(recent) == {"ABSENT", "PRESENT", "LEAVE", "NEW", "STAFF"}
    services.mark(row(recent, absent), AttendanceStatus.ABSENT, admin)
    services.mark(row(recent, present), AttendanceStatus.PRESENT, admin)
    services.request_leave(row(recent, leave), "病假", now=recent.starts_at - timedelta(hours=3))
    services.decide_leave(row(recent, leave), True, admin)
    services.mark(row(recent, new), AttendanceStatus.ABSENT, admin)
    services.mark(row(recent, staff), AttendanceStatus.ABSENT, admin)

    called_off = session(c, StudyKind.THEMED_DAY, TODAY - timedelta(days=20), 9, 120, admin)
    services.cancel(called_off, "改期。")
    later = session(c, StudyKind.THEMED_DAY, TODAY, 15, 120, admin)
    assert "AWAY" in listed(called_off) & listed(later)
    training = session(other, StudyKind.TRAINING, TODAY - timedelta(days=10), 9, 120, admin)
    services.set_expected(training, {away.id})
    db.session.flush()
    services.mark(row(training, away), AttendanceStatus.ABSENT, admin)
    db.session.commit()
    return {"C": c, "D": other, "OLD": old, "RECENT": recent, "LATER": later}


def test_inactive_members(app):
    with english(app):
        world = build_inactive()
        found = figures.inactive_members(subtree(world["C"]), TODAY, 90, now=TODAY_NOW)
        # Never present first, then by the date last present.
        assert [(p.code, last) for p, last in found] == [
            ("LEAVE", None),
            ("ABSENT", world["OLD"].held_on),
        ]
        # Every unit: AWAY too (absent at D's training, the only session they were expected at);
        # branch D: nobody (AWAY is no member of D).
        everywhere = figures.inactive_members(None, TODAY, 90, now=TODAY_NOW)
        assert [p.code for p, _last in everywhere] == ["AWAY", "LEAVE", "ABSENT"]
        assert figures.inactive_members(subtree(world["D"]), TODAY, 90, now=TODAY_NOW) == []


def test_inactive_members_window(app):
    with english(app):
        world = build_inactive()
        # Once LATER has begun, AWAY was expected at a session that counts, unmarked: listed.
        began = figures.inactive_members(
            subtree(world["C"]), TODAY, 90, now=world["LATER"].starts_at
        )
        assert [p.code for p, _last in began] == ["AWAY", "LEAVE", "ABSENT"]
        # A 20-day window holds no session that counts: nobody.
        assert figures.inactive_members(subtree(world["C"]), TODAY, 20, now=TODAY_NOW) == []
        # A 150-day window holds OLD too, where ABSENT was present; AWAY was absent there.
        # NEW's membership (40 days) is now too short as well as before.
        wide = figures.inactive_members(subtree(world["C"]), TODAY, 150, now=TODAY_NOW)
        assert [(p.code, last) for p, last in wide] == [("AWAY", None), ("LEAVE", None)]


def build_continuity() -> dict[str, Any]:
    """Bureau R with branches P and Q; the last 90 days before TODAY.

    Sessions: P60 (P, 60 days ago), P30 (P, 30 days ago), Q5 (Q, 5 days ago); nobody present.

      ROLE     in P since 2020; 10 days ago the membership ended and a committee post began
               the same day (how a role change is recorded); absent at P60 and P30, never
               present                                                   → listed, grave
      MOVER    in P since 2020, moved to Q 10 days ago; absent at P60, P30 and Q5
                                                → listed for R (and bureau-wide); not for P
                                                  (no longer in it) nor Q (not 90 days in it)
      FRESH    in P for 95 days; absent at P60 and P30, never present   → listed, not grave
      VETERAN  in P since 2020; absent at P60 and P30, never present     → listed, grave
    """
    r = make_unit("R", UnitKind.BUREAU, name="Bureau R")
    p = make_unit("P", UnitKind.BRANCH, r, name="Branch P")
    q = make_unit("Q", UnitKind.BRANCH, r, name="Branch Q")
    changed = TODAY - timedelta(days=10)
    role = make_person("ROLE", "Role R", unit=p, end=changed)
    db.session.add(
        Membership(person=role, unit=p, role=MembershipRole.COMMITTEE, start_date=changed)
    )
    mover = make_person("MOVER", "Mover M", unit=p, end=changed)
    db.session.add(Membership(person=mover, unit=q, role=MembershipRole.MEMBER, start_date=changed))
    make_person("FRESH", "Fresh F", unit=p, start=TODAY - timedelta(days=95))
    make_person("VETERAN", "Veteran V", unit=p)
    admin = make_user("admin", Role.ADMIN)
    db.session.flush()
    p60 = session(p, StudyKind.THEMED_DAY, TODAY - timedelta(days=60), 9, 120, admin)
    p30 = session(p, StudyKind.GENERAL_MEETING, TODAY - timedelta(days=30), 9, 120, admin)
    q5 = session(q, StudyKind.THEMED_DAY, TODAY - timedelta(days=5), 9, 120, admin)
    for held in (p60, p30):
        assert listed(held) == {"ROLE", "MOVER", "FRESH", "VETERAN"}
        for participation in held.participations:
            services.mark(participation, AttendanceStatus.ABSENT, admin)
    assert listed(q5) == {"MOVER"}
    services.mark(row(q5, mover), AttendanceStatus.ABSENT, admin)
    db.session.commit()
    return {"R": r, "P": p, "Q": q, "ROLE": role, "MOVER": mover}


def test_a_role_change_does_not_restart_the_membership_clock(app):
    with english(app):
        world = build_continuity()
        # ROLE's committee membership is 10 days old, but a membership of P was in force on the
        # window's first day and one is today: 90 days in P all the same.
        in_p = figures.inactive_members(subtree(world["P"]), TODAY, 90, now=TODAY_NOW)
        assert [p.code for p, _last in in_p] == ["FRESH", "ROLE", "VETERAN"]
        assert all(last is None for _p, last in in_p)


def test_a_member_who_moved_is_inactive_where_both_branches_are_counted(app):
    """Decided: the 90 days are counted within the units asked for. MOVER has been in the bureau
    (P, then Q) all along and was at none of the three sessions: listed for R and bureau-wide.
    For Q alone MOVER has been a member 10 days only, for P alone MOVER is no member today:
    listed in neither, as a member who joined or left would not be."""
    with english(app):
        world = build_continuity()
        codes = {
            name: [p.code for p, _last in figures.inactive_members(units, TODAY, 90, TODAY_NOW)]
            for name, units in (
                ("bureau", None),
                ("R", subtree(world["R"])),
                ("P", subtree(world["P"])),
                ("Q", subtree(world["Q"])),
            )
        }
        assert codes == {
            "bureau": ["FRESH", "MOVER", "ROLE", "VETERAN"],
            "R": ["FRESH", "MOVER", "ROLE", "VETERAN"],
            "P": ["FRESH", "ROLE", "VETERAN"],
            "Q": [],
        }
        # The admin's table counts the same people for every unit and the units below it.
        rows = figures.unit_rows(YEAR_START, YEAR_END, TODAY, 90, now=TODAY_NOW)
        inactive = {row.name: row.inactive for row in rows}
        assert inactive == {"Bureau R": 4, "Branch P": 3, "Branch Q": 0}


def test_never_present_is_grave_only_after_180_days_of_membership(app):
    with english(app):
        world = build_continuity()
        found = {
            row.person.code: row
            for row in figures.inactive_rows(subtree(world["P"]), TODAY, 90, now=TODAY_NOW)
        }
        since_2020 = (TODAY - date(2020, 1, 1)).days
        # FRESH: 95 days a member, never present: inactive, not yet grave.
        assert (found["FRESH"].last_present, found["FRESH"].absent_days) == (None, 95)
        assert not found["FRESH"].grave
        # VETERAN, and ROLE across the role change: members since 2020, never present.
        for code in ("VETERAN", "ROLE"):
            assert (found[code].absent_days, found[code].grave) == (since_2020, True), code
        # The dashboard's line unpacks as (person, last present, days, grave).
        person, last, days, grave = found["FRESH"]
        assert (person.code, last, days, grave) == ("FRESH", None, 95, False)
        # The rule itself.
        assert not figures.gravely_inactive(None, TODAY, TODAY - timedelta(days=179))
        assert figures.gravely_inactive(None, TODAY, TODAY - timedelta(days=180))
        assert figures.gravely_inactive(TODAY - timedelta(days=180), TODAY, TODAY)
        assert not figures.gravely_inactive(TODAY - timedelta(days=100), TODAY, date(2020, 1, 1))
        assert figures.absent_days(TODAY - timedelta(days=100), TODAY, date(2020, 1, 1)) == 100
        # Not knowing how long the membership ran, never present stays grave (as before).
        assert figures.gravely_inactive(None, TODAY)
        assert figures.absent_days(None, TODAY) is None


def test_a_members_figures_read_their_own_rows(app, queries):
    """A person's figures are driven by their participation rows (the person's index), each
    row's activity looked up by its id: never a walk over the period's sessions of the whole
    bureau, whose cost would grow with the district."""
    with english(app):
        world = build_year()
        m = world["M"]
        with queries() as issued:
            assert year_of(m) == M_YEAR
        # The attendance and the service days' hours, each from the person's rows.
        read = [s for s in issued.statements if s.startswith("SELECT participation.person_id")]
        assert len(read) == 2
        for statement in read:
            plan = sqlite_plan(statement)
            if plan is None:
                return
            assert "ix_participation_person_id" in plan, plan
            assert "SCAN participation" not in plan and "SCAN activity" not in plan, plan
            assert "LIST SUBQUERY" not in plan, plan
