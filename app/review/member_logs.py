"""The review source of member logs: a log waits for a secretary of a unit its author belonged
to on the log's date."""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.auth.policy import may_decide_clause
from app.evidence import services as files
from app.evidence.models import Evidence
from app.extensions import db
from app.logs import services as logs
from app.logs.models import LogState, MemberLog
from app.people.models import Membership
from app.review.sources import Source, register, tone, unit_limits


def _membership(limits: list[sa.Select]) -> sa.ColumnElement[bool]:
    """The log's author belonged, on the log's date, to a unit within the limits."""
    return sa.and_(
        Membership.person_id == MemberLog.person_id,
        Membership.on_date(MemberLog.done_on),  # type: ignore[arg-type]
        *(Membership.unit_id.in_(ids) for ids in limits),
    )


def _unit(membership: sa.ColumnElement[bool]) -> sa.ScalarSelect:
    """One unit per log, among those the author belonged to that day (within the limits)."""
    return sa.select(sa.func.min(Membership.unit_id)).where(membership).scalar_subquery()


def load_logs(ids: Iterable[int]) -> dict[int, MemberLog]:
    """The logs with their author, one query."""
    stmt = (
        sa.select(MemberLog).where(MemberLog.id.in_(set(ids))).options(joinedload(MemberLog.person))
    )
    return {log.id: log for log in db.session.scalars(stmt)}


def kept_logs(user: User, logs_by_id: dict[int, MemberLog]) -> dict[int, int | None]:
    """For each log the user keeps: the unit it is kept in (None for an admin where the author had
    no unit that day); logs the user does not keep are left out. One query."""
    limits = unit_limits(user)
    membership = _membership(limits)
    stmt = sa.select(MemberLog.id, _unit(membership)).where(MemberLog.id.in_(logs_by_id))
    if limits:
        stmt = stmt.where(sa.exists(sa.select(Membership.id).where(membership)))
    return {log_id: unit_id for log_id, unit_id in db.session.execute(stmt)}


class MemberLogs(Source):
    kind = "log"
    label = _l("Member log")
    partial = "review/_item_log.html"
    approved_message = _l("The log of %(name)s is approved.")
    returned_message = _l("The log of %(name)s was returned.")
    loader = staticmethod(load_logs)
    keeper = staticmethod(kept_logs)

    def select(self, user: User, limits: list[sa.Select]) -> sa.Select:
        membership = _membership(limits)
        stmt = sa.select(
            self.kind_column(),
            MemberLog.id.label("item_id"),
            MemberLog.submitted_at.label("since"),
            _unit(membership).label("unit_id"),
            MemberLog.person_id.label("person_id"),
        ).where(MemberLog.state == LogState.PENDING, may_decide_clause(user, MemberLog.person_id))
        if limits:  # an admin without a unit filter keeps every log
            stmt = stmt.where(sa.exists(sa.select(Membership.id).where(membership)))
        return stmt

    def first(self, user: User, limits: list[sa.Select], rows: int) -> list[sa.Select]:
        # In the order of ``ix_member_log_state_since``: a page reads about a page of logs.
        stmt = self.select(user, limits)
        return [stmt.order_by(MemberLog.submitted_at, MemberLog.id).limit(rows)]

    def files(self, ids: list[int]) -> dict[int, list[Evidence]]:
        found: dict[int, list[Evidence]] = {}
        for item in files.log_evidence(ids):
            found.setdefault(item.member_log_id, []).append(item)  # type: ignore[arg-type]
        return found

    def since(self, obj: MemberLog) -> datetime | None:
        return obj.submitted_at

    def waiting(self, obj: MemberLog) -> bool:
        return obj.state is LogState.PENDING

    def outcome(self, obj: MemberLog) -> tuple[str, str]:
        return obj.state.label, tone(obj.state.value)

    def comment(self, obj: MemberLog) -> str | None:
        return obj.review_comment

    def decide(self, obj: MemberLog, approve: bool, comment: str | None, by: User) -> None:
        logs.review(obj, approve, comment, by)


register(MemberLogs())
