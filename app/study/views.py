"""Study sessions: the list, the calendar, creating and editing one, and its record page. What a
session shares with every activity (the grid, check-in, leave, make-up, archiving, the sign-in
sheet) is the core's (``app/activities/views.py``)."""

from calendar import Calendar
from datetime import date, timedelta
from functools import partial

from flask import Blueprint, Response, url_for
from flask_login import current_user, login_required

from app.activities import services as core
from app.activities.editing import activity_form, create_answer, edit_answer
from app.activities.listing import list_context
from app.activities.models import Activity
from app.activities.record import load_activity, record_page
from app.auth.models import Role
from app.auth.policy import (
    role_required,
)
from app.htmx import form_status, render_page
from app.queries import text_arg
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


def _show_url(session: Activity) -> str:
    return url_for("study.show", session_id=session.id)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def new() -> Response:
    form = activity_form(SessionForm, None)
    if form.validate_on_submit():
        answer = create_answer(form, services.create_session, _show_url)  # type: ignore[arg-type]
        if answer is not None:
            return answer
    return render_page("study/form.html", form=form, session=None, status=form_status())


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit(session_id: int) -> Response:
    session = _session(session_id, manage=True)
    core.require_open(session)
    form = activity_form(SessionForm, session)
    if form.validate_on_submit():
        apply = partial(services.apply_values, session)
        answer = edit_answer(form, apply, _show_url(session))
        if answer is not None:
            return answer
    return render_page("study/form.html", form=form, session=session, status=form_status())


@bp.route("/<int:session_id>")
@login_required
def show(session_id: int) -> Response:
    session = _session(session_id)
    return render_page("study/show.html", **record_page(session, session=session))


def _session(session_id: int, manage: bool = False) -> StudySession:
    return load_activity(session_id, manage=manage, model=StudySession)  # type: ignore[no-any-return]
