"""Pre-holiday integrity reminders 节前廉政提醒: recording one (to all the unit's Party members or
to the people ticked), its page, removing it; and the admin's table of the holidays' dates.
Which holidays of the year have had theirs is shown on the integrity list."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, flash, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.activities.expected import people_on
from app.auth.models import Role
from app.auth.policy import require, role_required
from app.extensions import db
from app.forms import BaseForm
from app.htmx import commit, form_status, hx_redirect, render_page, saved, set_back
from app.integrity import reminders
from app.integrity.forms import ReminderForm
from app.integrity.holidays import FIRST_YEAR, LAST_YEAR, REMINDED, holiday_date, shipped_date
from app.integrity.models import Holiday, HolidayReminder
from app.queries import bounded_int, int_arg, text_arg
from app.types import local_today

bp = Blueprint("reminders", __name__)


def _form() -> ReminderForm:
    form = ReminderForm()
    if request.method == "GET":
        form.unit_id.data = int_arg("unit")
        form.year.data = int_arg("year") or local_today().year
        form.sent_on.data = local_today()
        asked = text_arg("holiday")
        if asked in {each.value for each in REMINDED}:
            form.holiday.data = asked
            day = holiday_date(Holiday(asked), form.year.data)
            form.sent_on.data = min(local_today(), day) if day else local_today()
    offered = form.unit_id.offer(current_user, first=request.method == "GET")
    if form.unit_id.unit is None and offered.units and request.method == "GET":
        form.unit_id.data = offered.units[0].id
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def new() -> Response:
    form = _form()
    unit = form.unit_id.unit
    members = people_on(unit, local_today()) if unit is not None else []
    if form.validate_on_submit():
        require(unit is not None)
        allowed = {person.id for person in members}
        ticked = {bounded_int(v) for v in request.form.getlist("recipient")} & allowed
        day = holiday_date(Holiday(form.holiday.data), form.year.data)
        if day is not None and form.sent_on.data > day:
            form.sent_on.errors = [
                _(
                    "A reminder comes before the holiday (%(date)s): give the day it was sent.",
                    date=format_date(day, "long"),
                )
            ]
        elif not form.everyone.data and not ticked:
            form.everyone.errors = [_("Tick the people reminded, or send it to everyone.")]
        else:
            reminder = reminders.create_reminder(form.values(unit, ticked), current_user)  # type: ignore[arg-type]
            db.session.flush()
            url = url_for("reminders.show", reminder_id=reminder.id)
            return saved(_("The reminder has been recorded."), url)
    status = 422 if form.errors else form_status()
    context = {"form": form, "members": members, "ticked": request.form.getlist("recipient")}
    return render_page("integrity/reminder_form.html", status=status, **context)


def _load(reminder_id: int) -> HolidayReminder:
    stmt = (
        sa.select(HolidayReminder)
        .where(HolidayReminder.id == reminder_id, HolidayReminder.deleted_at.is_(None))
        .options(joinedload(HolidayReminder.unit), selectinload(HolidayReminder.recipients))
    )
    reminder = db.session.scalar(stmt)
    require(reminder is not None and reminders.keeps_reminder(current_user, reminder))
    set_back(url_for("reminders.show", reminder_id=reminder_id))
    return reminder  # type: ignore[return-value]


@bp.route("/<int:reminder_id>")
@role_required(Role.ADMIN, Role.SECRETARY)
def show(reminder_id: int) -> Response:
    reminder = _load(reminder_id)
    day = holiday_date(reminder.holiday, reminder.year)
    return render_page("integrity/reminder.html", reminder=reminder, holiday_day=day)


@bp.route("/<int:reminder_id>/remove", methods=["POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def remove(reminder_id: int) -> Response:
    reminder = _load(reminder_id)
    reminders.remove_reminder(reminder)
    commit()
    flash(_("The reminder has been removed."), "success")
    return hx_redirect(url_for("integrity.index"))


def _year() -> int:
    year = int_arg("year") or local_today().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else local_today().year


def _typed_days(year: int) -> tuple[dict[Holiday, date], list[str]]:
    """The dates typed for the year's holidays, and the holidays whose date was refused (not a
    date, or not in the year)."""
    typed: dict[Holiday, date] = {}
    refused = []
    for each in Holiday:
        raw = request.form.get(each.value, "")
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            day = None
        if day is None or day.year != year:
            refused.append(str(each.label))
        else:
            typed[each] = day
    return typed, refused


@bp.route("/holidays", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def holidays() -> Response:
    """The holidays' dates of a year, as shipped or corrected; saving keeps what differs."""
    year = _year()
    form = BaseForm()
    refused: list[str] = []
    if form.validate_on_submit():
        typed, refused = _typed_days(year)
        if not refused:
            changed = [reminders.correct_holiday(each, year, day) for each, day in typed.items()]
            message = _("The dates have been saved.") if any(changed) else _("Nothing changed.")
            return saved(message, url_for("reminders.holidays", year=year))
    rows = [(each, holiday_date(each, year), shipped_date(each, year)) for each in Holiday]
    context: dict[str, Any] = {"year": year, "rows": rows, "form": form, "refused": refused}
    context["years"] = range(FIRST_YEAR, LAST_YEAR + 1)
    status = 422 if refused else form_status()
    return render_page("integrity/holidays.html", status=status, **context)
