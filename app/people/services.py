"""Writes that touch several people records, and the roster query shared by the page and export."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.auth.policy import scope_unit_ids, scoped_persons, subtree_ids
from app.extensions import db
from app.forms import clean_text
from app.people import search
from app.people.memberships import add_membership, overlapping, role_problem
from app.people.models import (
    Department,
    Membership,
    MembershipRole,
    OrgUnit,
    PartyStatus,
    Person,
    UnitKind,
    department_order_by,
)
from app.queries import bounded_int
from app.types import local_today

STATE_CURRENT, STATE_FORMER, STATE_ALL = "current", "former", "all"
# What the roster's search compares.
ROSTER_FIELDS = search.NAME | search.CODE | search.PHONE | search.POST


@dataclass
class RosterFilters:
    q: str = ""
    unit_id: int | None = None
    department_id: int | None = None
    party_status: str = ""
    state: str = STATE_CURRENT

    @classmethod
    def from_args(cls, args: dict) -> "RosterFilters":
        status = args.get("status", "")
        state = args.get("state", STATE_CURRENT)
        return cls(
            q=clean_text(args.get("q") or "").strip()[:60],
            unit_id=bounded_int(args.get("unit")),
            department_id=bounded_int(args.get("department")),
            party_status=status if status in {s.value for s in PartyStatus} else "",
            state=state if state in (STATE_CURRENT, STATE_FORMER, STATE_ALL) else STATE_CURRENT,
        )


def roster_query(user: User, filters: RosterFilters, today: date | None = None) -> sa.Select:
    """Persons the user may see, filtered as on the roster page, in roster order: by department
    as the bureau orders them (people without one last), then by the pinyin of the name. A
    search lists its matches by the pinyin of the name alone, as one looks a name up: the
    database walks the name order and stops at a page, instead of sorting every match."""
    stmt = _loaded(roster_filtered(user, filters, today))
    if filters.q:
        return stmt.order_by(*search.name_order(filters.q))
    return stmt.outerjoin(Department, Department.id == Person.department_id).order_by(
        Department.id.is_(None), *department_order_by(), Person.sort_key
    )


def _loaded(stmt: sa.Select) -> sa.Select:
    """What the roster shows with each person: their department and units."""
    return stmt.options(
        joinedload(Person.department),
        selectinload(Person.memberships).joinedload(Membership.unit),
    )


def roster_first(user: User, filters: RosterFilters, rows: int) -> sa.Select:
    """``roster_query`` for its first ``rows`` only (a page and those before it). The admin's
    roster, unfiltered but for who is current, is read a department at a time: each
    department's first ``rows`` in name order off ``ix_person_department_id``, then those few
    ordered, instead of every person in the bureau sorted by department before a page is taken.
    Narrower lists (a secretary's units, a unit, a status, a search) already start from their
    few rows."""
    if filters.q or filters.unit_id or filters.party_status or scope_unit_ids(user) is not None:
        return roster_query(user, filters)
    ranked = db.session.scalars(sa.select(Department.id).order_by(*department_order_by())).all()
    filtered = roster_filtered(user, filters).with_only_columns(Person.id, Person.sort_key)
    arms = []
    for rank, department in enumerate([*ranked, None]):  # people without a department last
        first = (
            filtered.where(Person.department_id == department)
            if department is not None
            else filtered.where(Person.department_id.is_(None))
        )
        first = first.order_by(Person.sort_key).limit(rows).subquery()
        arms.append(sa.select(first.c.id, first.c.sort_key, sa.literal(rank).label("rank")))
    firsts = sa.union_all(*arms).subquery("firsts")
    return _loaded(sa.select(Person).join(firsts, firsts.c.id == Person.id)).order_by(
        firsts.c.rank, firsts.c.sort_key
    )


def roster_filtered(user: User, filters: RosterFilters, today: date | None = None) -> sa.Select:
    """``roster_query`` without its order and what is loaded with each person: what a count of
    the roster reads."""
    today = today or local_today()
    stmt = scoped_persons(sa.select(Person), user)
    scope = scope_unit_ids(user)
    current_in_scope = sa.select(Membership.person_id).where(Membership.on_date(today))
    if scope is not None:
        current_in_scope = current_in_scope.where(Membership.unit_id.in_(scope))
    is_current = Person.transferred_out_on.is_(None)
    if scope is not None:
        is_current = sa.and_(is_current, Person.id.in_(current_in_scope))
    if filters.state == STATE_CURRENT:
        stmt = stmt.where(is_current)
    elif filters.state == STATE_FORMER:
        stmt = stmt.where(sa.not_(is_current))
    if filters.unit_id:
        units = subtree_ids(sa.select(OrgUnit.id).where(OrgUnit.id == filters.unit_id))
        in_unit = sa.select(Membership.person_id).where(
            Membership.unit_id.in_(units), Membership.deleted_at.is_(None)
        )
        if filters.state == STATE_CURRENT:
            in_unit = in_unit.where(Membership.on_date(today))
        stmt = stmt.where(Person.id.in_(in_unit))
    if filters.department_id:
        stmt = stmt.where(Person.department_id == filters.department_id)
    if filters.party_status:
        stmt = stmt.where(Person.party_status == PartyStatus(filters.party_status))
    if filters.q:
        stmt = search.matching(stmt, filters.q, ROSTER_FIELDS)
    return stmt


def departments() -> list[Department]:
    """Departments in use, in their display order."""
    return list(
        db.session.scalars(
            sa.select(Department)
            .where(Department.deleted_at.is_(None))
            .order_by(*department_order_by())
        )
    )


def transfer_out(person: Person, on: date, note: str | None) -> None:
    """The person leaves the bureau: every open membership ends on that day; history is kept."""
    person.transferred_out_on = on
    person.transfer_note = note or None
    # Someone who has left the bureau no longer signs in to its records. A person not yet
    # flushed (an import's new row) has no account, and "person_id IS NULL" would be every
    # account without a person: the admins.
    account = (
        db.session.scalar(sa.select(User).where(User.person_id == person.id))
        if person.id is not None
        else None
    )
    if account is not None:
        account.active = False
    for membership in person.memberships:
        if membership.deleted_at is None and (
            membership.end_date is None or membership.end_date > on
        ):
            membership.end_date = max(on, membership.start_date)


def move(
    person: Person, leaving: Membership, unit: OrgUnit, role: MembershipRole, on: date
) -> Membership:
    """A change of unit: the old membership ends and the new one starts on the same day.

    Joining a 党小组 of the branch one is in keeps the branch membership: members of a group
    are members of its branch too."""
    if not joins_group_of(leaving, unit):
        leaving.end_date = max(on, leaving.start_date)
    return add_membership(person, unit, role, on)


def joins_group_of(leaving: Membership, unit: OrgUnit) -> bool:
    return unit.kind is UnitKind.GROUP and unit.parent_id == leaving.unit_id


def move_problems(
    person: Person, leaving: Membership, unit: OrgUnit, role: MembershipRole, on: date
) -> dict[str, Any]:
    """Errors by form field for a change of unit; empty when the move may be made."""
    errors: dict[str, Any] = {}
    if leaving.unit_id == unit.id:
        errors["unit_id"] = _l("Choose a different unit.")
    elif overlapping(person, unit, on, None) is not None:
        errors["unit_id"] = _l("%(name)s already belongs to that unit.", name=person.name)
    if on <= leaving.start_date:
        errors["on"] = _l("The move must come after the current membership began.")
    elif on > local_today():
        errors["on"] = _l("The date cannot be in the future.")
    problem = role_problem(person.name, person.party_status, role)
    if problem is not None:
        errors["role"] = problem
    return errors
