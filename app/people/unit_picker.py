"""The unit picker: beyond ``SELECT_LIMIT`` units a unit filter or a unit field is a live search
instead of a ``<select>`` listing every unit, so no page grows with the district.

The search reads the light columns of the units the user may choose (a district has some
hundreds) in one statement, and keeps the tree order and each unit's path in Python: a LIMIT in
SQL cannot give tree order without a materialised path, and the path is what tells the 党小组
of different branches apart. Units match by name, code or the pinyin of the name."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.auth.policy import scoped_units
from app.extensions import db
from app.people.models import OrgUnit
from app.people.tree import tree_order

# Up to this many units a plain <select> stays (a secretary with a branch and its 党小组).
SELECT_LIMIT = 30
RESULT_LIMIT = 20
MAX_TYPED = 40
PATH_SEPARATOR = " › "
_TONES = re.compile(r"[0-9]")


@dataclass(frozen=True)
class UnitOption:
    id: int
    name: str
    code: str
    path: str  # the names of the units above, the bureau's root left out


@dataclass(frozen=True)
class UnitResults:
    units: list[UnitOption]
    more: bool  # more than RESULT_LIMIT matched: type more


def searched(options: Iterable[Any]) -> bool:
    """Whether a unit choice of these options is a live search rather than a select."""
    return len(list(options)) > SELECT_LIMIT


def _matches(row: Any, typed: str) -> bool:
    spelled = _TONES.sub("", row.sort_key.split(" ", 1)[0])
    return typed in row.name.casefold() or typed in row.code.casefold() or typed in spelled


def _path(row: Any, by_id: dict[int, Any]) -> str:
    names: list[str] = []
    seen: set[int] = {row.id}
    parent = by_id.get(row.parent_id)
    while parent is not None and parent.id not in seen and parent.parent_id is not None:
        names.append(parent.name)
        seen.add(parent.id)
        parent = by_id.get(parent.parent_id)
    return PATH_SEPARATOR.join(reversed(names))


def search_units(typed: str, user: User) -> UnitResults | None:
    """At most ``RESULT_LIMIT`` active units in the user's scope whose name, code or pinyin
    contains ``typed``, in tree order with their paths; None when nothing was typed."""
    typed = typed.strip()[:MAX_TYPED].casefold()
    if not typed:
        return None
    stmt = sa.select(
        OrgUnit.id,
        OrgUnit.parent_id,
        OrgUnit.sort_order,
        OrgUnit.sort_key,
        OrgUnit.name,
        OrgUnit.code,
    ).where(OrgUnit.deleted_at.is_(None))
    rows = list(db.session.execute(scoped_units(stmt, user)))
    by_id = {row.id: row for row in rows}
    found = [tree_row.unit for tree_row in tree_order(rows) if _matches(tree_row.unit, typed)]
    units = [
        UnitOption(row.id, row.name, row.code, _path(row, by_id)) for row in found[:RESULT_LIMIT]
    ]
    return UnitResults(units, len(found) > RESULT_LIMIT)
