"""What waits for a secretary across record families, what waits for a member, and the decisions.

The queue is one SQL UNION ALL of four SELECTs — self check-ins to confirm, leave requests, make-up
studies, member logs — each giving the kind, the item's id, since when it waits, its unit and its
person. The badge counts the same four SELECTs, so it always equals what the queue lists.
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

from app.activities import services as core
from app.activities.models import (
    Activity,
    ActivityState,
    AttendanceStatus,
    LeaveState,
    MakeUpState,
    Participation,
)
from app.auth.models import Role, User
from app.auth.policy import scope_unit_ids, subtree_ids
from app.evidence import services as files
from app.evidence.models import Evidence
from app.extensions import db
from app.logs import services as logs
from app.logs.models import LogState, MemberLog
from app.people.models import Membership, OrgUnit, Person
from app.queries import bounded_int
from app.refusals import Refused
from app.reports.figures import owes_make_up
from app.types import LabelledEnum, utcnow


class ItemKind(LabelledEnum):
    CHECK_IN = "check_in"
    LEAVE = "leave"
    MAKE_UP = "make_up"
    LOG = "log"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "check_in": _l("Check-in to confirm"),
            "leave": _l("Leave request"),
            "make_up": _l("Make-up study"),
            "log": _l("Member log"),
        }


ReviewedObject = Participation | MemberLog


@dataclass(frozen=True)
class QueueFilters:
    kind: ItemKind | None = None
    unit_id: int | None = None

    @classmethod
    def from_args(cls, args: MultiDict) -> "QueueFilters":
        try:
            kind = ItemKind(args.get("kind", ""))
        except ValueError:
            kind = None
        return cls(kind=kind, unit_id=bounded_int(args.get("unit")))

    @property
    def any(self) -> bool:
        return self.kind is not None or self.unit_id is not None


# --- the four SELECTs ----------------------------------------------------------------------------


def _unit_limits(user: User, filters: QueueFilters) -> list[sa.Select]:
    """SELECTs of unit ids an item's unit must be in: the units the user keeps (none for an
    admin) and, when filtered, the chosen unit's subtree. Built once per statement, so each
    recursive CTE is written once however many SELECTs use it."""
    limits = []
    scope = scope_unit_ids(user)
    if scope is not None:
        limits.append(scope)
    if filters.unit_id is not None:
        limits.append(subtree_ids(sa.select(OrgUnit.id).where(OrgUnit.id == filters.unit_id)))
    return limits


def _not_own(column: Any, user: User) -> list[sa.ColumnElement[bool]]:
    """What a member records waits for someone else: a secretary never reviews their own items."""
    if user.role is Role.ADMIN or user.person_id is None:
        return []
    return [column != user.person_id]


def _kind_column(kind: ItemKind) -> sa.Label:
    # Cast: PostgreSQL cannot type a bare parameter in a UNION's select list.
    return sa.cast(sa.literal(kind.value), sa.String(10)).label("kind")


def _participation_select(kind: ItemKind, user: User, limits: list[sa.Select]) -> sa.Select:
    p, a = Participation, Activity
    if kind is ItemKind.CHECK_IN:
        waiting = [p.status != AttendanceStatus.UNMARKED, sa.not_(p.confirmed)]
        since, states = p.recorded_at, [a.state == ActivityState.OPEN]
    elif kind is ItemKind.LEAVE:
        waiting = [p.leave_state == LeaveState.REQUESTED]
        since, states = p.leave_requested_at, [a.state == ActivityState.OPEN]
    else:  # a make-up is handed in and reviewed also after archiving
        waiting = [p.make_up_state == MakeUpState.SUBMITTED]
        since, states = p.make_up_submitted_at, [a.state != ActivityState.CANCELLED]
    return (
        sa.select(
            _kind_column(kind),
            p.id.label("item_id"),
            sa.func.coalesce(since, a.starts_at).label("since"),
            a.unit_id.label("unit_id"),
            p.person_id.label("person_id"),
        )
        .select_from(p)
        .join(a, a.id == p.activity_id)
        .where(
            *waiting,
            *states,
            *(a.unit_id.in_(ids) for ids in limits),
            *_not_own(p.person_id, user),
        )
    )


def _log_membership(limits: list[sa.Select]) -> sa.ColumnElement[bool]:
    """The log's author belonged, on the log's date, to a unit within the limits."""
    return sa.and_(
        Membership.person_id == MemberLog.person_id,
        Membership.on_date(MemberLog.done_on),  # type: ignore[arg-type]
        *(Membership.unit_id.in_(ids) for ids in limits),
    )


def _log_unit(membership: sa.ColumnElement[bool]) -> sa.ScalarSelect:
    """One unit per log, among those the author belonged to that day (within the limits)."""
    return sa.select(sa.func.min(Membership.unit_id)).where(membership).scalar_subquery()


def _log_select(user: User, limits: list[sa.Select]) -> sa.Select:
    membership = _log_membership(limits)
    stmt = sa.select(
        _kind_column(ItemKind.LOG),
        MemberLog.id.label("item_id"),
        MemberLog.submitted_at.label("since"),
        _log_unit(membership).label("unit_id"),
        MemberLog.person_id.label("person_id"),
    ).where(MemberLog.state == LogState.PENDING, *_not_own(MemberLog.person_id, user))
    if limits:  # an admin without a unit filter keeps every log
        stmt = stmt.where(sa.exists(sa.select(Membership.id).where(membership)))
    return stmt


def _selects(user: User, filters: QueueFilters) -> list[sa.Select]:
    limits = _unit_limits(user, filters)
    kinds = [filters.kind] if filters.kind is not None else list(ItemKind)
    return [
        _log_select(user, limits)
        if kind is ItemKind.LOG
        else _participation_select(kind, user, limits)
        for kind in kinds
    ]


def _count(selects: list[sa.Select]) -> int:
    """The rows of the SELECTs, each counted and the counts added, in one statement: the number
    of rows their union lists."""
    counts = [
        sa.select(sa.func.count()).select_from(stmt.subquery()).scalar_subquery()
        for stmt in selects
    ]
    return db.session.scalar(sa.select(reduce(operator.add, counts))) or 0


def queue_statement(user: User, filters: QueueFilters) -> sa.Select:
    """SELECT kind, item_id, since, unit_id, person_id of every waiting item, oldest first."""
    queue = sa.union_all(*_selects(user, filters)).subquery("queue")
    return sa.select(queue).order_by(queue.c.since, queue.c.kind, queue.c.item_id)


def waiting_count(user: User) -> int:
    """Items waiting in the user's queue: the badge of secretaries and admins."""
    if user.role is Role.MEMBER:
        return 0
    return _count(_selects(user, QueueFilters()))


# --- the items, loaded -------------------------------------------------------------------------


@dataclass
class QueueItem:
    """One item as the queue shows it; ``obj`` is the participation or the log."""

    kind: ItemKind
    obj: ReviewedObject
    since: datetime | None
    unit: OrgUnit | None
    files: list[Evidence] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.obj.id

    @property
    def key(self) -> str:
        """What a bulk checkbox sends: kind, id and the version shown."""
        return f"{self.kind.value}:{self.obj.id}:{self.obj.version}"

    @property
    def dom_id(self) -> str:
        return f"item-{self.kind.value}-{self.obj.id}"

    @property
    def person(self) -> Person:
        return self.obj.person

    @property
    def waiting(self) -> bool:
        obj = self.obj
        if isinstance(obj, MemberLog):
            return obj.state is LogState.PENDING
        if self.kind is ItemKind.CHECK_IN:
            unconfirmed = obj.status is not AttendanceStatus.UNMARKED and not obj.confirmed
            return unconfirmed and obj.activity.is_open
        if self.kind is ItemKind.LEAVE:
            return obj.leave_state is LeaveState.REQUESTED and obj.activity.is_open
        return obj.make_up_state is MakeUpState.SUBMITTED and not obj.activity.is_cancelled

    @property
    def outcome(self) -> tuple[str, str]:
        """What became of an item no longer waiting: (label, Bootstrap badge class)."""
        obj = self.obj
        if isinstance(obj, MemberLog):
            return obj.state.label, _TONE.get(obj.state.value, "text-bg-secondary")
        if self.kind is ItemKind.CHECK_IN:
            if obj.status is AttendanceStatus.UNMARKED:
                return str(_l("Check-in returned")), "text-bg-danger"
            return str(_l("Check-in confirmed")), "text-bg-success"
        if self.kind is ItemKind.LEAVE:
            if obj.leave_state is None:
                return str(_l("Leave request withdrawn")), "text-bg-secondary"
            return obj.leave_state.label, _TONE.get(obj.leave_state.value, "text-bg-secondary")
        if obj.make_up_state is None:
            return str(_l("No make-up study waiting")), "text-bg-secondary"
        return obj.make_up_state.label, _TONE.get(obj.make_up_state.value, "text-bg-secondary")

    @property
    def comment(self) -> str | None:
        obj = self.obj
        if isinstance(obj, MemberLog):
            return obj.review_comment
        return {
            ItemKind.CHECK_IN: obj.check_in_comment,
            ItemKind.LEAVE: obj.leave_comment,
            ItemKind.MAKE_UP: obj.make_up_comment,
        }[self.kind]


_TONE = {
    "approved": "text-bg-success",
    "confirmed": "text-bg-success",
    "returned": "text-bg-danger",
    "refused": "text-bg-danger",
    "withdrawn": "text-bg-secondary",
    "requested": "text-bg-warning",
    "submitted": "text-bg-warning",
    "pending": "text-bg-warning",
}


def _load_objects(
    keys: Iterable[tuple[ItemKind, int]],
) -> tuple[dict[int, Participation], dict[int, MemberLog]]:
    """The participations (with activity and person) and the logs (with author), one query each."""
    row_ids = {item_id for kind, item_id in keys if kind is not ItemKind.LOG}
    log_ids = {item_id for kind, item_id in keys if kind is ItemKind.LOG}
    rows: dict[int, Participation] = {}
    logs_by_id: dict[int, MemberLog] = {}
    if row_ids:
        stmt = (
            sa.select(Participation)
            .where(Participation.id.in_(row_ids))
            .options(joinedload(Participation.activity), joinedload(Participation.person))
        )
        rows = {row.id: row for row in db.session.scalars(stmt)}
    if log_ids:
        stmt = (
            sa.select(MemberLog)
            .where(MemberLog.id.in_(log_ids))
            .options(joinedload(MemberLog.person))
        )
        logs_by_id = {log.id: log for log in db.session.scalars(stmt)}
    return rows, logs_by_id


def _files(
    make_up_ids: list[int], log_ids: list[int]
) -> dict[tuple[ItemKind, int], list[Evidence]]:
    """The live files of the make-ups and logs, one query each."""
    found: dict[tuple[ItemKind, int], list[Evidence]] = {}
    for item in files.participation_evidence(make_up_ids):
        found.setdefault((ItemKind.MAKE_UP, item.participation_id), []).append(item)  # type: ignore[arg-type]
    for item in files.log_evidence(log_ids):
        found.setdefault((ItemKind.LOG, item.member_log_id), []).append(item)  # type: ignore[arg-type]
    return found


def _items(rows: list[sa.Row]) -> list[QueueItem]:
    """Queue rows into items, in a fixed number of queries whatever the page holds."""
    keys = [(ItemKind(row.kind), row.item_id) for row in rows]
    participations, member_logs = _load_objects(keys)
    unit_ids = {row.unit_id for row in rows if row.unit_id is not None}
    units = {}
    if unit_ids:
        units = {
            u.id: u for u in db.session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))
        }
    evidence = _files(
        [item_id for kind, item_id in keys if kind is ItemKind.MAKE_UP],
        [item_id for kind, item_id in keys if kind is ItemKind.LOG],
    )
    items = []
    for row, (kind, item_id) in zip(rows, keys, strict=True):
        obj = member_logs.get(item_id) if kind is ItemKind.LOG else participations.get(item_id)
        if obj is None:  # gone between the two queries
            continue
        unit = units.get(row.unit_id)
        items.append(QueueItem(kind, obj, row.since, unit, evidence.get((kind, item_id), [])))
    return items


class QueuePage(Pagination):
    """One page of the queue: the count, the page of the union, then the objects it names."""

    def _query_items(self) -> list[QueueItem]:
        stmt = queue_statement(self._query_args["user"], self._query_args["filters"])
        offset = (self.page - 1) * self.per_page
        return _items(db.session.execute(stmt.limit(self.per_page).offset(offset)).all())

    def _query_count(self) -> int:
        return _count(_selects(self._query_args["user"], self._query_args["filters"]))


def queue_page(user: User, filters: QueueFilters, page: int, per_page: int) -> QueuePage:
    return QueuePage(
        page=page, per_page=per_page, max_per_page=None, error_out=False, user=user, filters=filters
    )


# --- finding items to decide on -----------------------------------------------------------------


def _log_units(user: User, logs_by_id: dict[int, MemberLog]) -> dict[int, int | None]:
    """For each log the user keeps: the unit it is kept in (None for an admin where the author had
    no unit that day); logs the user does not keep are left out. One query."""
    if not logs_by_id:
        return {}
    limits = _unit_limits(user, QueueFilters())
    membership = _log_membership(limits)
    stmt = sa.select(MemberLog.id, _log_unit(membership)).where(MemberLog.id.in_(logs_by_id))
    if limits:
        stmt = stmt.where(sa.exists(sa.select(Membership.id).where(membership)))
    return {log_id: unit_id for log_id, unit_id in db.session.execute(stmt)}


class NotInScope(Exception):
    """An item the user does not keep (or that does not exist): answered 404."""


class OwnItem(Exception):
    """The user's own item: answered 403 (only an admin reviews their own)."""


def items_for_review(user: User, keys: list[tuple[ItemKind, int]]) -> list[QueueItem]:
    """The items, with access checked for every one before anything changes. Raises
    ``NotInScope`` or ``OwnItem``. A fixed number of queries however many items."""
    if user.role is Role.MEMBER:
        raise OwnItem()
    participations, member_logs = _load_objects(keys)
    scope = scope_unit_ids(user)
    scope_ids = None if scope is None else set(db.session.scalars(scope))
    log_units = _log_units(user, member_logs)
    units_needed = {row.activity.unit_id for row in participations.values()}
    units_needed |= {unit_id for unit_id in log_units.values() if unit_id is not None}
    units = {}
    if units_needed:
        units = {
            u.id: u
            for u in db.session.scalars(sa.select(OrgUnit).where(OrgUnit.id.in_(units_needed)))
        }
    items = []
    for kind, item_id in keys:
        if kind is ItemKind.LOG:
            obj: ReviewedObject | None = member_logs.get(item_id)
            if obj is None or item_id not in log_units:
                raise NotInScope()
            unit_id = log_units[item_id]
        else:
            obj = participations.get(item_id)
            if obj is None or (scope_ids is not None and obj.activity.unit_id not in scope_ids):
                raise NotInScope()
            unit_id = obj.activity.unit_id
        if user.role is not Role.ADMIN and obj.person_id == user.person_id:
            raise OwnItem()
        items.append(QueueItem(kind, obj, _since(kind, obj), units.get(unit_id)))
    evidence = _files(
        [item.id for item in items if item.kind is ItemKind.MAKE_UP],
        [item.id for item in items if item.kind is ItemKind.LOG],
    )
    for item in items:
        item.files = evidence.get((item.kind, item.id), [])
    return items


def _since(kind: ItemKind, obj: ReviewedObject) -> datetime | None:
    if isinstance(obj, MemberLog):
        return obj.submitted_at
    since = {
        ItemKind.CHECK_IN: obj.recorded_at,
        ItemKind.LEAVE: obj.leave_requested_at,
        ItemKind.MAKE_UP: obj.make_up_submitted_at,
    }[kind]
    return since or obj.activity.starts_at


def parse_key(raw: str) -> tuple[ItemKind, int, int | None] | None:
    """``kind:id`` or ``kind:id:version`` from a bulk checkbox; None when malformed."""
    parts = raw.split(":")
    if len(parts) not in (2, 3):
        return None
    try:
        kind = ItemKind(parts[0])
    except ValueError:
        return None
    item_id = bounded_int(parts[1])
    version = bounded_int(parts[2]) if len(parts) == 3 else None
    if item_id is None or (len(parts) == 3 and version is None):
        return None
    return kind, item_id, version


# --- decisions -------------------------------------------------------------------------------


def approve(kind: ItemKind, obj: ReviewedObject, comment: str | None, by: User) -> None:
    """Confirm the check-in, grant the leave, confirm the make-up, approve the log."""
    if isinstance(obj, MemberLog):
        logs.review(obj, True, comment, by)
    elif kind is ItemKind.CHECK_IN:
        core.confirm_check_in(obj, by)
        if comment:
            obj.check_in_comment = comment
    elif kind is ItemKind.LEAVE:
        core.decide_leave(obj, True, by, comment)
    else:
        core.require_not_cancelled(obj.activity)
        core.review_make_up(obj, True, comment, by)


def give_back(kind: ItemKind, obj: ReviewedObject, comment: str | None, by: User) -> None:
    """Return the check-in, refuse the leave, return the make-up or the log: always with why."""
    if not comment:
        raise Refused(_l("Say why it is returned: a comment is needed."))
    if isinstance(obj, MemberLog):
        logs.review(obj, False, comment, by)
    elif kind is ItemKind.CHECK_IN:
        core.return_check_in(obj, comment, by)
    elif kind is ItemKind.LEAVE:
        core.decide_leave(obj, False, by, comment)
    else:
        core.require_not_cancelled(obj.activity)
        core.review_make_up(obj, False, comment, by)


# --- a member's own to-do list ------------------------------------------------------------------


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
    obj: ReviewedObject


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
