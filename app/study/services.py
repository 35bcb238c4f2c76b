"""Study sessions: the default study hours, creating and listing them, the month's calendar."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.activities import services as core
from app.activities.listing import ActivityFilters, activity_query
from app.activities.models import Activity, ActivityFamily
from app.auth.models import Role, User
from app.extensions import db
from app.reports import kept
from app.study.models import StudySession
from app.types import utcnow


def create_session(values: dict[str, Any], by: User) -> StudySession:
    """A new session with its default expected list. ``values`` holds the form's fields."""
    session = StudySession(created_at=utcnow())
    apply_values(session, values)
    return core.add_activity(session, by, session.kind.expected_default)  # type: ignore[return-value]


def apply_values(session: StudySession, values: dict[str, Any]) -> None:
    """The form's values; study hours left empty follow the times."""
    if values.get("study_hours") is None:
        starts = values.get("starts_at", session.starts_at)
        values = {
            **values,
            "study_hours": core.default_hours(starts, values.get("ends_at", session.ends_at)),
        }
    core.apply_values(session, values, FIELDS)


FIELDS = ("kind", "topics", "minutes", "resolutions", "study_hours")


def session_query(user: User, filters: ActivityFilters, now: datetime) -> sa.Select:
    """The sessions a user may see, newest first, with the filters applied."""
    return activity_query(StudySession, user, filters, now)


# A calendar day shows this many sessions, then "+N more" linking to the day's list.
SESSIONS_PER_DAY = 3


def _day_counts(visible: sa.Select, first: date, following: date) -> dict[date, int]:
    """Each day's count of ``visible`` in [first, following), from the index of days alone."""
    counted = visible.with_only_columns(Activity.held_on, sa.func.count()).where(
        Activity.held_on >= first, Activity.held_on < following
    )
    return dict(db.session.execute(counted.group_by(Activity.held_on)).tuples().all())


def _first_ids(visible: sa.Select, days: Iterable[date]) -> sa.CompoundSelect:
    """The ids of each day's first ``SESSIONS_PER_DAY`` sessions by start, read off the index of
    days (no window over the month)."""
    firsts = [
        sa.select(
            visible.with_only_columns(Activity.id)
            .where(Activity.held_on == day)
            .order_by(Activity.starts_at, Activity.id)
            .limit(SESSIONS_PER_DAY)
            .subquery()
        )
        for day in sorted(days)
    ]
    return sa.union_all(*firsts)


def _bureau_month(visible: sa.Select, first: date, following: date) -> dict[str, Any]:
    """The admin's month as plain data, kept: ISO day → count, and the ids shown."""
    totals = _day_counts(visible, first, following)
    shown = list(db.session.scalars(_first_ids(visible, totals))) if totals else []
    return {"totals": {day.isoformat(): n for day, n in totals.items()}, "shown": shown}


def month_sessions(
    user: User, first: date, following: date, now: datetime
) -> dict[date, tuple[list[StudySession], int]]:
    """Per day of [first, following): its first ``SESSIONS_PER_DAY`` sessions by start and how
    many it has in all, in a constant number of statements however many sessions a day holds.
    The bureau's month, the admin's, is kept between requests (``app.reports.kept``): its
    counts grow with the district."""
    visible = (
        session_query(user, ActivityFilters(), now)
        .where(Activity.family == ActivityFamily.STUDY)
        .order_by(None)
    )
    if user.role is Role.ADMIN:
        name = kept.key("calendar", first, following)
        plan = kept.Kept(now).get(name, lambda: _bureau_month(visible, first, following))
        totals = {date.fromisoformat(day): n for day, n in plan["totals"].items()}
        ids: Any = plan["shown"]
    else:
        totals = _day_counts(visible, first, following)
        ids = _first_ids(visible, totals) if totals else []
    if not totals:
        return {}
    shown = (
        sa.select(StudySession)
        .where(Activity.id.in_(ids))
        .options(joinedload(StudySession.unit))
        .order_by(Activity.held_on, Activity.starts_at, Activity.id)
    )
    days: dict[date, tuple[list[StudySession], int]] = {}
    for session in db.session.scalars(shown):
        days.setdefault(session.held_on, ([], totals[session.held_on]))[0].append(session)
    return days


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following
