"""The review queue's sources: what kinds of item wait for a secretary's decision.

A source gives its kind and label, the SELECT that lists its waiting items in a user's units
(the queue's UNION ALL columns: kind, item_id, since, unit_id, person_id), how its items are
loaded and checked for scope (sources sharing a loader or a scope check share its one query),
how one is decided, and the partial that shows what the item is. Check-ins, leave requests and
make-up studies (``app/review/attendance.py``) and member logs (``app/review/member_logs.py``)
register here; a new kind of decision registers one more source, and the queue, its filter, the
badge and the bulk decision take it up.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.auth.policy import scope_unit_ids, subtree_ids
from app.evidence.models import Evidence
from app.people.models import OrgUnit

Loader = Callable[[Iterable[int]], dict[int, Any]]
Keeper = Callable[[User, dict[int, Any]], dict[int, int | None]]

TONES = {
    "approved": "text-bg-success",
    "confirmed": "text-bg-success",
    "returned": "text-bg-danger",
    "refused": "text-bg-danger",
    "withdrawn": "text-bg-secondary",
    "requested": "text-bg-warning",
    "submitted": "text-bg-warning",
    "pending": "text-bg-warning",
}


def tone(state: str) -> str:
    """The Bootstrap badge class of a decided state."""
    return TONES.get(state, "text-bg-secondary")


class Source(ABC):
    """One kind of item waiting for a decision. Subclasses set the class attributes and the
    methods; ``loader`` and ``keeper`` are plain functions (``staticmethod``) so that sources
    sharing one are served by one query."""

    kind: ClassVar[str]
    label: ClassVar[Any]
    partial: ClassVar[str]  # the "What" cell of the item's row; needs ``item``
    approved_message: ClassVar[Any]  # flashed after approving, with %(name)s
    returned_message: ClassVar[Any]  # flashed after returning, with %(name)s
    return_label: ClassVar[Any] = _l("Return")
    # The objects by id, with what the partial shows: one query for any number of ids.
    loader: ClassVar[Loader]
    # Of the loaded objects, those the user keeps, with the unit each is kept in.
    keeper: ClassVar[Keeper]

    @abstractmethod
    def select(self, user: User, limits: list[sa.Select]) -> sa.Select:
        """The waiting items whose unit is within every SELECT of ``limits`` and that the user
        may decide on: the columns kind, item_id, since, unit_id, person_id."""

    def counted(self, user: User, limits: list[sa.Select]) -> sa.Select:
        """The same items as ``select``, as few columns as counting them needs (the badge)."""
        return self.select(user, limits)

    def first(self, user: User, limits: list[sa.Select], rows: int) -> list[sa.Select]:
        """SELECTs (the columns of ``select``) that together hold the first ``rows`` of the items
        in the queue's order: since, then item id. A source whose items wait since a column of
        their own reads them from an index in that order, so a page reads about a page of rows
        however many wait."""
        items = self.select(user, limits).subquery()
        return [sa.select(items).order_by(items.c.since, items.c.item_id).limit(rows)]

    def files(self, ids: list[int]) -> dict[int, list[Evidence]]:
        """The live files of the items, by item id (one query, none when the kind has none)."""
        return {}

    @abstractmethod
    def since(self, obj: Any) -> datetime | None:
        """Since when the item waits."""

    @abstractmethod
    def waiting(self, obj: Any) -> bool:
        """Whether the item still waits for a decision."""

    @abstractmethod
    def outcome(self, obj: Any) -> tuple[str, str]:
        """What became of an item no longer waiting: (label, Bootstrap badge class)."""

    @abstractmethod
    def comment(self, obj: Any) -> str | None:
        """The decision's comment kept on the item."""

    @abstractmethod
    def decide(self, obj: Any, approve: bool, comment: str | None, by: User) -> None:
        """Approve (the comment optional) or return (with the comment, which the queue has
        checked is there); raises ``Refused`` when the item no longer waits."""

    def kind_column(self) -> sa.Label:
        # Cast: PostgreSQL cannot type a bare parameter in a UNION's select list.
        return sa.cast(sa.literal(self.kind), sa.String(10)).label("kind")


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    """Add a source to the queue; its kind names it in URLs and bulk checkboxes."""
    if source.kind in _SOURCES:
        raise ValueError(f"review source {source.kind!r} is registered twice")
    _SOURCES[source.kind] = source
    return source


def unregister(kind: str) -> None:
    """Take a source out again (tests that register one of their own)."""
    _SOURCES.pop(kind, None)


def get(kind: str | None) -> Source | None:
    return _SOURCES.get(kind or "")


def all_sources() -> list[Source]:
    """The sources in the order they registered: the queue's UNION ALL and its filter."""
    return list(_SOURCES.values())


def unit_limits(user: User, unit_id: int | None = None) -> list[sa.Select]:
    """SELECTs of unit ids an item's unit must be in: the units the user keeps (none for an
    admin) and, when filtered, the chosen unit's subtree. Built once per statement, so each
    recursive CTE is written once however many SELECTs use it."""
    limits = []
    scope = scope_unit_ids(user)
    if scope is not None:
        limits.append(scope)
    if unit_id is not None:
        limits.append(subtree_ids(sa.select(OrgUnit.id).where(OrgUnit.id == unit_id)))
    return limits
