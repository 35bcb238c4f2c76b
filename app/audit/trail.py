"""Records every insert, update and soft-delete of an audited model, from one place.

Models opt in with ``__audited__ = True``; ``__audit_exclude__`` names technical columns whose
changes alone are not worth a row. Rows are written in ``after_flush`` on the flush's own
connection, so they commit or roll back with the change they describe.
"""

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from app.audit.fields import is_audited
from app.audit.models import AuditLog
from app.extensions import db
from app.types import utcnow

# Set in a session's info by a flush that wrote audit rows, until its transaction ends: the
# transaction changes records (``recorded``).
RECORDED = "audit.recorded"

# Columns whose value never enters the trail; a change to them is noted without the value.
SECRET_COLUMNS = frozenset({"password_hash"})
HIDDEN = "******"


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    if hasattr(value, "__table__"):
        return getattr(value, "id", None)
    return value


def _shown(key: str, value: Any) -> Any:
    return HIDDEN if key in SECRET_COLUMNS and value is not None else _plain(value)


def _is_audited(obj: object) -> bool:
    return is_audited(type(obj))


def record_type(obj_or_cls: object) -> str:
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    return cls.__tablename__  # type: ignore[attr-defined]


def _record_id(obj: object) -> str | None:
    value = getattr(obj, "id", None)
    return None if value is None else str(value)


def _summary(obj: object) -> str:
    return str(obj)[:200]


def _actor_id() -> int | None:
    if not has_request_context():
        return None
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.id


def _remote_addr() -> str | None:
    return request.remote_addr if has_request_context() else None


def _audited_columns(obj: object) -> list[str]:
    """The keys of the object's columns the trail records (all but ``__audit_exclude__``)."""
    skipped = getattr(type(obj), "__audit_exclude__", frozenset())
    return [attr.key for attr in inspect(obj).mapper.column_attrs if attr.key not in skipped]


def _collections(obj: object) -> list[str]:
    """The keys of the object's many-to-many collections (through a secondary table)."""
    mapper = inspect(obj).mapper
    return [rel.key for rel in mapper.relationships if rel.secondary is not None and rel.uselist]


def _changes_of(obj: object) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for key in _audited_columns(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if _plain(before) == _plain(after):
            continue
        changes[key] = [_shown(key, before), _shown(key, after)]
    for key in _collections(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        current = [_plain(item) for item in (history.unchanged + history.added)]
        previous = [_plain(item) for item in (history.unchanged + history.deleted)]
        changes[key] = [sorted(previous), sorted(current)]
    return changes


def _created_values(obj: object) -> dict[str, list[Any]]:
    values: dict[str, list[Any]] = {}
    for key in _audited_columns(obj):
        value = getattr(obj, key)
        if value is not None and key != "id":
            values[key] = [None, _shown(key, value)]
    for key in _collections(obj):
        items = getattr(obj, key)
        if items:
            values[key] = [[], sorted(_plain(item) for item in items)]
    return values


def _replaced_values(obj: object, before: dict[str, Any]) -> dict[str, list[Any]]:
    """A new row that stands for values held before it existed (a setting's default): the change
    from those values."""
    changes = {}
    for key, previous in before.items():
        current = _shown(key, getattr(obj, key))
        if previous != current:
            changes[key] = [previous, current]
    return changes


def _entry(obj: object, action: str, changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": utcnow(),
        "actor_id": _actor_id(),
        "action": action,
        "record_type": record_type(obj),
        "record_id": _record_id(obj),
        "summary": _summary(obj),
        "changes": changes,
        "remote_addr": _remote_addr(),
    }


def _enabled() -> bool:
    return not has_app_context() or current_app.config.get("AUDIT_ENABLED", True)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    if not _enabled():
        return
    rows = []
    for obj in session.new:
        if not _is_audited(obj):
            continue
        before = obj.audit_before() if hasattr(obj, "audit_before") else None
        if before is None:
            rows.append(_entry(obj, "create", _created_values(obj)))
        elif changes := _replaced_values(obj, before):
            rows.append(_entry(obj, "update", changes))
    for obj in session.dirty:
        if not _is_audited(obj) or not session.is_modified(obj):
            continue
        changes = _changes_of(obj)
        if not changes:
            continue
        action = "update"
        if "deleted_at" in changes:
            action = "delete" if changes["deleted_at"][1] is not None else "restore"
        rows.append(_entry(obj, action, changes))
    for obj in session.deleted:
        if _is_audited(obj):
            rows.append(_entry(obj, "purge", {}))
    if rows:
        session.connection().execute(AuditLog.__table__.insert(), rows)
        session.info[RECORDED] = True


def recorded(session: Session) -> bool:
    """Whether the session's transaction has written audit rows: every change of a record
    does, so it has changed records (a failed sign-in's event changes none)."""
    return bool(session.info.get(RECORDED))


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(RECORDED, None)


def record_event(
    action: str,
    record: object | None = None,
    *,
    record_kind: str | None = None,
    summary: str | None = None,
    changes: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> None:
    """An event that is not a row change (a failed sign-in, a reopening reason).

    Added to the session; the view commits."""
    db.session.add(
        AuditLog(
            actor_id=actor_id if actor_id is not None else _actor_id(),
            action=action,
            record_type=record_kind or (record_type(record) if record is not None else "-"),
            record_id=_record_id(record) if record is not None else None,
            summary=summary or (_summary(record) if record is not None else None),
            changes=changes or {},
            remote_addr=_remote_addr(),
        )
    )


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    if not event.contains(Session, "after_transaction_end", _transaction_ended):
        event.listen(Session, "after_transaction_end", _transaction_ended)
