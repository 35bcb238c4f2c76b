"""Integrity activities: the list with each kind's years in a row, creating and editing one, and
its record page. What an activity shares with every family (the grid, check-in, leave, guests,
archiving, the sign-in sheet) is the core's (``app/activities/views.py``)."""

from dataclasses import asdict
from functools import partial
from typing import Any

from flask import Blueprint, Response, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app import settings
from app.activities import services as core
from app.activities.editing import activity_form, create_answer, edit_answer
from app.activities.listing import list_context
from app.activities.models import Activity
from app.activities.record import load_activity, record_page
from app.auth.models import Role
from app.auth.policy import require, role_required
from app.htmx import form_status, render_page, saved
from app.integrity import services
from app.integrity.figures import (
    UnitLine,
    reminder_lines,
    unit_lines,
)
from app.integrity.forms import BackfillForm, IntegrityForm
from app.integrity.lines import in_units, integrity_year, streaks
from app.integrity.models import IntegrityActivity, IntegrityKind
from app.integrity.personal_record import document_text, integrity_part
from app.people.models import OrgUnit
from app.reports.rules import DUE_SOON
from app.reports.unit_table import table_page
from app.types import local_today, utcnow

bp = Blueprint("integrity", __name__)
bp.add_app_template_global(integrity_part)
bp.add_app_template_global(document_text, "integrity_document_text")
bp.add_app_template_global(integrity_year)


@bp.route("/")
@login_required
def index() -> Response:
    context = list_context(IntegrityActivity, IntegrityKind) | {"streaks": [], "reminder_lines": []}
    if context["can_create"]:  # the keepers' lines: years in a row, pre-holiday reminders
        unit_id = context["filters"].unit_id
        units, today = in_units(current_user, unit_id), local_today()
        due = settings.get(DUE_SOON.key)
        context["streaks"] = streaks(unit_id)
        context["reminder_lines"] = reminder_lines(units, today.year, today, due, first_only=True)
        context |= {"reminder_unit": unit_id, "due_days": due}
    return render_page("integrity/index.html", "integrity/_list.html", **context)


@bp.route("/units")
@role_required(Role.ADMIN)
def units() -> Response:
    """The admin's table of units: each unit's integrity year, the units below it included."""
    today, now, due = local_today(), utcnow(), settings.get(DUE_SOON.key)

    def lines(places: list[tuple[int, str, int]], year: int) -> list[dict[str, Any]]:
        return [asdict(line) for line in unit_lines(places, year, today, now, due)]

    context = table_page("integrity-units", lines, due)
    page = context["units_page"]
    page.items = [UnitLine(**row) for row in page.items]
    return render_page("integrity/units.html", "integrity/_units.html", **context)


def _show_url(activity: Activity) -> str:
    return url_for("integrity.show", activity_id=activity.id)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def new() -> Response:
    form = activity_form(IntegrityForm, None)
    if form.validate_on_submit():
        answer = create_answer(form, services.create_activity, _show_url)  # type: ignore[arg-type]
        if answer is not None:
            return answer
    return render_page("integrity/form.html", form=form, record=None, status=form_status())


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True, model=IntegrityActivity)
    core.require_open(activity)
    form = activity_form(IntegrityForm, activity)
    if form.validate_on_submit():
        answer = edit_answer(form, partial(services.apply_values, activity), _show_url(activity))
        if answer is not None:
            return answer
    return render_page("integrity/form.html", form=form, record=activity, status=form_status())


@bp.route("/<int:activity_id>")
@login_required
def show(activity_id: int) -> Response:
    activity = load_activity(activity_id, model=IntegrityActivity)
    return render_page("integrity/show.html", **record_page(activity, record=activity))


@bp.route("/backfill", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def backfill() -> Response:
    """Past activities from the paper records, archived and flagged as 补录 at once."""
    form = BackfillForm()
    form.offer(current_user)
    if form.validate_on_submit():
        unit = form.unit_id.unit
        lines = [_past_line(line.form, unit) for line in form.lines if line.form.filled]
        made = services.backfill(lines, form.reason.data, current_user)
        message = ngettext(
            "%(num)d past activity has been entered.",
            "%(num)d past activities have been entered.",
            len(made),
        )
        return saved(message, url_for("integrity.index"))
    return render_page("integrity/backfill.html", form=form, status=form_status())


def _past_line(line: Any, unit: OrgUnit | None) -> services.PastActivity:
    require(unit is not None)
    kind = IntegrityKind(line.kind.data)
    title = line.title.data or _("%(year)d %(kind)s", year=line.day.data.year, kind=kind.label)
    return services.PastActivity(kind, line.day.data, unit, line.present.data, title)
