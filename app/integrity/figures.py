"""The integrity family's own figures: which units have held a kind of activity in a year, and
the bureau's branches that have held this year's family forum. The generic ones (held, years in
a row) are ``app.reports.figures``'."""

from datetime import date, datetime

import sqlalchemy as sa

from app.extensions import db
from app.integrity.models import IntegrityActivity, IntegrityKind
from app.people.models import OrgUnit, UnitKind
from app.people.tree import subtree_pairs
from app.reports.figures import counts_now


def _held(kind: IntegrityKind, year: int, now: datetime) -> list[sa.ColumnElement[bool]]:
    """Over ``IntegrityActivity``: of the kind, counting (started, not cancelled) in the year."""
    a = IntegrityActivity
    return [
        a.kind == kind,
        a.held_on >= date(year, 1, 1),
        a.held_on < date(year + 1, 1, 1),
        counts_now(now),
    ]


def units_that_held(units: list[int], kind: IntegrityKind, year: int, now: datetime) -> set[int]:
    """Which of ``units`` held at least one activity of the kind in the year, each with the
    units below it: one statement."""
    if not units:
        return set()
    pairs = subtree_pairs(units)
    stmt = (
        sa.select(pairs.c.top)
        .join(IntegrityActivity, IntegrityActivity.unit_id == pairs.c.unit_id)
        .where(*_held(kind, year, now))
        .distinct()
    )
    return set(db.session.scalars(stmt))


def branches_that_held(kind: IntegrityKind, year: int, now: datetime) -> list[int]:
    """[branches that held an activity of the kind in the year, active branches]: the bureau's
    line on the admin's home, one statement."""
    held = sa.select(IntegrityActivity.unit_id).where(*_held(kind, year, now))
    branch = sa.and_(OrgUnit.kind == UnitKind.BRANCH, OrgUnit.deleted_at.is_(None))
    stmt = sa.select(sa.func.count().filter(OrgUnit.id.in_(held)), sa.func.count()).where(branch)
    done, total = db.session.execute(stmt).one()
    return [int(done or 0), int(total or 0)]
