"""The integrity lines the list and the dashboard show: each kind's years in a row in a unit or
the user's units, and the dashboard panel's year (this year's forum, pledges and reminders)."""

from typing import Any

import sqlalchemy as sa
from flask_login import current_user

from app import settings
from app.auth.models import Role, User
from app.auth.policy import scope_unit_ids, subtree_ids
from app.integrity.figures import branches_that_held, coverage, forum_years, reminder_lines
from app.integrity.models import IntegrityActivity, IntegrityKind, PledgeKind
from app.people.models import OrgUnit
from app.reports import kept
from app.reports.figures import YearsInARow, years_in_a_row_by
from app.reports.rules import DUE_SOON
from app.types import local_today, utcnow

# The kinds whose years in a row the list shows (a unit's reports name them).
STREAK_KINDS = (IntegrityKind.FAMILY_FORUM, IntegrityKind.CAUTIONARY, IntegrityKind.LECTURE)


def in_units(user: User, unit_id: int | None) -> sa.Select | None:
    """The unit filtered on (with the units below) within the user's units, else the user's
    units (None: the bureau)."""
    scope = scope_unit_ids(user)
    if unit_id is None:
        return scope
    below = subtree_ids(sa.select(sa.literal(unit_id)))
    if scope is None:
        return below
    return sa.select(OrgUnit.id).where(OrgUnit.id.in_(below), OrgUnit.id.in_(scope))


def streaks(unit_id: int | None) -> list[tuple[IntegrityKind, YearsInARow]]:
    """Each kind's years in a row up to this year in the unit filtered on, else the user's
    units. The admin's read every year of the bureau's (or a unit's) activities and are the
    same for every admin: kept between requests like the home's figures."""
    today, now = local_today(), utcnow()

    def compute() -> dict[str, list[int | None]]:
        kind = IntegrityActivity.kind
        units = in_units(current_user, unit_id)
        runs = years_in_a_row_by(
            IntegrityActivity, kind, [kind.in_(STREAK_KINDS)], units, today.year
        )
        return {each.value: [runs[each].years, runs[each].since] for each in runs}

    if current_user.role is Role.ADMIN:
        found = kept.Kept(now).get(kept.key("integrity-streaks", today, unit_id), compute)
    else:
        found = compute()
    none = (0, None)
    return [(each, YearsInARow(*found.get(each.value, none))) for each in STREAK_KINDS]


def integrity_year() -> dict[str, Any]:
    """The dashboard's integrity panel: for a secretary, whether each of their units has held
    this year's family integrity forum and its years in a row, how many have signed this year's
    integrity pledge, and the holidays whose reminder is due; for the admin, how many of the
    bureau's branches have."""
    today, now = local_today(), utcnow()
    forum = IntegrityKind.FAMILY_FORUM
    if current_user.role is Role.ADMIN:  # the bureau's branches: kept, as the home's figures
        name = kept.key("integrity-forums", today)
        found = kept.Kept(now).get(name, lambda: branches_that_held(forum, today.year, now))
        return {"year": today.year, "branches": tuple(found)}
    units = [unit for unit in current_user.units if unit.deleted_at is None]
    runs = forum_years([unit.id for unit in units], today.year, now)
    none = YearsInARow(0, None)
    due = settings.get(DUE_SOON.key)
    rows = [
        (
            unit,
            runs.get(unit.id, none),
            coverage(PledgeKind.INTEGRITY, unit, today.year, names=0),
            [
                line
                for line in reminder_lines(in_units(current_user, unit.id), today.year, today, due)
                if line.state == "due"
            ],
        )
        for unit in units
    ]
    return {"year": today.year, "units": rows}
