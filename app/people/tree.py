"""The org tree in display order: parents before their children, siblings as the admin orders
them. ``tree_order`` works on units or on rows of their columns (id, parent_id, sort_order,
sort_key); ``tree_paths`` is the same order in SQL, so a page of the tree is read with a LIMIT
instead of ordering every unit in Python."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import sqlalchemy as sa

from app.extensions import db
from app.people.models import OrgUnit

# Offset by this, every 32-bit sort_order (negative ones too) has the same ten digits and
# compares as text as it does as a number.
_POSITION_OFFSET = 5_000_000_000
# Ends each unit's part of a path: below every character of a pinyin key, so a key that is the
# start of another sorts first, as in Python.
_PATH_END = "\x01"


class TreeNode(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def parent_id(self) -> int | None: ...
    @property
    def sort_order(self) -> int: ...
    @property
    def sort_key(self) -> str: ...


Node = TypeVar("Node", bound=TreeNode)


@dataclass(frozen=True)
class TreeRow(Generic[Node]):
    unit: Node
    depth: int


def _order(unit: TreeNode) -> tuple[int, str]:
    """``unit_order`` for a unit or a row of its columns."""
    return (unit.sort_order, unit.sort_key)


def tree_order(units: Iterable[Node]) -> list[TreeRow[Node]]:
    """Units in tree order (parents before their children, siblings by position then pinyin);
    a unit whose parent is not among them is a root."""
    units = list(units)
    known = {unit.id for unit in units}
    children: dict[int | None, list[Node]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id if unit.parent_id in known else None].append(unit)
    for siblings in children.values():
        siblings.sort(key=_order)
    rows: list[TreeRow[Node]] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            if unit.id in seen:
                continue
            seen.add(unit.id)
            rows.append(TreeRow(unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    # Rows caught in a cycle (only possible through hand-edited data) still show.
    for unit in sorted(units, key=_order):
        if unit.id not in seen:
            seen.add(unit.id)
            rows.append(TreeRow(unit, 0))
            walk(unit.id, 1)
    return rows


def tree_paths() -> sa.CTE:
    """A recursive CTE of every unit reachable from a root: ``id``, ``depth`` and ``path``, the
    positions and pinyin keys of its ancestors and itself, so that ``ORDER BY path`` is
    ``tree_order``'s order (byte order: the "C" collation on PostgreSQL, as the keys')."""
    step = sa.cast(
        sa.cast(sa.cast(OrgUnit.sort_order, sa.BigInteger) + _POSITION_OFFSET, sa.String)
        + OrgUnit.sort_key
        + _PATH_END,
        sa.Text,
    )
    if db.session.get_bind().dialect.name == "postgresql":
        step = step.collate("C")
    roots = sa.select(
        OrgUnit.id.label("id"), sa.literal(0).label("depth"), step.label("path")
    ).where(OrgUnit.parent_id.is_(None))
    paths = roots.cte("tree_paths", recursive=True)
    children = sa.select(OrgUnit.id, paths.c.depth + 1, paths.c.path + step).join(
        paths, OrgUnit.parent_id == paths.c.id
    )
    return paths.union_all(children)


def subtree_pairs(tops: list[int]) -> sa.CTE:
    """A recursive CTE of (``top``, ``unit_id``): each of ``tops`` with itself and every unit
    below it, deactivated ones included. UNION, not UNION ALL: a cycle in hand-edited data ends
    the walk instead of looping."""
    anchor = sa.select(OrgUnit.id.label("top"), OrgUnit.id.label("unit_id"))
    anchor = anchor.where(OrgUnit.id.in_(tops))
    pairs = anchor.cte("subtree_pairs", recursive=True)
    below = sa.select(pairs.c.top, OrgUnit.id).join(pairs, OrgUnit.parent_id == pairs.c.unit_id)
    return pairs.union(below)
