"""Study sessions: the list, the calendar, creating and editing one, and its record page. What a
session shares with every activity (the grid, check-in, leave, make-up, archiving, the sign-in
sheet) is the core's (``app/activities/views.py``)."""

from calendar import Calendar
from datetime import date, timedelta

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app import settings
from app.activities import services as core
from app.activities.forms import as_field_error, list_forms
from app.activities.listing import list_context
from app.activities.record import load_activity, record_context
from app.activities.rules import LATE_ENTRY_DAYS
from app.auth.models import Role, User
from app.auth.policy import (
    is_admin,
    require,
    role_required,
)
from app.evidence import services as files
from app.extensions import db
from app.htmx import form_status, hx_redirect, render_page, saved
from app.queries import int_arg, text_arg
from app.study import services
from app.study.forms import SessionForm
from app.study.models import StudyKind, StudySession
from app.types import local_today, utcnow

bp = Blueprint("study", __name__)


@bp.route("/")
@login_required
def index() -> Response:
    context = list_context(StudySession, StudyKind)
    return render_page("study/index.html", "study/_list.html", **context)


@bp.route("/calendar")
@login_required
def calendar() -> Response:
    today = local_today()
    month = _month_arg(text_arg("month")) or today.replace(day=1)
    first, following = services.month_bounds(month)
    by_day = services.month_sessions(current_user, first, following, utcnow())
    weeks = Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    previous = (first - timedelta(days=1)).replace(day=1)
    return render_page(
        "study/calendar.html",
        month=month,
        weeks=weeks,
        by_day=by_day,
        today=today,
        previous=previous,
        following=following,
        now=utcnow(),
    )


def _month_arg(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        year, month = (int(part) for part in raw.split("-", 1))
        if 1900 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    return None


def _session_form(session: StudySession | None) -> SessionForm:
    """The form of a new session (its unit the one asked for, else the first one may take) or
    of ``session``; its unit field offers the user's units, and the session's own unit even
    when it has been deactivated since."""
    form = SessionForm(obj=session, late_days=settings.get(LATE_ENTRY_DAYS.key))
    if session is None and request.method == "GET":
        form.unit_id.data = int_arg("unit")
        form.day.data = local_today()
    if session is not None and request.method == "GET":
        form.show_record(session)
        form.kind.data = session.kind.value
        if session.study_hours == services.default_hours(session.starts_at, session.ends_at):
            form.study_hours.data = None  # left to follow the times when they change
    if session is not None:
        form.unit_id.offer(current_user, keep=[session.unit_id])
    elif request.method == "GET":
        offered = form.unit_id.offer(current_user, first=True)
        if form.unit_id.unit is None and offered.units:
            form.unit_id.data = offered.units[0].id
    else:
        form.unit_id.offer(current_user)
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def new() -> Response:
    form = _session_form(None)
    if form.validate_on_submit():
        unit = form.unit_id.unit
        require(unit is not None)
        values = form.values(unit)
        done, session = as_field_error(
            form.late_reason, lambda: services.create_session(values, current_user)
        )
        if done:
            db.session.commit()
            flash(
                ngettext(
                    "The session has been created with %(num)d person expected.",
                    "The session has been created with %(num)d people expected.",
                    len(session.participations),  # type: ignore[union-attr]
                ),
                "success",
            )
            return hx_redirect(url_for("study.show", session_id=session.id))  # type: ignore[union-attr]
    return render_page("study/form.html", form=form, session=None, status=form_status())


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit(session_id: int) -> Response:
    session = _session(session_id, manage=True)
    core.require_open(session)
    form = _session_form(session)
    if form.validate_on_submit():
        unit = form.unit_id.unit
        require(unit is not None)
        values = form.values(unit)
        if as_field_error(form.late_reason, lambda: services.apply_values(session, values))[0]:
            return saved(
                _("The changes have been saved."), url_for("study.show", session_id=session.id)
            )
    return render_page("study/form.html", form=form, session=session, status=form_status())


@bp.route("/<int:session_id>")
@login_required
def show(session_id: int) -> Response:
    session = _session(session_id)
    context = {**record_context(session, session=session), **files.gallery(session, current_user)}
    manage = context["can_manage"]
    return render_page(
        "study/show.html",
        **list_forms(manage),
        can_reopen=session.is_archived and is_admin(current_user),
        entered_by=db.session.get(User, session.created_by_id) if session.created_by_id else None,
        reopened=core.last_reopening(session),
        **context,
    )


def _session(session_id: int, manage: bool = False) -> StudySession:
    session = load_activity(session_id, manage=manage)
    require(isinstance(session, StudySession))
    return session  # type: ignore[return-value]
