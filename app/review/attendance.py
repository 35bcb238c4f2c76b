"""Three review sources on an activity's participations: a self check-in to confirm, a leave
request, a make-up study handed in. They share one loader and one scope check, so a page of the
queue loads all its participations in one query whatever their kinds."""

from abc import abstractmethod
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, joinedload

from app.activities import services as core
from app.activities.models import (
    Activity,
    ActivityState,
    AttendanceStatus,
    LeaveState,
    MakeUpState,
    Participation,
    check_in_waits,
    leave_waits,
    make_up_waits,
)
from app.auth.models import User
from app.auth.policy import may_decide_clause, scope_unit_ids
from app.evidence import services as files
from app.evidence.models import Evidence
from app.extensions import db
from app.review.sources import Source, register, tone
from app.types import LabelledEnum


def load_participations(ids: Iterable[int]) -> dict[int, Participation]:
    """The participations with their activity and person, one query."""
    stmt = (
        sa.select(Participation)
        .where(Participation.id.in_(set(ids)))
        .options(joinedload(Participation.activity), joinedload(Participation.person))
    )
    return {row.id: row for row in db.session.scalars(stmt)}


def kept_participations(user: User, rows: dict[int, Participation]) -> dict[int, int | None]:
    """The rows of activities in the user's units, with the activity's unit (one query for a
    secretary, none for an admin)."""
    scope = scope_unit_ids(user)
    scope_ids = None if scope is None else set(db.session.scalars(scope))
    return {
        row_id: row.activity.unit_id
        for row_id, row in rows.items()
        if scope_ids is None or row.activity.unit_id in scope_ids
    }


def _within(limits: list[sa.Select]) -> list[sa.ColumnElement[bool]]:
    return [Activity.unit_id.in_(ids) for ids in limits]


def _activity_ids(*conditions: sa.ColumnElement[bool]) -> sa.Select:
    return sa.select(Activity.id).where(*conditions)


def _looked_up(
    activity_id: sa.ColumnElement[int], conditions: Callable[[Any], list[sa.ColumnElement[bool]]]
) -> sa.ColumnElement[bool]:
    """The row's activity meets ``conditions(activity)``, looked up by its key for each row: a
    scalar subquery, which neither database turns into a join over every activity that meets
    them, so a count stops at its cap after as many lookups (an EXISTS became a hash of every
    open activity on PostgreSQL)."""
    own = aliased(Activity)
    found = sa.select(own.id).where(own.id == activity_id, *conditions(own))
    return found.scalar_subquery().is_not(None)


def _decided(state: LabelledEnum | None, undone: Any) -> tuple[str, str]:
    """The state a decision left, or ``undone`` when the member took the request back."""
    if state is None:
        return str(undone), "text-bg-secondary"
    return state.label, tone(state.value)


class ParticipationSource(Source):
    """What waits on a participation: ``_waiting`` (the row's own conditions, those of its
    partial index), ``_states`` (the activity's, applied through ``_activities``); the names of
    the columns it waits since (else since the activity's start) and where the decision's
    comment is kept."""

    waits_since: ClassVar[str]
    comment_on: ClassVar[str]

    loader = staticmethod(load_participations)
    keeper = staticmethod(kept_participations)

    @abstractmethod
    def _waiting(self) -> list[sa.ColumnElement[bool]]:
        """The row's own conditions for waiting."""

    def _states(self, activity: Any = Activity) -> list[sa.ColumnElement[bool]]:
        return [activity.state == ActivityState.OPEN]

    def _activities(
        self, limits: list[sa.Select], activity_id: sa.ColumnElement[int]
    ) -> list[sa.ColumnElement[bool]]:
        """The row's activity is one of ``_states`` within the limits. Over the row's activity
        id, not over a joined activity: counting the waiting rows then reads their partial index
        and a few activity ids, never each row's activity. Without limits (the bureau), each
        waiting row's activity is looked up by its key: a count stops at its cap and a page at
        its rows, where a list of every open activity would be built first."""
        if not limits:
            return [_looked_up(activity_id, self._states)]
        return [activity_id.in_(_activity_ids(*self._states(), *_within(limits)))]

    def _conditions(
        self,
        user: User,
        limits: list[sa.Select],
        activity_id: sa.ColumnElement[int] = Participation.activity_id,
    ) -> list[sa.ColumnElement[bool]]:
        return [
            *self._waiting(),
            *self._activities(limits, activity_id),
            may_decide_clause(user, Participation.person_id),
        ]

    def _select(
        self,
        user: User,
        limits: list[sa.Select],
        since: sa.ColumnElement[Any],
        *conditions: sa.ColumnElement[bool],
        activity_id: sa.ColumnElement[int] = Participation.activity_id,
    ) -> sa.Select:
        p, a = Participation, Activity
        return (
            sa.select(
                self.kind_column(),
                p.id.label("item_id"),
                since.label("since"),
                a.unit_id.label("unit_id"),
                p.person_id.label("person_id"),
            )
            .select_from(p)
            .join(a, a.id == p.activity_id)
            .where(*self._conditions(user, limits, activity_id), *conditions)
        )

    def select(self, user: User, limits: list[sa.Select]) -> sa.Select:
        stamp = getattr(Participation, self.waits_since)
        return self._select(user, limits, sa.func.coalesce(stamp, Activity.starts_at))

    def first(self, user: User, limits: list[sa.Select], rows: int) -> list[sa.Select]:
        # Two parts: the rows with their own timestamp in the order of its index
        # (``ix_participation_*_since``), and the few without one by their session's start —
        # written as the row's "since" (its timestamp, else the start), which no index orders,
        # so the database sorts those few instead of walking every activity by its start.
        # Without limits (the whole queue) the activities' condition keeps nearly every waiting
        # row; written over ``activity_id + 0`` no index of activity ids serves it, so the rows
        # are read in the timestamp's order and the first ones end the reading. Within limits
        # the activities are few, and their ids lead.
        p, a = Participation, Activity
        stamp = getattr(p, self.waits_since)
        activity_id = p.activity_id if limits else p.activity_id + 0
        stamped = self._select(user, limits, stamp, stamp.is_not(None), activity_id=activity_id)
        since = sa.func.coalesce(stamp, a.starts_at)
        unstamped = self._select(user, limits, since, stamp.is_(None))
        return [
            stamped.order_by(stamp, p.id).limit(rows),
            unstamped.order_by(since, p.id).limit(rows),
        ]

    def counted(self, user: User, limits: list[sa.Select]) -> sa.Select:
        # Counted as ``first`` reads: without limits over ``activity_id + 0``, so the database
        # reads the partial index of the waiting rows (and stops at the cap) instead of probing
        # it once for each open activity of the bureau.
        p = Participation
        activity_id = p.activity_id if limits else p.activity_id + 0
        return sa.select(p.id).where(*self._conditions(user, limits, activity_id))

    def since(self, obj: Participation) -> datetime | None:
        return getattr(obj, self.waits_since) or obj.activity.starts_at

    def comment(self, obj: Participation) -> str | None:
        return getattr(obj, self.comment_on)


class CheckIns(ParticipationSource):
    kind = "check_in"
    partial = "review/_item_check_in.html"
    waits_since = "recorded_at"
    comment_on = "check_in_comment"
    label = _l("Check-in to confirm")
    approved_message = _l("The check-in of %(name)s is confirmed.")
    returned_message = _l("The check-in of %(name)s was returned.")

    def _waiting(self) -> list[sa.ColumnElement[bool]]:
        return [check_in_waits()]

    def waiting(self, obj: Participation) -> bool:
        unconfirmed = obj.status is not AttendanceStatus.UNMARKED and not obj.confirmed
        return unconfirmed and obj.activity.is_open

    def outcome(self, obj: Participation) -> tuple[str, str]:
        if obj.status is AttendanceStatus.UNMARKED:
            return str(_l("Check-in returned")), "text-bg-danger"
        return str(_l("Check-in confirmed")), "text-bg-success"

    def decide(self, obj: Participation, approve: bool, comment: str | None, by: User) -> None:
        if not approve:
            core.return_check_in(obj, comment, by)  # type: ignore[arg-type]
            return
        core.confirm_check_in(obj, by)
        if comment:
            obj.check_in_comment = comment


class LeaveRequests(ParticipationSource):
    kind = "leave"
    partial = "review/_item_leave.html"
    waits_since = "leave_requested_at"
    comment_on = "leave_comment"
    label = _l("Leave request")
    approved_message = _l("The leave of %(name)s is approved.")
    returned_message = _l("The leave request of %(name)s was refused.")
    return_label = _l("Refuse")

    def _waiting(self) -> list[sa.ColumnElement[bool]]:
        return [leave_waits()]

    def waiting(self, obj: Participation) -> bool:
        return obj.leave_state is LeaveState.REQUESTED and obj.activity.is_open

    def outcome(self, obj: Participation) -> tuple[str, str]:
        return _decided(obj.leave_state, _l("Leave request withdrawn"))

    def decide(self, obj: Participation, approve: bool, comment: str | None, by: User) -> None:
        core.decide_leave(obj, approve, by, comment)


class MakeUps(ParticipationSource):
    kind = "make_up"
    partial = "review/_item_make_up.html"
    waits_since = "make_up_submitted_at"
    comment_on = "make_up_comment"
    label = _l("Make-up study")
    approved_message = _l("The make-up study of %(name)s is confirmed.")
    returned_message = _l("The make-up study of %(name)s was returned.")

    def _waiting(self) -> list[sa.ColumnElement[bool]]:
        return [make_up_waits()]

    def _activities(
        self, limits: list[sa.Select], activity_id: sa.ColumnElement[int]
    ) -> list[sa.ColumnElement[bool]]:
        # A make-up is handed in and reviewed also after archiving: any activity but the
        # cancelled ones. Within limits (a secretary's units), the limited activities not
        # cancelled: the database starts from those few; else each row's activity looked up,
        # as many lookups as the count's cap, not a list of every cancelled activity.
        not_cancelled = Activity.state != ActivityState.CANCELLED
        if limits:
            return [activity_id.in_(_activity_ids(not_cancelled, *_within(limits)))]
        # Compared, not tested for a row: PostgreSQL then expects most waiting rows to pass and
        # reads their index in order up to the cap, instead of all of it as a bitmap.
        own = aliased(Activity)
        state = sa.select(own.state).where(own.id == activity_id).scalar_subquery()
        return [state != ActivityState.CANCELLED]

    def files(self, ids: list[int]) -> dict[int, list[Evidence]]:
        found: dict[int, list[Evidence]] = {}
        for item in files.participation_evidence(ids):
            found.setdefault(item.participation_id, []).append(item)  # type: ignore[arg-type]
        return found

    def waiting(self, obj: Participation) -> bool:
        return obj.make_up_state is MakeUpState.SUBMITTED and not obj.activity.is_cancelled

    def outcome(self, obj: Participation) -> tuple[str, str]:
        return _decided(obj.make_up_state, _l("No make-up study waiting"))

    def decide(self, obj: Participation, approve: bool, comment: str | None, by: User) -> None:
        core.require_not_cancelled(obj.activity)
        core.review_make_up(obj, approve, comment, by)


register(CheckIns())
register(LeaveRequests())
register(MakeUps())
