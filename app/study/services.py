"""Study sessions: who is expected by default, the default study hours, creating and listing."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from app.activities import expected
from app.activities.models import Activity, ActivityFamily, ActivityStatus
from app.activities.services import flag_late_entry, set_expected
from app.auth.models import Role, User
from app.auth.policy import scoped_activities, subtree_ids
from app.extensions import db
from app.people.models import OrgUnit
from app.queries import bounded_int
from app.reports import kept
from app.study.models import StudyKind, StudySession
from app.types import local_date, utcnow


def default_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """The duration rounded to the nearest half hour, halves up: 1 h 45 min → 2.0, 1 h 36 → 1.5."""
    minutes = Decimal((ends_at - starts_at).total_seconds()) / 60
    halves = (minutes / 30).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return (halves / 2).quantize(Decimal("0.1"))


def expected_person_ids(unit: OrgUnit, kind: StudyKind, on: date) -> set[int]:
    """The default expected list of a session of ``kind`` (``activities.expected``)."""
    return expected.expected_person_ids(unit, kind.expected_default, on)


def create_session(values: dict[str, Any], by: User) -> StudySession:
    """A new session with its default expected list. ``values`` holds the form's fields."""
    session = StudySession(created_by_id=by.id, created_at=utcnow())
    apply_values(session, values)
    db.session.add(session)
    set_expected(session, expected_person_ids(session.unit, session.kind, session.held_on))
    return session


def apply_values(session: StudySession, values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key in FIELDS:
            setattr(session, key, value)
    session.held_on = local_date(session.starts_at)
    if values.get("study_hours") is None:
        session.study_hours = default_hours(session.starts_at, session.ends_at)
    flag_late_entry(session, values.get("late_reason"))


FIELDS = (
    "title",
    "kind",
    "unit",
    "starts_at",
    "ends_at",
    "place",
    "chair_id",
    "chair_name",
    "minute_taker_id",
    "minute_taker_name",
    "lecturer_id",
    "lecturer_name",
    "topics",
    "minutes",
    "resolutions",
    "study_hours",
)


@dataclass
class SessionFilters:
    year: int | None = None
    kind: StudyKind | None = None
    unit_id: int | None = None
    status: ActivityStatus | None = None
    # One day's sessions, the calendar's "+N more" of a crowded day.
    day: date | None = None

    @classmethod
    def from_args(cls, args: MultiDict) -> "SessionFilters":
        year = bounded_int(args.get("year"))
        return cls(
            year=year if year is not None and 1900 <= year <= 2100 else None,
            kind=_enum(StudyKind, args.get("kind")),
            unit_id=bounded_int(args.get("unit")),
            status=_enum(ActivityStatus, args.get("status")),
            day=_day(args.get("day")),
        )


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _enum(cls: type, raw: str | None) -> Any:
    try:
        return cls(raw) if raw else None
    except ValueError:
        return None


def session_query(user: User, filters: SessionFilters, now: datetime) -> sa.Select:
    """The sessions a user may see, newest first, with the filters applied."""
    stmt = (
        sa.select(StudySession)
        .options(joinedload(StudySession.unit))
        # ``held_on`` is the local date of the start, so this is the order of the starts, and
        # the one of the index the day, month and year filters read (no sort of the range).
        .order_by(Activity.held_on.desc(), Activity.starts_at.desc(), Activity.id.desc())
    )
    days = []
    if filters.year is not None:
        days += [
            Activity.held_on >= date(filters.year, 1, 1),
            Activity.held_on < date(filters.year + 1, 1, 1),
        ]
    if filters.day is not None:
        days.append(Activity.held_on == filters.day)
    stmt = scoped_activities(stmt, user, *days)
    if filters.kind is not None:
        stmt = stmt.where(StudySession.kind == filters.kind)
    if filters.unit_id is not None:
        stmt = stmt.where(Activity.unit_id.in_(subtree_ids(sa.select(sa.literal(filters.unit_id)))))
    if filters.status is not None:
        stmt = stmt.where(Activity.status_condition(filters.status, now))
    return stmt


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
        session_query(user, SessionFilters(), now)
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
