"""Service days 志愿服务日: creating one (its hours following its times unless given), a
participant's own hours, and the volunteer log a service day already counts."""

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.activities import services as core
from app.activities.expected import ExpectedDefault
from app.activities.models import (
    ActivityState,
    ParticipantRole,
    Participation,
)
from app.auth.models import User
from app.extensions import db
from app.people.models import OrgUnit, roster_order
from app.refusals import Refused
from app.reports.figures import credited_present
from app.types import utcnow
from app.volunteer.models import Project, ServiceDay

FIELDS = ("project_id", "hours", "served", "content")
# Those at a service day are the unit's Party members by default; the secretary edits the list.
EXPECTED = ExpectedDefault.PARTY_MEMBERS
MAX_HOURS = Decimal("24.0")
NOT_THE_PROJECTS_UNIT = _l("A project's service day is held by its lead unit or a unit below it.")


def apply_values(day: ServiceDay, values: dict[str, Any]) -> None:
    """The form's values; hours left empty follow the times."""
    if values.get("hours") is None:
        starts = values.get("starts_at", day.starts_at)
        values = {**values, "hours": core.default_hours(starts, values.get("ends_at", day.ends_at))}
    core.apply_values(day, values, FIELDS)


def held_by(project: Project, unit: OrgUnit | None) -> bool:
    """Whether ``unit`` may hold a service day of the project: its lead unit or one below it
    (a few parents up the tree), whose keepers keep the project too."""
    found = unit
    while found is not None and found.id != project.unit_id:
        found = found.parent
    return found is not None


def create_service_day(values: dict[str, Any], by: User) -> ServiceDay:
    """A new service day (of ``values["project"]`` when given) with the unit's Party members
    expected; added to the session, not committed."""
    project: Project | None = values.get("project")
    if project is not None and not held_by(project, values["unit"]):
        raise Refused(NOT_THE_PROJECTS_UNIT, 422)
    day = ServiceDay(created_at=utcnow(), project_id=project.id if project else None)
    apply_values(day, values)
    return core.add_activity(day, by, EXPECTED)  # type: ignore[return-value]


def credited(day: ServiceDay, row: Participation) -> Decimal:
    """The volunteer hours the day credits to someone present: their own, else the day's."""
    return row.own_hours if row.own_hours is not None else day.hours


def present_hours(day: ServiceDay) -> list[tuple[Participation, Decimal]]:
    """Everyone on the list confirmed present, as the grid lists them (the expected first, in
    roster order), with the hours credited."""
    rows = [r for r in day.participations if r.status.is_present and r.confirmed]
    rows.sort(key=lambda r: (r.role is not ParticipantRole.EXPECTED, roster_order(r.person)))
    return [(row, credited(day, row)) for row in rows]


def set_own_hours(row: Participation, hours: Decimal | None) -> None:
    """A participant's own hours (came late, left early); None: the day's again. Only for
    someone present, and never more than a day holds."""
    core.require_open(row.activity)
    if hours is not None and not row.status.is_present:
        raise Refused(_("Own hours are for someone who was there."), status=422)
    if hours is not None and not Decimal(0) <= hours <= MAX_HOURS:
        raise Refused(_("Hours are between 0 and 24."), status=422)
    row.own_hours = hours


def attended_on(person_id: int, day: date) -> ServiceDay | None:
    """A service day on ``day`` the person is credited at (confirmed present or late), not
    cancelled: what a volunteer log of that day would count twice."""
    p = Participation
    stmt = (
        sa.select(ServiceDay)
        .join(p, p.activity_id == ServiceDay.id)
        .where(p.person_id == person_id, credited_present())
        .where(ServiceDay.held_on == day, ServiceDay.state != ActivityState.CANCELLED)
        .order_by(ServiceDay.starts_at, ServiceDay.id)
        .limit(1)
    )
    return db.session.scalar(stmt)


def days_of_project(project: Project) -> list[ServiceDay]:
    """The project's service days, cancelled ones too (marked), in the order held."""
    stmt = (
        sa.select(ServiceDay)
        .where(ServiceDay.project_id == project.id)
        .order_by(ServiceDay.held_on, ServiceDay.starts_at, ServiceDay.id)
    )
    return list(db.session.scalars(stmt))
