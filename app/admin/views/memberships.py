"""A unit's page with its memberships: adding, ending, removing and restoring one."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, joinedload
from werkzeug.wrappers import Response

from app.admin import services
from app.admin.forms import EndMembershipForm, MembershipForm
from app.admin.views.blueprint import apply_errors, bp
from app.auth.models import Role, User
from app.auth.policy import role_required
from app.extensions import db
from app.htmx import answer, hx_redirect, render_page, set_back
from app.locale_text import fmt_date
from app.people import memberships
from app.people.models import POST_ORDER, Membership, MembershipRole, OrgUnit, Person
from app.queries import paginate, text_arg
from app.refusals import Refused
from app.types import local_today


def _memberships_page(unit: OrgUnit, removed: bool, today: date) -> Pagination:
    """Current first (committee posts before members), then upcoming, then past (latest first)."""
    state = sa.case(
        (Membership.start_date > today, 1),
        (sa.or_(Membership.end_date.is_(None), Membership.end_date > today), 0),
        else_=2,
    )
    rank = sa.case(
        *[(Membership.role == role, position) for position, role in enumerate(POST_ORDER)],
        else_=len(POST_ORDER),
    )
    stmt = (
        sa.select(Membership)
        .join(Membership.person)
        .options(contains_eager(Membership.person))
        .where(Membership.unit_id == unit.id)
    )
    if removed:
        stmt = stmt.where(Membership.deleted_at.is_not(None)).order_by(
            Membership.deleted_at.desc(), Person.sort_key
        )
    else:
        stmt = stmt.where(Membership.deleted_at.is_(None)).order_by(
            state,
            sa.case((state == 2, 0), else_=rank),
            Membership.end_date.desc().nulls_last(),
            Membership.start_date.desc(),
            Person.sort_key,
        )
    return paginate(stmt)


def _unit_page_context(unit: OrgUnit, form: MembershipForm) -> dict[str, Any]:
    today = local_today()
    removed = text_arg("removed") == "1"
    removed_count = db.session.scalar(
        sa.select(sa.func.count(Membership.id)).where(
            Membership.unit_id == unit.id, Membership.deleted_at.is_not(None)
        )
    )
    return {
        "unit": unit,
        "form": form,
        "page": _memberships_page(unit, removed, today),
        "removed": removed,
        "removed_count": removed_count,
        "children": services.active_children(unit),
        "current_count": services.current_member_counts(today).get(unit.id, 0),
        "accounts": list(
            db.session.scalars(
                sa.select(User)
                .join(User.units)
                .where(OrgUnit.id == unit.id)
                .options(joinedload(User.person))
                .order_by(User.username)
            )
        ),
        "today": today,
    }


@bp.route("/units/<int:unit_id>")
@role_required(Role.ADMIN)
def unit_show(unit_id: int) -> Response:
    unit = db.get_or_404(OrgUnit, unit_id)
    context = _unit_page_context(unit, MembershipForm())
    return render_page("admin/unit.html", "admin/_memberships.html", **context)


@bp.route("/units/<int:unit_id>/memberships", methods=["POST"])
@role_required(Role.ADMIN)
def membership_new(unit_id: int) -> Response:
    unit = db.get_or_404(OrgUnit, unit_id)
    if unit.deleted_at is not None:
        set_back(url_for("admin.unit_show", unit_id=unit.id))
        raise Refused(
            _("%(name)s is deactivated; restore it before adding people.", name=unit.name)
        )
    form = MembershipForm()
    if form.validate_on_submit():
        person = form.person_code.person
        if person is not None:
            role = MembershipRole(form.role.data)
            errors = memberships.check_new_membership(
                person, unit, role, form.start_date.data, form.end_date.data
            )
            if errors:
                apply_errors(form, errors)
            else:
                memberships.add_membership(
                    person, unit, role, form.start_date.data, form.end_date.data
                )
                db.session.commit()
                flash(
                    _(
                        "%(person)s has been added to %(unit)s as %(role)s.",
                        person=person.name,
                        unit=unit.name,
                        role=role.label,
                    ),
                    "success",
                )
                return hx_redirect(url_for("admin.unit_show", unit_id=unit.id))
    context = _unit_page_context(unit, form)
    return render_page("admin/unit.html", "admin/_membership_form.html", status=422, **context)


def _membership_or_404(membership_id: int) -> Membership:
    return db.one_or_404(
        sa.select(Membership)
        .where(Membership.id == membership_id)
        .options(joinedload(Membership.person), joinedload(Membership.unit))
    )


def _membership_done(membership: Membership) -> Response:
    """After a row action: the row in place for htmx, else the unit's page."""
    return answer(
        "admin/_membership_row.html",
        url_for("admin.unit_show", unit_id=membership.unit_id),
        membership=membership,
        today=local_today(),
    )


@bp.route("/memberships/<int:membership_id>/end", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def membership_end(membership_id: int) -> Response:
    membership = _membership_or_404(membership_id)
    set_back(url_for("admin.unit_show", unit_id=membership.unit_id))
    today = local_today()
    if membership.deleted_at is not None:
        raise Refused(_("This membership has been removed; restore it first."))
    if membership.end_date is not None and membership.end_date <= today:
        raise Refused(
            _("This membership already ended on %(date)s.", date=fmt_date(membership.end_date))
        )
    form = EndMembershipForm()
    if form.validate_on_submit():
        errors = memberships.check_end(membership, form.end_date.data)
        if errors:
            apply_errors(form, errors)
        else:
            memberships.end_membership(membership, form.end_date.data)
            db.session.commit()
            flash(
                _(
                    "%(person)s is in %(unit)s until %(date)s (the first day out).",
                    person=membership.person.name,
                    unit=membership.unit.name,
                    date=fmt_date(membership.end_date),
                ),
                "success",
            )
            return _membership_done(membership)
    status = 422 if request.method == "POST" else 200
    return render_page(
        "admin/membership_end.html",
        "admin/_membership_row.html",
        status=status,
        membership=membership,
        end_form=form,
        today=today,
    )


@bp.route("/memberships/<int:membership_id>/remove", methods=["POST"])
@role_required(Role.ADMIN)
def membership_remove(membership_id: int) -> Response:
    membership = _membership_or_404(membership_id)
    if membership.deleted_at is None:
        memberships.remove_membership(membership)
        db.session.commit()
        flash(
            _(
                "The membership of %(person)s in %(unit)s has been removed; it no longer counts "
                "anywhere and can be restored.",
                person=membership.person.name,
                unit=membership.unit.name,
            ),
            "success",
        )
    return _membership_done(membership)


@bp.route("/memberships/<int:membership_id>/restore", methods=["POST"])
@role_required(Role.ADMIN)
def membership_restore(membership_id: int) -> Response:
    membership = _membership_or_404(membership_id)
    problem = memberships.restore_membership_problem(membership)
    if problem is not None:
        set_back(url_for("admin.unit_show", unit_id=membership.unit_id))
        raise Refused(problem)
    if membership.deleted_at is not None:
        memberships.restore_membership(membership)
        db.session.commit()
        flash(
            _(
                "The membership of %(person)s in %(unit)s has been restored.",
                person=membership.person.name,
                unit=membership.unit.name,
            ),
            "success",
        )
    return _membership_done(membership)
