"""The projects' categories (admin): the shipped five and the bureau's own, added, retired or
offered again — never renamed, so a project keeps the category it was recorded under."""

import sqlalchemy as sa
from flask import Response, flash, url_for
from flask_babel import gettext as _

from app.auth.models import Role
from app.auth.policy import require, role_required
from app.extensions import db
from app.forms import BaseForm
from app.htmx import form_status, hx_redirect, render_page, saved
from app.types import utcnow
from app.volunteer.forms import CategoryForm
from app.volunteer.loading import bp
from app.volunteer.models import Project, ProjectCategory


@bp.route("/categories", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def categories() -> Response:
    form = CategoryForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        taken = sa.select(ProjectCategory.id).where(
            sa.func.lower(ProjectCategory.name) == name.lower()
        )
        labels = {
            str(category.label).lower()
            for category in db.session.scalars(sa.select(ProjectCategory))
        }
        if db.session.scalar(taken) is not None or name.lower() in labels:
            form.name.errors.append(_("A category with this name exists."))
        else:
            db.session.add(ProjectCategory(name=name))
            return saved(_("%(name)s has been added.", name=name), url_for("volunteer.categories"))
    used = dict(
        db.session.execute(
            sa.select(Project.category_id, sa.func.count())
            .where(Project.deleted_at.is_(None))
            .group_by(Project.category_id)
        ).all()
    )
    rows = db.session.scalars(
        sa.select(ProjectCategory).order_by(
            ProjectCategory.retired_at.is_not(None), ProjectCategory.place, ProjectCategory.id
        )
    ).all()
    context = {"form": form, "categories": rows, "used": used}
    return render_page("volunteer/categories.html", status=form_status(), **context)


@bp.route("/categories/<int:category_id>/retire", methods=["POST"])
@role_required(Role.ADMIN)
def category_retire(category_id: int) -> Response:
    """Retired, it is no longer offered for new projects; those recorded under it keep it."""
    category = db.session.get(ProjectCategory, category_id)
    require(category is not None)
    if BaseForm().validate_on_submit():
        category.retired_at = None if category.retired_at is not None else utcnow()  # type: ignore[union-attr]
        db.session.commit()
        if category.retired_at is None:  # type: ignore[union-attr]
            flash(_("%(name)s is offered again.", name=category.label), "success")  # type: ignore[union-attr]
        else:
            message = _(
                "%(name)s is no longer offered; projects recorded in it keep it.",
                name=category.label,
            )  # type: ignore[union-attr]
            flash(message, "success")
    return hx_redirect(url_for("volunteer.categories"))
