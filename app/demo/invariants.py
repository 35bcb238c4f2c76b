"""What every database must satisfy, checked with aggregates: the synthetic district runs it at
the end of a load and the tests plant each violation to see it caught."""

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import aliased

from app.activities import tally
from app.activities.models import (
    Activity,
    ActivityState,
    ActivityTally,
    AttendanceLast,
    ParticipantRole,
    Participation,
    UnitTally,
)
from app.people import search
from app.people.models import Membership, OrgUnit, PersonGram
from app.reports.figures import counts_by_activity

SHOWN = 5


def _ids(rows: list) -> str:
    return ", ".join(str(row[0]) for row in rows[:SHOWN]) + (" …" if len(rows) > SHOWN else "")


def foreign_keys(db: SQLAlchemy) -> list[str]:
    """PRAGMA foreign_key_check on SQLite; PostgreSQL enforces every key itself."""
    if db.engine.dialect.name != "sqlite":
        return []
    rows = db.session.execute(sa.text("PRAGMA foreign_key_check")).all()
    return [f"foreign key broken: {row[0]} row {row[1]} → {row[2]}" for row in rows[:SHOWN]]


def parts_sum(db: SQLAlchemy) -> list[str]:
    """实到 + 请假 + 缺席 + 未标记 + 待确认 = 应到 on every activity (the figures' own counting)."""
    counts = counts_by_activity().subquery()
    parts = counts.c.present + counts.c.leave + counts.c.absent + counts.c.unmarked
    rows = db.session.execute(
        sa.select(counts.c.id).where(parts + counts.c.pending != counts.c.expected)
    ).all()
    return [f"parts do not sum to 应到 on activities {_ids(rows)}"] if rows else []


def one_per_person(db: SQLAlchemy) -> list[str]:
    p = Participation
    rows = db.session.execute(
        sa.select(p.activity_id, p.person_id)
        .group_by(p.activity_id, p.person_id)
        .having(sa.func.count() > 1)
    ).all()
    return [f"several participations of one person on activities {_ids(rows)}"] if rows else []


def no_overlap(db: SQLAlchemy) -> list[str]:
    a, b = aliased(Membership), aliased(Membership)
    far = sa.literal(date(9999, 12, 31), sa.Date())
    rows = db.session.execute(
        sa.select(a.person_id)
        .join(
            b,
            sa.and_(
                a.person_id == b.person_id,
                a.unit_id == b.unit_id,
                a.id < b.id,
                b.deleted_at.is_(None),
                a.start_date < sa.func.coalesce(b.end_date, far),
                b.start_date < sa.func.coalesce(a.end_date, far),
            ),
        )
        .where(a.deleted_at.is_(None))
    ).all()
    return [f"overlapping memberships of persons {_ids(rows)}"] if rows else []


def expected_members(db: SQLAlchemy) -> list[str]:
    """Expected only with a membership of the unit (or a unit below it) on the activity's date."""
    p = Participation
    children = sa.select(OrgUnit.id).where(OrgUnit.parent_id == Activity.unit_id)
    grandchildren = sa.select(OrgUnit.id).where(OrgUnit.parent_id.in_(children))
    member = sa.exists().where(
        Membership.person_id == p.person_id,
        Membership.on_date(Activity.held_on),
        sa.or_(
            Membership.unit_id == Activity.unit_id,
            Membership.unit_id.in_(children),
            Membership.unit_id.in_(grandchildren),
        ),
    )
    rows = db.session.execute(
        sa.select(p.id)
        .join(Activity, Activity.id == p.activity_id)
        .where(p.role == ParticipantRole.EXPECTED, sa.not_(member))
    ).all()
    return (
        [f"expected without a membership on the date: participations {_ids(rows)}"] if rows else []
    )


def archived_settled(db: SQLAlchemy) -> list[str]:
    counts = counts_by_activity().subquery()
    rows = db.session.execute(
        sa.select(counts.c.id)
        .join(Activity, Activity.id == counts.c.id)
        .where(
            Activity.state == ActivityState.ARCHIVED,
            counts.c.unmarked + counts.c.pending > 0,
        )
    ).all()
    return [f"archived with unmarked or pending rows: activities {_ids(rows)}"] if rows else []


def tally_fresh(db: SQLAlchemy) -> list[str]:
    """The maintained figures (``activity_tally``) equal those computed from the rows now: a
    row for every activity, none for an activity that is gone, every column the same."""
    kept = sa.select(*ActivityTally.__table__.columns)
    stale = [
        *db.session.execute(sa.except_(tally.fresh(), kept)).all(),
        *db.session.execute(sa.except_(kept, tally.fresh())).all(),
    ]
    return [f"activity figures kept out of date: activities {_ids(stale)}"] if stale else []


def last_fresh(db: SQLAlchemy) -> list[str]:
    """Each person's latest expected and present session per unit (``attendance_last``) equals
    that computed from the rows now: a row for every pair, none for a pair that is gone."""
    kept = sa.select(*AttendanceLast.__table__.columns)
    stale = [
        *db.session.execute(sa.except_(tally.fresh_last(), kept)).all(),
        *db.session.execute(sa.except_(kept, tally.fresh_last())).all(),
    ]
    return [f"latest attendance kept out of date: people {_ids(stale)}"] if stale else []


def units_fresh(db: SQLAlchemy) -> list[str]:
    """The sums per unit, month and year (``unit_tally``) equal those computed from
    ``activity_tally`` and the tree now; a kept row whose figures are all zero stands for none."""
    table = UnitTally.__table__
    kept = sa.select(*table.columns).where(
        sa.or_(*(table.c[name] != 0 for name in tally.UNIT_SUMS))
    )
    stale = [
        *db.session.execute(sa.except_(tally.fresh_units(), kept)).all(),
        *db.session.execute(sa.except_(kept, tally.fresh_units())).all(),
    ]
    if not stale:
        return []
    units = ", ".join(sorted({f"{row.unit_id} ({row.year}-{row.month})" for row in stale}))
    return [f"unit figures kept out of date: units {units}"]


def grams_fresh(db: SQLAlchemy) -> list[str]:
    """The people search's index (``person_gram``) holds each person's pieces as they are now."""
    connection = db.session.connection()
    table = PersonGram.__table__
    kept = set(connection.execute(sa.select(*table.c)).tuples())
    now = {tuple(row.values()) for row in search.fresh(connection, sa.true())}
    stale = sorted({row[2:3] for row in kept ^ now})  # (person_id,) as _ids shows it
    return [f"people search index out of date: people {_ids(stale)}"] if stale else []


CHECKS: tuple[Callable[[SQLAlchemy], list[str]], ...] = (
    foreign_keys,
    parts_sum,
    one_per_person,
    no_overlap,
    expected_members,
    archived_settled,
    tally_fresh,
    last_fresh,
    units_fresh,
    grams_fresh,
)


def check(db: SQLAlchemy) -> list[str]:
    """Every violation found, as sentences; empty when the database holds."""
    return [violation for one in CHECKS for violation in one(db)]
