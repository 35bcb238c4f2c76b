"""The org tree, the rules for units, and account helpers shared by admin views.

The rules for memberships live in ``app.people.memberships``.

Checks return messages by form field (empty when all is well); nothing here commits.
"""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination

from app.auth.models import User
from app.extensions import db
from app.locale_text import enumeration
from app.people.models import (
    ALLOWED_PARENT,
    Membership,
    OrgUnit,
    Person,
    UnitKind,
    unit_order_by,
)
from app.people.tree import TreeRow, tree_order, tree_paths
from app.queries import contains, page_number
from app.types import utcnow


class TreePagination(Pagination):
    """One page of units in tree order: of ``rows`` (TreeRows of their ordering columns, already
    ordered) or, without them, of the whole tree as ``tree_paths`` orders it in SQL. Only the
    page's units are loaded in full, with their memberships in force on ``today``
    (``counts``)."""

    counts: dict[int, int]

    def _page_rows(self) -> list[tuple[int, int]]:
        """(unit id, depth) of the page's units."""
        rows = self._query_args["rows"]
        if rows is not None:
            page = rows[self._query_offset : self._query_offset + self.per_page]
            return [(row.unit.id, row.depth) for row in page]
        paths = tree_paths()
        stmt = sa.select(paths.c.id, paths.c.depth).order_by(paths.c.path)
        return list(db.session.execute(stmt.offset(self._query_offset).limit(self.per_page)))

    def _query_items(self) -> list[TreeRow[OrgUnit]]:
        rows = self._page_rows()
        members = (
            sa.select(sa.func.count())
            .where(Membership.unit_id == OrgUnit.id, Membership.on_date(self._query_args["today"]))
            .scalar_subquery()
        )
        wanted = [unit_id for unit_id, _depth in rows]
        units: dict[int, OrgUnit] = {}
        self.counts = {}
        if wanted:
            loaded = db.session.execute(
                sa.select(OrgUnit, members).where(OrgUnit.id.in_(wanted))
            ).tuples()
            for unit, count in loaded:
                units[unit.id] = unit
                self.counts[unit.id] = count
        return [TreeRow(units[unit_id], depth) for unit_id, depth in rows if unit_id in units]

    def _query_count(self) -> int:
        rows = self._query_args["rows"]
        if rows is not None:
            return len(rows)
        paths = tree_paths()
        return db.session.scalar(sa.select(sa.func.count()).select_from(paths)) or 0


def unit_tree_page(search: str, today: date) -> TreePagination:
    """A page of the tree in tree order, read with a LIMIT, or of the units whose name or code
    holds ``search`` (each under its nearest matching ancestor, the order worked out on four
    columns of each); the page's units alone are loaded."""
    rows = None
    if search:
        stmt = sa.select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.sort_order, OrgUnit.sort_key)
        stmt = stmt.where(sa.or_(contains(OrgUnit.name, search), contains(OrgUnit.code, search)))
        rows = tree_order(db.session.execute(stmt))
    return TreePagination(
        page=page_number(),
        per_page=int(current_app.config["PAGE_SIZE"]),
        max_per_page=None,
        error_out=False,
        rows=rows,
        today=today,
    )


def current_member_counts(today: date) -> dict[int, int]:
    """Memberships in force today per unit, in one aggregate query."""
    rows = db.session.execute(
        sa.select(Membership.unit_id, sa.func.count())
        .where(Membership.on_date(today))
        .group_by(Membership.unit_id)
    )
    return {unit_id: count for unit_id, count in rows}


def _parent_map() -> dict[int, int | None]:
    return dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.parent_id)).tuples().all())


def _is_self_or_below(candidate_id: int, unit_id: int) -> bool:
    """True when ``candidate_id`` is the unit or one of its descendants."""
    parents = _parent_map()
    seen: set[int] = set()
    current: int | None = candidate_id
    while current is not None and current not in seen:
        if current == unit_id:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _other_root(unit: OrgUnit | None) -> OrgUnit | None:
    stmt = sa.select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.deleted_at.is_(None))
    if unit is not None and unit.id is not None:
        stmt = stmt.where(OrgUnit.id != unit.id)
    return db.session.scalars(stmt.limit(1)).first()


def check_unit(
    unit: OrgUnit | None, code: str, kind: UnitKind, parent: OrgUnit | None
) -> dict[str, Any]:
    """Problems with creating (``unit`` None) or changing a unit to these values, by field."""
    errors: dict[str, Any] = {}
    clash = sa.select(OrgUnit.id).where(OrgUnit.code == code)
    if unit is not None:
        clash = clash.where(OrgUnit.id != unit.id)
    if db.session.scalar(clash) is not None:
        errors["code"] = _l("Another unit already has this code.")

    expected_parent = ALLOWED_PARENT[kind]
    if expected_parent is None:
        if parent is not None:
            errors["parent_id"] = _l("The bureau is the root of the tree; it has no parent unit.")
        other = _other_root(unit)
        if other is not None:
            errors["kind"] = _l(
                "There is already a root unit (%(name)s); the tree has only one.",
                name=other.name,
            )
    elif parent is None:
        errors["parent_id"] = _l(
            "Choose the unit this one sits under: a %(kind)s sits under a %(parent)s.",
            kind=kind.label,
            parent=expected_parent.label,
        )
    elif unit is not None and unit.id is not None and _is_self_or_below(parent.id, unit.id):
        errors["parent_id"] = _l("A unit cannot sit under itself or under one of its sub-units.")
    elif parent.kind is not expected_parent:
        errors["parent_id"] = _l(
            "A %(kind)s sits under a %(parent)s, not under a %(chosen)s.",
            kind=kind.label,
            parent=expected_parent.label,
            chosen=parent.kind.label,
        )
    elif parent.deleted_at is not None and (unit is None or unit.deleted_at is None):
        errors["parent_id"] = _l("The chosen parent unit is deactivated.")

    if unit is not None and unit.id is not None and "kind" not in errors:
        misfits = [
            child for child in active_children(unit) if ALLOWED_PARENT[child.kind] is not kind
        ]
        if misfits:
            errors["kind"] = _l(
                "%(name)s sits under this unit and cannot sit under a %(kind)s; "
                "move or deactivate it first.",
                name=misfits[0].name,
                kind=kind.label,
            )
    return errors


def active_children(unit: OrgUnit) -> list[OrgUnit]:
    return list(
        db.session.scalars(
            sa.select(OrgUnit)
            .where(OrgUnit.parent_id == unit.id, OrgUnit.deleted_at.is_(None))
            .order_by(*unit_order_by())
        )
    )


def open_membership_count(unit: OrgUnit, today: date) -> int:
    """Memberships in force today or starting later."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Membership.unit_id == unit.id,
            Membership.deleted_at.is_(None),
            sa.or_(Membership.end_date.is_(None), Membership.end_date > today),
        )
    )


def deactivation_problem(unit: OrgUnit, today: date) -> str | None:
    if unit.deleted_at is not None:
        return str(_l("%(name)s is already deactivated.", name=unit.name))
    members = open_membership_count(unit, today)
    if members:
        return str(
            _l(
                "%(name)s still has %(n)d current or upcoming memberships. "
                "End or move them first; the history is kept.",
                name=unit.name,
                n=members,
            )
        )
    children = active_children(unit)
    if children:
        return str(
            _l(
                "%(name)s still has sub-units (%(children)s). Deactivate or move them first.",
                name=unit.name,
                children=enumeration(child.name for child in children),
            )
        )
    return None


def restore_problem(unit: OrgUnit) -> str | None:
    if unit.deleted_at is None:
        return str(_l("%(name)s is active.", name=unit.name))
    if unit.parent is not None and unit.parent.deleted_at is not None:
        return str(
            _l(
                "%(parent)s, the unit above, is deactivated. Restore it first.",
                parent=unit.parent.name,
            )
        )
    if unit.parent is None:
        other = _other_root(unit)
        if other is not None:
            return str(
                _l(
                    "There is already a root unit (%(name)s); the tree has only one.",
                    name=other.name,
                )
            )
    return None


def deactivate_unit(unit: OrgUnit) -> None:
    unit.deleted_at = utcnow()


def restore_unit(unit: OrgUnit) -> None:
    unit.deleted_at = None


def account_of(person: Person) -> User | None:
    return db.session.scalar(sa.select(User).where(User.person_id == person.id))
