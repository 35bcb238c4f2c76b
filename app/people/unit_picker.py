"""The unit picker: beyond ``SELECT_LIMIT`` units a unit filter or a unit field is a live search
instead of a ``<select>`` listing every unit, so no page grows with the district. The page
then loads only the chosen units (``field_units``, one LIMITed statement), and a submitted id
is valid when it is among them: in the user's scope, active or the record's own.

The search reads the light columns of the units the user may choose in tree order
(``people.tree.tree_paths``) and stops at the first ``RESULT_LIMIT`` that match: units match by
name, code or the toneless pinyin of the name, which SQL does not compare, and each one's path
(the names above it, read before it in tree order) is what tells the 党小组 of different
branches apart."""

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.auth.policy import scoped_units
from app.extensions import db
from app.people.models import OrgUnit, unit_order, unit_order_by
from app.people.tree import TreeRow, tree_order, tree_paths

# Up to this many units a plain <select> stays (a secretary with a branch and its 党小组).
SELECT_LIMIT = 30
RESULT_LIMIT = 20
# A unit field reads at most this many chosen ids from a form (an account keeps a few units).
MAX_CHOSEN = 100
MAX_TYPED = 40
PATH_SEPARATOR = " › "
_NO_TONES = str.maketrans("", "", "0123456789")


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


@dataclass(frozen=True)
class OfferedUnits:
    """What a unit filter draws: every unit when there are few, else (a live search) only the
    chosen one, so the page loads no more units than it shows. Its length counts the units up
    to ``SELECT_LIMIT + 1``."""

    units: list[OrgUnit]
    searched: bool

    def __iter__(self) -> Iterator[OrgUnit]:
        return iter(self.units)

    def __len__(self) -> int:
        return SELECT_LIMIT + 1 if self.searched else len(self.units)


@dataclass(frozen=True)
class FieldUnits:
    """What a unit field offers: every unit it may take when there are few (a select, ``rows``
    in display order, each with its depth in the tree), else only the chosen ones (a live
    search), so that validating a submitted id is a look-up among the units loaded."""

    rows: list[TreeRow[OrgUnit]]
    searched: bool

    @property
    def units(self) -> list[OrgUnit]:
        return [row.unit for row in self.rows]


def field_units(
    user: User,
    chosen: Collection[int],
    keep: Collection[int] = (),
    exclude: int | None = None,
    tree: bool = False,
    first: bool = False,
) -> FieldUnits:
    """The units a unit field may take, in one LIMITed statement that puts the ``chosen`` ones
    first: the active units of the user's scope, and the ``keep`` ones (what the record already
    points at) even when deactivated; never ``exclude``. Up to ``SELECT_LIMIT`` every one is
    kept, in tree order (``tree``) or in unit order; beyond it only the chosen ones, or with
    ``first`` and none of them found, the first unit in unit order (a default to offer)."""
    chosen = set(list(chosen)[:MAX_CHOSEN])
    allowed = OrgUnit.deleted_at.is_(None)
    if keep:
        allowed = sa.or_(allowed, OrgUnit.id.in_(set(keep)))
    stmt = sa.select(OrgUnit).where(allowed)
    if exclude is not None:
        stmt = stmt.where(OrgUnit.id != exclude)
    order = [*unit_order_by()]
    if chosen:
        order.insert(0, sa.case((OrgUnit.id.in_(chosen), 0), else_=1))
    stmt = scoped_units(stmt.order_by(*order), user).limit(SELECT_LIMIT + 1 + len(chosen))
    units = list(db.session.scalars(stmt))
    searching = len(units) > SELECT_LIMIT
    if searching:
        units = [unit for unit in units if unit.id in chosen] or (units[:1] if first else [])
    if tree:
        return FieldUnits(tree_order(units), searching)
    return FieldUnits([TreeRow(unit, 0) for unit in sorted(units, key=unit_order)], searching)


def filter_units(user: User, chosen_id: int | None) -> OfferedUnits:
    """The active units of the user's scope for a unit filter (``field_units``): every one when
    there are few, else only the chosen one."""
    offered = field_units(user, [] if chosen_id is None else [chosen_id])
    return OfferedUnits(offered.units, offered.searched)


def unit_label(unit: OrgUnit) -> str:
    """A unit as the admin's forms name it: its name and code, and whether it is deactivated."""
    label = f"{unit.name} ({unit.code})"
    if unit.deleted_at is not None:
        label += " · " + str(_l("deactivated"))
    return label


def searched(options: Iterable[Any]) -> bool:
    """Whether a unit choice of these options is a live search rather than a select."""
    if isinstance(options, OfferedUnits):
        return options.searched
    return len(list(options)) > SELECT_LIMIT


def _matches(row: Any, typed: str, by_pinyin: bool) -> bool:
    if typed in row.name.casefold() or typed in row.code.casefold():
        return True
    return by_pinyin and typed in row.sort_key.split(" ", 1)[0].translate(_NO_TONES)


def _path(row: Any, seen: dict[int, Any]) -> str:
    """The names of the units above ``row`` among ``seen`` (the rows read before it: in tree
    order a unit's ancestors come first), top down, the bureau's root left out; the walk ends
    at a unit not read (out of scope, deactivated) or, in hand-edited data, a cycle."""
    names: list[str] = []
    walked = {row.id}
    unit = seen.get(row.parent_id)
    while unit is not None and unit.id not in walked:
        if unit.parent_id is not None:
            names.append(unit.name)
        walked.add(unit.id)
        unit = seen.get(unit.parent_id)
    return PATH_SEPARATOR.join(reversed(names))


def search_units(typed: str, user: User) -> UnitResults | None:
    """At most ``RESULT_LIMIT`` active units in the user's scope whose name, code or pinyin
    contains ``typed``, in tree order with their paths; None when nothing was typed."""
    typed = typed.strip()[:MAX_TYPED].casefold()
    if not typed:
        return None
    paths = tree_paths()
    stmt = (
        sa.select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.sort_key, OrgUnit.name, OrgUnit.code)
        .join(paths, paths.c.id == OrgUnit.id)
        .where(OrgUnit.deleted_at.is_(None))
        .order_by(paths.c.path)
    )
    by_pinyin = typed.isascii() and typed.isalpha()
    seen: dict[int, Any] = {}
    found: list[Any] = []
    more = False
    # Read as plain rows off the cursor, and closed when the page is full: the ORM would load
    # every unit first.
    with db.session.connection().execute(scoped_units(stmt, user)) as rows:
        for row in rows:
            seen[row.id] = row
            if not _matches(row, typed, by_pinyin):
                continue
            if len(found) == RESULT_LIMIT:
                more = True
                break
            found.append(row)
    units = [UnitOption(row.id, row.name, row.code, _path(row, seen)) for row in found]
    return UnitResults(units, more)
