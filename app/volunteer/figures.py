"""The figures of practical things for the masses for a unit (with the units below) and a year,
exactly as DOMAIN.md ("Practical things") defines them: the projects' in one statement, the
service days' and the volunteer hours in another; and service days' part in the generic figures
(the volunteer hours they credit, none in attendance)."""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.activities.models import Activity, ActivityFamily, Participation
from app.auth.policy import subtree_ids
from app.extensions import db
from app.logs.models import LogKind, LogState, MemberLog
from app.people.models import OrgUnit
from app.people.tree import subtree_pairs
from app.reports.figures import (
    FigureProvider,
    as_hours,
    counted_on_the_day,
    counts_now,
    credited_present,
    member_of_on,
    rate,
    register_provider,
)
from app.volunteer.models import Acceptance, Project, ProjectStatus, ServiceDay

RECENT_YEARS = 3  # "近三年": Y − 2 … Y


@dataclass(frozen=True)
class ProjectYear:
    """``projects``: the projects of Y (not cancelled, planned to start by 31 Dec Y, not done
    before 1 Jan Y); ``done``: completed in Y, whatever their due year; ``planned`` those
    planned to complete in Y and ``planned_done`` those of them completed by 31 Dec Y (the
    completion rate, never above 100 %: ``done`` is shown apart); ``closed``: closed out with
    the acceptance dated in Y; ``overdue``: planned completion passed and not done, as of
    min(today, 31 Dec Y); ``people_served``: Σ 人数 of those done in Y; the survey's answers
    pooled over the projects closed out in Y; ``done_recent``: completed in Y − 2 … Y."""

    year: int
    projects: int = 0
    done: int = 0
    planned: int = 0
    planned_done: int = 0
    closed: int = 0
    overdue: int = 0
    people_served: int = 0
    satisfied: int = 0
    fairly_satisfied: int = 0
    responses: int = 0
    done_recent: int = 0

    @property
    def completion_rate(self) -> Decimal | None:
        return rate(self.planned_done, self.planned)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfied + self.fairly_satisfied, self.responses)


def of_year(year: int) -> sa.ColumnElement[bool]:
    """The projects of Y (DOMAIN.md), cancelled ones aside: planned to start by its end and not
    done before it began."""
    p = Project
    return sa.and_(
        p.planned_start <= date(year, 12, 31),
        sa.or_(p.completed_on.is_(None), p.completed_on >= date(year, 1, 1)),
    )


def _between(column: sa.ColumnElement[date], first: date, last: date) -> sa.ColumnElement[bool]:
    return sa.and_(column >= first, column <= last)


def _project_columns(year: int, today: date) -> list[sa.ColumnElement[int]]:
    """The ``ProjectYear`` counts as aggregate columns over ``Project`` outer-joined to its
    ``Acceptance``, in the dataclass's order."""
    p, a = Project, Acceptance
    first, last = date(year, 1, 1), date(year, 12, 31)
    as_of = min(today, last)
    done = p.status.in_([ProjectStatus.DONE, ProjectStatus.CLOSED])
    done_in = sa.and_(done, _between(p.completed_on, first, last))
    closed_in = sa.and_(p.status == ProjectStatus.CLOSED, _between(a.accepted_on, first, last))
    # Not done as of the day: open still, or completed only after it.
    overdue = sa.and_(p.planned_end < as_of, sa.or_(~done, p.completed_on > as_of))
    planned = _between(p.planned_end, first, last)

    def answers(column: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(column).filter(closed_in), 0)

    return [
        sa.func.count().filter(of_year(year)),
        sa.func.count().filter(done_in),
        sa.func.count().filter(planned),
        sa.func.count().filter(planned, done, p.completed_on <= last),
        sa.func.count().filter(closed_in),
        sa.func.count().filter(overdue),
        sa.func.coalesce(sa.func.sum(p.beneficiaries_count).filter(done_in), 0),
        answers(a.satisfied),
        answers(a.fairly_satisfied),
        answers(a.satisfied + a.fairly_satisfied + a.dissatisfied),
        sa.func.count().filter(
            done, _between(p.completed_on, date(year - RECENT_YEARS + 1, 1, 1), last)
        ),
    ]


def _counting_projects(*columns: sa.ColumnElement[Any]) -> sa.Select:
    """``columns`` over the live projects that count: not cancelled, not a pledge waiting."""
    p = Project
    return (
        sa.select(*columns)
        .select_from(p)
        .outerjoin(Acceptance, Acceptance.project_id == p.id)
        .where(p.deleted_at.is_(None), p.cancelled_at.is_(None), p.running())
    )


def project_year(unit: OrgUnit | None, year: int, today: date) -> ProjectYear:
    """The figures of the unit (None: the bureau) and year, from one statement."""
    stmt = _counting_projects(*_project_columns(year, today))
    if unit is not None:
        stmt = stmt.where(Project.unit_id.in_(subtree_ids(sa.select(sa.literal(unit.id)))))
    values = [int(value or 0) for value in db.session.execute(stmt).one()]
    return ProjectYear(year, *values)


def project_years(tops: list[int], year: int, today: date) -> dict[int, ProjectYear]:
    """``project_year`` of each of the units (with the units below), in one statement."""
    pairs = subtree_pairs(tops)
    stmt = _counting_projects(pairs.c.top, *_project_columns(year, today))
    stmt = stmt.join(pairs, pairs.c.unit_id == Project.unit_id).group_by(pairs.c.top)
    found = {
        top: ProjectYear(year, *(int(v or 0) for v in rest))
        for top, *rest in db.session.execute(stmt)
    }
    return {top: found.get(top, ProjectYear(year)) for top in tops}


@dataclass(frozen=True)
class OpenLine:
    """A unit's open projects today (not cancelled, not done), those overdue and those due
    within the projects' due-soon days: the dashboards' line."""

    open: int = 0
    overdue: int = 0
    due: int = 0


def open_lines(
    unit_ids: list[int] | None, today: date, due_days: int
) -> dict[int | None, OpenLine]:
    """The ``OpenLine`` of each of the units (with the units below), or of the bureau under
    None, in one statement."""
    p = Project
    live = [
        p.deleted_at.is_(None),
        p.cancelled_at.is_(None),
        p.running(),
        p.status.in_([ProjectStatus.NOT_STARTED, ProjectStatus.IN_PROGRESS]),
    ]
    counts = (
        sa.func.count(),
        sa.func.count().filter(p.planned_end < today),
        sa.func.count().filter(_between(p.planned_end, today, today + timedelta(days=due_days))),
    )
    if unit_ids is None:
        found = db.session.execute(sa.select(*counts).where(*live)).one()
        return {None: OpenLine(*(int(value) for value in found))}
    if not unit_ids:
        return {}
    pairs = subtree_pairs(unit_ids)
    stmt = (
        sa.select(pairs.c.top, *counts)
        .select_from(p)
        .join(pairs, pairs.c.unit_id == p.unit_id)
        .where(*live)
        .group_by(pairs.c.top)
    )
    lines = {
        top: OpenLine(*(int(value) for value in rest)) for top, *rest in db.session.execute(stmt)
    }
    return {unit_id: lines.get(unit_id, OpenLine()) for unit_id in unit_ids}


@dataclass(frozen=True)
class ServiceYear:
    """The service days of a unit (with the units below) and year that count (started, not
    cancelled): ``days`` held, ``attendances`` the person-times of those confirmed present,
    ``served`` Σ the person-times they served (人次, apart from the projects' 人数),
    ``service_hours`` Σ the hours credited to those present; ``log_hours`` the approved
    volunteer logs of the year by the unit's people on the day (the bureau's: all)."""

    year: int
    days: int = 0
    attendances: int = 0
    served: int = 0
    service_hours: Decimal = Decimal("0.0")
    log_hours: Decimal = Decimal("0.0")

    @property
    def volunteer_hours(self) -> Decimal:
        """Volunteer hours, the members' total: service days attended + approved logs."""
        return self.service_hours + self.log_hours


def _held(year: int, now: datetime) -> list[sa.ColumnElement[bool]]:
    """Over ``Activity``: a service day of ``year`` that counts (started, not cancelled)."""
    return [
        Activity.family == ActivityFamily.SERVICE,
        Activity.held_on >= date(year, 1, 1),
        Activity.held_on < date(year + 1, 1, 1),
        counts_now(now),
    ]


def _days(*by: sa.ColumnElement[Any]) -> sa.Select:
    """The service days' count and Σ person-times served (by ``by``), of the days joined."""
    sd = ServiceDay.__table__
    columns = (sa.func.count(), sa.func.coalesce(sa.func.sum(sd.c.served), 0))
    return sa.select(*by, *columns).select_from(Activity).join(sd, sd.c.id == Activity.id)


def _present(*by: sa.ColumnElement[Any]) -> sa.Select:
    """Those confirmed present at the service days joined: how many, Σ their hours credited."""
    sd, p = ServiceDay.__table__, Participation
    hours = sa.func.coalesce(sa.func.sum(sa.func.coalesce(p.own_hours, sd.c.hours)), 0)
    return (
        sa.select(*by, sa.func.count(), hours)
        .select_from(p)
        .join(Activity, Activity.id == p.activity_id)
        .join(sd, sd.c.id == Activity.id)
        .where(credited_present())
    )


def service_year(unit: OrgUnit | None, year: int, now: datetime) -> ServiceYear:
    """The unit's (None: the bureau's) service days and volunteer hours of ``year``, in one
    statement: the days' row, the present rows' row and the logs' sum."""
    held = _held(year, now)
    logs = sa.select(sa.func.coalesce(sa.func.sum(MemberLog.hours), 0)).where(
        MemberLog.kind == LogKind.VOLUNTEER,
        MemberLog.state == LogState.APPROVED,
        MemberLog.done_on >= date(year, 1, 1),
        MemberLog.done_on < date(year + 1, 1, 1),
    )
    logs = logs.where(sa.not_(counted_on_the_day(MemberLog.person_id, MemberLog.done_on)))
    if unit is not None:
        units = subtree_ids(sa.select(sa.literal(unit.id)))
        held.append(Activity.unit_id.in_(units))
        logs = logs.where(member_of_on(units, MemberLog.person_id, MemberLog.done_on))
    day_row, present_row = _days().where(*held).subquery(), _present().where(*held).subquery()
    stmt = sa.select(*day_row.c, *present_row.c, logs.scalar_subquery()).select_from(
        day_row.join(present_row, sa.true())  # one row each
    )
    count, served, attendances, hours, log_hours = db.session.execute(stmt).one()
    return ServiceYear(
        year, int(count), int(attendances), int(served), as_hours(hours), as_hours(log_hours)
    )


def service_years(tops: list[int], year: int, now: datetime) -> dict[int, ServiceYear]:
    """The service days' part of ``service_year`` for each of the units (with the units below),
    in two statements; the volunteer logs, counted by the person's unit on the day, are left to
    the unit's own figures."""
    pairs = subtree_pairs(tops)

    def by_top(stmt: sa.Select) -> dict[int, tuple[Any, Any]]:
        stmt = stmt.join(pairs, pairs.c.unit_id == Activity.unit_id).where(*_held(year, now))
        return {
            top: (first, second)
            for top, first, second in db.session.execute(stmt.group_by(pairs.c.top))
        }

    days, present = by_top(_days(pairs.c.top)), by_top(_present(pairs.c.top))
    found = {}
    for top in tops:
        count, served = days.get(top, (0, 0))
        attendances, hours = present.get(top, (0, 0))
        found[top] = ServiceYear(
            year, int(count), int(attendances), int(served or 0), as_hours(hours)
        )
    return found


@dataclass(frozen=True)
class VolunteerYear:
    """The family's figures of a unit and year, as the annual compilation reads them."""

    projects: ProjectYear
    service: ServiceYear


def year_figures(
    unit: OrgUnit | None, year: int, now: datetime, today: date, _due: int
) -> VolunteerYear:
    return VolunteerYear(project_year(unit, year, today), service_year(unit, year, now))


def _volunteer_hours() -> Any:
    return ServiceDay.__table__.c.hours


register_provider(
    FigureProvider(
        ActivityFamily.SERVICE,
        in_attendance=sa.false,
        volunteer_hours=_volunteer_hours,
        year=year_figures,
    )
)


@dataclass(frozen=True)
class UnitLine:
    """A unit's year of practical things on the admin's table of units, the units below it
    included: its projects' figures and its service days'."""

    unit_id: int
    name: str
    depth: int
    projects: ProjectYear
    service: ServiceYear

    def plain(self) -> dict[str, Any]:
        """As plain JSON values, to be kept between requests (hours as text)."""
        service = asdict(self.service)
        service |= {key: str(service[key]) for key in ("service_hours", "log_hours")}
        return {**asdict(self), "projects": asdict(self.projects), "service": service}

    @classmethod
    def of_plain(cls, row: dict[str, Any]) -> "UnitLine":
        service = dict(row["service"])
        service |= {key: Decimal(service[key]) for key in ("service_hours", "log_hours")}
        projects = ProjectYear(**row["projects"])
        return cls(row["unit_id"], row["name"], row["depth"], projects, ServiceYear(**service))


def unit_lines(
    places: list[tuple[int, str, int]], year: int, today: date, now: datetime
) -> list[UnitLine]:
    """The ``UnitLine`` of each of ``places`` (unit id, name, depth), in their order: a page of
    the admin's table, in three statements whatever its length."""
    tops = [unit_id for unit_id, _name, _depth in places]
    if not tops:
        return []
    projects, service = project_years(tops, year, today), service_years(tops, year, now)
    return [
        UnitLine(unit_id, name, depth, projects[unit_id], service[unit_id])
        for unit_id, name, depth in places
    ]
