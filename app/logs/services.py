"""A member's logs: submitting, editing, withdrawing, and the secretary's review. Services take
models and values, may add and flush, never commit; a refusal raises ``Refused``."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.audit.models import AuditLog
from app.auth.models import User
from app.extensions import db
from app.logs.models import LogKind, LogState, MemberLog
from app.people.models import Person
from app.refusals import Refused
from app.types import local_today, utcnow

MAX_HOURS = Decimal(200)


class CountedElsewhere(Refused):
    """The log's hours are counted by another record already (a service day attended that
    day): its message, at the log's date, names and links it."""

    status = 422


# Checks of the records that count hours a log might count again, registered by the families
# that keep them: (person id, kind, date) -> the refusal's message, or None.
_counted_elsewhere: list[Callable[[int, LogKind, date], object | None]] = []


def register_counted_elsewhere(check: Callable[[int, LogKind, date], object | None]) -> None:
    _counted_elsewhere.append(check)


def check_counted_once(person_id: int, kind: LogKind, done_on: date) -> None:
    """Refused when another record counts the day's hours already: no hour is counted twice."""
    for check in _counted_elsewhere:
        message = check(person_id, kind, done_on)
        if message is not None:
            raise CountedElsewhere(message)


def check_values(kind: LogKind, done_on: date, hours: Decimal | None) -> None:
    if done_on > local_today():
        raise Refused(_l("The date cannot be in the future."))
    if kind.has_hours and not hours:
        raise Refused(_l("Give the hours spent."))
    if hours is not None and not (0 < hours <= MAX_HOURS):
        raise Refused(_l("Hours must be more than 0 and at most %(n)s.", n=MAX_HOURS))


def submit(person: Person, values: dict) -> MemberLog:
    """A new log, waiting for review. ``values``: kind, done_on, hours, title, text, place,
    beneficiary."""
    check_values(values["kind"], values["done_on"], values.get("hours"))
    check_counted_once(person.id, values["kind"], values["done_on"])
    log = MemberLog(person=person, state=LogState.PENDING, submitted_at=utcnow(), **values)
    if not log.kind.has_hours:
        log.hours = None
    db.session.add(log)
    return log


def require_changeable(log: MemberLog) -> None:
    """A reviewed or withdrawn log keeps what it was judged on, its files too."""
    if log.state not in (LogState.PENDING, LogState.RETURNED):
        raise Refused(_l("Only a log waiting for review or returned can be changed."))


def change(log: MemberLog, values: dict) -> None:
    """The author edits a pending log, or fixes a returned one and sends it again."""
    require_changeable(log)
    check_values(values["kind"], values["done_on"], values.get("hours"))
    check_counted_once(log.person_id, values["kind"], values["done_on"])
    for key, value in values.items():
        setattr(log, key, value)
    if not log.kind.has_hours:
        log.hours = None
    if log.state is LogState.RETURNED:
        log.state = LogState.PENDING
        log.submitted_at = utcnow()


def withdraw(log: MemberLog) -> None:
    if log.state is not LogState.PENDING:
        raise Refused(_l("Only a log waiting for review can be withdrawn."))
    log.state = LogState.WITHDRAWN


def review(log: MemberLog, approve: bool, comment: str | None, by: User) -> None:
    """Approve (comment optional) or return (comment required)."""
    by_id = by.id
    if log.state is not LogState.PENDING:
        raise Refused(_l("This log is no longer waiting for review."))
    if not approve and not comment:
        raise Refused(_l("Say why the log is returned."))
    if approve:  # a service day marked after the log was sent counts the day already
        check_counted_once(log.person_id, log.kind, log.done_on)
    log.state = LogState.APPROVED if approve else LogState.RETURNED
    log.review_comment = comment or None
    log.reviewed_at = utcnow()
    log.reviewed_by_id = by_id


@dataclass(frozen=True)
class Return:
    at: datetime
    by: User | None
    comment: str | None


def returns(log: MemberLog) -> list[Return]:
    """Every time the log was returned, oldest first. The row keeps only the latest review, so a
    log fixed and sent again reads its earlier returns and their comments from the audit trail
    (two queries); without a trail, the row's own last return."""
    entries = db.session.scalars(
        sa.select(AuditLog)
        .where(
            AuditLog.record_type == MemberLog.__tablename__,
            AuditLog.record_id == str(log.id),
            AuditLog.action.in_(("create", "update")),  # entered returned, or returned since
        )
        .order_by(AuditLog.at, AuditLog.id)
    )
    found: list[tuple[datetime, int | None, str | None]] = []
    comment: str | None = None
    for entry in entries:
        changes = entry.changes or {}
        if "review_comment" in changes:
            comment = changes["review_comment"][1]
        if (changes.get("state") or [None, None])[1] != LogState.RETURNED.value:
            continue
        # The review's own time and reviewer, as recorded on the row (an entry made by the
        # system, e.g. an import, is not the reviewer's).
        at = changes.get("reviewed_at", [None, None])[1]
        by = changes.get("reviewed_by_id", [None, None])[1]
        found.append(
            (datetime.fromisoformat(at) if at else entry.at, by or entry.actor_id, comment)
        )
    if not found and log.reviewed_at is not None and log.state is not LogState.APPROVED:
        found.append((log.reviewed_at, log.reviewed_by_id, log.review_comment))
    ids = {by for _at, by, _comment in found if by is not None}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    return [Return(at, users.get(by) if by else None, text) for at, by, text in found]
