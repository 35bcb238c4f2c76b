"""The rules for memberships, shared by the admin's unit pages, a person's page and the import.

Checks return messages by form field (empty when all is well); nothing here commits. Messages
are built when a check runs (dates in the reader's language), never at import time.
"""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.locale_text import fmt_date
from app.people.models import Membership, MembershipRole, OrgUnit, PartyStatus, Person
from app.types import utcnow


def overlapping(
    person: Person,
    unit: OrgUnit,
    start: date,
    end: date | None,
    exclude: Membership | None = None,
) -> Membership | None:
    """A membership of the same person in the same unit sharing a day with [start, end)."""
    stmt = sa.select(Membership).where(
        Membership.person_id == person.id,
        Membership.unit_id == unit.id,
        Membership.deleted_at.is_(None),
        # An empty membership (end == start) covers no day and clashes with nothing.
        sa.or_(Membership.end_date.is_(None), Membership.end_date > Membership.start_date),
        sa.or_(Membership.end_date.is_(None), Membership.end_date > start),
    )
    if end is not None:
        stmt = stmt.where(Membership.start_date < end)
    if exclude is not None:
        stmt = stmt.where(Membership.id != exclude.id)
    return db.session.scalars(stmt.order_by(Membership.start_date).limit(1)).first()


def _overlap_message(clash: Membership) -> Any:
    if clash.end_date is None:
        return _l(
            "%(name)s already belongs to this unit from %(start)s with no end; the dates overlap.",
            name=clash.person.name,
            start=fmt_date(clash.start_date),
        )
    return _l(
        "%(name)s already belongs to this unit from %(start)s until %(end)s; the dates overlap.",
        name=clash.person.name,
        start=fmt_date(clash.start_date),
        end=fmt_date(clash.end_date),
    )


def role_problem(name: str, status: PartyStatus, role: MembershipRole) -> Any | None:
    """Whether a person of this Party status may hold this role (staff is for non-members).

    Takes the name and status rather than a person, so an import row can be checked with the
    values it is about to save."""
    if role is MembershipRole.STAFF and status.is_party_member:
        return _l(
            "%(name)s is a Party member (%(status)s): choose a Party role, not staff.",
            name=name,
            status=status.label,
        )
    if role is not MembershipRole.STAFF and not status.is_party_member:
        return _l(
            "%(name)s is not a Party member (%(status)s): only the staff role fits.",
            name=name,
            status=status.label,
        )
    return None


def _last_day_out(membership: Membership) -> date | None:
    """For a transferred-out person, the latest end a membership may have (None: no limit).

    Matches ``transfer_out``, which ends a membership that began later on its own start day."""
    out_on = membership.person.transferred_out_on
    if out_on is None:
        return None
    return max(out_on, membership.start_date)


def _transferred_message(person: Person) -> Any:
    return _l(
        "%(name)s was transferred out on %(date)s; the membership must end by then.",
        name=person.name,
        date=fmt_date(person.transferred_out_on),
    )


def check_new_membership(
    person: Person, unit: OrgUnit, role: MembershipRole, start: date, end: date | None
) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    problem = role_problem(person.name, person.party_status, role)
    if problem is not None:
        errors["role"] = problem
    if end is not None and end <= start:
        errors["end_date"] = _l(
            "The end date is the first day out of the unit; it must come after the start date."
        )
    elif person.transferred_out_on is not None and (end is None or end > person.transferred_out_on):
        errors["end_date"] = _transferred_message(person)
    if "end_date" not in errors:
        clash = overlapping(person, unit, start, end)
        if clash is not None:
            errors["start_date"] = _overlap_message(clash)
    return errors


def check_end(membership: Membership, end: date) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    last_day_out = _last_day_out(membership)
    if end < membership.start_date:
        errors["end_date"] = _l(
            "The membership began on %(date)s; it cannot end before that.",
            date=fmt_date(membership.start_date),
        )
    elif last_day_out is not None and end > last_day_out:
        errors["end_date"] = _transferred_message(membership.person)
    elif membership.end_date is not None and end > membership.end_date:
        clash = overlapping(
            membership.person, membership.unit, membership.start_date, end, exclude=membership
        )
        if clash is not None:
            errors["end_date"] = _overlap_message(clash)
    return errors


def restore_membership_problem(membership: Membership) -> str | None:
    if membership.deleted_at is None:
        return None
    if membership.unit.deleted_at is not None:
        return str(_l("The unit is deactivated; restore it first."))
    last_day_out = _last_day_out(membership)
    if last_day_out is not None and (
        membership.end_date is None or membership.end_date > last_day_out
    ):
        return str(_transferred_message(membership.person))
    clash = overlapping(
        membership.person,
        membership.unit,
        membership.start_date,
        membership.end_date,
        exclude=membership,
    )
    if clash is not None:
        return str(_overlap_message(clash))
    return None


def add_membership(
    person: Person, unit: OrgUnit, role: MembershipRole, start: date, end: date | None = None
) -> Membership:
    membership = Membership(person=person, unit=unit, role=role, start_date=start, end_date=end)
    db.session.add(membership)
    return membership


def end_membership(membership: Membership, end: date) -> None:
    membership.end_date = end


def remove_membership(membership: Membership) -> None:
    """A wrongly entered membership disappears from every figure; the row and its trail stay."""
    membership.deleted_at = utcnow()


def restore_membership(membership: Membership) -> None:
    membership.deleted_at = None
