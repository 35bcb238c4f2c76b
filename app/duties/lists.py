"""Responsibility lists: who keeps and who reads one, and their writes.

The rule (the issue's, DESIGN.md's): a list belongs to the unit that issued it; that unit's
secretaries (and those of the units above it) and the admins keep it — create, edit, add items,
record entries; a person's list is read, and reported on (entries, a manual item's status), by
that person too; nobody else reads another leader's list. Services take models and values, may
add and flush, never commit; a refusal raises ``Refused``."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.auth.models import Role, User
from app.auth.policy import scope_unit_ids, unit_in_scope
from app.duties.models import DutyEntry, DutyItem, DutyList, ManualStatus, duty_entry_item
from app.extensions import db
from app.refusals import Refused
from app.types import local_today, utcnow

LIST_FIELDS = (
    "year",
    "title",
    "post",
    "areas",
    "business_duty",
    "party_duty",
    "integrity_duty",
)
ITEM_FIELDS = (
    "text",
    "category",
    "owner_id",
    "pressed_to",
    "period",
    "due_on",
    "target",
    "kinds",
    "unit_ids",
    "as_role",
)
ENTRY_FIELDS = ("done_on", "place", "participants", "title", "text", "activity_id")


def keeps_list(user: User, duty_list: DutyList) -> bool:
    """May change the list, its items and entries: the issuing unit's keepers."""
    return user.role is not Role.MEMBER and unit_in_scope(user, duty_list.unit)


def is_own(user: User, duty_list: DutyList) -> bool:
    return user.person_id is not None and user.person_id == duty_list.person_id


def may_view_list(user: User, duty_list: DutyList) -> bool:
    """Its keepers and, for a person's list, that person."""
    if duty_list.deleted_at is not None:
        return False
    return keeps_list(user, duty_list) or is_own(user, duty_list)


def may_report(user: User, duty_list: DutyList) -> bool:
    """Records entries and a manual item's status: its keepers, and the list's own person."""
    return may_view_list(user, duty_list)


def visible_clause(user: User) -> sa.ColumnElement[bool]:
    """``may_view_list`` in SQL, over live lists."""
    units = scope_unit_ids(user)
    kept = sa.true() if units is None else DutyList.unit_id.in_(units)
    if user.role is Role.MEMBER:
        kept = sa.false()
    own = DutyList.person_id == user.person_id if user.person_id is not None else sa.false()
    return sa.and_(DutyList.deleted_at.is_(None), sa.or_(kept, own))


def apply_list(duty_list: DutyList, values: dict[str, Any]) -> None:
    for name in LIST_FIELDS:
        setattr(duty_list, name, values[name])


def create_list(values: dict[str, Any], by: User) -> DutyList:
    """A new list issued by ``values["unit"]``, of a unit or of a person (exactly one)."""
    unit, owner_unit, person = values["unit"], values.get("owner_unit"), values.get("person")
    if (owner_unit is None) == (person is None):
        raise Refused(_("A list is a unit's or a person's: choose one."), status=422)
    duty_list = DutyList(unit=unit, owner_unit=owner_unit, person=person)
    duty_list.created_by_id, duty_list.created_at = by.id, utcnow()
    apply_list(duty_list, values)
    db.session.add(duty_list)
    return duty_list


def _check_item(values: dict[str, Any]) -> None:
    if values.get("target") is not None and not values.get("kinds"):
        raise Refused(_("Choose the activities a countable item counts."), status=422)


def apply_item(item: DutyItem, values: dict[str, Any]) -> None:
    _check_item(values)
    for name in ITEM_FIELDS:
        setattr(item, name, values[name])


def add_item(duty_list: DutyList, values: dict[str, Any], by: User) -> DutyItem:
    item = DutyItem(list_id=duty_list.id, created_by_id=by.id, created_at=utcnow())
    apply_item(item, values)
    if item.owner_id is None:
        item.owner_id = duty_list.person_id
    db.session.add(item)
    return item


def remove_item(item: DutyItem) -> None:
    """Marked, never deleted: its audit trail and the entries that name it stay."""
    item.deleted_at = utcnow()


def _has_entry(item: DutyItem) -> bool:
    t = duty_entry_item
    stmt = (
        sa.select(t.c.entry_id)
        .join(DutyEntry, DutyEntry.id == t.c.entry_id)
        .where(t.c.item_id == item.id, DutyEntry.deleted_at.is_(None))
        .limit(1)
    )
    return db.session.scalar(stmt) is not None


def set_status(item: DutyItem, status: ManualStatus, completed_on: date | None) -> None:
    """A manual item's status; completed only with a 履责记实 entry that names it."""
    if item.countable:
        raise Refused(_("A countable item's progress is counted from the records."), status=409)
    if status is ManualStatus.DONE:
        if not _has_entry(item):
            raise Refused(
                _("Record what was done first: an item is completed with a duty record."),
                status=409,
            )
        item.completed_on = completed_on or local_today()
    else:
        item.completed_on = None
    item.status = status


def add_entry(
    duty_list: DutyList, values: dict[str, Any], items: list[DutyItem], by: User
) -> DutyEntry:
    """A 履责记实 entry of the list, fulfilling ``items`` (of the same list)."""
    if values["done_on"] > local_today():
        raise Refused(_("The date cannot be in the future."), status=422)
    if any(item.list_id != duty_list.id for item in items):
        raise Refused(_("An entry fulfils items of its own list."), status=422)
    entry = DutyEntry(list_id=duty_list.id, created_by_id=by.id, created_at=utcnow())
    for name in ENTRY_FIELDS:
        setattr(entry, name, values.get(name))
    entry.items = items
    db.session.add(entry)
    return entry
