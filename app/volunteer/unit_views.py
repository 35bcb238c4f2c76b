"""The admin's table of units for practical things: each unit's year, the units below it
included — its projects (of the year, done, the completion rate, closed out, overdue, people
served, satisfaction) and its service days."""

from typing import Any

from flask import Response

from app.auth.models import Role
from app.auth.policy import role_required
from app.htmx import render_page
from app.reports.unit_table import table_page
from app.types import local_today, utcnow
from app.volunteer.figures import UnitLine, unit_lines
from app.volunteer.loading import bp


@bp.route("/units")
@role_required(Role.ADMIN)
def units() -> Response:
    today, now = local_today(), utcnow()

    def lines(places: list[tuple[int, str, int]], year: int) -> list[dict[str, Any]]:
        return [line.plain() for line in unit_lines(places, year, today, now)]

    context = table_page("volunteer-units", lines)
    page = context["units_page"]
    page.items = [UnitLine.of_plain(row) for row in page.items]
    return render_page("volunteer/units.html", "volunteer/_units.html", **context)
