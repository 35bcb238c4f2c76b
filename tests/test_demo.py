"""flask demo: three years of study sessions at the DOMAIN.md frequencies and a year of member
logs, whose records obey the rules the figures rely on, with work waiting for the secretaries."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app import settings
from app.activities.models import (
    Activity,
    ActivityState,
    AttendanceStatus,
    LeaveState,
    MakeUpState,
    Participation,
)
from app.auth.models import User
from app.auth.policy import scope_unit_ids, subtree_ids
from app.demo.calendar import is_day_off, nth_weekday, workday_from
from app.demo.people import INACTIVE, INACTIVE_MONTHS, MEMBER
from app.demo.photos import demo_photo
from app.evidence.models import Evidence
from app.extensions import db
from app.logs.models import LogKind, LogState, MemberLog
from app.people.models import Membership, OrgUnit, PartyStatus, Person
from app.reports import figures
from app.reports.figures import Counts, activity_counts
from app.reports.rules import INACTIVE_DAYS
from app.study.models import StudyKind, StudySession
from app.types import local_today, utcnow

BRANCH_YEAR = {
    StudyKind.GENERAL_MEETING: 4,
    StudyKind.COMMITTEE_MEETING: 12,
    StudyKind.THEMED_DAY: 12,
    StudyKind.PARTY_LECTURE: 4,
    StudyKind.ORG_LIFE_MEETING: 1,
    StudyKind.DEMOCRATIC_APPRAISAL: 1,
}


def test_demo(runner, app):
    """One load of the demo (it takes seconds), checked from every side."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        sessions_hold(app)
        logs_hold()
        secretaries_have_work()
        integrity_records_hold()
        volunteer_projects_hold()


def volunteer_projects_hold() -> None:
    """Each demo branch has closed-out projects in each of the last three years, and this year
    one of every status, an overdue one and a member's own; last year's cancelled one counts
    nowhere."""
    from app.volunteer.figures import open_lines, project_year
    from app.volunteer.models import Project, ProjectScope, ProjectStatus

    today = local_today()
    for code in ("jiguan", "cujin"):
        unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))
        for year in (today.year - 2, today.year - 1):
            found = project_year(unit, year, today)
            assert (found.done, found.closed, found.planned_done) == (3, 3, 3), (code, year)
            assert found.satisfaction_rate is not None and found.satisfaction_rate > 90
        rows = db.session.scalars(
            sa.select(Project).where(
                Project.unit_id == unit.id,
                Project.planned_start >= date(today.year, 1, 1) - timedelta(days=130),
            )
        ).all()
        statuses = {row.status for row in rows if row.cancelled_at is None}
        assert statuses == set(ProjectStatus), code
        assert any(row.overdue_on(today) for row in rows)
        assert any(row.scope is ProjectScope.MEMBER for row in rows)
        line = open_lines([unit.id], today, 30)[unit.id]
        assert line.overdue == 1 and line.due >= 1
    cujin = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "cujin"))
    assert project_year(cujin, today.year - 1, today).projects == 3  # not the cancelled one


def integrity_records_hold() -> None:
    """The secretary reminded the member account's person in a talk they may not read; this
    year's pledges and letters are signed but for a few."""
    from app.integrity.figures import coverage
    from app.integrity.models import Holiday, IntegrityTalk, PledgeKind, TalkKind

    today = local_today()
    member = db.session.scalar(sa.select(User).where(User.username == "member"))
    kinds = db.session.scalars(
        sa.select(IntegrityTalk.kind).where(IntegrityTalk.subject_id == member.person_id)
    ).all()
    assert (TalkKind.REMINDER in kinds) == (date(today.year, 9, 18) < today)
    unit = {
        code: db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))
        for code in ("jiguan", "dangzu")
    }
    if today <= date(today.year, 3, 15):
        return  # the year's first signings are in February and March
    pledges = coverage(PledgeKind.INTEGRITY, unit["jiguan"], today.year)
    assert pledges.expected > 2 and pledges.signed == pledges.expected - 2
    family = coverage(PledgeKind.FAMILY, unit["jiguan"], today.year)
    assert family.expected > 1 and family.signed == family.expected - 1
    spring = coverage(PledgeKind.HOLIDAY, unit["jiguan"], today.year, Holiday.SPRING_FESTIVAL)
    assert spring.signed == spring.expected - 2
    letters = coverage(PledgeKind.RESPONSIBILITY, unit["dangzu"], today.year)
    assert letters.expected > 1 and letters.signed == letters.expected - 1


def sessions_hold(app) -> None:
    today, now = local_today(), utcnow()
    sessions = db.session.scalars(sa.select(StudySession)).all()

    years = defaultdict(set)
    for session in sessions:
        years[session.unit.code].add(session.held_on.year)
    wanted = {today.year - 2, today.year - 1}
    if today >= date(today.year, 1, 15):  # the first sessions of a year are in its 2nd week
        wanted.add(today.year)
    for code in ("jiguan", "cujin", "dangzu"):
        assert wanted <= years[code], code

    # Last year, complete: every kind at its frequency.
    last_year = Counter((s.unit.code, s.kind) for s in sessions if s.held_on.year == today.year - 1)
    for code in ("jiguan", "cujin"):
        for kind, number in BRANCH_YEAR.items():
            assert last_year[code, kind] == number, (code, kind)
    assert last_year["jiguan", StudyKind.FIXED_STUDY_DAY] == 12
    assert last_year["jiguan-g1", StudyKind.GROUP_MEETING] == 12
    assert last_year["jiguan-g2", StudyKind.GROUP_MEETING] == 12
    assert last_year["dangzu", StudyKind.CENTRE_GROUP] == 12
    assert last_year["dangzu", StudyKind.DEMOCRATIC_LIFE_MEETING] == 1

    states = Counter(s.state for s in sessions)
    assert states[ActivityState.CANCELLED] == 1
    assert states[ActivityState.ARCHIVED] > len(sessions) // 2
    late = [s for s in sessions if s.late_entry]
    assert 3 <= len(late) <= 4
    assert all(s.late_reason and (s.created_at - s.ends_at).days >= 7 for s in late)
    assert all(
        s.late_reason is None and s.created_at < s.ends_at for s in sessions if s not in late
    )

    counts = activity_counts([s.id for s in sessions])
    for session in sessions:
        c = counts[session.id]
        assert c.present + c.leave + c.absent + c.unmarked + c.pending == c.expected
        assert c.expected > 0, session.title
        if session.is_archived:
            assert c.unmarked == 0 and c.pending == 0, session.title
    held = [s for s in sessions if s.held_on <= today and not s.is_cancelled]
    total = sum((counts[s.id] for s in held), Counts())
    assert 88 <= total.attendance_rate <= 97
    assert total.attendance_rate < total.participation_rate

    # Nothing after today but what is planned (and the one called off).
    for session in sessions:
        if session.held_on > today:
            assert session.starts_at > now
            assert session.state in (ActivityState.OPEN, ActivityState.CANCELLED)
        else:
            assert session.starts_at <= now
    planned = [s for s in sessions if s.held_on > today and s.is_open]
    assert 2 <= len(planned) <= 3
    assert next(s for s in sessions if s.is_cancelled).held_on > today
    assert all(not is_day_off(s.held_on) for s in sessions)

    member = db.session.scalar(sa.select(User).where(User.username == "member")).person
    rows = db.session.scalars(
        sa.select(Participation).where(Participation.person_id == member.id)
    ).all()
    assert any(r.owes_make_up for r in rows)
    assert any(r.make_up_state is MakeUpState.CONFIRMED for r in rows)
    assert any(r.make_up_state is MakeUpState.RETURNED and r.make_up_comment for r in rows)
    assert sum(bool(r.reflection) for r in rows) >= 3
    # The member can ask leave for, and later check in to, an upcoming session.
    assert any(r.activity in planned and r.leave_state is None for r in rows)
    waiting = db.session.scalars(
        sa.select(Participation).where(Participation.leave_state == LeaveState.REQUESTED)
    ).all()
    assert waiting and all(r.leave_requested_at < r.activity.starts_at for r in waiting)

    photos = db.session.scalars(sa.select(Evidence)).all()
    assert len(photos) > len(sessions) // 8
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert all((folder / e.stored_name[:2] / e.stored_name).is_file() for e in photos)


def logs_hold() -> None:
    """Logs in every state and kind, 2–4 for each Party member of the two branches, dated as
    they would have happened and never in the future."""
    today, now = local_today(), utcnow()
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    entries = db.session.scalars(sa.select(MemberLog)).all()
    assert {e.state for e in entries} == set(LogState)
    assert {e.kind for e in entries} == set(LogKind)
    for e in entries:
        handed_in = e.submitted_at.astimezone(zone).date()
        assert today - timedelta(days=366) <= e.done_on < handed_in <= today, e.title
        assert e.submitted_at <= now
        assert (e.hours is not None) == e.kind.has_hours
        if e.kind is LogKind.VOLUNTEER:
            assert e.place and e.beneficiary
        if e.state in (LogState.APPROVED, LogState.RETURNED):
            assert e.submitted_at < e.reviewed_at <= now
            reviewer = db.session.get(User, e.reviewed_by_id)
            assert reviewer.person_id != e.person_id  # nobody reviews their own log
        else:
            assert e.reviewed_at is None and e.reviewed_by_id is None
        if e.state is LogState.RETURNED:
            assert e.review_comment
    approved = [e for e in entries if e.state is LogState.APPROVED]
    assert any(e.review_comment for e in approved) and not all(e.review_comment for e in approved)

    # Who writes logs: the Party members now in either branch (or its groups), but the seconded
    # member, who has handed in nothing.
    branches = subtree_ids(sa.select(OrgUnit.id).where(OrgUnit.code.in_(["jiguan", "cujin"])))
    members = set(
        db.session.scalars(
            sa.select(Person.code)
            .join(Membership)
            .where(
                Membership.unit_id.in_(branches),
                Membership.on_date(today),
                Person.party_status.in_([PartyStatus.FULL, PartyStatus.PROBATIONARY]),
                Person.transferred_out_on.is_(None),
            )
        )
    )
    per_person = Counter(e.person.code for e in entries)
    assert INACTIVE in members
    assert set(per_person) == members - {INACTIVE}
    assert all(2 <= n <= 4 for n in per_person.values()), per_person

    # The member account's person: one returned (with the reason) and one approved.
    mine = [e for e in entries if e.person.code == MEMBER]
    assert sorted(e.state for e in mine) == [LogState.APPROVED, LogState.RETURNED]
    assert all(e.review_comment for e in mine if e.state is LogState.RETURNED)


def secretaries_have_work() -> None:
    """The jiguan secretary's queue holds logs, a check-in and a make-up; the dashboard warns
    about exactly the seconded member."""
    today = local_today()
    secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
    units = scope_unit_ids(secretary)
    in_units = sa.select(Membership.person_id).where(
        Membership.unit_id.in_(units), Membership.on_date(today)
    )
    pending_logs = db.session.scalars(
        sa.select(MemberLog).where(
            MemberLog.state == LogState.PENDING, MemberLog.person_id.in_(in_units)
        )
    ).all()
    at_units = sa.select(Participation).join(Activity).where(Activity.unit_id.in_(units))
    check_ins = db.session.scalars(
        at_units.where(
            Participation.status != AttendanceStatus.UNMARKED, sa.not_(Participation.confirmed)
        )
    ).all()
    make_ups = db.session.scalars(
        at_units.where(Participation.make_up_state == MakeUpState.SUBMITTED)
    ).all()
    assert pending_logs and check_ins and make_ups
    assert len(pending_logs) + len(check_ins) + len(make_ups) >= 3
    assert all(e.person_id != secretary.person_id for e in pending_logs)
    # The other secretary has logs waiting too.
    other = db.session.scalar(sa.select(User).where(User.username == "secretary2"))
    cujin_people = sa.select(Membership.person_id).where(
        Membership.unit_id.in_(scope_unit_ids(other)), Membership.on_date(today)
    )
    assert db.session.scalar(
        sa.select(sa.func.count())
        .select_from(MemberLog)
        .where(MemberLog.state == LogState.PENDING, MemberLog.person_id.in_(cujin_people))
    )

    days = settings.get(INACTIVE_DAYS.key)  # 90, as the dashboard asks
    inactive = figures.inactive_members(units, today, days)
    assert [person.code for person, _last in inactive] == [INACTIVE]
    last_present = inactive[0][1]
    assert last_present is not None and last_present < today - timedelta(days=days)
    # Over the last four months: expected at the branch's sessions, present at none, on leave
    # at one at most.
    seconded = db.session.scalar(sa.select(Person).where(Person.code == INACTIVE))
    rows = db.session.scalars(
        at_units.where(
            Participation.person_id == seconded.id,
            Activity.held_on >= today - timedelta(days=31 * INACTIVE_MONTHS),
            Activity.starts_at <= utcnow(),
        )
    ).all()
    assert len(rows) >= 6
    assert not any(r.status.is_present for r in rows)
    assert sum(r.status is AttendanceStatus.LEAVE for r in rows) <= 1


def test_demo_dates_and_photos():
    assert nth_weekday(2025, 10, 1, 1) == date(2025, 10, 9)  # the first Tuesday is a holiday
    assert workday_from(date(2026, 2, 16)) == date(2026, 2, 24)  # Spring Festival
    assert workday_from(date(2026, 11, 15)) == date(2026, 11, 16)
    photo = demo_photo(1, "2026-11-16 14:45")
    assert photo.startswith(b"\xff\xd8\xff") and photo == demo_photo(1, "2026-11-16 14:45")
