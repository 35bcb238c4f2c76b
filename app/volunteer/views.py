"""Projects 为群众办实事: the list, recording and changing one, and its page with the timeline of
its progress, its acceptance and what may be done next (``lifecycle.py``)."""

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app import settings
from app.auth.models import Role
from app.auth.policy import require, role_required, subtree_ids
from app.evidence import services as files
from app.extensions import db
from app.htmx import commit, form_status, render_page, saved
from app.people.unit_picker import filter_units
from app.queries import int_arg, paginate, text_arg
from app.refusals import Refused
from app.reports.figures import activity_counts
from app.types import local_today, utcnow
from app.volunteer import category_views as _categories  # noqa: F401 - the admin's categories
from app.volunteer import lifecycle as _lifecycle  # noqa: F401 - the project's actions
from app.volunteer import print_views as _print  # noqa: F401 - the printables
from app.volunteer import projects
from app.volunteer import proposal_views as _proposals  # noqa: F401 - a member's own pledges
from app.volunteer import service_views as _service  # noqa: F401 - service days
from app.volunteer import unit_views as _units  # noqa: F401 - the admin's table of units
from app.volunteer.figures import of_year, open_lines
from app.volunteer.forms import CancelForm, CompleteForm, EntryForm, ProjectForm
from app.volunteer.loading import CHANGED_MEANWHILE, bp, kept, load
from app.volunteer.models import Project, ProjectCategory, ProjectStatus
from app.volunteer.rules import DUE_SOON
from app.volunteer.service_days import days_of_project

YEARS_SHOWN = 8
# The status filter's own values: planned completion passed, or within the due-soon days,
# and not done.
OVERDUE, DUE = "overdue", "due"


def _filters() -> dict[str, Any]:
    year = int_arg("year")
    if year is not None and not 1900 <= year <= 2100:
        year = None
    status = text_arg("status")
    if status not in {s.value for s in ProjectStatus} | {OVERDUE, DUE}:
        status = None
    return {
        "year": year,
        "status": status,
        "category": int_arg("category"),
        "unit": int_arg("unit"),
    }


def _listed(filters: dict[str, Any]) -> sa.Select:
    p = Project
    stmt = sa.select(p).where(p.deleted_at.is_(None), projects.visible_clause(current_user))
    if filters["year"] is not None:
        stmt = stmt.where(of_year(filters["year"]))
    if filters["status"] == DUE:
        soon = local_today() + timedelta(days=settings.get(DUE_SOON.key))
        stmt = stmt.where(
            p.cancelled_at.is_(None),
            p.status.in_([ProjectStatus.NOT_STARTED, ProjectStatus.IN_PROGRESS]),
            p.planned_end >= local_today(),
            p.planned_end <= soon,
        )
    elif filters["status"] == OVERDUE:
        stmt = stmt.where(
            p.cancelled_at.is_(None),
            p.status.in_([ProjectStatus.NOT_STARTED, ProjectStatus.IN_PROGRESS]),
            p.planned_end < local_today(),
        )
    elif filters["status"] is not None:
        stmt = stmt.where(p.status == ProjectStatus(filters["status"]))
    if filters["category"] is not None:
        stmt = stmt.where(p.category_id == filters["category"])
    if filters["unit"] is not None:  # the unit with the units below
        stmt = stmt.where(p.unit_id.in_(subtree_ids(sa.select(sa.literal(filters["unit"])))))
    return stmt.order_by(p.planned_start.desc(), p.id.desc())


@bp.app_template_global()
def volunteer_line() -> dict[str, Any]:
    """The dashboard's line: for a secretary, each of their units' open projects, those overdue
    and those due soon; for the admin, the bureau's."""
    today, due = local_today(), settings.get(DUE_SOON.key)
    if current_user.role is Role.ADMIN:
        return {"bureau": open_lines(None, today, due)[None], "units": [], "due_days": due}
    units = [unit for unit in current_user.units if unit.deleted_at is None]
    lines = open_lines([unit.id for unit in units], today, due)
    return {"bureau": None, "units": [(unit, lines[unit.id]) for unit in units], "due_days": due}


@bp.route("/")
@login_required
def index() -> Response:
    filters = _filters()
    stmt = _listed(filters).options(
        joinedload(Project.unit), joinedload(Project.category), joinedload(Project.person)
    )
    categories = db.session.scalars(
        sa.select(ProjectCategory).order_by(ProjectCategory.place, ProjectCategory.id)
    ).all()
    today = local_today()
    context: dict[str, Any] = {
        "page": paginate(stmt),
        "filters": filters,
        "statuses": ProjectStatus,
        "categories": categories,
        "years": range(today.year + 1, today.year - YEARS_SHOWN, -1),
        "today": today,
        "can_create": current_user.role is not Role.MEMBER,
        "units": filter_units(current_user, filters["unit"])
        if current_user.role is not Role.MEMBER
        else [],
    }
    return render_page("volunteer/index.html", "volunteer/_list.html", **context)


def _form(project: Project | None) -> ProjectForm:
    form = ProjectForm(obj=project, project=project)
    if request.method == "GET":
        if project is not None:
            form.show_record(project)
        else:
            form.unit_id.data = int_arg("unit")
            form.planned_start.data = local_today()
    keep = [project.unit_id] if project is not None else []
    offered = form.unit_id.offer(current_user, keep=keep, first=project is None)
    if form.unit_id.unit is None and offered.units and request.method == "GET":
        form.unit_id.data = offered.units[0].id
    return form


def _form_page(form: ProjectForm, project: Project | None, file_error: str = "") -> Response:
    status = 422 if file_error else form_status()
    context = {"form": form, "project": project, "file_error": file_error}
    return render_page("volunteer/form.html", status=status, **context)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def new() -> Response:
    form = _form(None)
    if form.validate_on_submit():
        unit = form.unit_id.unit
        require(unit is not None)
        uploads = files.sent_files()
        try:
            project = projects.create_project(form.values(), unit, current_user)  # type: ignore[arg-type]
            files.attach_all(uploads, volunteer_project=project, by=current_user)
        except Refused as refused:
            db.session.rollback()
            return _form_page(form, None, str(refused.message))
        message = _("Project %(number)s has been recorded.", number=project.number)
        return saved(message, url_for("volunteer.show", project_id=project.id))
    return _form_page(form, None)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit(project_id: int) -> Response:
    project = kept(project_id)
    projects.require_open(project)
    form = _form(project)
    if form.validate_on_submit():
        unit = form.unit_id.unit
        require(unit is not None)
        uploads = files.sent_files()
        try:
            project.unit = unit  # type: ignore[assignment]
            projects.apply_values(project, form.values())
            db.session.flush()
            files.attach_all(uploads, volunteer_project=project, by=current_user)
        except Refused as refused:
            db.session.rollback()
            return _form_page(form, load(project_id), str(refused.message))
        commit(CHANGED_MEANWHILE)
        return saved(
            _("The changes have been saved."), url_for("volunteer.show", project_id=project_id)
        )
    return _form_page(form, project)


@bp.route("/<int:project_id>")
@login_required
def show(project_id: int) -> Response:
    project = load(project_id)
    keeps = projects.keeps_project(current_user, project)
    entry_ids = [entry.id for entry in project.entries]
    entry_files: dict[int, list[Any]] = {}
    for item in files.live_evidence("project_progress", entry_ids):
        entry_files.setdefault(item.project_progress_id, []).append(item)
    acceptance = project.acceptance
    service_days = days_of_project(project)
    context: dict[str, Any] = {
        "project": project,
        "service_days": service_days,
        "service_counts": activity_counts(day.id for day in service_days),
        "now": utcnow(),
        "keeps": keeps,
        "may_change_proposal": projects.may_change_proposal(current_user, project),
        "open": project.cancelled_at is None and project.status is not ProjectStatus.CLOSED,
        "today": local_today(),
        "evidence": files.live_evidence("volunteer_project", [project.id]),
        "entry_files": entry_files,
        "acceptance_files": files.live_evidence("project_acceptance", [acceptance.id])
        if acceptance
        else [],
        "entry_form": EntryForm(formdata=None, done_on=local_today()),
        "complete_form": CompleteForm(formdata=None, completed_on=local_today()),
        "cancel_form": CancelForm(formdata=None),
        "remove_url": files.remove_url,
    }
    return render_page("volunteer/show.html", **context)
