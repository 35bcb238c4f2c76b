"""The holidays' dates, 2019–2035: the fixed ones by rule, the lunar ones (春节, 端午, 中秋)
and 清明 (a solar term) from this shipped table. Before a holiday integrity is reminded and
clean-holiday pledges are signed; who is expected to sign is read on the holiday's date."""

from datetime import date

from app.integrity.models import Holiday

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


def holiday_date(holiday: Holiday, year: int) -> date | None:
    """The holiday's day in the year; None for a lunar holiday outside the shipped years."""
    if holiday in FIXED:
        return date(year, *FIXED[holiday])
    days = SHIPPED.get(year)
    return date(year, *days[TABLED.index(holiday)]) if days else None
