"""The holidays' dates, 2019–2035: the fixed ones by rule, the lunar ones (春节, 端午, 中秋)
and 清明 (a solar term) from this shipped table, which an admin may correct (a correction wins).
Before a holiday integrity is reminded and clean-holiday pledges are signed; who is expected to
sign is read on the holiday's date."""

from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from flask import g, has_request_context

from app.extensions import db
from app.integrity.models import Holiday, HolidayCorrection

FIRST_YEAR, LAST_YEAR = 2019, 2035

# (month, day) by year: 春节, 清明, 端午, 中秋.
SHIPPED: dict[int, tuple[tuple[int, int], ...]] = {
    2019: ((2, 5), (4, 5), (6, 7), (9, 13)),
    2020: ((1, 25), (4, 4), (6, 25), (10, 1)),
    2021: ((2, 12), (4, 4), (6, 14), (9, 21)),
    2022: ((2, 1), (4, 5), (6, 3), (9, 10)),
    2023: ((1, 22), (4, 5), (6, 22), (9, 29)),
    2024: ((2, 10), (4, 4), (6, 10), (9, 17)),
    2025: ((1, 29), (4, 4), (5, 31), (10, 6)),
    2026: ((2, 17), (4, 5), (6, 19), (9, 25)),
    2027: ((2, 6), (4, 5), (6, 9), (9, 15)),
    2028: ((1, 26), (4, 4), (5, 28), (10, 3)),
    2029: ((2, 13), (4, 4), (6, 16), (9, 22)),
    2030: ((2, 3), (4, 5), (6, 5), (9, 12)),
    2031: ((1, 23), (4, 5), (6, 24), (10, 1)),
    2032: ((2, 11), (4, 4), (6, 12), (9, 19)),
    2033: ((1, 31), (4, 4), (6, 1), (9, 8)),
    2034: ((2, 19), (4, 5), (6, 20), (9, 27)),
    2035: ((2, 8), (4, 5), (6, 10), (9, 16)),
}
FIXED = {Holiday.NEW_YEAR: (1, 1), Holiday.LABOUR_DAY: (5, 1), Holiday.NATIONAL_DAY: (10, 1)}
TABLED = (Holiday.SPRING_FESTIVAL, Holiday.QINGMING, Holiday.DRAGON_BOAT, Holiday.MID_AUTUMN)


# The holidays before which integrity is reminded; 中秋 and 国庆 within MERGE_DAYS of each
# other are one reminder.
REMINDED = (
    Holiday.SPRING_FESTIVAL,
    Holiday.QINGMING,
    Holiday.LABOUR_DAY,
    Holiday.DRAGON_BOAT,
    Holiday.MID_AUTUMN,
    Holiday.NATIONAL_DAY,
)
MERGE_DAYS = 7


def shipped_date(holiday: Holiday, year: int) -> date | None:
    """The holiday's day in the year by rule or the shipped table; None for a lunar holiday
    outside the shipped years."""
    if holiday in FIXED:
        return date(year, *FIXED[holiday])
    days = SHIPPED.get(year)
    return date(year, *days[TABLED.index(holiday)]) if days else None


def corrections() -> dict[tuple[Holiday, int], date]:
    """The admins' corrections, read once per request."""
    if has_request_context() and "holiday_corrections" in g:
        return g.holiday_corrections
    found = {
        (row.holiday, row.year): row.day for row in db.session.scalars(sa.select(HolidayCorrection))
    }
    if has_request_context():
        g.holiday_corrections = found
    return found


def holiday_date(holiday: Holiday, year: int) -> date | None:
    """The holiday's day in the year: an admin's correction, else the shipped one."""
    return corrections().get((holiday, year)) or shipped_date(holiday, year)


class Occasion(NamedTuple):
    """A holiday to be reminded of in a year: its day (the earlier, for 中秋 with 国庆) and the
    holidays it stands for (both, when merged)."""

    holiday: Holiday
    day: date
    covers: tuple[Holiday, ...]


def occasions(year: int) -> list[Occasion]:
    """The year's reminded holidays in date order, 中秋 and 国庆 as one when they fall within a
    week of each other (the reminder is recorded for 中秋)."""
    days = {each: holiday_date(each, year) for each in REMINDED}
    autumn, national = days[Holiday.MID_AUTUMN], days[Holiday.NATIONAL_DAY]
    merged = autumn is not None and national is not None
    merged = merged and abs((national - autumn).days) <= MERGE_DAYS  # type: ignore[operator]
    found = []
    for each, day in days.items():
        if day is None or (merged and each is Holiday.NATIONAL_DAY):
            continue
        if merged and each is Holiday.MID_AUTUMN:
            both = (Holiday.MID_AUTUMN, Holiday.NATIONAL_DAY)
            found.append(Occasion(each, min(day, national), both))  # type: ignore[type-var]
        else:
            found.append(Occasion(each, day, (each,)))
    return sorted(found, key=lambda occasion: occasion.day)
