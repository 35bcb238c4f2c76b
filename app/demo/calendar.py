"""The demo's working calendar: weekdays, public holidays and the Spring Festival week, on
which no meeting is held."""

from collections.abc import Iterator
from datetime import date, timedelta

MON, TUE, WED, THU, FRI = range(5)

# Days off when no meeting is held: fixed holidays and the Spring Festival week of known years.
FIXED_HOLIDAYS = {(1, 1), *((5, d) for d in range(1, 6)), *((10, d) for d in range(1, 9))}
SPRING_FESTIVAL = {
    2024: (date(2024, 2, 10), date(2024, 2, 17)),
    2025: (date(2025, 1, 28), date(2025, 2, 4)),
    2026: (date(2026, 2, 15), date(2026, 2, 23)),
    2027: (date(2027, 2, 5), date(2027, 2, 13)),
}


def is_day_off(day: date) -> bool:
    if day.weekday() >= 5 or (day.month, day.day) in FIXED_HOLIDAYS:
        return True
    festival = SPRING_FESTIVAL.get(day.year)
    return festival is not None and festival[0] <= day <= festival[1]


def workday_from(day: date) -> date:
    while is_day_off(day):
        day += timedelta(days=1)
    return day


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return workday_from(first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1)))


def last_weekday(year: int, month: int, weekday: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return workday_from(last - timedelta(days=(last.weekday() - weekday) % 7))


def months(first: date, last: date) -> Iterator[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
