"""What waits for a secretary across record families, what waits for a member, and the decisions.

The queue is one SQL UNION ALL of the registered sources' SELECTs (``app/review/sources.py``) —
self check-ins to confirm, leave requests, make-up studies, member logs — each giving the kind,
the item's id, since when it waits, its unit and its person. The badge counts the same SELECTs,
so it always equals what the queue lists.
Services take models and values, may add and flush, never commit; a refusal raises ``Refused``.
"""

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Forbidden, NotFound

from app.activities import services as core
from app.activities.models import Activity, ActivityState, LeaveState, MakeUpState, Participation
from app.auth.models import Role, User
from app.auth.policy import may_decide
from app.evidence.models import Evidence
from app.extensions import db
from app.logs.models import LogState, MemberLog
from app.people.models import OrgUnit, Person
from app.queries import COUNT_LIMIT, CappedCount, bounded_int
from app.refusals import Refused
from app.reports.figures import owes_make_up
from app.review import attendance, member_logs, sources  # noqa: F401 - the sources register
from app.review.sources import Source
from app.types import LabelledEnum, utcnow

Key = tuple[Source, int]


@dataclass(frozen=True)
class QueueFilters:
    kind: Source | None = None
    unit_id: int | None = None

    @classmethod
    def from_args(cls, args: MultiDict) -> "QueueFilters":
        return cls(kind=sources.get(args.get("kind")), unit_id=bounded_int(args.get("unit")))

    @property
    def any(self) -> bool:
        return self.kind is not None or self.unit_id is not None


def _chosen(filters: QueueFilters) -> list[Source]:
    return [filters.kind] if filters.kind is not None else sources.all_sources()


def _selects(user: User, filters: QueueFilters) -> list[sa.Select]:
    """The chosen sources' SELECTs of waiting items, in the form that counts them."""
    limits = sources.unit_limits(user, filters.unit_id)
    return [source.counted(user, limits) for source in _chosen(filters)]


def _count(selects: list[sa.Select], cap: int | None = None) -> int:
    """The rows of the SELECTs, each counted and the counts added, in one statement: the number
    of rows their union lists. With ``cap``, each is counted up to ``cap + 1`` rows and the sum
    stops there: ``cap + 1`` reads "more than ``cap``", and no count reads more rows however
    many wait."""
    counts = [
        sa.select(sa.func.count())
        .select_from((stmt if cap is None else stmt.limit(cap + 1)).subquery())
        .scalar_subquery()
        for stmt in selects
    ]
    total = db.session.scalar(sa.select(reduce(operator.add, counts))) or 0
    return total if cap is None else min(total, cap + 1)


def queue_statement(user: User, filters: QueueFilters, rows: int) -> sa.Select:
    """SELECT kind, item_id, since, unit_id, person_id of waiting items, oldest first (ties by
    kind, then id), whose first ``rows`` are those of the whole queue: the first rows of each
    source, then their order. Only those are sorted, never all that wait."""
    limits = sources.unit_limits(user, filters.unit_id)
    parts = [
        sa.select(part.subquery())
        for source in _chosen(filters)
        for part in source.first(user, limits, rows)
    ]
    queue = sa.union_all(*parts).subquery("queue")
    return sa.select(queue).order_by(queue.c.since, queue.c.kind, queue.c.item_id)


# The badge says "99+" past this many, as badges do: on every page of a secretary or an admin,
# it reads at most a hundred rows of each source. The queue's own page counts to COUNT_LIMIT.
BADGE_LIMIT = 99


def waiting_count(user: User) -> int:
    """Items waiting in the user's queue: the badge of secretaries and admins, exact up to
    ``BADGE_LIMIT`` (``BADGE_LIMIT + 1``: more than that)."""
    if user.role is Role.MEMBER:
        return 0
    return _count(_selects(user, QueueFilters()), BADGE_LIMIT)


@dataclass
class QueueItem:
    """One item as the queue shows it; ``obj`` is what its source decides on."""

    source: Source
    obj: Any
    since: datetime | None
    unit: OrgUnit | None
    files: list[Evidence] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.obj.id

    @property
    def key(self) -> str:
        """What a bulk checkbox sends: kind, id and the version shown."""
        return f"{self.source.kind}:{self.obj.id}:{self.obj.version}"

    @property
    def dom_id(self) -> str:
        return f"item-{self.source.kind}-{self.obj.id}"

    @property
    def person(self) -> Person:
        return self.obj.person

    @property
    def waiting(self) -> bool:
        return self.source.waiting(self.obj)

    @property
    def outcome(self) -> tuple[str, str]:
        """What became of an item no longer waiting: (label, Bootstrap badge class)."""
        return self.source.outcome(self.obj)

    @property
    def comment(self) -> str | None:
        return self.source.comment(self.obj)

    def done_message(self, approved: bool) -> str:
        message = self.source.approved_message if approved else self.source.returned_message
        return str(message) % {"name": self.person.name}


def _load(keys: list[Key]) -> dict[Key, Any]:
    """The objects the keys name, one query per loader however many sources share it."""
    wanted: dict[Any, set[int]] = {}
    for source, item_id in keys:
        wanted.setdefault(source.loader, set()).add(item_id)
    loaded = {loader: loader(ids) for loader, ids in wanted.items()}
    return {
        (source, item_id): obj
        for source, item_id in keys
        if (obj := loaded[source.loader].get(item_id)) is not None
    }


def _kept(user: User, objects: dict[Key, Any]) -> dict[Key, int | None]:
    """The objects the user keeps with the unit each is kept in, one check per keeper."""
    by_keeper: dict[Any, dict[int, Any]] = {}
    for (source, item_id), obj in objects.items():
        by_keeper.setdefault(source.keeper, {})[item_id] = obj
    kept = {keeper: keeper(user, objs) for keeper, objs in by_keeper.items()}
    return {
        (source, item_id): kept[source.keeper][item_id]
        for source, item_id in objects
        if item_id in kept[source.keeper]
    }


def _units(unit_ids: Iterable[int | None]) -> dict[int, OrgUnit]:
    wanted = {unit_id for unit_id in unit_ids if unit_id is not None}
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(wanted)))}


def _add_files(items: list[QueueItem]) -> None:
    """The live files of the items, one query per source that has files."""
    by_source: dict[Source, list[int]] = {}
    for item in items:
        by_source.setdefault(item.source, []).append(item.id)
    found = {source: source.files(ids) for source, ids in by_source.items()}
    for item in items:
        item.files = found[item.source].get(item.id, [])


def _items(rows: list[sa.Row]) -> list[QueueItem]:
    """Queue rows into items, in a fixed number of queries whatever the page holds."""
    keyed = [(row, (sources.get(row.kind), row.item_id)) for row in rows]
    objects = _load([key for _row, key in keyed])
    units = _units(row.unit_id for row in rows)
    items = [
        QueueItem(key[0], objects[key], row.since, units.get(row.unit_id))
        for row, key in keyed
        if key in objects  # else gone between the two queries
    ]
    _add_files(items)
    return items


class QueuePage(CappedCount, Pagination):
    """One page of the queue: the count (or the one given: the badge's, for the whole queue),
    the page of the union, then the objects it names. Counted exactly up to ``COUNT_LIMIT``
    items, as every list is (the whole queue: up to the badge's ``BADGE_LIMIT``); beyond,
    "page N · more", a row read past the page telling whether there is a next one."""

    def _query_items(self) -> list[QueueItem]:
        offset = (self.page - 1) * self.per_page
        stmt = queue_statement(
            self._query_args["user"], self._query_args["filters"], offset + self.per_page + 1
        )
        rows = db.session.execute(stmt.limit(self.per_page + 1).offset(offset)).all()
        self.more_after = len(rows) > self.per_page
        return _items(rows[: self.per_page])

    def _query_count(self) -> int | None:  # type: ignore[override]
        total = self._query_args["total"]
        if total is not None:  # the badge's, exact up to its own limit
            return total if total <= BADGE_LIMIT else None
        selects = _selects(self._query_args["user"], self._query_args["filters"])
        total = _count(selects, COUNT_LIMIT)
        return total if total <= COUNT_LIMIT else None


def queue_page(
    user: User, filters: QueueFilters, page: int, per_page: int, total: int | None = None
) -> QueuePage:
    """A page of the queue; ``total``: its length when already counted (None: count it)."""
    return QueuePage(
        page=page,
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        user=user,
        filters=filters,
        total=total,
    )


def items_for_review(user: User, keys: list[Key]) -> list[QueueItem]:
    """The items, with access checked for every one before anything changes: 404 for one the
    user does not keep (or that does not exist), 403 for their own (only an admin decides their
    own). A fixed number of queries however many items."""
    if user.role is Role.MEMBER:
        raise Forbidden()
    objects = _load(keys)
    kept = _kept(user, objects)
    units = _units(kept.values())
    items = []
    for key in keys:
        if key not in kept:
            raise NotFound()
        source, obj = key[0], objects[key]
        if not may_decide(user, obj.person_id):
            raise Forbidden()
        items.append(QueueItem(source, obj, source.since(obj), units.get(kept[key])))
    _add_files(items)
    return items


def parse_key(raw: str) -> tuple[Source, int, int | None] | None:
    """``kind:id`` or ``kind:id:version`` from a bulk checkbox; None when malformed."""
    parts = raw.split(":")
    if len(parts) not in (2, 3):
        return None
    source = sources.get(parts[0])
    if source is None:
        return None
    item_id = bounded_int(parts[1])
    version = bounded_int(parts[2]) if len(parts) == 3 else None
    if item_id is None or (len(parts) == 3 and version is None):
        return None
    return source, item_id, version


RETURN_NEEDS_COMMENT = _l("Say why it is returned: a comment is needed.")


def decide(item: QueueItem, approve: bool, comment: str | None, by: User) -> None:
    """Approve (comment optional) or return (comment needed) the item, through its source. An
    item decided meanwhile is refused as a conflict, with the source's reason as a warning."""
    if not approve and not comment:
        raise Refused(RETURN_NEEDS_COMMENT, 422)
    try:
        item.source.decide(item.obj, approve, comment, by)
    except Refused as refused:
        raise Refused(refused.message, 409, "warning") from refused


def decide_all(
    items: list[QueueItem],
    shown: dict[Key, int | None],
    approve: bool,
    comment: str | None,
    by: User,
) -> tuple[int, int]:
    """Decide the items alike; those changed since ``shown`` (their versions) or no longer
    waiting are left as they are. Returns (decided, left)."""
    decided = left = 0
    for item in items:
        version = shown[(item.source, item.id)]
        if version is not None and version != item.obj.version:
            left += 1
            continue
        try:
            decide(item, approve, comment, by)
        except Refused:
            left += 1  # no longer waiting: the services refuse before changing anything
        else:
            decided += 1
    return decided, left


class TodoKind(LabelledEnum):
    RETURNED_LOG = "returned_log"
    MAKE_UP_OWED = "make_up_owed"
    LEAVE_DECIDED = "leave_decided"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "returned_log": _l("Log returned"),
            "make_up_owed": _l("Make-up study owed"),
            "leave_decided": _l("Leave decided"),
        }


@dataclass
class TodoItem:
    kind: TodoKind
    obj: Participation | MemberLog


def _todo_selects(person_id: int) -> dict[TodoKind, sa.Select]:
    """What needs the person's own action: a returned log, a make-up study owed (returned ones
    included), a leave decision not yet seen."""
    p = Participation
    return {
        TodoKind.RETURNED_LOG: sa.select(MemberLog.id).where(
            MemberLog.person_id == person_id, MemberLog.state == LogState.RETURNED
        ),
        # Owed and on the member to act: not yet handed in (or returned), for a session that
        # has taken place; one waiting for the secretary is in the secretary's queue instead.
        TodoKind.MAKE_UP_OWED: sa.select(p.id)
        .join(Activity, Activity.id == p.activity_id)
        .where(
            p.person_id == person_id,
            owes_make_up(),
            sa.or_(p.make_up_state.is_(None), p.make_up_state == MakeUpState.RETURNED),
            Activity.starts_at <= utcnow(),
        ),
        TodoKind.LEAVE_DECIDED: sa.select(p.id)
        .join(Activity, Activity.id == p.activity_id)
        .where(
            p.person_id == person_id,
            sa.not_(p.leave_decision_seen),
            p.leave_state.in_([LeaveState.APPROVED, LeaveState.REFUSED]),
            Activity.state != ActivityState.CANCELLED,
        ),
    }


def todo_count(user: User) -> int:
    """Items needing the user's own action (a member's badge), in one query."""
    if user.person_id is None:
        return 0
    return _count(list(_todo_selects(user.person_id).values()))


def todo_items(user: User) -> list[TodoItem]:
    """The member's to-do list, each kind oldest first: the same rows ``todo_count`` counts."""
    if user.person_id is None:
        return []
    selects = _todo_selects(user.person_id)
    returned = db.session.scalars(
        sa.select(MemberLog)
        .where(MemberLog.id.in_(selects[TodoKind.RETURNED_LOG]))
        .order_by(MemberLog.done_on, MemberLog.id)
    )
    items = [TodoItem(TodoKind.RETURNED_LOG, log) for log in returned]
    for kind in (TodoKind.MAKE_UP_OWED, TodoKind.LEAVE_DECIDED):
        rows = db.session.scalars(
            sa.select(Participation)
            .join(Activity, Activity.id == Participation.activity_id)
            .where(Participation.id.in_(selects[kind]))
            .options(joinedload(Participation.activity))
            .order_by(Activity.starts_at, Participation.id)
        )
        items += [TodoItem(kind, row) for row in rows]
    return items


def dismiss_leave_decision(row: Participation) -> None:
    """The member has read the decision on their leave request."""
    core.leave_decision_seen(row)
