"""The maintained figures of every activity (``activity_tally``), and the writes that change them.

Why: the bureau's pages (the admin's home with its monthly chart and table of units, later the
compliance grid and the compilation) pool the figures of a year of every unit. Computed from
the participation rows that is a quarter of a million rows on every visit, linear in the
district. Kept per activity, the same figures are sums over one row per activity.

What is kept: one row per activity with the ``Counts`` of ``app.reports.figures`` (应到 with its
subtotals, 实到, 请假, 缺席, 未标记, 待确认, make-ups, the staff line, 列席) and what the pages
filter on — the activity's unit, date, start, state and whether it counts in attendance. These
depend only on stored rows, never on the clock: whether an activity has started ("counts from
its start on") and the org tree (a 党小组 moved to another branch) are applied when the table is
read, so neither the clock nor a tree move makes a row stale.

How it stays exact: a session hook (``after_flush``) collects the activities a flush touched,
through ``WRITES``, locks their rows (``FOR UPDATE`` on PostgreSQL; SQLite serialises writers)
and rewrites their tally rows with one aggregate statement (``counts_by_activity``, the very
statement the fresh figures use) on the flush's own connection, so the tally commits or rolls
back with the change. Bulk loads (the synthetic district) fill it with ``refresh_all``; the
invariants (``app.demo.invariants``) compare it with a fresh computation.

The same hook keeps ``attendance_last``: per person and unit, the latest session they were
expected at and the latest they were present or late at (``LAST_WRITES``: participations and
activities, recomputed for the people touched with one aggregate statement), so the
inactive-members warning reads only the few people whose last presence is old, unknown or at a
session not started yet (``app.reports.figures.not_seen_since``) instead of 90 days of rows of
the whole district.

And it keeps ``unit_tally``, the same figures summed per unit (its subtree included) and year up
to each month, so the bureau's pages read one row per unit or per month: each tally rewrite adds
the difference of the rewritten rows (new minus old) to the rows of the activity's unit and of
every unit above it, of its month and the later months of its year, old unit and month as well
as new — additions commute, so writers of the same
row never need to read it. What moves a unit's subtree (``moves_subtrees``: a unit put under
another parent) or takes a tally row away unseen (an activity deleted: the row goes with it)
rebuilds the whole table from ``activity_tally``; on PostgreSQL the rebuild holds the table
exclusively and each addition first takes the table's shared write lock, so an addition reads
the tree after any rebuild before it has committed.

All three are machine state, not records: the audit listener never sees them (Core statements, no
``__audited__``), they carry no version counter.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction, aliased

from app.activities.models import (
    Activity,
    ActivityState,
    ActivityTally,
    AttendanceLast,
    Participation,
    UnitTally,
)
from app.flushes import changed, touched
from app.people.models import OrgUnit, Person

# The columns of an activity the figures read (a study session's kind decides whether it
# counts in attendance); a change to any of them rewrites the activity's tally.
ACTIVITY_COLUMNS = frozenset({"state", "held_on", "starts_at", "unit_id", "family", "kind"})
# A person's columns that decide their party status on an activity's date.
PERSON_COLUMNS = frozenset({"party_status", "joined_on", "regularised_on"})
# Every column of a participation enters a count (role, status, confirmation, leave, make-up).
PARTICIPATION_COLUMNS = frozenset(
    {"activity_id", "person_id", "role", "status", "confirmed", "leave_state", "make_up_state"}
)

Affected = sa.Select | list[int]


@dataclass(frozen=True)
class Write:
    """A kind of change that makes tally rows stale: objects of ``model`` added, deleted, or
    changed in one of ``columns``, and the activities whose rows that affects (ids, or a
    SELECT of ids)."""

    name: str
    model: type
    columns: frozenset[str]
    affected: Callable[[list[Any]], Affected]

    def applies(self, obj: object, whole: bool) -> bool:
        """``whole``: the object was added or deleted, every column changed."""
        if not isinstance(obj, self.model):
            return False
        return whole or touched(obj, self.columns)


def _old_and_new(rows: list[Participation], key: str) -> list[int]:
    """The ids a column of participations holds now or held before this flush."""
    ids: set[int] = set()
    for row in rows:
        ids.add(getattr(row, key))
        ids.update(i for i in inspect(row).attrs[key].history.deleted if i)
    return sorted(i for i in ids if i is not None)


def _participation_activities(rows: list[Participation]) -> list[int]:
    return _old_and_new(rows, "activity_id")


def _person_activities(people: list[Person]) -> sa.Select:
    ids = [person.id for person in people]
    return sa.select(Participation.activity_id).where(Participation.person_id.in_(ids))


WRITES: tuple[Write, ...] = (
    # A participation added, removed or changed: status (出席/迟到/请假/缺席/未标记), role
    # (expected ↔ 列席), confirmation of a check-in, leave requested or decided, make-up.
    Write("participation", Participation, PARTICIPATION_COLUMNS, _participation_activities),
    # An activity created, cancelled, archived, reopened, moved to another date or unit, or of
    # another kind: its own row only (the tree is resolved when read).
    Write("activity", Activity, ACTIVITY_COLUMNS, lambda acts: sorted(a.id for a in acts)),
    # A person's party status or its dates: their status on the date of each of their activities.
    Write("person", Person, PERSON_COLUMNS, _person_activities),
)
# Writes that change no tally row, and why (each has its test all the same):
# - memberships (added, ended, soft-deleted, restored): the counts are over the session's list
#   as stored; a membership decides who is put on a list, which is a participation write, and
#   the inactive-members figure, which reads memberships when asked;
# - org-tree moves (a 党小组 under another branch): a tally row names the activity's own unit and
#   every page rolls units up the tree as it stands when read (``unit_tally``, which sums each
#   unit's subtree, is rebuilt instead: ``moves_subtrees``).
UNAFFECTING = ("membership", "org_unit")


def moves_subtrees(session: Session) -> bool:
    """What ``unit_tally`` depends on beyond the tally rows, so that it is rebuilt whole: a unit
    put under another parent (its subtree's sums move from one line of units to another), a
    unit or an activity deleted (an activity's tally row goes with it by the foreign key's
    cascade, before its difference is seen). Creating a unit changes nothing."""
    for obj in session.deleted:
        if isinstance(obj, (Activity, OrgUnit)):
            return True
    return any(isinstance(obj, OrgUnit) and touched(obj, {"parent_id"}) for obj in session.dirty)


def _participation_people(rows: list[Participation]) -> list[int]:
    return _old_and_new(rows, "person_id")


def _activity_people(activities: list[Activity]) -> sa.Select:
    ids = [activity.id for activity in activities]
    return sa.select(Participation.person_id).where(Participation.activity_id.in_(ids))


# The same writes for ``attendance_last`` (each person's latest expected and present session
# per unit), naming the people whose rows they make stale; every row of those people is
# recomputed, so a row moved from one activity or unit to another needs no old value.
LAST_WRITES: tuple[Write, ...] = (
    # A participation added, removed or changed: role, status, confirmation (leave and
    # make-ups change no presence, but a row is cheap to recompute).
    Write("participation", Participation, PARTICIPATION_COLUMNS, _participation_people),
    # An activity cancelled or restored, moved to another date, start or unit, or of a kind
    # that counts in attendance or not: the people on its list.
    Write("activity", Activity, ACTIVITY_COLUMNS, _activity_people),
)
# A person's party status changes none of it (the warning applies it when read), nor do
# memberships or tree moves (read when asked, like ``UNAFFECTING``).


def _columns() -> list[str]:
    return [column.name for column in ActivityTally.__table__.columns]


def fresh(activities: sa.Select | list[int] | None = None) -> sa.Select:
    """The tally rows computed from the participation rows, in the table's column order: of
    ``activities`` (ids, or a SELECT of them), of every activity when None."""
    from app.reports.figures import activity_columns

    stmt = activity_columns()
    if activities is not None:
        stmt = stmt.where(Activity.id.in_(activities))
    computed = stmt.subquery()
    return sa.select(*(computed.c[name] for name in _columns()))


def refresh(connection: sa.Connection, activities: sa.Select | list[int]) -> None:
    """Rewrite the tally rows of ``activities`` (ids, or a SELECT of them) in the connection's
    transaction: lock the activities' rows (in id order, so two writers never deadlock), then
    one aggregate statement. Rows of activities that no longer exist are gone."""
    table = ActivityTally.__table__
    locked = list(
        connection.scalars(
            sa.select(Activity.id)
            .where(Activity.id.in_(activities))
            .order_by(Activity.id)
            .with_for_update()
        )
    )
    ids = locked if isinstance(activities, sa.Select) else list(activities)
    if not ids:
        return
    kept = sa.select(table).where(table.c.activity_id.in_(ids))
    old = connection.execute(kept).mappings().all()
    connection.execute(table.delete().where(table.c.activity_id.in_(ids)))
    connection.execute(table.insert().from_select(_columns(), fresh(locked)))
    add_to_units(connection, _difference(old, connection.execute(kept).mappings().all()))


# ``unit_tally``: the columns summed, and what a tally row adds to them.
UNIT_KEY = ("unit_id", "year", "month")
UNIT_SUMS = tuple(c.name for c in UnitTally.__table__.columns if c.name not in UNIT_KEY)
COUNTED = UNIT_SUMS[2:]  # the Counts columns, as named in both tables

Key = tuple[int, int, int]


def _contribution(row: sa.RowMapping) -> list[int] | None:
    """What one tally row adds to its unit's sums, or None when it is not in them."""
    if not row["in_attendance"] or row["state"] == ActivityState.CANCELLED:
        return None
    return [1, 1 if row["rows"] > 0 else 0, *(row[name] for name in COUNTED)]


def _difference(old: Sequence[sa.RowMapping], new: Sequence[sa.RowMapping]) -> dict[Key, list[int]]:
    """New minus old tally rows, per own unit, year and month; zeros left out."""
    sums: dict[Key, list[int]] = defaultdict(lambda: [0] * len(UNIT_SUMS))
    for rows, sign in ((new, 1), (old, -1)):
        for row in rows:
            values = _contribution(row)
            if values is None:
                continue
            day = row["held_on"]
            target = sums[(row["unit_id"], day.year, day.month)]
            for index, value in enumerate(values):
                target[index] += sign * value
    return {key: values for key, values in sums.items() if any(values)}


def ancestry(units: sa.Select | list[int] | None = None) -> sa.CTE:
    """(unit_id, ancestor_id) for every unit of ``units`` (every unit when None) and each unit
    from it up to the root, itself included: a recursive CTE."""
    start = sa.select(
        OrgUnit.id.label("unit_id"), OrgUnit.id.label("ancestor_id"), OrgUnit.parent_id
    )
    if units is not None:
        start = start.where(OrgUnit.id.in_(units))
    up = start.cte("ancestry", recursive=True)
    parent = aliased(OrgUnit)
    return up.union_all(
        sa.select(up.c.unit_id, parent.id, parent.parent_id).join(
            parent, parent.id == up.c.parent_id
        )
    )


def _lock_units(connection: sa.Connection, mode: str) -> None:
    """PostgreSQL: take ``unit_tally``'s lock in ``mode`` (SQLite serialises writers)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"LOCK TABLE unit_tally IN {mode} MODE"))


def add_to_units(connection: sa.Connection, difference: dict[Key, list[int]]) -> None:
    """Add each own unit's difference of a month to the rows of that unit and every unit above
    it, of that month and every later month of the year (each row sums the year to its month);
    rows are created at zero when missing, and written in key order."""
    if not difference:
        return
    _lock_units(connection, "ROW EXCLUSIVE")
    up = ancestry(sorted({key[0] for key in difference}))
    chains: dict[int, list[int]] = defaultdict(list)
    for unit_id, ancestor_id in connection.execute(sa.select(up.c.unit_id, up.c.ancestor_id)):
        chains[unit_id].append(ancestor_id)
    totals: dict[Key, list[int]] = defaultdict(lambda: [0] * len(UNIT_SUMS))
    for (unit_id, year, month), values in difference.items():
        for ancestor_id in chains[unit_id]:
            for later in range(month, 13):
                target = totals[(ancestor_id, year, later)]
                for index, value in enumerate(values):
                    target[index] += value
    keys = sorted(key for key, values in totals.items() if any(values))
    if not keys:
        return
    table = UnitTally.__table__
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    zero = dict.fromkeys(UNIT_SUMS, 0)
    connection.execute(
        insert(table).on_conflict_do_nothing(index_elements=list(UNIT_KEY)),
        [dict(zip(UNIT_KEY, key, strict=True), **zero) for key in keys],
    )
    add = (
        table.update()
        .where(*(table.c[name] == sa.bindparam(f"k_{name}") for name in UNIT_KEY))
        .values({name: table.c[name] + sa.bindparam(f"d_{name}") for name in UNIT_SUMS})
    )
    connection.execute(
        add,
        [
            {
                **{f"k_{name}": value for name, value in zip(UNIT_KEY, key, strict=True)},
                **{f"d_{name}": value for name, value in zip(UNIT_SUMS, totals[key], strict=True)},
            }
            for key in keys
        ],
    )


def fresh_units() -> sa.Select:
    """The ``unit_tally`` rows computed from ``activity_tally`` and the tree as it stands, in the
    table's column order: per unit above an activity (itself included), year and month, the
    sums of the year's months up to that one."""
    t = ActivityTally
    up = ancestry()
    months = sa.union_all(*(sa.select(sa.literal(m).label("month")) for m in range(1, 13)))
    months = months.subquery("months")
    month = months.c.month
    year = sa.cast(sa.extract("year", t.held_on), sa.Integer)
    stmt = (
        sa.select(
            up.c.ancestor_id.label("unit_id"),
            year.label("year"),
            month.label("month"),
            sa.func.count().label("activities"),
            sa.func.sum(sa.case((t.rows > 0, 1), else_=0)).label("listed"),
            *(sa.func.sum(getattr(t, name)).label(name) for name in COUNTED),
        )
        .join_from(t, up, up.c.unit_id == t.unit_id)
        .join(months, sa.cast(sa.extract("month", t.held_on), sa.Integer) <= month)
        .where(t.in_attendance, t.state != ActivityState.CANCELLED)
        .group_by(up.c.ancestor_id, year, month)
    )
    return stmt


def refresh_all_units(connection: sa.Connection) -> None:
    """Rebuild the whole of ``unit_tally`` from ``activity_tally`` (a tree move, a bulk load, a
    migration), holding the table against additions on PostgreSQL."""
    _lock_units(connection, "EXCLUSIVE")
    table = UnitTally.__table__
    connection.execute(table.delete())
    connection.execute(
        table.insert().from_select([column.name for column in table.columns], fresh_units())
    )


def fresh_last(people: sa.Select | list[int] | None = None) -> sa.Select:
    """The ``attendance_last`` rows computed from the participation rows: of ``people`` (ids,
    or a SELECT of them), of everyone when None."""
    from app.reports.figures import attendance_last_columns

    stmt = attendance_last_columns()
    if people is not None:
        stmt = stmt.where(Participation.person_id.in_(people))
    return stmt


def _last_columns() -> list[str]:
    return [column.name for column in AttendanceLast.__table__.columns]


def lock_people(connection: sa.Connection, people: list[int]) -> None:
    """Lock the people's rows in id order (``FOR UPDATE`` on PostgreSQL; SQLite serialises
    writers): two check-ins of one person at two sessions lock different activities, and the
    second must count the first's row in ``attendance_last`` once it has committed. Taken
    before the activities' locks, in the order a person's own edit takes them (its UPDATE holds
    the person's row, then its tally rewrite locks that person's activities), so a check-in and
    an edit of the same person never wait for each other in a circle."""
    if people:
        connection.execute(
            sa.select(Person.id).where(Person.id.in_(people)).order_by(Person.id).with_for_update()
        ).all()


def refresh_last(connection: sa.Connection, people: list[int]) -> None:
    """Rewrite the ``attendance_last`` rows of ``people``, locked by ``lock_people``, with one
    aggregate statement."""
    if not people:
        return
    table = AttendanceLast.__table__
    connection.execute(table.delete().where(table.c.person_id.in_(people)))
    connection.execute(table.insert().from_select(_last_columns(), fresh_last(people)))


def refresh_all(connection: sa.Connection, units: bool = True) -> None:
    """Rebuild the whole table from the participation rows (a bulk load, a migration), and
    ``unit_tally`` from it unless ``units`` is False (a migration before that table)."""
    table = ActivityTally.__table__
    connection.execute(table.delete())
    connection.execute(table.insert().from_select(_columns(), fresh()))
    if units:
        refresh_all_units(connection)


def refresh_all_last(connection: sa.Connection) -> None:
    """Rebuild the whole of ``attendance_last`` from the participation rows (a bulk load, a
    migration)."""
    table = AttendanceLast.__table__
    connection.execute(table.delete())
    connection.execute(table.insert().from_select(_last_columns(), fresh_last()))


def affected(
    whole: Iterable[object], changed: Iterable[object], writes: tuple[Write, ...] = WRITES
) -> list[Affected]:
    """The activities whose tally is made stale by objects added or deleted (``whole``) and
    objects changed (with ``writes=LAST_WRITES``: the people whose ``attendance_last`` is)."""
    found = [(obj, True) for obj in whole] + [(obj, False) for obj in changed]
    result: list[Affected] = []
    for write in writes:
        mine = [obj for obj, is_whole in found if write.applies(obj, is_whole)]
        if mine:
            result.append(write.affected(mine))
    return result


def _ids(connection: sa.Connection, stale: list[Affected]) -> list[int]:
    ids: set[int] = set()
    for found in stale:
        ids.update(connection.scalars(found) if isinstance(found, sa.Select) else found)
    return sorted(ids)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    whole = [*session.new, *session.deleted]
    modified = changed(session)
    stale = affected(whole, modified)
    rebuild = moves_subtrees(session)
    if not stale and not rebuild:
        return
    connection = session.connection()
    if stale:
        people = _ids(connection, affected(whole, modified, LAST_WRITES))
        lock_people(connection, people)  # people first, then activities, then unit sums
        refresh(connection, _ids(connection, stale))
        refresh_last(connection, people)
    if rebuild:
        refresh_all_units(connection)


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
