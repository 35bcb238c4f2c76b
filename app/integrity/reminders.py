"""Pre-holiday integrity reminders 节前廉政提醒: who keeps them, recording and removing one, and
an admin's correction of a holiday's date."""

from datetime import date
from typing import Any

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.policy import unit_in_scope
from app.extensions import db
from app.integrity.holidays import shipped_date
from app.integrity.models import Holiday, HolidayCorrection, HolidayReminder
from app.people.models import Person
from app.types import utcnow

FIELDS = ("unit", "year", "holiday", "sent_on", "channel", "everyone", "text")


def keeps_reminder(user: User, reminder: HolidayReminder) -> bool:
    """The unit's secretaries (or above it) and the admins."""
    return user.role is not Role.MEMBER and unit_in_scope(user, reminder.unit)


def create_reminder(values: dict[str, Any], by: User) -> HolidayReminder:
    """A new reminder with its recipients (none when it went to everyone), added to the
    session, not committed."""
    reminder = HolidayReminder(created_by_id=by.id, created_at=utcnow())
    for name in FIELDS:
        setattr(reminder, name, values[name])
    ids = set() if reminder.everyone else set(values["recipient_ids"])
    if ids:
        stmt = sa.select(Person).where(Person.id.in_(ids))
        reminder.recipients = list(db.session.scalars(stmt))
    db.session.add(reminder)
    return reminder


def remove_reminder(reminder: HolidayReminder) -> None:
    reminder.deleted_at = utcnow()


def correct_holiday(holiday: Holiday, year: int, day: date) -> bool:
    """The holiday's date in the year as the admin gives it: a correction kept (and audited)
    once it differs from the shipped date, changed again later if need be. Whether it changed."""
    stmt = sa.select(HolidayCorrection).where(
        HolidayCorrection.holiday == holiday, HolidayCorrection.year == year
    )
    row = db.session.scalar(stmt)
    if row is None:
        if day == shipped_date(holiday, year):
            return False
        db.session.add(HolidayCorrection(holiday=holiday, year=year, day=day))
        return True
    changed = row.day != day
    row.day = day
    return changed
