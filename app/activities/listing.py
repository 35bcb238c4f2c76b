"""A family's list of activities: the filters its page takes (year, kind, unit, status, one
day) and the activities a user may see under them, newest first."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from app.activities.models import Activity, ActivityStatus
from app.auth.models import Role, User
from app.auth.policy import can_plan_activities, scoped_activities, subtree_ids
from app.people.unit_picker import filter_units
from app.queries import bounded_int, paginate, query_args
from app.reports import figures
from app.types import local_today, utcnow


@dataclass
class ActivityFilters:
    year: int | None = None
    kind: Any = None  # a member of the family's kinds
    unit_id: int | None = None
    status: ActivityStatus | None = None
    # One day's activities (a calendar's "+N more" of a crowded day).
    day: date | None = None

    @classmethod
    def from_args(cls, args: MultiDict, kinds: type | None) -> "ActivityFilters":
        """The filters a list's address asks for; what does not parse is no filter (``kinds``
        None: the family has no kinds)."""
        year = bounded_int(args.get("year"))
        return cls(
            year=year if year is not None and 1900 <= year <= 2100 else None,
            kind=_enum(kinds, args.get("kind")) if kinds is not None else None,
            unit_id=bounded_int(args.get("unit")),
            status=_enum(ActivityStatus, args.get("status")),
            day=_day(args.get("day")),
        )

    @property
    def narrowed(self) -> bool:
        """Whether any filter is set (an empty list then says "nothing matches")."""
        return any(value is not None for value in vars(self).values())


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


def list_context(model: Any, kinds: type | None, options: Sequence[Any] = ()) -> dict[str, Any]:
    """What a family's list page shows: a page of the activities the user may see under the
    filters the address asks for, their counts, and what the filter form offers. ``options``:
    loader options for what the family's columns show beside the unit."""
    now = utcnow()
    filters = ActivityFilters.from_args(query_args(), kinds)
    page = paginate(activity_query(model, current_user, filters, now).options(*options))
    planner = can_plan_activities(current_user)
    return {
        "page": page,
        "counts": figures.activity_counts(activity.id for activity in page.items),
        "filters": filters,
        "units": filter_units(current_user, filters.unit_id) if planner else [],
        "kinds": kinds,
        "statuses": ActivityStatus,
        "years": range(local_today().year + 1, local_today().year - 6, -1),
        "can_create": planner,
        "now": now,
    }


def activity_query(model: Any, user: User, filters: ActivityFilters, now: datetime) -> sa.Select:
    """The activities of ``model`` (a family's, with its ``kind``) a user may see, newest first,
    with the filters applied."""
    stmt = (
        sa.select(model)
        .options(joinedload(model.unit))
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
    if user.role is Role.ADMIN and filters.unit_id is None:
        # The bureau's list: read (and counted) off the index of the family's days, not a walk
        # of every family's activities of the year. A narrower list is led by its few ids.
        days.append(Activity.family == model.__mapper__.polymorphic_identity)
    stmt = scoped_activities(stmt, user, *days)
    if filters.kind is not None:
        stmt = stmt.where(model.kind == filters.kind)
    if filters.unit_id is not None:
        stmt = stmt.where(Activity.unit_id.in_(subtree_ids(sa.select(sa.literal(filters.unit_id)))))
    if filters.status is not None:
        stmt = stmt.where(Activity.status_condition(filters.status, now))
    return stmt
