"""The figures of practical things for the masses for a unit (with the units below) and a year,
exactly as DOMAIN.md ("Practical things") defines them, in one statement."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth.policy import subtree_ids
from app.extensions import db
from app.people.models import OrgUnit
from app.people.tree import subtree_pairs
from app.reports.figures import rate
from app.volunteer.models import Acceptance, Project, ProjectStatus

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


def project_year(unit: OrgUnit | None, year: int, today: date) -> ProjectYear:
    """The figures of the unit (None: the bureau) and year, from one statement."""
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

    stmt = (
        sa.select(
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
        )
        .select_from(p)
        .outerjoin(a, a.project_id == p.id)
        .where(p.deleted_at.is_(None), p.cancelled_at.is_(None), p.running())
    )
    if unit is not None:
        stmt = stmt.where(p.unit_id.in_(subtree_ids(sa.select(sa.literal(unit.id)))))
    values = [int(value or 0) for value in db.session.execute(stmt).one()]
    return ProjectYear(year, *values)


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
