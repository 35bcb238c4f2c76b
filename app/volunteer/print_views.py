"""The printables as Word files: a project's acceptance form and satisfaction survey (for those
who may read the project), and a unit's notice-board list of the year's projects (its keepers)."""

import sqlalchemy as sa
from flask import Response
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app.auth.models import Role
from app.auth.policy import require, role_required, subtree_ids, units_for_choice
from app.extensions import db
from app.files import word
from app.files.document_docx import to_docx
from app.queries import int_arg
from app.types import local_today
from app.volunteer.documents import acceptance_form, notice_list, survey_form
from app.volunteer.figures import of_year
from app.volunteer.loading import bp, load
from app.volunteer.models import Project


@bp.route("/<int:project_id>/acceptance.docx")
@login_required
def acceptance_docx(project_id: int) -> Response:
    project = load(project_id)
    name = word.filename(_("Acceptance form"), project.number)
    return word.send_docx(to_docx(acceptance_form(project)), name)


@bp.route("/<int:project_id>/survey.docx")
@login_required
def survey_docx(project_id: int) -> Response:
    project = load(project_id)
    name = word.filename(_("Satisfaction survey"), project.number)
    return word.send_docx(to_docx(survey_form(project)), name)


@bp.route("/notice.docx")
@role_required(Role.ADMIN, Role.SECRETARY)
def notice_docx() -> Response:
    """The unit's (its units below included) projects of the year, cancelled ones aside."""
    units = {unit.id: unit for unit in units_for_choice(current_user)}
    unit_id = int_arg("unit") or next(iter(units), None)
    require(unit_id in units)
    unit = units[unit_id]  # type: ignore[index]
    today = local_today()
    year = int_arg("year") or today.year
    require(1900 <= year <= today.year + 1)
    stmt = (
        sa.select(Project)
        .where(
            Project.deleted_at.is_(None),
            Project.cancelled_at.is_(None),
            Project.unit_id.in_(subtree_ids(sa.select(sa.literal(unit.id)))),
            of_year(year),
        )
        .order_by(Project.number)
        .options(joinedload(Project.unit), joinedload(Project.category), joinedload(Project.person))
    )
    rows = list(db.session.scalars(stmt))
    name = word.filename(_("Public notice"), str(year), unit.name)
    return word.send_docx(to_docx(notice_list(unit, year, rows)), name)
