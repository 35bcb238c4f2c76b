"""What a flush changed, as the session hooks that keep machine state read it (``after_flush``:
the session's lists and each attribute's history still show the flush's changes)."""

from collections.abc import Iterable

from sqlalchemy import inspect
from sqlalchemy.orm import Session


def changed(session: Session) -> list[object]:
    """The objects of the flush that were loaded and really changed (not added or deleted)."""
    return [obj for obj in session.dirty if session.is_modified(obj)]


def touched(obj: object, columns: Iterable[str]) -> bool:
    """Whether the flush changed one of ``columns`` of ``obj``."""
    attrs = inspect(obj).attrs
    return any(key in attrs and attrs[key].history.has_changes() for key in columns)
