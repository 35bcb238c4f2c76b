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

It is machine state, not a record: the audit listener never sees it (Core statements, no
``__audited__``), it carries no version counter.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from app.activities.models import Activity, ActivityTally, Participation
from app.people.models import Person

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
        if whole:
            return True
        attrs = inspect(obj).attrs
        return any(key in attrs and attrs[key].history.has_changes() for key in self.columns)


def _participation_activities(rows: list[Participation]) -> list[int]:
    ids: set[int] = set()
    for row in rows:
        ids.add(row.activity_id)
        ids.update(i for i in inspect(row).attrs["activity_id"].history.deleted if i)
    return sorted(i for i in ids if i is not None)


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
#   every page rolls units up the tree as it stands when read.
UNAFFECTING = ("membership", "org_unit")


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
    connection.execute(table.delete().where(table.c.activity_id.in_(ids)))
    connection.execute(table.insert().from_select(_columns(), fresh(locked)))


def refresh_all(connection: sa.Connection) -> None:
    """Rebuild the whole table from the participation rows (a bulk load, a migration)."""
    table = ActivityTally.__table__
    connection.execute(table.delete())
    connection.execute(table.insert().from_select(_columns(), fresh()))


def affected(whole: Iterable[object], changed: Iterable[object]) -> list[Affected]:
    """The activities whose tally is made stale by objects added or deleted (``whole``) and
    objects changed."""
    found = [(obj, True) for obj in whole] + [(obj, False) for obj in changed]
    result: list[Affected] = []
    for write in WRITES:
        mine = [obj for obj, is_whole in found if write.applies(obj, is_whole)]
        if mine:
            result.append(write.affected(mine))
    return result


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    changed = [obj for obj in session.dirty if session.is_modified(obj)]
    stale = affected([*session.new, *session.deleted], changed)
    if not stale:
        return
    connection = session.connection()
    ids: set[int] = set()
    for activities in stale:
        if isinstance(activities, sa.Select):
            ids.update(connection.scalars(activities))
        else:
            ids.update(activities)
    refresh(connection, sorted(ids))


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
