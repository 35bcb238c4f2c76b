"""flask demo: three years of study sessions at the DOMAIN.md frequencies, whose records obey the
rules the figures rely on."""

from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from app.activities.models import (
    ActivityState,
    Evidence,
    LeaveState,
    MakeUpState,
    Participation,
)
from app.auth.models import User
from app.demo_sessions import demo_photo, is_day_off, nth_weekday, workday_from
from app.extensions import db
from app.reports.figures import Counts, activity_counts
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


def test_demo_sessions(runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
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
        last_year = Counter(
            (s.unit.code, s.kind) for s in sessions if s.held_on.year == today.year - 1
        )
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


def test_demo_dates_and_photos():
    assert nth_weekday(2025, 10, 1, 1) == date(2025, 10, 9)  # the first Tuesday is a holiday
    assert workday_from(date(2026, 2, 16)) == date(2026, 2, 24)  # Spring Festival
    assert workday_from(date(2026, 11, 15)) == date(2026, 11, 16)
    photo = demo_photo(1, "2026-11-16 14:45")
    assert photo.startswith(b"\xff\xd8\xff") and photo == demo_photo(1, "2026-11-16 14:45")
