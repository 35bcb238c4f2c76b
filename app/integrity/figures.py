"""The integrity family's own figures: which units have held a kind of activity in a year, the
bureau's branches that have held this year's family forum, and the coverage of the signed
documents. The generic ones (held, years in a row) are ``app.reports.figures``'."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from app.activities.expected import ExpectedDefault, expected_select
from app.auth.policy import subtree_ids
from app.extensions import db
from app.integrity.holidays import holiday_date
from app.integrity.models import (
    Holiday,
    IntegrityActivity,
    IntegrityKind,
    PledgeExpectation,
    PledgeKind,
    SignedDocument,
    SigningBatch,
)
from app.people.models import OrgUnit, Person, UnitKind
from app.people.tree import subtree_pairs
from app.reports.figures import YearsInARow, counts_now, rate, years_in_a_row_by
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


def forum_years(units: list[OrgUnit], year: int, now: datetime) -> dict[int, YearsInARow]:
    """Each unit's years in a row of family integrity forums up to ``year``, the units below it
    included, in one statement; a unit that never held one is not in the result. This year's is
    held when the run ends with ``year``."""
    if not units:
        return {}
    pairs = subtree_pairs([unit.id for unit in units])
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


def _expected(kind: PledgeKind, unit: OrgUnit, year: int, on: date | None) -> sa.Select:
    """(person, counterpart) of those expected to sign, distinct."""
    if kind.listed:
        e = PledgeExpectation
        units = subtree_ids(sa.select(sa.literal(unit.id)))
        stmt = sa.select(e.person_id, e.counterpart_id).where(
            e.kind == kind, e.year == year, e.unit_id.in_(units), e.deleted_at.is_(None)
        )
        return stmt.distinct()
    if on is None:  # a holiday outside the shipped years: nobody can be read on its date
        return sa.select(sa.literal(0), sa.null()).where(sa.false())
    ids = expected_select(unit, ExpectedDefault.PARTY_MEMBERS, on).subquery()
    return sa.select(ids.c.person_id, sa.null().label("counterpart_id")).distinct()


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
    signed = signed_select(kind, year, holiday).subquery()
    matched = signed.c.person_id == expected.c.person_id
    if kind is PledgeKind.RESPONSIBILITY:  # a letter is signed by the pair
        matched = sa.and_(matched, signed.c.counterpart_id == expected.c.counterpart_id)
    done = sa.exists(sa.select(signed.c.person_id).where(matched))
    counts = sa.select(sa.func.count(), sa.func.count().filter(done)).select_from(expected)
    total, signed_count = db.session.execute(counts).one()
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
