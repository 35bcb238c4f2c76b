"""A family's table of units for the admin (integrity's, practical things'): each keeping unit's
year, the units below it included, a page at a time, kept between requests like the home's
figures. The family gives the lines of a page's units as plain JSON rows; this module chooses
the year, the page and the units, and keeps the rows."""

from collections.abc import Callable
from typing import Any

from flask import current_app

from app.people.models import UnitKind
from app.queries import ListPagination, int_arg, page_number
from app.reports import kept
from app.reports.figures import unit_place_count, unit_places
from app.types import local_today, utcnow

YEARS_SHOWN = 8  # the years a table offers
# The units a table lists: a 党小组's records are its branch's.
KEEPING_UNITS = (UnitKind.BUREAU, UnitKind.PARTY_GROUP, UnitKind.BRANCH)

# The units of a page as (unit id, name, depth), and the year: the page's plain rows.
Lines = Callable[[list[tuple[int, str, int]], int], list[dict[str, Any]]]


def table_page(name: str, lines: Lines, *parts: object) -> dict[str, Any]:
    """The context of a table of units: ``year`` (asked for, within the years shown),
    ``years``, and ``units_page``, a ``ListPagination`` of the page's plain rows, kept under
    ``name`` with ``parts`` (what else the rows depend on, e.g. a setting)."""
    today, now, number = local_today(), utcnow(), page_number()
    year = int_arg("year") or today.year
    year = year if today.year - YEARS_SHOWN < year <= today.year else today.year
    per_page = int(current_app.config["PAGE_SIZE"])

    def compute() -> dict[str, Any]:
        start = (number - 1) * per_page
        places = unit_places(offset=start, limit=per_page, kinds=KEEPING_UNITS)
        rows = lines([(p.unit_id, p.name, p.depth) for p in places], year)
        return {"rows": rows, "total": unit_place_count(KEEPING_UNITS)}

    key = kept.key(name, today, *parts, year, number, per_page)
    payload = kept.Kept(now).get(key, compute)
    page = ListPagination(payload["rows"], number, per_page, int(payload["total"]))
    return {
        "year": year,
        "years": range(today.year, today.year - YEARS_SHOWN, -1),
        "units_page": page,
    }
