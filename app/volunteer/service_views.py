"""Service days: their list, creating one (from a project's page, or on its own), editing it, its
record page with each participant's hours, and a participant's own hours. What a service day
shares with every family (the grid, check-in, leave, guests, archiving, the sign-in sheet) is
the core's (``app/activities/views.py``)."""

from decimal import Decimal
from functools import partial
from typing import Any

from flask import Response, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app.activities import services as core
from app.activities.editing import activity_form, create_answer, edit_answer
from app.activities.listing import list_context
from app.activities.models import Activity
from app.activities.record import load_activity, record_page, row_of
from app.auth.models import Role, User
from app.auth.policy import require_role, role_required
from app.extensions import db
from app.htmx import form_status, is_htmx, render_fragment, render_page, saved
from app.queries import int_arg
from app.refusals import Refused
from app.volunteer import projects
from app.volunteer import service_days as days
from app.volunteer.forms import OwnHoursForm, ServiceDayForm
from app.volunteer.loading import bp, load
from app.volunteer.models import Project, ServiceDay


def _show_url(activity: Activity) -> str:
    return url_for("volunteer.service_day", activity_id=activity.id)


@bp.route("/service-days/")
@login_required
def service_days() -> Response:
    context = list_context(ServiceDay, None, [joinedload(ServiceDay.project)])
    return render_page("volunteer/service_days.html", "volunteer/_service_list.html", **context)


def _project() -> Project | None:
    """The project a new service day is opened from (``?project=``): one the user keeps, still
    open."""
    project_id = int_arg("project")
    if project_id is None:
        return None
    project = load(project_id)
    require_role(projects.keeps_project(current_user, project))
    projects.require_running(project)
    return project


@bp.route("/service-days/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def new_service_day() -> Response:
    project = _project()
    form = activity_form(ServiceDayForm, None)
    if project is not None and not form.is_submitted():  # its unit: the link's ``unit=``
        form.title.data = project.name
    if form.validate_on_submit():
        if project is not None and not days.held_by(project, form.unit_id.unit):
            form.unit_id.errors = [days.NOT_THE_PROJECTS_UNIT]
        else:

            def create(values: dict[str, Any], by: User) -> ServiceDay:
                return days.create_service_day({**values, "project": project}, by)

            answer = create_answer(form, create, _show_url)  # type: ignore[arg-type]
            if answer is not None:
                return answer
    context = {"form": form, "record": None, "project": project, "status": form_status()}
    return render_page("volunteer/service_form.html", **context)


@bp.route("/service-days/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit_service_day(activity_id: int) -> Response:
    day = load_activity(activity_id, manage=True, model=ServiceDay)
    core.require_open(day)
    form = activity_form(ServiceDayForm, day)
    if form.validate_on_submit():
        apply = partial(days.apply_values, day)
        answer = edit_answer(form, apply, _show_url(day))
        if answer is not None:
            return answer
    context = {"form": form, "record": day, "project": day.project, "status": form_status()}
    return render_page("volunteer/service_form.html", **context)


@bp.route("/service-days/<int:activity_id>")
@login_required
def service_day(activity_id: int) -> Response:
    day = load_activity(activity_id, model=ServiceDay)
    project = day.project
    context = record_page(day, record=day, project_text=str(project) if project else "")
    context["project_link"] = project is not None and projects.keeps_project(current_user, project)
    return render_page("volunteer/service_day.html", **context)


@bp.route("/service-days/<int:activity_id>/hours/<int:row_id>", methods=["POST"])
@login_required
def own_hours(activity_id: int, row_id: int) -> Response:
    """A participant's own hours (empty: the day's), in place on the record page."""
    day = load_activity(activity_id, manage=True, model=ServiceDay)
    row = row_of(day, row_id)
    form = OwnHoursForm()
    valid = form.validate_on_submit()
    if not valid and not is_htmx():  # a page request goes back to the record with why
        raise Refused(next(iter(form.hours.errors), _("Some of the data is not valid.")), 422)
    if valid:
        hours = form.hours.data
        days.set_own_hours(row, Decimal(hours) if hours is not None else None)
        db.session.commit()
        if not is_htmx():
            return saved(_("The hours have been saved."), _show_url(day))
    context = {"activity": day, "row": row, "hours": days.credited(day, row), "form": form}
    return render_fragment("volunteer/_hours_row.html", 200 if valid else 422, **context)
