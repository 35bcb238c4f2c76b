"""The access policy: who may see or change what, and the scope every list query goes through.

Views never check roles or units by hand: they call ``require``/``require_role`` with a predicate
from here, and list queries pass through ``scoped_persons``, ``scoped_activities`` or
``scoped_by_unit`` (or ``scope_unit_ids``).
Outside one's scope a record answers 404 (its existence is not revealed); a page the role may
never use answers 403.
"""

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from flask import abort, g, has_request_context
from flask_login import current_user, login_required

from app.activities.models import Activity, Participation
from app.auth.models import Role, User, account_unit
from app.extensions import db
from app.people.models import Membership, OrgUnit, Person, unit_order_by
from app.types import local_today

if TYPE_CHECKING:
    from app.activities.models import Activity, Participation
    from app.evidence.models import Evidence
    from app.logs.models import MemberLog

F = TypeVar("F", bound=Callable[..., Any])


def subtree_ids(roots: sa.Select) -> sa.Select:
    """SELECT of the ids of the root units and every unit below them (a recursive CTE)."""
    tree = roots.cte(recursive=True)
    below = sa.select(OrgUnit.id).join(tree, OrgUnit.parent_id == tree.c[0])
    tree = tree.union(below)
    return sa.select(tree.c[0])


def scope_unit_ids(user: User) -> sa.Select | None:
    """The units a user administers as a SELECT of ids; None means every unit (admin).

    A secretary's units are read once per request (the recursive walk of the tree) and named
    by id: a statement over a few listed ids is planned for a few rows, where a recursive CTE
    inside it leaves PostgreSQL guessing thousands and choosing scans of the whole table."""
    if user.role is Role.ADMIN:
        return None
    if user.role is Role.SECRETARY:
        return sa.select(OrgUnit.id).where(OrgUnit.id.in_(_secretary_units(user)))
    return sa.select(sa.literal(-1)).where(sa.false())


def _secretary_units(user: User) -> list[int]:
    roots = sa.select(account_unit.c.unit_id).where(account_unit.c.account_id == user.id)
    if not has_request_context():
        return list(db.session.scalars(subtree_ids(roots)))
    known: dict[int, list[int]] = g.setdefault("scope_units", {})
    if user.id not in known:
        known[user.id] = sorted(db.session.scalars(subtree_ids(roots)))
    return known[user.id]


def scoped_units(stmt: sa.Select, user: User) -> sa.Select:
    ids = scope_unit_ids(user)
    return stmt if ids is None else stmt.where(OrgUnit.id.in_(ids))


def scoped_persons(stmt: sa.Select, user: User) -> sa.Select:
    """Persons who are, or ever were, in a unit the user administers (admins: everyone)."""
    ids = scope_unit_ids(user)
    if ids is None:
        return stmt
    in_scope = sa.select(Membership.person_id).where(
        Membership.unit_id.in_(ids), Membership.deleted_at.is_(None)
    )
    return stmt.where(Person.id.in_(in_scope))


def scoped_by_unit(stmt: sa.Select, unit_column: sa.ColumnElement[int], user: User) -> sa.Select:
    """Rows whose unit (``unit_column``) the user administers (admins: every row)."""
    ids = scope_unit_ids(user)
    return stmt if ids is None else stmt.where(unit_column.in_(ids))


def scoped_activities(stmt: sa.Select, user: User, *within: sa.ColumnElement[bool]) -> sa.Select:
    """The activities a user may see: everyone those that list them (a branch secretary who
    also sits in the 党组); secretaries also every activity of their units; admins all.
    ``within`` (conditions on ``Activity``, e.g. the days of a year) narrows the ids looked up
    as well as ``stmt``."""
    stmt = stmt.where(*within)
    mine = sa.select(Participation.activity_id).where(Participation.person_id == user.person_id)
    if within:
        mine = mine.join(Activity, Activity.id == Participation.activity_id).where(*within)
    ids = scope_unit_ids(user)
    if user.role is Role.MEMBER:
        return stmt.where(Activity.id.in_(mine))
    if ids is None:
        return stmt
    # One IN of a union, not an OR of two: PostgreSQL reads an OR over the activities as a
    # walk of all of them; the union's few ids (the units' activities by their index, one's own
    # rows by theirs) lead instead. Narrowed by ``within`` too: a union of all the units' years
    # of activities was hashed against every session of the bureau.
    theirs = sa.select(Activity.id).where(Activity.unit_id.in_(ids), *within)
    return stmt.where(Activity.id.in_(sa.union(theirs, mine)))


def persons_in_units_today(stmt: sa.Select, user: User) -> sa.Select:
    """Persons in a unit the user administers today (admins: everyone) — what a person picker
    offers; ``scoped_persons`` also admits those who have left since."""
    ids = scope_unit_ids(user)
    if ids is None:
        return stmt
    today = sa.select(Membership.person_id).where(
        Membership.unit_id.in_(ids), Membership.on_date(local_today())
    )
    return stmt.where(Person.id.in_(today))


def unit_ids_in_scope(user: User) -> set[int] | None:
    """The ids of the units a user administers, loaded once; None means every unit (admin)."""
    if user.role is Role.SECRETARY:  # named by id already, read once per request
        return set(_secretary_units(user))
    ids = scope_unit_ids(user)
    return None if ids is None else set(db.session.scalars(ids))


def unit_in_scope(user: User, unit: OrgUnit) -> bool:
    ids = unit_ids_in_scope(user)
    return ids is None or unit.id in ids


def can_manage_people(user: User) -> bool:
    """May use the roster at all (the page is never for members)."""
    return user.role in (Role.ADMIN, Role.SECRETARY)


def can_view_person(user: User, person: Person) -> bool:
    if user.person_id == person.id:
        return True
    if not can_manage_people(user):
        return False
    ids = scope_unit_ids(user)
    if ids is None:
        return True
    stmt = scoped_persons(sa.select(Person.id).where(Person.id == person.id), user)
    return db.session.scalar(stmt) is not None


def _current_memberships_in(person: Person, ids: sa.Select, inside: bool) -> sa.Select:
    unit_test = Membership.unit_id.in_(ids) if inside else Membership.unit_id.not_in(ids)
    return sa.select(Membership.id).where(
        Membership.person_id == person.id, Membership.on_date(local_today()), unit_test
    )


def can_edit_person(user: User, person: Person) -> bool:
    """Change a person's record: only while they are in one of the user's units today (a
    secretary keeps reading the history of people who have left, but no longer changes it)."""
    if not can_manage_people(user):
        return False
    ids = scope_unit_ids(user)
    if ids is None:
        return True
    return db.session.scalar(_current_memberships_in(person, ids, True).limit(1)) is not None


def can_transfer_out(user: User, person: Person) -> bool:
    """Transferring out ends every membership, so a secretary may do it only when every unit the
    person belongs to today is one of theirs (else the Party office does it)."""
    if not can_edit_person(user, person):
        return False
    ids = scope_unit_ids(user)
    if ids is None:
        return True
    return db.session.scalar(_current_memberships_in(person, ids, False).limit(1)) is None


def is_admin(user: User) -> bool:
    return user.role is Role.ADMIN


def units_for_choice(user: User) -> list[OrgUnit]:
    """Units the user may put people into, in tree order."""
    stmt = scoped_units(
        sa.select(OrgUnit).where(OrgUnit.deleted_at.is_(None)).order_by(*unit_order_by()),
        user,
    )
    return list(db.session.scalars(stmt))


def require(allowed: bool) -> None:
    """A record outside the user's scope: 404, its existence is not revealed."""
    if not allowed:
        abort(404)


def require_role(allowed: bool) -> None:
    """A page the user's role may never use: 403."""
    if not allowed:
        abort(403)


def role_required(*roles: Role) -> Callable[[F], F]:
    """Sign-in plus one of the roles, for whole views (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require_role(current_user.role in roles)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def can_manage_activity(user: User, activity: "Activity") -> bool:
    """Plan, mark, review, archive: secretaries of the activity's unit (or above it), admins."""
    if user.role is Role.MEMBER:
        return False
    return unit_in_scope(user, activity.unit)


def own_participation(user: User, activity: "Activity") -> "Participation | None":
    if user.person_id is None:
        return None
    for row in activity.participations:
        if row.person_id == user.person_id:
            return row
    return None


def can_view_activity(user: User, activity: "Activity") -> bool:
    """Those who keep the unit's records, and the people on its list."""
    return can_manage_activity(user, activity) or own_participation(user, activity) is not None


def can_view_evidence(user: User, evidence: "Evidence") -> bool:
    """Access follows the owner, by the rule its registration names (``app/evidence/owners.py``)."""
    if evidence.deleted_at is not None:
        return False
    owned = evidence.owned_by()
    return owned is not None and owned[0].may_view(user, owned[1])


def can_remove_evidence(user: User, evidence: "Evidence") -> bool:
    """Whoever may change the owner's files, by the rule its registration names."""
    owned = evidence.owned_by()
    return owned is not None and owned[0].may_change(user, owned[1])


def can_view_make_up_files(user: User, row: "Participation") -> bool:
    """A make-up's files are the member's and their secretaries'."""
    own = user.person_id is not None and row.person_id == user.person_id
    return own or can_manage_activity(user, row.activity)


def can_change_make_up_files(user: User, row: "Participation") -> bool:
    """Managers of the activity; the member their own make-up files until it is confirmed."""
    from app.activities.models import MakeUpState

    if can_manage_activity(user, row.activity):
        return True
    own = user.person_id is not None and row.person_id == user.person_id
    return own and row.make_up_state is not MakeUpState.CONFIRMED


def can_change_log_files(user: User, log: "MemberLog") -> bool:
    """The author, while the log may still change (reviewers judge, never edit)."""
    from app.logs.models import LogState

    own = user.person_id is not None and log.person_id == user.person_id
    return own and log.state in (LogState.PENDING, LogState.RETURNED)


def keeps_person_on(user: User, person_id: int, on: date) -> bool:
    """The user keeps the records of a unit the person belonged to on that date (admins: all)."""
    ids = scope_unit_ids(user)
    if ids is None:
        return True
    if user.role is not Role.SECRETARY:
        return False
    stmt = sa.select(Membership.id).where(
        Membership.person_id == person_id, Membership.unit_id.in_(ids), Membership.on_date(on)
    )
    return db.session.scalar(stmt.limit(1)) is not None


def can_view_log(user: User, log: "MemberLog") -> bool:
    """Its author, and whoever keeps a unit the author belonged to on the log's date."""
    return user.person_id == log.person_id or keeps_person_on(user, log.person_id, log.done_on)


def may_decide(user: User, person_id: int | None) -> bool:
    """Nobody decides their own: what a member records (a check-in, a leave request, a make-up,
    a log) waits for someone else; an admin may decide their own."""
    return user.role is Role.ADMIN or user.person_id is None or user.person_id != person_id


def may_decide_clause(user: User, person_id: Any) -> sa.ColumnElement[bool]:
    """``may_decide`` in SQL, over the column naming whose item a row is (the review queue)."""
    if user.role is Role.ADMIN or user.person_id is None:
        return sa.true()
    return person_id != user.person_id


def can_plan_activities(user: User) -> bool:
    """Who creates activities and keeps their attendance: secretaries and admins, in scope."""
    return user.role is not Role.MEMBER


def can_review_log(user: User, log: "MemberLog") -> bool:
    """Not one's own, and only a log of someone the user keeps."""
    if user.role is Role.MEMBER or not may_decide(user, log.person_id):
        return False
    return keeps_person_on(user, log.person_id, log.done_on)
