"""The org tree in display order: parents before their children, siblings as the admin orders
them. Works on units or on rows of their columns (id, parent_id, sort_order, sort_key)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


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
