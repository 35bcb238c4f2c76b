"""Who is expected at an activity by default (DOMAIN.md): taken from the unit's memberships on
the activity's date, by a rule each family's kinds name."""

from datetime import date

import sqlalchemy as sa

from app.auth.policy import subtree_ids
from app.extensions import db
from app.people.models import (
    COMMITTEE_POSTS,
    Membership,
    MembershipRole,
    OrgUnit,
    PartyStatus,
    Person,
)
from app.people.tree import subtree_pairs
from app.queries import join_in_order
from app.types import LabelledEnum


class ExpectedDefault(LabelledEnum):
    """Who is expected by default, taken from the unit's memberships on the date."""

    PARTY_MEMBERS = "party_members"
    COMMITTEE = "committee"
    ALL_STAFF = "all_staff"
    BY_HAND = "by_hand"


def expected_person_ids(unit: OrgUnit, rule: ExpectedDefault, on: date) -> set[int]:
    """The default expected list: memberships in force on the date in the unit (and the units
    below it), filtered by the rule: Party members (on the date, not only today: a late entry
    of an older activity), the unit's committee, everyone including staff, or nobody (the list
    is made by hand)."""
    if rule is ExpectedDefault.BY_HAND:
        return set()
    return set(db.session.scalars(expected_select(unit, rule, on)))


def expected_select(unit: OrgUnit, rule: ExpectedDefault, on: date) -> sa.Select:
    """``expected_person_ids`` as a SELECT of person ids (a person may appear more than once),
    for figures that count in SQL; ``BY_HAND`` is not a rule to select by."""
    units = subtree_ids(sa.select(sa.literal(unit.id)))
    members = sa.select(Membership.person_id).select_from(_members())
    stmt = _on_date(members.where(Membership.unit_id.in_(units)), rule, on)
    if rule is ExpectedDefault.COMMITTEE:
        stmt = stmt.where(Membership.unit_id == unit.id, Membership.role.in_(COMMITTEE_POSTS))
    return stmt


def expected_by_top(tops: list[int], rule: ExpectedDefault, on: date) -> sa.Select:
    """(``top``, ``person_id``) for each of the units ``tops``: ``expected_select`` of every one
    of them in one SELECT, for a table of units that counts in SQL. Party members or all staff:
    a committee is each unit's own."""
    pairs = subtree_pairs(tops)
    stmt = (
        sa.select(pairs.c.top, Membership.person_id)
        .select_from(_members())
        .join(pairs, pairs.c.unit_id == Membership.unit_id)
    )
    return _on_date(stmt, rule, on)


def _members() -> sa.Join:
    """Memberships with their people, the memberships read first: SQLite, without statistics,
    would otherwise start from every Party member of the district to find a unit's few."""
    return join_in_order(Membership, Person, Person.id == Membership.person_id)


def _on_date(stmt: sa.Select, rule: ExpectedDefault, on: date) -> sa.Select:
    """``stmt`` over ``_members`` kept to those in force on the date of people not transferred
    out by then; for Party members and the committee, the Party members on the date."""
    stmt = stmt.where(
        Membership.on_date(on),
        sa.or_(Person.transferred_out_on.is_(None), Person.transferred_out_on > on),
    )
    if rule in (ExpectedDefault.PARTY_MEMBERS, ExpectedDefault.COMMITTEE):
        stmt = stmt.where(
            Membership.role != MembershipRole.STAFF,
            Person.party_status.in_([PartyStatus.FULL, PartyStatus.PROBATIONARY]),
            sa.or_(Person.joined_on.is_(None), Person.joined_on <= on),
        )
    return stmt


def people_on(unit: OrgUnit, on: date) -> list[Person]:
    """Everyone in the unit and the units below it on the date, staff included, in roster
    order — whom a unit's list picks from (recipients of a reminder, the cadres it marks)."""
    ids = expected_select(unit, ExpectedDefault.ALL_STAFF, on)
    stmt = sa.select(Person).where(Person.id.in_(ids)).order_by(Person.sort_key)
    return list(db.session.scalars(stmt))
