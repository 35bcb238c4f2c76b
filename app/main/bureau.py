"""The bureau-wide parts of the admin's home, computed once for every admin and kept until a
record changes or time changes them (``app.reports.kept``): the month's counts, the inactive
members, the chart's months and each page of the table of units. Each is kept as plain data
(ids, dates as text, numbers) and turned into what the page shows the same way whether it was
kept or just computed."""

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.people.models import Person
from app.reports import figures
from app.reports.figures import Counts, InactiveMember, UnitRow
from app.reports.kept import Kept, key


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def inactive_key(today: date, days: int) -> str:
    return key("inactive", today, days)


def inactive(
    kept: Kept, today: date, days: int, now: datetime, shown: int
) -> tuple[list[InactiveMember], int, int]:
    """The first ``shown`` of the bureau's inactive members (``figures.inactive_rows``), how
    many there are and how many of them are gravely inactive."""

    def compute() -> list[list[Any]]:
        rows = figures.inactive_rows(None, today, days, now)
        return [
            [
                row.person.id,
                row.last_present and row.last_present.isoformat(),
                row.absent_days,
                row.grave,
            ]
            for row in rows
        ]

    payload = kept.get(inactive_key(today, days), compute)
    first = payload[:shown]
    ids = [person_id for person_id, *_rest in first]
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(ids)))}
    rows = [
        InactiveMember(people[person_id], _day(last), absent, grave)
        for person_id, last, absent, grave in first
    ]
    return rows, len(payload), sum(1 for *_rest, grave in payload if grave)


def counts(
    kept: Kept, today: date, month: date, following: date, now: datetime
) -> tuple[dict[str, int], int]:
    """The bureau's activities of the month (``figures.session_tally``) and how many are held
    and not archived."""

    def compute() -> dict[str, Any]:
        return {
            "tally": figures.session_tally(None, month, following, now),
            "unarchived": figures.count(figures.held_not_archived(None, today)),
        }

    payload = kept.get(key("counts", today, month), compute)
    return payload["tally"], int(payload["unarchived"])


def monthly_key(first: date, months: int, today: date) -> str:
    return key("monthly", first, months, today)


def monthly(
    kept: Kept, first: date, months: int, today: date, now: datetime
) -> list[tuple[date, Counts]]:
    """``figures.monthly`` of the whole bureau."""

    def compute() -> list[list[Any]]:
        found = figures.monthly(None, first, months, now)
        return [[day.isoformat(), asdict(counts)] for day, counts in found]

    payload = kept.get(monthly_key(first, months, today), compute)
    return [(date.fromisoformat(day), Counts(**counts)) for day, counts in payload]


def units_key(
    today: date, days: int, sort: str | None, direction: str, number: int, per_page: int
) -> str:
    return key("units", today, days, sort, direction, number, per_page)


def _unit_row(data: dict[str, Any]) -> UnitRow:
    return UnitRow(**{**data, "counts": Counts(**data["counts"])})


def units_page(kept: Kept, name: str, compute: Any) -> tuple[list[UnitRow], int]:
    """One page of the table of units and how many rows the table has: ``compute`` gives
    both, as ``(rows, total)``."""

    def plain() -> dict[str, Any]:
        rows, total = compute()
        return {"rows": [asdict(row) for row in rows], "total": total}

    payload = kept.get(name, plain)
    return [_unit_row(row) for row in payload["rows"]], int(payload["total"])
