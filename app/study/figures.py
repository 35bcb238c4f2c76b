"""Study's own figures: which sessions count in attendance and credit study hours (its part in
the generic figures, registered with ``app.reports.figures``), and the heart-to-heart talks."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from app.activities.models import Activity, ActivityFamily, Participation
from app.extensions import db
from app.reports.figures import FigureProvider, attended, held_in, register_provider
from app.study.models import StudyKind, StudySession

ATTENDANCE_KINDS = [kind for kind in StudyKind if kind.counts_in_attendance]
TALK_KINDS = [kind for kind in StudyKind if not kind.counts_in_attendance]


def _of_kinds(kinds: list[StudyKind]) -> sa.ColumnElement[bool]:
    # Correlated, so each activity is looked up by its id: an ``IN (SELECT …)`` would read
    # every session of these kinds the bureau ever held, whatever the query narrows to.
    study = StudySession.__table__
    found = sa.select(study.c.id).where(study.c.id == Activity.id, study.c.kind.in_(kinds))
    return found.correlate_except(study).exists()


def _hours_of(activity: Activity) -> Decimal:
    assert isinstance(activity, StudySession)
    return activity.study_hours


register_provider(
    FigureProvider(
        family=ActivityFamily.STUDY,
        in_attendance=lambda: _of_kinds(ATTENDANCE_KINDS),
        hours=lambda: StudySession.__table__.c.study_hours,
        hours_of=_hours_of,
    )
)


def _of_study(kinds: list[StudyKind]) -> sa.ColumnElement[bool]:
    return sa.and_(Activity.family == ActivityFamily.STUDY, _of_kinds(kinds))


def study_sessions(
    start: date, end: date, units: sa.Select | None = None, now: datetime | None = None
) -> sa.Select:
    """SELECT of the ids of study sessions that count in attendance, held in [start, end), in
    ``units`` (a SELECT of unit ids, already including the units below) when given. Sessions
    of a kind that does not count in attendance (heart-to-heart talks) are left out: their
    figures are talks (``talk_sessions``, ``talks``)."""
    return held_in(start, end, units, now, _of_study(ATTENDANCE_KINDS))


def talk_sessions(
    start: date, end: date, units: sa.Select | None = None, now: datetime | None = None
) -> sa.Select:
    """SELECT of the ids of heart-to-heart talk sessions that count (started, not cancelled),
    held in [start, end), in ``units`` when given."""
    return held_in(start, end, units, now, _of_study(TALK_KINDS))


class Talk(NamedTuple):
    """One heart-to-heart talk: the talker (the session's chair, a person or a typed name) and
    the person talked to, on the session's date."""

    activity_id: int
    held_on: date
    talker_id: int | None
    talker_name: str | None
    person_id: int


def talks(activities: sa.Select | Iterable[int]) -> list[Talk]:
    """The talks of the talk sessions among ``activities`` (a SELECT of activity ids, e.g.
    ``talk_sessions(...)``, or ids), in one query: each person on a session's list confirmed
    present (出席/迟到), the chair excepted, talked with the chair. By date, then session."""
    p = Participation
    study = StudySession.__table__
    ids = activities if isinstance(activities, sa.Select) else list(activities)
    stmt = (
        sa.select(
            p.activity_id, Activity.held_on, Activity.chair_id, Activity.chair_name, p.person_id
        )
        .join(Activity, Activity.id == p.activity_id)
        .join(study, study.c.id == p.activity_id)
        .where(
            p.activity_id.in_(ids),
            study.c.kind.in_(TALK_KINDS),
            attended(),
            sa.or_(Activity.chair_id.is_(None), Activity.chair_id != p.person_id),
        )
        .order_by(Activity.held_on, p.activity_id, p.id)
    )
    return [Talk(*row) for row in db.session.execute(stmt)]
