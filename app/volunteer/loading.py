"""The projects' blueprint and how a project is loaded for the one asking: read, or kept."""

import sqlalchemy as sa
from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.auth.policy import require, require_role
from app.extensions import db
from app.htmx import set_back
from app.volunteer import projects
from app.volunteer.models import ProgressEntry, Project

bp = Blueprint("volunteer", __name__)

CHANGED_MEANWHILE = _l("This project was changed at the same time. Check it again.")


def load(project_id: int) -> Project:
    """A live project the user may open; anyone else is told it does not exist."""
    stmt = (
        sa.select(Project)
        .where(Project.id == project_id)
        .options(
            joinedload(Project.unit),
            joinedload(Project.category),
            joinedload(Project.leader),
            joinedload(Project.person),
            joinedload(Project.acceptance),
            selectinload(Project.entries).joinedload(ProgressEntry.by),
        )
    )
    project = db.session.scalar(stmt)
    require(project is not None and projects.may_view_project(current_user, project))
    set_back(url_for("volunteer.show", project_id=project_id))
    return project  # type: ignore[return-value]


def kept(project_id: int) -> Project:
    """A project the user keeps: its responsible people read it, never change it."""
    project = load(project_id)
    require_role(projects.keeps_project(current_user, project))
    return project
