"""Run-time settings and the departments people belong to."""

import sqlalchemy as sa
from flask import flash, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app import settings
from app.admin.forms import DepartmentForm, display_value, settings_form
from app.admin.views.blueprint import bp
from app.auth.models import Role
from app.auth.policy import role_required
from app.extensions import db
from app.forms import BaseForm
from app.htmx import form_status, hx_redirect, render_page, saved
from app.people.models import Department, Person, department_order_by
from app.types import utcnow


def _setting_groups() -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for key, definition in settings.REGISTRY.items():
        groups.setdefault(str(definition.group or _("General")), []).append(key)
    return list(groups.items())


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings_edit() -> Response:
    current = settings.all_values()
    form = settings_form(settings.REGISTRY, current)
    if form.validate_on_submit():
        for key, value in form.parsed.items():
            if value != current[key]:
                settings.put(key, value)
        return saved(_("The settings have been saved."), url_for("admin.settings_edit"))
    return render_page(
        "admin/settings.html",
        form=form,
        groups=_setting_groups(),
        definitions=settings.REGISTRY,
        defaults={
            key: (_("Yes") if d.default else _("No"))
            if d.kind is bool
            else display_value(d.default, d)
            for key, d in settings.REGISTRY.items()
        },
        status=form_status(),
    )


def _department_or_404(department_id: int) -> Department:
    return db.get_or_404(Department, department_id)


def _department_name_taken(name: str, department: Department | None) -> bool:
    stmt = sa.select(Department.id).where(sa.func.lower(Department.name) == name.lower())
    if department is not None:
        stmt = stmt.where(Department.id != department.id)
    return db.session.scalar(stmt) is not None


@bp.route("/departments/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def departments() -> Response:
    """The departments people belong to (办公室, 科技股…): list, add, rename, retire."""
    form = DepartmentForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if _department_name_taken(name, None):
            form.name.errors.append(_("A department with this name exists."))
        else:
            db.session.add(Department(name=name, sort_order=form.sort_order.data or 0))
            return saved(_("%(name)s has been added.", name=name), url_for("admin.departments"))
    people = (
        sa.select(Person.department_id, sa.func.count())
        .where(Person.transferred_out_on.is_(None))
        .group_by(Person.department_id)
    )
    counts = dict(db.session.execute(people).all())
    rows = db.session.scalars(
        sa.select(Department).order_by(Department.deleted_at.is_not(None), *department_order_by())
    ).all()
    return render_page(
        "admin/departments.html", form=form, departments=rows, counts=counts, status=form_status()
    )


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def department_edit(department_id: int) -> Response:
    department = _department_or_404(department_id)
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        name = form.name.data.strip()
        if _department_name_taken(name, department):
            form.name.errors.append(_("A department with this name exists."))
        else:
            department.name = name
            department.sort_order = form.sort_order.data or 0
            return saved(_("The changes have been saved."), url_for("admin.departments"))
    return render_page(
        "admin/department_form.html", form=form, department=department, status=form_status()
    )


@bp.route("/departments/<int:department_id>/retire", methods=["POST"])
@role_required(Role.ADMIN)
def department_retire(department_id: int) -> Response:
    """A retired department keeps the people recorded in it but is no longer offered."""
    department = _department_or_404(department_id)
    if BaseForm().validate_on_submit():
        department.deleted_at = None if department.deleted_at is not None else utcnow()
        db.session.commit()
        if department.deleted_at is None:
            flash(_("%(name)s is offered again.", name=department.name), "success")
        else:
            flash(
                _(
                    "%(name)s is no longer offered; people recorded in it keep it.",
                    name=department.name,
                ),
                "success",
            )
    return hx_redirect(url_for("admin.departments"))
