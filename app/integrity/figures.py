"""The integrity family's own figures: which units have held a kind of activity in a year, the
bureau's branches that have held this year's family forum, and the coverage of the signed
documents. The generic ones (held, years in a row) are ``app.reports.figures``'."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from app.activities.expected import ExpectedDefault, expected_by_top, expected_select
from app.activities.models import ActivityFamily
from app.auth.policy import subtree_ids
from app.extensions import db
from app.integrity.holidays import Occasion, holiday_date, occasions
from app.integrity.models import (
    Holiday,
    HolidayReminder,
    IntegrityActivity,
    IntegrityKind,
    IntegrityTalk,
    PledgeExpectation,
    PledgeKind,
    SignedDocument,
    SigningBatch,
    TalkKind,
)
from app.people.models import OrgUnit, Person, UnitKind
from app.people.tree import subtree_pairs
from app.reports.figures import (
    Counts,
    FigureProvider,
    YearsInARow,
    activity_counts,
    counts_now,
    family_guests,
    rate,
    register_provider,
    years_in_a_row_by,
)
from app.types import local_today


def _held(kind: IntegrityKind, year: int, now: datetime) -> list[sa.ColumnElement[bool]]:
    """Over ``IntegrityActivity``: of the kind, counting (started, not cancelled) in the year."""
    a = IntegrityActivity
    return [
        a.kind == kind,
        a.held_on >= date(year, 1, 1),
        a.held_on < date(year + 1, 1, 1),
        counts_now(now),
    ]


def forum_years(unit_ids: list[int], year: int, now: datetime) -> dict[int, YearsInARow]:
    """Each unit's years in a row of family integrity forums up to ``year``, the units below it
    included, in one statement; a unit that never held one is not in the result. This year's is
    held when the run ends with ``year``."""
    if not unit_ids:
        return {}
    pairs = subtree_pairs(unit_ids)
    a = IntegrityActivity
    below = [a.unit_id == pairs.c.unit_id, a.kind == IntegrityKind.FAMILY_FORUM]
    return years_in_a_row_by(a, pairs.c.top, below, None, year, now)


def branches_that_held(kind: IntegrityKind, year: int, now: datetime) -> list[int]:
    """[branches that held an activity of the kind in the year, active branches]: the bureau's
    line on the admin's home, one statement."""
    held = sa.select(IntegrityActivity.unit_id).where(*_held(kind, year, now))
    branch = sa.and_(OrgUnit.kind == UnitKind.BRANCH, OrgUnit.deleted_at.is_(None))
    stmt = sa.select(sa.func.count().filter(OrgUnit.id.in_(held)), sa.func.count()).where(branch)
    done, total = db.session.execute(stmt).one()
    return [int(done or 0), int(total or 0)]


@dataclass(frozen=True)
class Coverage:
    """A kind of document in a unit (with the units below) and a year (a holiday's: one
    holiday): how many are expected to sign (people, or pairs for a responsibility letter), how
    many of them have, and those who have not, by name (a pair: the lower party and the upper;
    perhaps only the first few: ``unsigned`` counts them all).
    ``on``: the day the unit's Party members are read on (None for the lists kept by hand)."""

    kind: PledgeKind
    holiday: Holiday | None
    on: date | None
    expected: int
    signed: int
    missing: list[tuple[Person, Person | None]]

    @property
    def rate(self) -> Decimal | None:
        return rate(self.signed, self.expected)

    @property
    def missing_names(self) -> list[str]:
        """张三, or for a letter's pair 张三 ↔ 李四 (the lower party, then the upper)."""
        return [f"{p.name} ↔ {u.name}" if u else p.name for p, u in self.missing]

    @property
    def unsigned(self) -> int:
        return self.expected - self.signed

    @property
    def title(self) -> str:
        """ "廉政承诺书", or "廉洁过节承诺书 · 春节" for a holiday's."""
        kind = str(self.kind.label)
        return f"{kind} · {self.holiday.label}" if self.holiday is not None else kind


def expected_on(kind: PledgeKind, year: int, holiday: Holiday | None) -> date | None:
    """The day on which the unit's Party members are expected to sign: 1 July of the year (or
    today, if earlier) for an integrity pledge, the holiday's date for a clean-holiday pledge."""
    if kind is PledgeKind.INTEGRITY:
        return min(date(year, 7, 1), local_today())
    if kind is PledgeKind.HOLIDAY and holiday is not None:
        return holiday_date(holiday, year)
    return None


def signed_select(kind: PledgeKind, year: int, holiday: Holiday | None = None) -> sa.Select:
    """(person, counterpart) of the live documents of the kind signed for the year (the holiday),
    in any unit: a pledge signed where the person was then counts wherever they are now."""
    d, b = SignedDocument, SigningBatch
    stmt = (
        sa.select(d.person_id, d.counterpart_id)
        .join(b, b.id == d.batch_id)
        .where(b.kind == kind, b.year == year, d.deleted_at.is_(None))
    )
    return stmt.where(b.holiday == holiday) if holiday is not None else stmt


def signed_by(
    kind: PledgeKind,
    year: int,
    holiday: Holiday | None,
    person: sa.ColumnElement[int],
    counterpart: sa.ColumnElement[int | None],
) -> sa.Exists:
    """Whether ``person`` (with ``counterpart``, for a letter signed by a pair) has signed the
    kind for the year: correlated, so each expected person is looked up by the index of the
    signatures' people instead of every signature of the year being read for each."""
    d = SignedDocument
    found = signed_select(kind, year, holiday).where(d.person_id == person)
    if kind is PledgeKind.RESPONSIBILITY:
        found = found.where(d.counterpart_id == counterpart)
    return sa.exists(found)


def _expected(kind: PledgeKind, unit: OrgUnit, year: int, on: date | None) -> sa.Select:
    """(person, counterpart) of those expected to sign, distinct."""
    if kind.listed:
        e = PledgeExpectation
        units = subtree_ids(sa.select(sa.literal(unit.id)))
        stmt = sa.select(e.person_id, e.counterpart_id).where(
            e.kind == kind, e.year == year, e.unit_id.in_(units), e.deleted_at.is_(None)
        )
        return stmt.distinct()
    # A typed NULL: PostgreSQL reads a bare one in a subquery as text, not comparable with ids.
    no_one = sa.cast(sa.null(), sa.Integer).label("counterpart_id")
    if on is None:  # a holiday outside the shipped years: nobody can be read on its date
        return sa.select(sa.literal(0).label("person_id"), no_one).where(sa.false())
    ids = expected_select(unit, ExpectedDefault.PARTY_MEMBERS, on).subquery()
    return sa.select(ids.c.person_id, no_one).distinct()


def coverage(
    kind: PledgeKind,
    unit: OrgUnit,
    year: int,
    holiday: Holiday | None = None,
    names: int | None = None,
) -> Coverage:
    """DOMAIN.md's coverage, in two statements: the counts, then those missing by name (the
    first ``names`` of them, when given: a page shows a few, the printable list all)."""
    on = expected_on(kind, year, holiday)
    expected = _expected(kind, unit, year, on).subquery()
    done = signed_by(kind, year, holiday, expected.c.person_id, expected.c.counterpart_id)
    counts = sa.select(sa.func.count(), sa.func.count().filter(done)).select_from(expected)
    total, signed_count = db.session.execute(counts).one()
    if names == 0:  # the figures only
        return Coverage(kind, holiday, on, int(total or 0), int(signed_count or 0), [])
    upper = sa.orm.aliased(Person)
    missing = (
        sa.select(Person, upper)
        .join(expected, expected.c.person_id == Person.id)
        .outerjoin(upper, upper.id == expected.c.counterpart_id)
        .where(~done)
        .order_by(Person.sort_key, upper.sort_key)
        .limit(names)
    )
    rows = [(person, other) for person, other in db.session.execute(missing)]
    return Coverage(kind, holiday, on, int(total or 0), int(signed_count or 0), rows)


@dataclass(frozen=True)
class ReminderLine:
    """A reminded holiday of the year and its reminders in the units; ``state``: "held" (a
    reminder recorded), "due" (none yet, the holiday within the due-soon days), "missed" (the
    holiday passed without one), "coming" (later)."""

    occasion: Occasion
    reminders: list[HolidayReminder]
    state: str


def reminder_lines(
    units: sa.Select | None, year: int, today: date, due_days: int, first_only: bool = False
) -> list[ReminderLine]:
    """Which holidays of the year have had their reminder in the units (None: the bureau), in
    one statement; ``first_only``: each holiday's first reminder alone (a list naming when it
    was reminded, which in the bureau would read every branch's)."""
    r = HolidayReminder
    stmt = sa.select(r).where(r.year == year, r.deleted_at.is_(None)).order_by(r.sent_on, r.id)
    if units is not None:
        stmt = stmt.where(r.unit_id.in_(units))
    if first_only:
        place = sa.func.row_number().over(partition_by=r.holiday, order_by=(r.sent_on, r.id))
        firsts = stmt.with_only_columns(r.id, place.label("place")).order_by(None).subquery()
        stmt = stmt.where(r.id.in_(sa.select(firsts.c.id).where(firsts.c.place == 1)))
    held: dict[Holiday, list[HolidayReminder]] = {}
    for reminder in db.session.scalars(stmt.options(sa.orm.joinedload(r.unit))):
        held.setdefault(reminder.holiday, []).append(reminder)
    lines = []
    for occasion in occasions(year):
        found = [each for holiday in occasion.covers for each in held.get(holiday, [])]
        lines.append(
            ReminderLine(occasion, found, reminder_state(occasion, bool(found), today, due_days))
        )
    return lines


def reminder_state(occasion: Occasion, reminded: bool, today: date, due_days: int) -> str:
    """A ``ReminderLine``'s state: held, missed, due or coming."""
    if reminded:
        return "held"
    if occasion.day < today:
        return "missed"
    return "due" if (occasion.day - today).days <= due_days else "coming"


@dataclass(frozen=True)
class KindFigures:
    """A kind's activities of the year that count (started, not cancelled): how many were held,
    their pooled 应到 / 实到 (those entered from paper add their number present, and no one
    expected), and their family attendees."""

    held: int = 0
    counts: Counts = field(default_factory=Counts)
    paper_present: int = 0
    family_attendees: int = 0

    @property
    def present(self) -> int:
        return self.counts.present + self.paper_present


@dataclass(frozen=True)
class IntegrityYear:
    """The family's figures of a unit (with the units below) and a year, for the pages and the
    annual compilation: activities by kind, talks by kind (a talk with one person counts one; a
    collective talk one, its people present apart), coverage per document kind, the reminders
    of the holidays, and each kind's years in a row up to the year."""

    year: int
    kinds: dict[IntegrityKind, KindFigures]
    talks: dict[TalkKind, int]
    collective_talk_people: int
    coverage: list[Coverage]
    reminders: list[ReminderLine]
    streaks: dict[IntegrityKind, YearsInARow]

    @property
    def family_attendees(self) -> int:
        return sum(kind.family_attendees for kind in self.kinds.values())


def _kinds(units: sa.Select, year: int, now: datetime) -> dict[IntegrityKind, KindFigures]:
    a = IntegrityActivity
    held = [a.held_on >= date(year, 1, 1), a.held_on < date(year + 1, 1, 1), counts_now(now)]
    rows = db.session.execute(
        sa.select(a.id, a.kind, a.paper_present).where(a.unit_id.in_(units), *held)
    ).all()
    ids = [row.id for row in rows]
    counts, guests = activity_counts(ids), family_guests(ids)
    found: dict[IntegrityKind, KindFigures] = {}
    for row in rows:
        was = found.get(row.kind, KindFigures())
        found[row.kind] = KindFigures(
            was.held + 1,
            was.counts + counts.get(row.id, Counts()),
            was.paper_present + (row.paper_present or 0),
            was.family_attendees + guests[row.id],
        )
    return found


def _talks(units: sa.Select, year: int) -> dict[TalkKind, int]:
    t = IntegrityTalk
    stmt = (
        sa.select(t.kind, sa.func.count())
        .where(t.unit_id.in_(units), t.deleted_at.is_(None))
        .where(t.held_on >= date(year, 1, 1), t.held_on < date(year + 1, 1, 1))
        .group_by(t.kind)
    )
    return dict(db.session.execute(stmt).tuples().all())


def _collective(units: sa.Select, year: int, now: datetime) -> list[tuple[TalkKind, int]]:
    """(kind, people present) of each collective talk held in the year."""
    a = IntegrityActivity
    stmt = sa.select(a.id, a.talk_kind).where(
        a.unit_id.in_(units),
        a.kind == IntegrityKind.TALK,
        a.talk_kind.is_not(None),
        a.held_on >= date(year, 1, 1),
        a.held_on < date(year + 1, 1, 1),
        counts_now(now),
    )
    rows = db.session.execute(stmt).all()
    counts = activity_counts([row.id for row in rows])
    return [(row.talk_kind, counts.get(row.id, Counts()).present) for row in rows]


def year_figures(
    unit: OrgUnit, year: int, now: datetime, today: date, due_days: int
) -> IntegrityYear:
    """Every figure of the family for the unit and year, in a fixed number of statements."""
    units = subtree_ids(sa.select(sa.literal(unit.id)))
    talks = _talks(units, year)
    collective = _collective(units, year, now)
    for kind, _present in collective:
        talks[kind] = talks.get(kind, 0) + 1
    covered = [
        coverage(kind, unit, year, names=0) for kind in PledgeKind if kind is not PledgeKind.HOLIDAY
    ]
    b = SigningBatch
    signed_holidays = db.session.scalars(
        sa.select(b.holiday)
        .where(b.kind == PledgeKind.HOLIDAY, b.year == year, b.unit_id.in_(units))
        .distinct()
    ).all()
    covered += [
        coverage(PledgeKind.HOLIDAY, unit, year, each, 0)
        for each in Holiday
        if each in signed_holidays
    ]
    kind = IntegrityActivity.kind
    runs = years_in_a_row_by(IntegrityActivity, kind, [], units, year, now)
    return IntegrityYear(
        year=year,
        kinds=_kinds(units, year, now),
        talks=talks,
        collective_talk_people=sum(present for _kind, present in collective),
        coverage=covered,
        reminders=reminder_lines(units, year, today, due_days),
        streaks={each: runs.get(each, YearsInARow(0, None)) for each in IntegrityKind},
    )


@dataclass(frozen=True)
class UnitLine:
    """A unit's integrity year on the admin's table of units, the units below it included: the
    family forum's years in a row (``forum_held``: this year's is held), cautionary education
    and integrity lectures held, talks (with one person, and collective ones), integrity pledges
    signed of those expected, and the reminded holidays of the year: held, passed without one,
    due soon. Plain values, to be kept between requests."""

    unit_id: int
    name: str
    depth: int
    forum_run: int = 0
    forum_since: int | None = None
    forum_held: bool = False
    cautionary: int = 0
    lectures: int = 0
    talks: int = 0
    pledges_signed: int = 0
    pledges_expected: int = 0
    reminded: int = 0
    missed: int = 0
    due: int = 0

    @property
    def pledge_rate(self) -> Decimal | None:
        return rate(self.pledges_signed, self.pledges_expected)


def _activities_by_top(pairs: sa.CTE, year: int, now: datetime) -> dict[int, dict[str, int]]:
    """For each top of ``pairs``: cautionary education and lectures held in the year, and its
    collective talks, in one statement."""
    a = IntegrityActivity
    stmt = (
        sa.select(
            pairs.c.top, a.kind, sa.func.count(), sa.func.count().filter(a.talk_kind.is_not(None))
        )
        .select_from(a)
        .join(pairs, pairs.c.unit_id == a.unit_id)
        .where(a.held_on >= date(year, 1, 1), a.held_on < date(year + 1, 1, 1), counts_now(now))
        .group_by(pairs.c.top, a.kind)
    )
    found: dict[int, dict[str, int]] = {}
    for top, kind, held, collective in db.session.execute(stmt).tuples():
        line = found.setdefault(top, {"cautionary": 0, "lectures": 0, "talks": 0})
        line["cautionary"] += held if kind is IntegrityKind.CAUTIONARY else 0
        line["lectures"] += held if kind is IntegrityKind.LECTURE else 0
        line["talks"] += collective
    return found


def _talks_by_top(pairs: sa.CTE, year: int) -> dict[int, int]:
    t = IntegrityTalk
    stmt = (
        sa.select(pairs.c.top, sa.func.count())
        .select_from(t)
        .join(pairs, pairs.c.unit_id == t.unit_id)
        .where(t.deleted_at.is_(None), t.held_on >= date(year, 1, 1))
        .where(t.held_on < date(year + 1, 1, 1))
        .group_by(pairs.c.top)
    )
    return dict(db.session.execute(stmt).tuples().all())


def _pledges_by_top(tops: list[int], year: int) -> dict[int, tuple[int, int]]:
    """For each unit of ``tops``: (signed, expected) of the year's integrity pledge, as
    ``coverage`` counts them, in one statement."""
    kind = PledgeKind.INTEGRITY
    on = expected_on(kind, year, None)
    assert on is not None  # an integrity pledge's day is always known
    expected = expected_by_top(tops, ExpectedDefault.PARTY_MEMBERS, on).distinct().subquery()
    signed = signed_select(kind, year).subquery()
    done = sa.exists(
        sa.select(signed.c.person_id).where(signed.c.person_id == expected.c.person_id)
    )
    stmt = sa.select(expected.c.top, sa.func.count().filter(done), sa.func.count()).group_by(
        expected.c.top
    )
    return {top: (int(got), int(total)) for top, got, total in db.session.execute(stmt)}


def _reminded_by_top(
    pairs: sa.CTE, tops: list[int], year: int, today: date, due_days: int
) -> dict[int, dict[str, int]]:
    """For each of ``tops``: the year's reminded holidays held, missed and due, as
    ``reminder_lines`` tells them, from one statement."""
    r = HolidayReminder
    stmt = (
        sa.select(pairs.c.top, r.holiday)
        .select_from(r)
        .join(pairs, pairs.c.unit_id == r.unit_id)
        .where(r.year == year, r.deleted_at.is_(None))
        .distinct()
    )
    held: dict[int, set[Holiday]] = {}
    for top, holiday in db.session.execute(stmt).tuples():
        held.setdefault(top, set()).add(holiday)
    found = {}
    for top in tops:
        states = [
            reminder_state(each, bool(held.get(top, set()) & set(each.covers)), today, due_days)
            for each in occasions(year)
        ]
        found[top] = {state: states.count(state) for state in ("held", "missed", "due")}
    return found


def unit_lines(
    places: list[tuple[int, str, int]], year: int, today: date, now: datetime, due_days: int
) -> list[UnitLine]:
    """The ``UnitLine`` of each of ``places`` (unit id, name, depth), in their order: a page of
    the admin's table, in six statements whatever its length."""
    tops = [unit_id for unit_id, _name, _depth in places]
    if not tops:
        return []
    pairs = subtree_pairs(tops)
    runs = forum_years(tops, year, now)
    activities = _activities_by_top(pairs, year, now)
    talks = _talks_by_top(pairs, year)
    pledges = _pledges_by_top(tops, year)
    reminded = _reminded_by_top(pairs, tops, year, today, due_days)
    lines = []
    for unit_id, name, depth in places:
        run = runs.get(unit_id, YearsInARow(0, None))
        held = activities.get(unit_id, {"cautionary": 0, "lectures": 0, "talks": 0})
        signed, expected = pledges.get(unit_id, (0, 0))
        states = reminded[unit_id]
        lines.append(
            UnitLine(
                unit_id,
                name,
                depth,
                forum_run=run.years,
                forum_since=run.since,
                forum_held=run.includes(year),
                cautionary=held["cautionary"],
                lectures=held["lectures"],
                talks=held["talks"] + talks.get(unit_id, 0),
                pledges_signed=signed,
                pledges_expected=expected,
                reminded=states["held"],
                missed=states["missed"],
                due=states["due"],
            )
        )
    return lines


register_provider(
    FigureProvider(ActivityFamily.INTEGRITY, in_attendance=sa.false, year=year_figures)
)
