"""Org units: the tree, a unit's form, deactivating and restoring."""

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.admin import services
from app.admin.forms import UnitForm
from app.admin.views.blueprint import apply_errors, bp, committed
from app.auth.models import Role
from app.auth.policy import role_required
from app.extensions import db
from app.htmx import answer, hx_redirect, render_page, set_back
from app.people.models import ALLOWED_PARENT, OrgUnit, UnitKind
from app.people.tree import TreeRow
from app.queries import int_arg, text_arg
from app.refusals import Refused
from app.types import local_today


def _unit_row_context(unit: OrgUnit) -> dict[str, Any]:
    depth = 0
    seen = {unit.id}
    ancestor = unit.parent
    while ancestor is not None and ancestor.id not in seen:
        seen.add(ancestor.id)
        depth += 1
        ancestor = ancestor.parent
    counts = services.current_member_counts(local_today())
    return {"row": TreeRow(unit, depth), "counts": counts}


@bp.route("/units/")
@role_required(Role.ADMIN)
def units() -> Response:
    search = text_arg("q").strip()
    page = services.unit_tree_page(search, local_today())
    return render_page(
        "admin/units.html",
        "admin/_unit_tree.html",
        page=page,
        search=search,
        counts=page.counts,
    )


def _unit_form_result(form: UnitForm, unit: OrgUnit | None) -> Response | None:
    """Validate and save; None when the form is to be shown again."""
    if not form.validate_on_submit():
        return None
    code = form.code.data.strip()
    kind = UnitKind(form.kind.data)
    parent = form.parent_id.unit if form.parent_id.data else None
    errors = services.check_unit(unit, code, kind, parent)
    if errors:
        apply_errors(form, errors)
        return None
    is_new = unit is None
    if unit is None:
        unit = OrgUnit()
        db.session.add(unit)
    unit.code = code
    unit.name = form.name.data.strip()
    unit.kind = kind
    unit.parent = parent
    unit.sort_order = form.sort_order.data or 0
    if not committed():
        form.code.errors.append(_("Another unit already has this code."))
        return None
    if is_new:
        flash(_("%(name)s has been created.", name=unit.name), "success")
    else:
        flash(_("The changes to %(name)s have been saved.", name=unit.name), "success")
    return hx_redirect(url_for("admin.unit_show", unit_id=unit.id))


@bp.route("/units/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def unit_new() -> Response:
    form = UnitForm()
    if request.method == "GET":
        parent_id = int_arg("parent")
        parent = db.session.get(OrgUnit, parent_id) if parent_id else None
        if parent is not None and parent.deleted_at is None:
            form.parent_id.data = parent.id
            child_kinds = [k for k, p in ALLOWED_PARENT.items() if p is parent.kind]
            if child_kinds:
                form.kind.data = child_kinds[-1].value
        else:
            form.kind.data = UnitKind.BRANCH.value
    form.offer_parents(current_user, None)
    done = _unit_form_result(form, None)
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_page("admin/unit_form.html", form=form, unit=None, status=status)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def unit_edit(unit_id: int) -> Response:
    unit = db.get_or_404(OrgUnit, unit_id)
    form = UnitForm(obj=unit)
    if request.method == "GET":
        form.kind.data = unit.kind.value
        form.parent_id.data = unit.parent_id or 0
    form.offer_parents(current_user, unit)
    done = _unit_form_result(form, unit)
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_page("admin/unit_form.html", form=form, unit=unit, status=status)


def _from_tree() -> bool:
    return request.form.get("from") == "tree"


def _back_from_unit_action(unit: OrgUnit) -> str:
    if _from_tree():
        return url_for("admin.units")
    return url_for("admin.unit_show", unit_id=unit.id)


def _unit_action_answer(unit: OrgUnit) -> Response:
    """After deactivating or restoring: the tree row in place, else back to where it was asked."""
    if _from_tree():
        return answer("admin/_unit_row.html", url_for("admin.units"), **_unit_row_context(unit))
    return redirect(url_for("admin.unit_show", unit_id=unit.id), 303)


@bp.route("/units/<int:unit_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def unit_deactivate(unit_id: int) -> Response:
    return _unit_action(
        unit_id,
        lambda unit: services.deactivation_problem(unit, local_today()),
        services.deactivate_unit,
        lambda unit: _("%(name)s has been deactivated; it can be restored.", name=unit.name),
    )


@bp.route("/units/<int:unit_id>/restore", methods=["POST"])
@role_required(Role.ADMIN)
def unit_restore(unit_id: int) -> Response:
    return _unit_action(
        unit_id,
        services.restore_problem,
        services.restore_unit,
        lambda unit: _("%(name)s has been restored.", name=unit.name),
    )


def _unit_action(
    unit_id: int,
    problem_of: Callable[[OrgUnit], str | None],
    change: Callable[[OrgUnit], None],
    done: Callable[[OrgUnit], str],
) -> Response:
    """Deactivate or restore a unit: refused with the problem when there is one."""
    unit = db.get_or_404(OrgUnit, unit_id)
    problem = problem_of(unit)
    if problem is not None:
        set_back(_back_from_unit_action(unit))
        raise Refused(problem)
    change(unit)
    db.session.commit()
    flash(done(unit), "success")
    return _unit_action_answer(unit)
