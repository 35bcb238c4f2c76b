"""The integrity family's own figures: which units have held a kind of activity in a year, and
the bureau's branches that have held this year's family forum. The generic ones (held, years in
a row) are ``app.reports.figures``'."""

from datetime import date, datetime

import sqlalchemy as sa

from app.extensions import db
from app.integrity.models import IntegrityActivity, IntegrityKind
from app.people.models import OrgUnit, UnitKind
from app.people.tree import subtree_pairs
from app.reports.figures import YearsInARow, counts_now, years_in_a_row_by


def _held(kind: IntegrityKind, year: int, now: datetime) -> list[sa.ColumnElement[bool]]:
    """Over ``IntegrityActivity``: of the kind, counting (started, not cancelled) in the year."""
    a = IntegrityActivity
    return [
        a.kind == kind,
        a.held_on >= date(year, 1, 1),
        a.held_on < date(year + 1, 1, 1),
        counts_now(now),
    ]


def forum_years(units: list[OrgUnit], year: int, now: datetime) -> dict[int, YearsInARow]:
    """Each unit's years in a row of family integrity forums up to ``year``, the units below it
    included, in one statement; a unit that never held one is not in the result. This year's is
    held when the run ends with ``year``."""
    if not units:
        return {}
    pairs = subtree_pairs([unit.id for unit in units])
    a = IntegrityActivity
    below = [a.unit_id == pairs.c.unit_id, a.kind == IntegrityKind.FAMILY_FORUM]
    return years_in_a_row_by(a, pairs.c.top, below, None, year, now)


def branches_that_held(kind: IntegrityKind, year: int, now: datetime) -> list[int]:
    """[branches that held an activity of the kind in the year, active branches]: the bureau's
    line on the admin's home, one statement."""
    held = sa.select(IntegrityActivity.unit_id).where(*_held(kind, year, now))
    branch = sa.and_(OrgUnit.kind == UnitKind.BRANCH, OrgUnit.deleted_at.is_(None))
    stmt = sa.select(sa.func.count().filter(OrgUnit.id.in_(held)), sa.func.count()).where(branch)
    done, total = db.session.execute(stmt).one()
    return [int(done or 0), int(total or 0)]
