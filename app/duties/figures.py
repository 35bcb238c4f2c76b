"""The progress and status of duty items, exactly as DOMAIN.md ("Responsibility items")
defines them: a countable item is met in a period when the counting activities of its kinds, in
its units (a person's list: the units where the person held a non-staff membership on the
activity's date, or the units the item names), in the period — and, where it says so, with the
person as chair or lecturer — reach its target; a recurring item has one status per period and
the year is met only when every past period is; due soon = the period ends within the due-soon
days; overdue = it ended unmet (a manual item: its date passed, not completed); on track =
neither. Every countable item of a list is counted in one statement."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.activities.families import of_kinds
from app.activities.models import Activity
from app.auth.policy import subtree_ids
from app.duties.models import AsRole, DutyItem, DutyList, ManualStatus, Period
from app.extensions import db
from app.people.models import Membership, MembershipRole, OrgUnit
from app.reports.figures import counts_now

DONE, ON_TRACK, DUE_SOON, OVERDUE = "done", "on_track", "due_soon", "overdue"
MET, UPCOMING = "met", "upcoming"


def periods(item: DutyItem, year: int) -> list[tuple[date, date]]:
    """The item's periods in ``year`` as (first day, last day); a yearly one ends on its due
    date when it names one."""
    months = item.period.months
    found = []
    for index in range(12 // months):
        first = date(year, index * months + 1, 1)
        following = (
            date(year + 1, 1, 1)
            if index * months + months == 12
            else (date(year, index * months + months + 1, 1))
        )
        found.append((first, following - timedelta(days=1)))
    if item.period is Period.YEAR and item.due_on is not None and item.due_on.year == year:
        found = [(found[0][0], item.due_on)]
    return found


@dataclass(frozen=True)
class PeriodLine:
    first: date
    last: date
    count: int
    state: str  # met, overdue, due_soon, on_track, upcoming


@dataclass(frozen=True)
class Progress:
    """An item's status, and for a countable one its count in each period."""

    item_id: int
    state: str
    lines: tuple[PeriodLine, ...] = ()
    target: int = 0


def _whose(item: DutyItem, duty_list: DutyList) -> int | None:
    return item.owner_id or duty_list.person_id


def _in_units(
    item: DutyItem, duty_list: DutyList, first: date, last: date
) -> sa.ColumnElement[bool]:
    """Over ``Activity``: of the item's units (with the units below), else the list's unit's,
    else — a person's list — of a unit the person held a non-staff membership of that day. Each
    leads with the few units' ids, so the activities are read off the index of units and days,
    never a walk of the year's."""
    if item.unit_ids:
        roots = sa.select(OrgUnit.id).where(OrgUnit.id.in_(item.unit_ids))
        return Activity.unit_id.in_(subtree_ids(roots))
    if duty_list.owner_unit_id is not None:
        return Activity.unit_id.in_(subtree_ids(sa.select(sa.literal(duty_list.owner_unit_id))))
    m = Membership
    mine = sa.and_(m.person_id == _whose(item, duty_list), m.role != MembershipRole.STAFF)
    during = sa.and_(
        m.deleted_at.is_(None),
        m.start_date <= last,
        sa.or_(m.end_date.is_(None), m.end_date > first),
    )
    on_the_day = sa.select(m.id).where(
        mine,
        m.unit_id == Activity.unit_id,
        m.on_date(Activity.held_on),  # type: ignore[arg-type]
    )
    return sa.and_(
        Activity.unit_id.in_(sa.select(m.unit_id).where(mine, during)),
        on_the_day.correlate_except(m).exists(),
    )


def _index(item: DutyItem) -> sa.ColumnElement[int]:
    """SQL: the index of the activity's period in its year."""
    month = sa.cast(sa.extract("month", Activity.held_on), sa.Integer)
    months = item.period.months
    return sa.case(*((month <= (i + 1) * months, i) for i in range(12 // months)), else_=0)


def _counted(item: DutyItem, duty_list: DutyList, year: int, now: datetime) -> sa.Select:
    first, last = periods(item, year)[0][0], periods(item, year)[-1][1]
    whose = _whose(item, duty_list)
    conditions = [
        Activity.held_on >= first,
        Activity.held_on <= last,
        counts_now(now),
        of_kinds(item.kinds or []),
        _in_units(item, duty_list, first, last),
    ]
    if item.as_role is AsRole.CHAIR:
        conditions.append(Activity.chair_id == whose)
    elif item.as_role is AsRole.LECTURER:
        conditions.append(Activity.lecturer_id == whose)
    index = _index(item)
    return (
        sa.select(sa.literal(item.id).label("item_id"), index.label("period"), sa.func.count())
        .select_from(Activity)
        .where(*conditions)
        .group_by(index)
    )


def counts(
    items: Iterable[DutyItem], duty_list: DutyList, now: datetime
) -> dict[tuple[int, int], int]:
    """(item id, period index) → the counting activities, for every countable item of the
    list, in one statement."""
    selects = [_counted(item, duty_list, duty_list.year, now) for item in items if item.countable]
    if not selects:
        return {}
    rows = db.session.execute(sa.union_all(*selects) if len(selects) > 1 else selects[0])
    return {(item_id, int(period)): int(count) for item_id, period, count in rows}


def _period_state(met: bool, first: date, last: date, today: date, due_days: int) -> str:
    if met:
        return MET
    if last < today:
        return OVERDUE
    if first > today:
        return UPCOMING
    return DUE_SOON if (last - today).days <= due_days else ON_TRACK


def progress(duty_list: DutyList, today: date, now: datetime, due_days: int) -> dict[int, Progress]:
    """Each live item's ``Progress`` (one statement for the countable ones)."""
    found = counts(duty_list.items, duty_list, now)
    result = {}
    for item in duty_list.items:
        if not item.countable:
            result[item.id] = Progress(item.id, manual_state(item, duty_list.year, today, due_days))
            continue
        lines = []
        for index, (first, last) in enumerate(periods(item, duty_list.year)):
            count = found.get((item.id, index), 0)
            state = _period_state(count >= item.target, first, last, today, due_days)  # type: ignore[operator]
            lines.append(PeriodLine(first, last, count, state))
        result[item.id] = Progress(item.id, _item_state(lines), tuple(lines), item.target or 0)
    return result


def _item_state(lines: list[PeriodLine]) -> str:
    """Overdue when a period ended unmet; done when every period is met; due soon when the
    current one is; else on track."""
    states = [line.state for line in lines]
    if OVERDUE in states:
        return OVERDUE
    if all(state == MET for state in states):
        return DONE
    return DUE_SOON if DUE_SOON in states else ON_TRACK


def manual_state(item: DutyItem, year: int, today: date, due_days: int) -> str:
    if item.status is ManualStatus.DONE:
        return DONE
    due = item.due_on or date(year, 12, 31)
    if due < today:
        return OVERDUE
    return DUE_SOON if (due - today).days <= due_days else ON_TRACK
