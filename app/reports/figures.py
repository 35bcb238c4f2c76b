"""Every count and rate, computed in SQL exactly as DOMAIN.md ("Figures — exact definitions")
defines them. Pages, documents and the annual compilation all take their numbers from here.

- party status is the status on the activity's date;
- 应到 = expected rows of Party members; 实到 = confirmed 出席/迟到; 请假, 缺席 = confirmed rows;
  未标记 and 待确认 are open rows that count nowhere yet, so 实到+请假+缺席+未标记+待确认 = 应到;
- staff rows (non-Party people) have their own line; 列席 attendees and guests never count;
- 出席率 = 实到 ÷ 应到; 参学率 = (实到 + confirmed make-ups) ÷ 应到; "—" when 应到 is 0;
- a period pools: Σ实到 ÷ Σ应到 over activities that count (not cancelled, started).
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager

from app import settings
from app.activities import families
from app.activities.models import (
    Activity,
    ActivityFamily,
    ActivityGuest,
    ActivityState,
    ActivityTally,
    AttendanceLast,
    AttendanceStatus,
    GuestKind,
    LeaveState,
    MakeUpState,
    ParticipantRole,
    Participation,
    UnitTally,
)
from app.extensions import db
from app.logs.models import STUDY_KINDS, LogKind, LogState, MemberLog
from app.people.models import (
    Membership,
    MembershipRole,
    OrgUnit,
    PartyStatus,
    Person,
    UnitKind,
)
from app.people.tree import subtree_pairs, tree_paths
from app.queries import join_in_order
from app.reports.rules import DUE_SOON, TARGET_COMMITTEE, TARGET_MEMBER
from app.types import local_date, local_today, utcnow

FULL = "full"
PROBATIONARY = "probationary"
STAFF = "staff"


def party_status_on(on: sa.ColumnElement[date]) -> sa.ColumnElement[str]:
    """SQL: 'full', 'probationary' or 'staff' (not a Party member) for a person on a date.

    预备 from joining the Party until the regularisation date, 正式 from then on."""
    party = Person.party_status.in_([PartyStatus.FULL, PartyStatus.PROBATIONARY])
    return sa.case(
        (sa.not_(party), STAFF),
        (sa.and_(Person.joined_on.is_not(None), Person.joined_on > on), STAFF),
        (sa.and_(Person.regularised_on.is_not(None), Person.regularised_on <= on), FULL),
        (sa.and_(Person.party_status == PartyStatus.FULL, Person.regularised_on.is_(None)), FULL),
        else_=PROBATIONARY,
    )


def status_on(person: Person, on: date) -> str:
    """The same rule in Python, for one person already loaded."""
    if not person.party_status.is_party_member:
        return STAFF
    if person.joined_on is not None and person.joined_on > on:
        return STAFF
    if person.regularised_on is not None and person.regularised_on <= on:
        return FULL
    if person.party_status is PartyStatus.FULL and person.regularised_on is None:
        return FULL
    return PROBATIONARY


def status_label_on(person: Person, on: date) -> str:
    """What a person was on a date, as shown on the grid and the sign-in sheet: 正式党员 /
    预备党员, a non-member's own status; a member who joined later claims nothing ("—")."""
    status = status_on(person, on)
    if status == FULL:
        return str(PartyStatus.FULL.label)
    if status == PROBATIONARY:
        return str(PartyStatus.PROBATIONARY.label)
    if person.party_status.is_party_member:
        return "—"
    return str(person.party_status.label)


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal, rounded half up from the exact counts; None when 应到 is 0."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def percent(value: Decimal | None) -> str:
    """96.3% — or an em dash when there is nothing to divide by."""
    return "—" if value is None else f"{value}%"


class Rates:
    """The rates of figures that count the expected, the present and the make-ups."""

    expected: int
    present: int
    make_ups: int

    @property
    def attendance_rate(self) -> Decimal | None:
        return rate(self.present, self.expected)

    @property
    def participation_rate(self) -> Decimal | None:
        return rate(self.present + self.make_ups, self.expected)


@dataclass
class Counts(Rates):
    """The figures of one activity, or of several pooled."""

    expected: int = 0
    expected_full: int = 0
    expected_probationary: int = 0
    present: int = 0
    present_full: int = 0
    present_probationary: int = 0
    leave: int = 0
    absent: int = 0
    unmarked: int = 0
    pending: int = 0
    make_ups: int = 0
    staff_expected: int = 0
    staff_present: int = 0
    non_voting: int = 0
    activities: int = field(default=0)

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def __sub__(self, other: "Counts") -> "Counts":
        return Counts(
            **{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)}
        )


def _leave_requested() -> sa.ColumnElement[bool]:
    # leave_state is NULL on most rows: compare so that the result is never NULL (NOT NULL is NULL).
    p = Participation
    return sa.and_(p.leave_state.is_not(None), p.leave_state == LeaveState.REQUESTED)


def _pending() -> sa.ColumnElement[bool]:
    """SQL: waiting for the secretary, a self check-in to confirm or a leave request to decide
    (``Participation.is_pending``)."""
    p = Participation
    unconfirmed = sa.and_(p.status != AttendanceStatus.UNMARKED, sa.not_(p.confirmed))
    return sa.or_(unconfirmed, _leave_requested())


def _counting_columns() -> list[sa.Label]:
    """The aggregate columns of ``Counts``, over participation ⋈ person ⋈ activity."""
    p = Participation
    on_date = party_status_on(Activity.held_on)
    expected = p.role == ParticipantRole.EXPECTED
    member = sa.and_(expected, on_date != STAFF)
    staff = sa.and_(expected, on_date == STAFF)
    pending = _pending()
    settled = sa.and_(p.confirmed, sa.not_(pending))
    present = sa.and_(settled, p.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]))

    def count(condition: sa.ColumnElement[bool], name: str) -> sa.Label:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0).label(name)

    return [
        count(member, "expected"),
        count(sa.and_(member, on_date == FULL), "expected_full"),
        count(sa.and_(member, on_date == PROBATIONARY), "expected_probationary"),
        count(sa.and_(member, present), "present"),
        count(sa.and_(member, present, on_date == FULL), "present_full"),
        count(sa.and_(member, present, on_date == PROBATIONARY), "present_probationary"),
        count(sa.and_(member, settled, p.status == AttendanceStatus.LEAVE), "leave"),
        count(sa.and_(member, settled, p.status == AttendanceStatus.ABSENT), "absent"),
        count(sa.and_(member, p.status == AttendanceStatus.UNMARKED, sa.not_(pending)), "unmarked"),
        count(sa.and_(member, pending), "pending"),
        count(
            sa.and_(
                member,
                settled,
                p.status.in_([AttendanceStatus.LEAVE, AttendanceStatus.ABSENT]),
                p.make_up_state == MakeUpState.CONFIRMED,
            ),
            "make_ups",
        ),
        count(staff, "staff_expected"),
        count(sa.and_(staff, present), "staff_present"),
        count(p.role == ParticipantRole.NON_VOTING, "non_voting"),
    ]


def _joined(stmt: sa.Select) -> sa.Select:
    return stmt.select_from(Participation).join(Participation.person).join(Participation.activity)


COUNT_FIELDS = frozenset(f.name for f in fields(Counts))
# The fields of ``Counts`` before ``activities``, in order: a row selected in this order makes
# its ``Counts`` by position.
COUNTED_ORDER = tuple(f.name for f in fields(Counts))[:-1]


def _counts_of(row: sa.Row) -> Counts:
    """The Counts in a row that may carry other columns (an id, a month)."""
    return Counts(**{k: int(v or 0) for k, v in row._mapping.items() if k in COUNT_FIELDS})


def counts_by_activity() -> sa.Select:
    """The ``Counts`` columns of every activity, grouped (``id`` is the activity's id)."""
    stmt = _joined(sa.select(Participation.activity_id.label("id"), *_counting_columns()))
    return stmt.group_by(Participation.activity_id)


def activity_columns() -> sa.Select:
    """What ``activity_tally`` keeps of every activity, computed from the participation rows
    (``app.activities.tally`` writes it; the invariants compare the two): the activity's unit,
    date, start, state, whether it counts in attendance, its number of rows and its
    ``Counts``. One row per activity, those without participants too."""
    stmt = (
        sa.select(
            Activity.id.label("activity_id"),
            Activity.unit_id.label("unit_id"),
            Activity.held_on.label("held_on"),
            Activity.starts_at.label("starts_at"),
            Activity.state.label("state"),
            sa.case((_in_attendance(), sa.true()), else_=sa.false()).label("in_attendance"),
            sa.func.count(Participation.id).label("rows"),
            *_counting_columns(),
        )
        .select_from(Activity)
        .outerjoin(Participation, Participation.activity_id == Activity.id)
        .outerjoin(Person, Person.id == Participation.person_id)
    )
    return stmt.group_by(Activity.id)


def attendance_last_columns() -> sa.Select:
    """Per (person, unit of the activity): the latest date they were expected at a non-cancelled
    activity counting in attendance, the latest date and start they were present or late at one
    (NULL: never) — the rows of ``attendance_last``, in its column order, whatever the clock."""
    p = Participation
    return (
        sa.select(
            p.person_id,
            Activity.unit_id,
            sa.func.max(Activity.held_on).label("last_expected_on"),
            sa.func.max(sa.case((attended(), Activity.held_on))).label("last_present_on"),
            sa.func.max(sa.case((attended(), Activity.starts_at))).label("last_present_at"),
        )
        .join(Activity, Activity.id == p.activity_id)
        .where(
            p.role == ParticipantRole.EXPECTED,
            Activity.state != ActivityState.CANCELLED,
            _in_attendance(),
        )
        .group_by(p.person_id, Activity.unit_id)
    )


def _tally_sums() -> list[sa.Label]:
    """The ``Counts`` columns summed over ``activity_tally`` rows."""
    t = ActivityTally
    names = [name for name in Counts.__dataclass_fields__ if name != "activities"]
    return [sa.func.coalesce(sa.func.sum(getattr(t, name)), 0).label(name) for name in names]


def _tally_started(now: datetime | None) -> list[sa.ColumnElement[bool]]:
    """Over ``activity_tally``: the activities counting in attendance that have started."""
    t = ActivityTally
    return [t.in_attendance, t.state != ActivityState.CANCELLED, t.starts_at <= (now or utcnow())]


def _tally_counting(
    start: date, end: date, units: sa.Select | None, now: datetime | None
) -> list[sa.ColumnElement[bool]]:
    """Over ``activity_tally``: the activities counting in attendance held in [start, end), in
    ``units`` when given — ``attendance_activities`` on the maintained rows."""
    t = ActivityTally
    criteria = [*_tally_started(now), t.held_on >= start, t.held_on < end]
    if units is not None:
        criteria.append(t.unit_id.in_(units))
    return criteria


def activity_counts(activity_ids: Iterable[int]) -> dict[int, Counts]:
    """The figures of each activity, read from their ``activity_tally`` rows (one statement of
    a few rows by key: the maintained counts equal ``counts_by_activity``'s, which the
    invariants check); activities without rows get zeros."""
    ids = list(activity_ids)
    if not ids:
        return {}
    t = ActivityTally
    stmt = sa.select(
        t.activity_id.label("id"), *(getattr(t, name).label(name) for name in COUNTED_ORDER)
    ).where(t.activity_id.in_(ids))
    result = {activity_id: Counts(activities=1) for activity_id in ids}
    for row in db.session.execute(stmt):
        counts = _counts_of(row)
        counts.activities = 1
        result[row.id] = counts
    return result


def counts_for(activity: Activity) -> Counts:
    return activity_counts([activity.id])[activity.id]


def family_guests(activity_ids: Iterable[int]) -> dict[int, int]:
    """Family attendees of each activity: its guests of kind family not removed, in one grouped
    query (0 for an activity without any). Like every guest, never part of 应到 or 实到."""
    result = dict.fromkeys(activity_ids, 0)
    if not result:
        return result
    stmt = (
        sa.select(ActivityGuest.activity_id, sa.func.count())
        .where(
            ActivityGuest.activity_id.in_(list(result)),
            ActivityGuest.kind == GuestKind.FAMILY,
            ActivityGuest.deleted_at.is_(None),
        )
        .group_by(ActivityGuest.activity_id)
    )
    result.update(db.session.execute(stmt).tuples().all())
    return result


def counts_now(now: datetime | None = None) -> sa.ColumnElement[bool]:
    """SQL over ``Activity``: it counts — not cancelled, and started (an activity counts from
    its start on)."""
    return sa.and_(
        Activity.state != ActivityState.CANCELLED, Activity.starts_at <= (now or utcnow())
    )


def counting(stmt: sa.Select, now: datetime | None = None) -> sa.Select:
    """Only activities that count (``counts_now``)."""
    return stmt.where(counts_now(now))


def pooled(activities: sa.Select) -> Counts:
    """Σ over the activities a SELECT of activity ids names (already restricted to those that
    count): the pooled figures of a period."""
    stmt = sa.select(*_tally_sums()).where(ActivityTally.activity_id.in_(activities))
    counts = _counts_of(db.session.execute(stmt).one())
    counts.activities = db.session.scalar(
        sa.select(sa.func.count()).select_from(activities.subquery())
    )
    return counts


def owes_make_up(now: datetime | None = None) -> sa.ColumnElement[bool]:
    """SQL: an expected person confirmed absent or on leave whose make-up is not yet confirmed,
    at an activity of a family that has make-up study, not cancelled and started (the same rule
    as ``Participation.owes_make_up``)."""
    p = Participation
    return sa.and_(
        Activity.family.in_([family.key for family in families.registered() if family.make_up]),
        p.role == ParticipantRole.EXPECTED,
        p.confirmed,
        p.status.in_([AttendanceStatus.LEAVE, AttendanceStatus.ABSENT]),
        sa.or_(p.make_up_state.is_(None), p.make_up_state != MakeUpState.CONFIRMED),
        Activity.state != ActivityState.CANCELLED,
        Activity.starts_at <= (now or utcnow()),
    )


def make_ups_owed(person_id: int, units: sa.Select | None = None) -> list[Participation]:
    """A person's open make-up studies, oldest session first, with their activities loaded;
    only at activities of ``units`` (a SELECT of unit ids) when given."""
    stmt = (
        sa.select(Participation)
        .join(Activity)
        .where(Participation.person_id == person_id, owes_make_up())
        .options(contains_eager(Participation.activity))
        .order_by(Activity.starts_at)
    )
    if units is not None:
        stmt = stmt.where(Activity.unit_id.in_(units))
    return list(db.session.scalars(stmt))


def member_of_on(
    units: sa.Select, person_col: sa.ColumnElement[int], date_col: sa.ColumnElement[date]
) -> sa.ColumnElement[bool]:
    """SQL: the person had a membership (any role, staff included) of one of ``units`` (a SELECT
    of unit ids) in force on that date — the rule by which a unit keeps a person's records
    (``app.auth.policy.keeps_person_on``, the review queue's logs). Correlated to the columns
    given, e.g. ``member_of_on(units, MemberLog.person_id, MemberLog.done_on)``."""
    return sa.exists(
        sa.select(Membership.id).where(
            Membership.person_id == person_col,
            Membership.unit_id.in_(units),
            Membership.on_date(date_col),  # type: ignore[arg-type]
        )
    )


@dataclass(frozen=True)
class FigureProvider:
    """A family's part in the generic figures (registered by the family's own figures module).

    ``in_attendance``: SQL over ``Activity`` naming which of the family's activities enter the
    attendance figures, the hours and the inactive members' warning. ``hours``: the column holding
    the study hours an activity credits (its table's ``id`` is the activity's), None when the
    family credits none; ``hours_of`` the same for one loaded activity."""

    family: ActivityFamily
    in_attendance: Callable[[], sa.ColumnElement[bool]] = sa.true
    hours: Callable[[], sa.Column[Decimal]] | None = None
    hours_of: Callable[[Activity], Decimal] = lambda _activity: Decimal("0.0")
    # The column holding the volunteer hours an activity credits to those present (its table's
    # ``id`` is the activity's; a participant's ``own_hours`` stands in for it where set), None
    # when the family credits none. Counted apart from study hours.
    volunteer_hours: Callable[[], sa.Column[Decimal]] | None = None
    # The family's own figures of a unit (with the units below) and a year, as the annual
    # compilation reads them: (unit, year, now, today, due-soon days) -> the family's object.
    year: Callable[..., Any] | None = None


_providers: dict[ActivityFamily, FigureProvider] = {}


def register_provider(provider: FigureProvider) -> FigureProvider:
    _providers[provider.family] = provider
    return provider


def providers() -> list[FigureProvider]:
    return list(_providers.values())


def family_years(
    unit: OrgUnit, year: int, now: datetime | None = None
) -> dict[ActivityFamily, Any]:
    """Each family's own figures of the unit and year, by family (those that register some)."""
    now, today, due = now or utcnow(), local_today(), settings.get(DUE_SOON.key)
    return {p.family: p.year(unit, year, now, today, due) for p in _providers.values() if p.year}


def hours_of(activity: Activity) -> Decimal:
    """The study hours one activity credits to those who attended it (0 when its family gives
    none)."""
    provider = _providers.get(activity.family)
    return provider.hours_of(activity) if provider else Decimal("0.0")


def _in_attendance() -> sa.ColumnElement[bool]:
    """SQL: the activity is of a family, and of a sort, that counts in attendance."""
    return sa.or_(
        sa.false(),
        *(sa.and_(Activity.family == p.family, p.in_attendance()) for p in _providers.values()),
    )


def _registered_families() -> sa.ColumnElement[bool]:
    return Activity.family.in_([family.key for family in families.registered()])


def held_in(
    start: date,
    end: date,
    units: sa.Select | None = None,
    now: datetime | None = None,
    *criteria: sa.ColumnElement[bool],
) -> sa.Select:
    """SELECT of the ids of activities that count (started, not cancelled), held in [start,
    end), in ``units`` (a SELECT of unit ids, already including the units below) when given,
    meeting ``criteria``."""
    return sa.select(Activity.id).where(_held_in_condition(start, end, units, now, *criteria))


def _held_in_condition(
    start: date,
    end: date,
    units: sa.Select | None,
    now: datetime | None,
    *criteria: sa.ColumnElement[bool],
) -> sa.ColumnElement[bool]:
    """SQL over ``Activity``: what ``held_in`` selects, as a condition a query joined to the
    activity can apply to it."""
    condition = sa.and_(
        Activity.held_on >= start,
        Activity.held_on < end,
        *criteria,
        counts_now(now),
    )
    if units is not None:
        condition = sa.and_(condition, Activity.unit_id.in_(units))
    return condition


@dataclass(frozen=True)
class YearsInARow:
    """A run of calendar years each holding a counting activity of a kind (连续N年)."""

    years: int
    since: int | None  # the run's first year; None when there is no run

    def includes(self, year: int) -> bool:
        """Whether ``year`` is in the run (this year's: held already)."""
        return self.since is not None and self.since <= year < self.since + self.years


def years_in_a_row(
    model: Any,
    criteria: Iterable[sa.ColumnElement[bool]],
    units: sa.Select | None,
    year: int,
    now: datetime | None = None,
) -> YearsInARow:
    """The consecutive calendar years ending with ``year`` that each hold at least one counting
    activity (``counts_now``) of ``model`` meeting ``criteria`` (a family's kind), in ``units``
    (already with the units below; every unit when None) — except that when ``year`` is the
    current one and none has been held yet this year, the run ends with the year before
    (DOMAIN.md). One statement: the distinct years held up to ``year``."""
    found = years_in_a_row_by(model, sa.literal(0), criteria, units, year, now)
    return found.get(0, YearsInARow(0, None))


def years_in_a_row_by(
    model: Any,
    by: sa.ColumnElement[Any],
    criteria: Iterable[sa.ColumnElement[bool]],
    units: sa.Select | None,
    year: int,
    now: datetime | None = None,
) -> dict[Any, YearsInARow]:
    """``years_in_a_row`` for each value of ``by`` (a kind, a unit above the activity's) in one
    statement: the distinct (value, year) pairs held up to ``year``. A value that never held one
    is not in the result."""
    now = now or utcnow()
    held = sa.extract("year", model.held_on)
    stmt = (
        sa.select(by, held)
        .where(*criteria, model.held_on < date(year + 1, 1, 1), counts_now(now))
        .distinct()
    )
    if units is not None:
        stmt = stmt.where(model.unit_id.in_(units))
    years: dict[Any, set[int]] = {}
    for value, found in db.session.execute(stmt):
        years.setdefault(value, set()).add(int(found))
    current = local_date(now).year
    return {value: _run(held_years, year, current) for value, held_years in years.items()}


def _run(years: set[int], year: int, current: int) -> YearsInARow:
    """The run of ``years`` ending with ``year`` (the year before, for the current year while
    none is held in it)."""
    last = year - 1 if year == current and year not in years else year
    first = last
    while first in years:
        first -= 1
    run = last - first
    return YearsInARow(run, first + 1 if run else None)


def attendance_activities(
    start: date, end: date, units: sa.Select | None = None, now: datetime | None = None
) -> sa.Select:
    """``held_in`` for the activities that count in attendance, as each family's figure
    provider says (study: its sessions, heart-to-heart talks left out)."""
    return held_in(start, end, units, now, _in_attendance())


def in_attendance_activity(
    start: date, end: date, units: sa.Select | None = None, now: datetime | None = None
) -> sa.ColumnElement[bool]:
    """``attendance_activities`` as a condition over the joined ``Activity``: a person's own
    rows are read from their participation rows (``participation.person_id``) and each row's
    activity is checked, instead of reading a period's activities of the whole bureau."""
    return _held_in_condition(start, end, units, now, _in_attendance())


@dataclass
class MemberFigures(Rates):
    """One person over a period: their own attendance, rates and hours by source."""

    expected: int = 0
    present: int = 0
    leave: int = 0
    absent: int = 0
    # Not yet settled: unmarked, and waiting for the secretary; with the four above they make
    # up ``expected``.
    unmarked: int = 0
    pending: int = 0
    make_ups: int = 0
    make_ups_owed: int = 0
    session_hours: Decimal = Decimal("0.0")
    make_up_hours: Decimal = Decimal("0.0")
    log_hours: Decimal = Decimal("0.0")
    volunteer_log_hours: Decimal = Decimal("0.0")
    service_hours: Decimal = Decimal("0.0")

    @property
    def study_hours(self) -> Decimal:
        """学时: sessions attended + confirmed make-ups + approved training and self-study."""
        return self.session_hours + self.make_up_hours + self.log_hours

    @property
    def volunteer_hours(self) -> Decimal:
        """Volunteer hours, apart from study hours: approved volunteer logs + the hours of the
        service days attended."""
        return self.volunteer_log_hours + self.service_hours


def as_hours(value: object) -> Decimal:
    """Hours as shown and summed: one decimal (a database sum may come back as float or None)."""
    return Decimal(str(value or 0)).quantize(Decimal("0.1"))


def member_figures(
    person_ids: Iterable[int],
    start: date,
    end: date,
    units: sa.Select | None = None,
    now: datetime | None = None,
) -> dict[int, MemberFigures]:
    """Each person's figures over [start, end), in two grouped queries: one over their rows at
    the activities that count in attendance (``attendance_activities``), one over their
    approved logs.

    With ``units`` a member who moved counts in each branch only for their time there: the
    sessions are those of ``units``, and a log counts only where the person had a membership
    on the day it was done (``member_of_on``); without, everything of theirs counts.

    The attendance counts (expected, present, leave, absent, make-ups, owed) take only the rows
    where the person was a Party member on the session's date: staff rows (a fixed study day
    before joining the Party) never enter a Party member's rate. The hours of the sessions
    attended and of confirmed make-ups count on every row: a staff member at a fixed study
    day still studied."""
    ids = list(person_ids)
    result = {person_id: MemberFigures() for person_id in ids}
    if ids:
        _add_attendance(result, in_attendance_activity(start, end, units, now), now)
        _add_log_hours(result, start, end, units)
        _add_service_hours(result, start, end, units, now)
    return result


def credited_present() -> sa.ColumnElement[bool]:
    """SQL over ``Participation``: confirmed present or late, no leave request pending — a row
    an activity credits its hours to."""
    p = Participation
    return sa.and_(
        p.confirmed,
        sa.not_(_leave_requested()),
        p.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]),
    )


def _volunteer_families() -> list[FigureProvider]:
    return [pr for pr in _providers.values() if pr.volunteer_hours is not None]


def counted_on_the_day(
    person: sa.ColumnElement[int], day: sa.ColumnElement[date]
) -> sa.ColumnElement[bool]:
    """SQL: the person was credited present, on that day, at an activity that counts (started,
    not cancelled) of a family crediting volunteer hours — its hours count for the day, so a
    volunteer log of the day does not, whichever was recorded first. Correlated to the columns
    given, e.g. ``counted_on_the_day(MemberLog.person_id, MemberLog.done_on)``."""
    keys = [pr.family for pr in _volunteer_families()]
    if not keys:
        return sa.false()
    p, a = aliased(Participation), aliased(Activity)
    present = sa.and_(
        p.confirmed,
        sa.or_(p.leave_state.is_(None), p.leave_state != LeaveState.REQUESTED),
        p.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]),
    )
    return sa.exists(
        sa.select(p.id)
        .join(a, a.id == p.activity_id)
        .where(p.person_id == person, a.held_on == day, a.family.in_(keys), present)
        .where(a.state != ActivityState.CANCELLED, a.starts_at <= utcnow())
    )


def _add_service_hours(
    result: dict[int, MemberFigures],
    start: date,
    end: date,
    units: sa.Select | None,
    now: datetime | None,
) -> None:
    """Each person's volunteer hours from the activities held in [start, end) they were
    confirmed present at, of the families that credit some: their own hours where set, else
    the activity's. One grouped query driven by the persons' rows."""
    columns = [(pr.family, pr.volunteer_hours()) for pr in _volunteer_families()]  # type: ignore[misc]
    if not columns:
        return
    p = Participation
    credited = sa.case(
        *(
            (Activity.family == key, sa.func.coalesce(p.own_hours, column))
            for key, column in columns
        ),
        else_=0,
    )
    tables = list(dict.fromkeys(column.table for _key, column in columns))
    # Correlated, so each of the person's rows looks its activity up by id (as the attendance
    # does): a condition on the family alone would walk the families' activities of the period.
    of_families = sa.or_(
        *(
            sa.select(table.c.id).where(table.c.id == Activity.id).correlate_except(table).exists()  # type: ignore[attr-defined]
            for table in tables
        )
    )
    stmt = (
        sa.select(p.person_id, sa.func.coalesce(sa.func.sum(credited), 0))
        .select_from(p)
        .join(Activity, Activity.id == p.activity_id)
        .where(p.person_id.in_(list(result)), credited_present())
        .where(_held_in_condition(start, end, units, now, of_families))
        .group_by(p.person_id)
    )
    for table in tables:
        stmt = stmt.outerjoin(table, table.c.id == p.activity_id)  # type: ignore[attr-defined]
    for person_id, hours in db.session.execute(stmt):
        result[person_id].service_hours = as_hours(hours)


def _add_attendance(
    result: dict[int, MemberFigures], sessions: sa.ColumnElement[bool], now: datetime | None
) -> None:
    """Each person's attendance counts and session hours at the activities ``sessions`` (SQL
    over the joined ``Activity``) names, one grouped query driven by the persons' rows."""
    p = Participation
    party_member = party_status_on(Activity.held_on) != STAFF
    expected = p.role == ParticipantRole.EXPECTED
    pending = _pending()
    settled = sa.and_(p.confirmed, sa.not_(_leave_requested()))
    present = sa.and_(settled, p.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]))
    made_up = sa.and_(
        expected,
        settled,
        p.status.in_([AttendanceStatus.LEAVE, AttendanceStatus.ABSENT]),
        p.make_up_state == MakeUpState.CONFIRMED,
    )
    counted = sa.and_(expected, party_member)

    def count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    credited, tables = _credited_hours()

    def hours(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[Decimal]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, credited), else_=0)), 0)

    stmt = (
        sa.select(
            p.person_id,
            count(counted),
            count(sa.and_(counted, present)),
            count(sa.and_(counted, settled, p.status == AttendanceStatus.LEAVE)),
            count(sa.and_(counted, settled, p.status == AttendanceStatus.ABSENT)),
            count(sa.and_(counted, p.status == AttendanceStatus.UNMARKED, sa.not_(pending))),
            count(sa.and_(counted, pending)),
            count(sa.and_(made_up, party_member)),
            count(sa.and_(owes_make_up(now), party_member)),
            hours(present),
            hours(made_up),
        )
        .select_from(p)
        .join(Activity, Activity.id == p.activity_id)
        .join(Person, Person.id == p.person_id)
        .where(p.person_id.in_(list(result)), sessions)
        .group_by(p.person_id)
    )
    for table in tables:
        stmt = stmt.outerjoin(table, table.c.id == p.activity_id)
    rows = db.session.execute(stmt)
    for person_id, exp, pres, leave, absent, unmarked, pend, made, owed, s_hours, m_hours in rows:
        figures = result[person_id]
        figures.expected, figures.present, figures.leave, figures.absent = exp, pres, leave, absent
        figures.unmarked, figures.pending = unmarked, pend
        figures.make_ups, figures.make_ups_owed = made, owed
        figures.session_hours, figures.make_up_hours = as_hours(s_hours), as_hours(m_hours)


def _credited_hours() -> tuple[sa.ColumnElement[Decimal], list[sa.TableClause]]:
    """SQL: the hours an activity credits, by its family's provider, and the families' tables
    to join (on their ``id``) for it."""
    columns = [(pr.family, pr.hours()) for pr in _providers.values() if pr.hours is not None]
    if not columns:
        return sa.literal(0), []
    credited = sa.case(*((Activity.family == key, column) for key, column in columns), else_=0)
    return credited, list(dict.fromkeys(column.table for _key, column in columns))  # type: ignore[arg-type]


def _add_log_hours(
    result: dict[int, MemberFigures], start: date, end: date, units: sa.Select | None
) -> None:
    """Each person's hours from approved logs done in [start, end): study and volunteer — a
    volunteer log of a day the person was credited at a service day counts nowhere (the day's
    hours count)."""
    volunteer = sa.and_(
        MemberLog.kind == LogKind.VOLUNTEER,
        sa.not_(counted_on_the_day(MemberLog.person_id, MemberLog.done_on)),
    )
    approved = sa.and_(
        MemberLog.state == LogState.APPROVED,
        MemberLog.done_on >= start,
        MemberLog.done_on < end,
    )
    if units is not None:
        approved = sa.and_(approved, member_of_on(units, MemberLog.person_id, MemberLog.done_on))
    logs = db.session.execute(
        sa.select(
            MemberLog.person_id,
            sa.func.coalesce(
                sa.func.sum(sa.case((MemberLog.kind.in_(STUDY_KINDS), MemberLog.hours), else_=0)),
                0,
            ),
            sa.func.coalesce(sa.func.sum(sa.case((volunteer, MemberLog.hours), else_=0)), 0),
        )
        .where(MemberLog.person_id.in_(list(result)), approved)
        .group_by(MemberLog.person_id)
    )
    for person_id, study, volunteer in logs:
        result[person_id].log_hours = as_hours(study)
        result[person_id].volunteer_log_hours = as_hours(volunteer)


def monthly(
    units: sa.Select | None, first: date, months: int, now: datetime | None = None
) -> list[tuple[date, Counts]]:
    """Pooled figures month by month from ``first`` (the first of a month), in one grouped query
    (the bureau's: from ``unit_tally``, ``bureau_months``); months without sessions have zero
    counts (and "—" rates)."""
    starts = [_add_months(first, n) for n in range(months)]
    end = _add_months(first, months)
    if units is None:
        found = bureau_months(first, end, now or utcnow())
    else:
        t = ActivityTally
        year, month = sa.extract("year", t.held_on), sa.extract("month", t.held_on)
        stmt = sa.select(year.label("y"), month.label("m"), _listed(t), *_tally_sums())
        stmt = stmt.where(*_tally_counting(first, end, units, now)).group_by(year, month)
        found = {(int(row.y), int(row.m)): _counts_of(row) for row in db.session.execute(stmt)}
    return [(day, found.get((day.year, day.month), Counts())) for day in starts]


def _listed(t: type[ActivityTally]) -> sa.Label:
    """Sessions with a list: those without a single row are not in a month's count."""
    return sa.func.coalesce(sa.func.sum(sa.case((t.rows > 0, 1), else_=0)), 0).label("activities")


def _whole_months(start: date, end: date) -> tuple[date, date]:
    """[first, last): the whole months inside [start, end) (none when first == last)."""
    first = start if start.day == 1 else _add_months(start.replace(day=1), 1)
    return first, max(first, end.replace(day=1))


def _rolled(start: date, end: date, now: datetime) -> tuple[date, date]:
    """[first, upto): the whole months of [start, end) before the month of ``now`` in the
    bureau's time zone. Every activity held then has started (an activity's date is the day of
    its start), so ``unit_tally`` holds exactly the activities of those months that count."""
    first, last = _whole_months(start, end)
    return first, max(first, min(last, local_date(now).replace(day=1)))


def _year_to_date(first: date, upto: date) -> list[tuple[int, int, int]]:
    """(year, month, sign): the ``unit_tally`` rows whose signed sum covers the whole months
    [first, upto) — per year, the row of its last month minus the row before its first."""
    terms = []
    for year in range(first.year, _add_months(upto, -1).year + 1):
        low = first.month if year == first.year else 1
        high = _add_months(min(upto, date(year + 1, 1, 1)), -1).month
        terms.append((year, high, 1))
        if low > 1:
            terms.append((year, low - 1, -1))
    return terms


def _rest_select(
    start: date, end: date, rolled: tuple[date, date], now: datetime, *group: sa.ColumnElement[Any]
) -> sa.Select | None:
    """From ``activity_tally``, grouped by ``group``: the activities counting in attendance
    held in [start, end) but not in the ``rolled`` months, started by ``now`` — at most the
    days of the current month and the edges of a range that does not start or end on a
    month's first day. None when there is nothing to read."""
    t = ActivityTally
    first, upto = rolled
    # Nothing held after today has started: the spans end tomorrow at the latest.
    tomorrow = local_date(now) + timedelta(days=1)
    spans = [(start, end)] if first == upto else [(start, first), (upto, end)]
    spans = [(a, min(b, tomorrow)) for a, b in spans]
    held = [sa.and_(t.held_on >= a, t.held_on < b) for a, b in spans if a < b]
    if not held:
        return None
    stmt = sa.select(*group, sa.func.count().label("sessions"), _listed(t), *_tally_sums())
    return stmt.where(*_tally_started(now), sa.or_(*held)).group_by(*group)


def _kept_sums() -> list[sa.Label]:
    u = UnitTally
    return [sa.func.sum(getattr(u, name)).label(name) for name in COUNT_FIELDS - {"activities"}]


def bureau_months(start: date, end: date, now: datetime) -> dict[tuple[int, int], Counts]:
    """The whole bureau's pooled figures per (year, month) of [start, end): the root units'
    ``unit_tally`` rows for the months before ``now``'s (each row less the month before it),
    the current month's started activities from ``activity_tally``; ``activities`` counts
    sessions with a list."""
    u, t = UnitTally, ActivityTally
    first, upto = rolled = _rolled(start, end, now)
    found: dict[tuple[int, int], Counts] = {}
    if first < upto:
        roots = sa.select(OrgUnit.id).where(OrgUnit.parent_id.is_(None))
        stmt = (
            sa.select(u.year, u.month, sa.func.sum(u.listed).label("activities"))
            .add_columns(*_kept_sums())
            .where(u.unit_id.in_(roots), u.year.between(first.year, upto.year))
            .group_by(u.year, u.month)
        )
        to_date = {(row.year, row.month): _counts_of(row) for row in db.session.execute(stmt)}
        month = first
        while month < upto:
            key = (month.year, month.month)
            before = to_date.get((month.year, month.month - 1), Counts())
            found[key] = to_date.get(key, before) - before
            month = _add_months(month, 1)
    year, month_of = sa.extract("year", t.held_on), sa.extract("month", t.held_on)
    rest = _rest_select(start, end, rolled, now, year.label("y"), month_of.label("m"))
    for row in [] if rest is None else db.session.execute(rest):
        key = (int(row.y), int(row.m))
        found[key] = found.get(key, Counts()) + _counts_of(row)
    return found


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


Scope = TypeVar("Scope")


def _party_member_now() -> sa.ColumnElement[bool]:
    """SQL: the person is a Party member on the roll (not transferred out), checked on the
    person of each row read (membership, participation), looked up by key. The status is
    compared as ``party_status || ''``, which no index serves: without statistics SQLite took
    the roll's index of statuses for a few rows and walked every person on the roll."""
    status = sa.type_coerce(Person.party_status, sa.String()) + ""
    return sa.and_(
        status.in_([PartyStatus.FULL.value, PartyStatus.PROBATIONARY.value]),
        Person.transferred_out_on.is_(None),
    )


def attended() -> sa.ColumnElement[bool]:
    """SQL: the row is confirmed present or late."""
    p = Participation
    return sa.and_(p.confirmed, p.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.LATE]))


def not_seen_since(
    since: date, today: date, now: datetime, units: sa.Select | None = None
) -> sa.CompoundSelect:
    """SELECT of the ids of the only people who can be inactive (``inactive_rows``) in ``units``
    (every unit when None), read from ``attendance_last`` through its indexes: those expected
    at a unit's session on or after ``since`` whose latest presence there is before it, never,
    after today, or at a session not started by ``now`` (presence may be marked just before the
    start). Whoever was present at a started session of the window is none of these, so the
    few found are all that the exact rule needs to read. One SELECT per case, each a range of
    an index (an OR of them is read as a scan of the table); a person may appear twice."""
    last = AttendanceLast
    seen = last.last_present_on
    cases = (seen.is_(None), seen < since, seen > today, last.last_present_at > now)
    selects = []
    for case in cases:
        stmt = sa.select(last.person_id).where(case, last.last_expected_on >= since)
        if units is not None:
            stmt = stmt.where(last.unit_id.in_(units))
        selects.append(stmt)
    return sa.union_all(*selects)


def settled_members(
    scopes_of: Callable[[int], Iterable[Scope]],
    since: date,
    today: date,
    units: sa.Select | None = None,
    people: sa.Select | None = None,
) -> dict[Scope, dict[int, date]]:
    """The rule "an active membership of at least N days" of the inactive-members warning, for
    every scope at once: the Party members (on the roll today) who, within the scope, had a
    non-staff membership in force on ``since`` (the window's first day) and one in force on
    ``today`` — the same membership or not, so a role change (one membership ended, the next
    begun the same day) or a move inside the scope does not restart the clock.

    ``scopes_of`` names the scopes a membership of a unit counts for (``inactive_members``: one
    scope; the admin's table: the unit and those above it); ``units`` and ``people`` (SELECTs
    of ids) narrow the memberships read. One query. For each scope and qualifying person: the
    day their membership there began — the earliest start reached going back from ``since``
    through memberships of the scope that overlap or follow on without a gap."""
    query = (
        sa.select(
            Membership.unit_id, Membership.person_id, Membership.start_date, Membership.end_date
        )
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.deleted_at.is_(None),
            Membership.role != MembershipRole.STAFF,
            Membership.start_date <= today,
            _party_member_now(),
        )
    )
    if units is not None:
        query = query.where(Membership.unit_id.in_(units))
    if people is not None:
        query = query.where(Membership.person_id.in_(people))
    spans: dict[tuple[Scope, int], list[tuple[date, date | None]]] = {}
    for unit_id, person_id, start_date, end_date in db.session.execute(query):
        for scope in scopes_of(unit_id):
            spans.setdefault((scope, person_id), []).append((start_date, end_date))

    def covers(span: tuple[date, date | None], on: date) -> bool:
        return span[0] <= on and (span[1] is None or on < span[1])

    result: dict[Scope, dict[int, date]] = {}
    for (scope, person_id), found in spans.items():
        first = [span[0] for span in found if covers(span, since)]
        if not first or not any(covers(span, today) for span in found):
            continue
        began = min(first)
        earlier = True
        while earlier:  # back through memberships that end on or after the day reached
            earlier = False
            for start_date, end_date in found:
                if start_date < began and (end_date is None or end_date >= began):
                    began, earlier = start_date, True
        result.setdefault(scope, {})[person_id] = began
    return result


class InactiveMember(NamedTuple):
    """One line of the inactive-members warning, as the dashboard shows it."""

    person: Person
    last_present: date | None
    absent_days: int | None  # never present: the days of their qualifying membership
    grave: bool


def inactive_rows(
    units: sa.Select | None, today: date, days: int, now: datetime | None = None
) -> list[InactiveMember]:
    """Party members with an active membership of at least ``days`` days in ``units`` (every
    unit when None; see ``settled_members``) who, in the last ``days`` days, were expected at
    one or more activities counting in attendance there and present or late at none (leave
    is not attendance); never present first, then the longest absent. A member who moved in
    the window qualifies where both units are considered (the bureau, a common parent), not
    in the new unit alone: they have not been in it for ``days`` days."""
    since = today - timedelta(days=days)
    tomorrow = today + timedelta(days=1)
    p = Participation
    present_any = sa.func.max(sa.case((attended(), 1), else_=0))
    now = now or utcnow()
    candidates = sorted(set(db.session.scalars(not_seen_since(since, today, now, units))))
    if not candidates:
        return []
    absentees = (
        _recent_expected(candidates, since, tomorrow, units, now)
        .group_by(p.person_id)
        .having(present_any == 0)
    )
    settled = settled_members(lambda _unit: [None], since, today, units, absentees).get(None, {})
    if not settled:
        return []
    people = db.session.scalars(sa.select(Person).where(Person.id.in_(list(settled)))).all()
    last_present = dict(
        db.session.execute(
            sa.select(p.person_id, sa.func.max(Activity.held_on))
            .join(Activity, Activity.id == p.activity_id)
            .where(
                p.person_id.in_(list(settled)),
                attended(),
                Activity.state != ActivityState.CANCELLED,
                _in_attendance(),  # at a study session: an integrity lecture is no attendance
            )
            .group_by(p.person_id)
        ).all()
    )
    rows = []
    for person in people:
        last, began = last_present.get(person.id), settled[person.id]
        rows.append(
            InactiveMember(
                person, last, absent_days(last, today, began), gravely_inactive(last, today, began)
            )
        )
    return sorted(rows, key=lambda row: (row.last_present or date.min, row.person.sort_key))


def inactive_members(
    units: sa.Select | None, today: date, days: int, now: datetime | None = None
) -> list[tuple[Person, date | None]]:
    """``inactive_rows`` as (person, the date they were last present, if ever)."""
    return [(row.person, row.last_present) for row in inactive_rows(units, today, days, now)]


def months_back(today: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before today's: where a chart of the
    last ``months`` months (this one included) starts."""
    return _add_months(today.replace(day=1), 1 - months)


def count(ids: sa.Select) -> int:
    """How many rows a SELECT of ids names (sessions that count, sessions to archive…)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(ids.subquery())) or 0


def not_archived(units: sa.Select | None, today: date) -> list[sa.ColumnElement[bool]]:
    """SQL over ``Activity``: of a registered family, held before today and still open — its
    record is waiting to be reviewed and archived. In ``units`` when given. Read off
    ``ix_activity_state_day`` in the order of the days and starts."""
    criteria = [
        _registered_families(),
        Activity.state == ActivityState.OPEN,
        Activity.held_on < today,
    ]
    if units is not None:
        criteria.append(Activity.unit_id.in_(units))
    return criteria


def held_not_archived(units: sa.Select | None, today: date) -> sa.Select:
    """SELECT of the ids of the activities ``not_archived`` names."""
    return sa.select(Activity.id).where(*not_archived(units, today))


def session_tally(
    units: sa.Select | None, start: date, end: date, now: datetime | None = None
) -> dict[str, int]:
    """Activities of every family in [start, end) in one grouped query: ``held`` (those that
    count, archived or not), ``planned`` (open, not started yet) and ``all`` (both); cancelled
    ones count nowhere."""
    now = now or utcnow()
    started = Activity.starts_at <= now
    stmt = sa.select(
        sa.func.coalesce(sa.func.sum(sa.case((started, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((started, 0), else_=1)), 0),
    ).where(
        _registered_families(),
        Activity.state != ActivityState.CANCELLED,
        Activity.held_on >= start,
        Activity.held_on < end,
    )
    if units is not None:
        stmt = stmt.where(Activity.unit_id.in_(units))
    held, planned = db.session.execute(stmt).one()
    return {"held": int(held), "planned": int(planned), "all": int(held) + int(planned)}


def hours_target(committee_post: bool) -> Decimal:
    """The annual study-hour target (a setting): higher for those holding a committee post."""
    key = TARGET_COMMITTEE.key if committee_post else TARGET_MEMBER.key
    return Decimal(str(settings.get(key))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def share(part: Decimal, whole: Decimal) -> int:
    """How much of ``whole`` is reached, in whole per cent rounded down and capped at 100 (the
    length of a progress bar; the figures themselves are shown as they are)."""
    if whole <= 0:
        return 100
    return min(100, int(part * 100 / whole))


@dataclass
class UnitRow:
    """One org unit over a year, the units below it included (the admin's table)."""

    unit_id: int
    name: str
    parent_name: str | None
    depth: int
    order: int
    sort_key: str = ""  # the unit's pinyin key: the order of a table sorted by name
    sessions: int = 0
    counts: Counts = field(default_factory=Counts)
    inactive: int = 0
    unarchived: int = 0

    @property
    def attendance_rate(self) -> Decimal | None:
        return self.counts.attendance_rate


def _active_places() -> tuple[sa.Select, sa.CTE]:
    """The active units with their depth and parent's name, over ``tree_paths`` (returned too,
    for its ``path``)."""
    paths = tree_paths()
    parent = aliased(OrgUnit)
    return (
        sa.select(OrgUnit.id, OrgUnit.name, OrgUnit.sort_key, paths.c.depth, parent.name)
        .join(paths, paths.c.id == OrgUnit.id)
        .outerjoin(parent, parent.id == OrgUnit.parent_id)
        .where(OrgUnit.deleted_at.is_(None))
    ), paths


def unit_places(
    by_name: bool = False,
    descending: bool = False,
    offset: int = 0,
    limit: int | None = None,
    kinds: Collection[UnitKind] | None = None,
) -> list[UnitRow]:
    """The active units of the admin's table (of ``kinds`` only, when given), without figures:
    in tree order, or by the pinyin of the name (ties in tree order; ``descending`` reverses the
    names only), from ``offset``, at most ``limit`` — one statement, whatever the page."""
    stmt, paths = _active_places()
    if kinds is not None:
        stmt = stmt.where(OrgUnit.kind.in_(kinds))
    if by_name:
        key = OrgUnit.sort_key.desc() if descending else OrgUnit.sort_key
        stmt = stmt.order_by(key, paths.c.path)
    else:
        stmt = stmt.order_by(paths.c.path)
    stmt = stmt.offset(offset).limit(limit)
    return [
        UnitRow(unit_id, name, parent_name, depth, offset + position, sort_key=sort_key)
        for position, (unit_id, name, sort_key, depth, parent_name) in enumerate(
            db.session.execute(stmt)
        )
    ]


def unit_place_count(kinds: Collection[UnitKind] | None = None) -> int:
    """How many rows the admin's table has: the active units (of ``kinds``), which
    ``unit_places`` lists in order, counted without building their paths (only a cycle in
    hand-edited data, which the forms refuse, keeps a unit off the table and in this count)."""
    stmt = sa.select(sa.func.count()).select_from(OrgUnit).where(OrgUnit.deleted_at.is_(None))
    if kinds is not None:
        stmt = stmt.where(OrgUnit.kind.in_(kinds))
    return db.session.scalar(stmt) or 0


def _add_kept_sums(rows: dict[int, UnitRow], first: date, upto: date) -> None:
    """Add each unit's ``unit_tally`` sums (its subtree included) over the whole months
    [first, upto) to its row: one row per unit and year, less the row before a first month
    that is not January."""
    u = UnitTally
    terms = _year_to_date(first, upto)
    signs = {(year, month): sign for year, month, sign in terms}
    kept = sa.or_(*(sa.and_(u.year == year, u.month == month) for year, month, _s in terms))
    columns = [u.unit_id, u.year, u.month, u.activities]
    columns += [getattr(u, name) for name in COUNTED_ORDER]
    summed: set[int] = set()  # the first row of a unit is its sums as they stand
    stmt = sa.select(*columns).where(kept, u.unit_id.in_(list(rows)))
    for unit_id, year, month, sessions, *values in db.session.execute(stmt).tuples():
        row = rows[unit_id]
        counts = Counts(*values)
        if signs[(year, month)] < 0:
            row.sessions -= sessions
            row.counts = row.counts - counts
        else:
            row.sessions += sessions
            row.counts = row.counts + counts if unit_id in summed else counts
        summed.add(unit_id)


def _summed_up(by_unit: sa.Select, pairs: sa.CTE, names: Iterable[str]) -> sa.Select:
    """``by_unit`` (grouped by ``unit_id``) summed for each top of ``pairs`` over the units
    below it: the tree is climbed in SQL, on one row per unit."""
    found = by_unit.subquery()
    return (
        sa.select(pairs.c.top, *(sa.func.sum(found.c[name]).label(name) for name in names))
        .join(found, found.c.unit_id == pairs.c.unit_id)
        .group_by(pairs.c.top)
    )


def unit_rows(
    start: date,
    end: date,
    today: date,
    inactive_days: int,
    now: datetime | None = None,
    places: list[UnitRow] | None = None,
) -> list[UnitRow]:
    """The figures of ``places`` (from ``unit_places``; every active unit in tree order when
    None), each over its unit and every unit below it: the activities counting in attendance
    held in [start, end), their pooled rates, the inactive members (as ``inactive_members``
    counts them for the unit and the units below it) and the activities held but not archived.

    Each figure is one grouped query for all the rows at once, summed up the tree in SQL: the
    months before the current one from ``unit_tally`` (kept per unit with its subtree), the rest
    of the range and the unarchived activities per unit, carried to the rows above them. A page
    of the table reads its own rows' figures only."""
    rows = {row.unit_id: row for row in (unit_places() if places is None else places)}
    if not rows:
        return []
    pairs = subtree_pairs(list(rows))
    now = now or utcnow()
    first, upto = rolled = _rolled(start, end, now)
    if first < upto:
        _add_kept_sums(rows, first, upto)
    rest = _rest_select(start, end, rolled, now, ActivityTally.unit_id.label("unit_id"))
    if rest is not None:
        names = ["sessions", *COUNTED_ORDER]
        for found in db.session.execute(_summed_up(rest, pairs, names)):
            row = rows[found.top]
            row.sessions += int(found.sessions)
            row.counts = row.counts + _counts_of(found)
    # Grouped by ``unit_id + 0``: grouped by the column, SQLite walked the index of units and
    # states once per unit of the bureau for the few activities waiting, instead of reading
    # those off the index of states by day.
    unit = (Activity.unit_id + 0).label("unit_id")
    waiting = (
        sa.select(unit, sa.func.count().label("unarchived"))
        .where(*not_archived(None, today))
        .group_by(unit)
    )
    for top, number in db.session.execute(_summed_up(waiting, pairs, ["unarchived"])):
        rows[top].unarchived = int(number)
    for unit_id, number in _inactive_by_unit(pairs, today, inactive_days, now).items():
        rows[unit_id].inactive = number
    for row in rows.values():
        row.counts.activities = row.sessions
    return sorted(rows.values(), key=lambda row: row.order)


def _tops_of(pairs: sa.CTE, units: sa.Select) -> dict[int, list[int]]:
    """For each of ``units`` (a SELECT of ids), the tops of ``pairs`` at or above it."""
    tops: dict[int, list[int]] = {}
    stmt = sa.select(pairs.c.unit_id, pairs.c.top).where(pairs.c.unit_id.in_(units))
    for unit_id, top in db.session.execute(stmt):
        tops.setdefault(unit_id, []).append(top)
    return tops


def _inactive_by_unit(
    pairs: sa.CTE, today: date, days: int, now: datetime | None
) -> dict[int, int]:
    """For each top of ``pairs``, how many people ``inactive_members`` lists for it and the
    units below it, from two grouped queries: expected/present per (unit, person) at the recent
    sessions, and the memberships (``settled_members``, the same rule); both carried up to the
    tops before they are compared (a member of a branch and of the 党组 present only at the 党组
    is inactive in the branch, not above).

    Only people absent from every recent session of some unit can be inactive anywhere (a
    unit's subtree holds that unit): ``not_seen_since`` finds them through an index, and the
    database reads the recent rows of those few alone."""
    since = today - timedelta(days=days)
    tomorrow = today + timedelta(days=1)
    now = now or utcnow()
    candidates = sorted(set(db.session.scalars(not_seen_since(since, today, now))))
    if not candidates:
        return {}
    seen = _seen_at_units(candidates, since, tomorrow, now)
    candidates = sorted({person_id for _unit, person_id, _seen in seen})
    if not candidates:
        return {}
    # The tops above the units of the sessions read and of the candidates' memberships.
    involved = sa.union(
        sa.select(Membership.unit_id).where(Membership.person_id.in_(candidates)),
        sa.select(OrgUnit.id).where(OrgUnit.id.in_({unit_id for unit_id, *_r in seen})),
    )
    tops = _tops_of(pairs, involved)
    present: dict[tuple[int, int], bool] = {}
    for unit_id, person_id, was_present in seen:
        for above in tops.get(unit_id, []):
            key = (above, person_id)
            present[key] = present.get(key, False) or bool(was_present)
    settled = settled_members(
        lambda unit_id: tops.get(unit_id, []),
        since,
        today,
        people=sa.select(Person.id).where(Person.id.in_(candidates)),
    )
    result: dict[int, int] = {}
    for (unit_id, person_id), was_present in present.items():
        if not was_present and person_id in settled.get(unit_id, {}):
            result[unit_id] = result.get(unit_id, 0) + 1
    return result


def _seen_at_units(
    candidates: list[int], since: date, tomorrow: date, now: datetime
) -> list[sa.Row[Any]]:
    """(unit, person, present at any) of the candidates at each unit's recent sessions counting
    in attendance, for the people absent from all of some unit's."""
    p = Participation
    pairs_seen = (
        _recent_expected(candidates, since, tomorrow, None, now)
        .with_only_columns(
            Activity.unit_id.label("unit_id"),
            p.person_id.label("person_id"),
            sa.func.max(sa.case((attended(), 1), else_=0)).label("seen"),
        )
        .join(Person, Person.id == p.person_id)
        .where(_party_member_now())
        .group_by(Activity.unit_id, p.person_id)
        .cte("pairs")
        .prefix_with("MATERIALIZED")
    )
    absentees = sa.select(pairs_seen.c.person_id).where(pairs_seen.c.seen == 0)
    return list(
        db.session.execute(sa.select(pairs_seen).where(pairs_seen.c.person_id.in_(absentees)))
    )


def _recent_expected(
    candidates: list[int], since: date, tomorrow: date, units: sa.Select | None, now: datetime
) -> sa.Select:
    """SELECT (of the person id) of the candidates' expected rows at the sessions counting in
    attendance held in [since, tomorrow) and started by ``now``, in ``units`` when given. A
    participation row has no date: read through a candidate's history, each row's session was
    looked up for years of rows. Instead, ``attendance_last`` names the units each candidate
    was expected at on or after ``since`` (every such row raised that date), the few sessions
    of each such unit in the window are read off ``ix_activity_unit_day``, and the candidate's
    row at each by its key."""
    last, p = AttendanceLast, Participation
    sessions = join_in_order(
        last.__table__,
        Activity.__table__,
        sa.and_(
            Activity.unit_id == last.unit_id, in_attendance_activity(since, tomorrow, units, now)
        ),
    )
    rows = join_in_order(
        sessions, p.__table__, sa.and_(p.activity_id == Activity.id, p.person_id == last.person_id)
    )
    return (
        sa.select(p.person_id)
        .select_from(rows)
        .where(
            last.person_id.in_(candidates),
            last.last_expected_on >= since,
            p.role == ParticipantRole.EXPECTED,
        )
    )


GRAVE_DAYS = 180  # six months without organisational life is treated as leaving the Party


def absent_days(
    last_present: date | None, today: date, member_since: date | None = None
) -> int | None:
    """Days without attendance: since a member was last present at a session, or, never on
    record, since their qualifying membership began (``member_since``, as ``inactive_rows``
    finds it); None when neither is known."""
    if last_present is not None:
        return (today - last_present).days
    return None if member_since is None else (today - member_since).days


def gravely_inactive(
    last_present: date | None, today: date, member_since: date | None = None
) -> bool:
    """An inactive member without attendance for ``GRAVE_DAYS`` or more: the warning that must
    not wait. Never present on record counts from the start of their membership (a member of
    95 days is not yet grave); when that is not given, never present is taken as grave."""
    days = absent_days(last_present, today, member_since)
    return days is None or days >= GRAVE_DAYS
