"""Org units, memberships, accounts and settings (admin only)."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from werkzeug.wrappers import Response

from app import settings
from app.admin import services
from app.admin.forms import (
    AccountEditForm,
    AccountForm,
    DepartmentForm,
    EndMembershipForm,
    MembershipForm,
    PasswordResetForm,
    UnitForm,
    display_value,
    settings_form,
)
from app.auth.models import Role, User
from app.auth.policy import role_required
from app.auth.services import generate_password
from app.extensions import db
from app.forms import BaseForm
from app.htmx import hx_redirect, only_flashes, render_fragment, render_page, wants_fragment
from app.people import memberships
from app.people.models import (
    ALLOWED_PARENT,
    Department,
    Membership,
    MembershipRole,
    OrgUnit,
    Person,
    UnitKind,
)
from app.queries import contains, int_arg, paginate, text_arg
from app.templating import fmt_date
from app.types import local_today, utcnow

bp = Blueprint("admin", __name__)


def _refused(message: str, back: str) -> Response:
    """A rule forbids the action: the message, the page unchanged."""
    flash(message, "danger")
    if wants_fragment():
        return only_flashes(409)
    return redirect(back, 303)


def _committed() -> bool:
    """Commit; False when a unique value was taken by a concurrent request since the check."""
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return False
    return True


def _apply_errors(form: BaseForm, errors: dict[str, Any]) -> None:
    for name, message in errors.items():
        getattr(form, name).errors.append(message)


def _count(column: sa.ColumnElement, *conditions: sa.ColumnElement[bool]) -> sa.ScalarSelect:
    return sa.select(sa.func.count(column)).where(*conditions).scalar_subquery()


@bp.route("/")
@role_required(Role.ADMIN)
def index() -> Response:
    today = local_today()
    counts = db.session.execute(
        sa.select(
            _count(OrgUnit.id, OrgUnit.deleted_at.is_(None)).label("units"),
            _count(OrgUnit.id, OrgUnit.deleted_at.is_not(None)).label("units_deactivated"),
            _count(Membership.id, Membership.on_date(today)).label("memberships"),
            _count(User.id, User.active.is_(True)).label("accounts"),
            _count(User.id, User.active.is_(False)).label("accounts_inactive"),
        )
    ).one()
    changed = sum(
        1 for key, value in settings.all_values().items() if value != settings.REGISTRY[key].default
    )
    return render_page(
        "admin/index.html",
        counts=counts,
        settings_changed=changed,
        settings_total=len(settings.REGISTRY),
    )


def _unit_row_context(unit: OrgUnit) -> dict[str, Any]:
    depth = 0
    seen = {unit.id}
    ancestor = unit.parent
    while ancestor is not None and ancestor.id not in seen:
        seen.add(ancestor.id)
        depth += 1
        ancestor = ancestor.parent
    counts = services.current_member_counts(local_today())
    return {"row": services.TreeRow(unit, depth), "counts": counts}


@bp.route("/units/")
@role_required(Role.ADMIN)
def units() -> Response:
    rows = services.unit_tree()
    return render_page(
        "admin/units.html",
        rows=rows,
        counts=services.current_member_counts(local_today()),
    )


def _parent_choices(unit: OrgUnit | None) -> list[tuple[int, str]]:
    extra = [unit.parent] if unit is not None and unit.parent is not None else []
    choices = services.unit_choices(extra)
    if unit is None:
        return choices
    # A unit never sits under itself; deeper cycles are caught by the check with a clear message.
    return [(value, label) for value, label in choices if value != unit.id]


def _unit_form_result(form: UnitForm, unit: OrgUnit | None) -> Response | None:
    """Validate and save; None when the form is to be shown again."""
    if not form.validate_on_submit():
        return None
    code = form.code.data.strip()
    kind = UnitKind(form.kind.data)
    parent = db.session.get(OrgUnit, form.parent_id.data) if form.parent_id.data else None
    errors = services.check_unit(unit, code, kind, parent)
    if errors:
        _apply_errors(form, errors)
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
    if not _committed():
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
    form = UnitForm(parents=_parent_choices(None))
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
    done = _unit_form_result(form, None)
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_page("admin/unit_form.html", form=form, unit=None, status=status)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def unit_edit(unit_id: int) -> Response:
    unit = db.get_or_404(OrgUnit, unit_id)
    form = UnitForm(obj=unit, parents=_parent_choices(unit))
    if request.method == "GET":
        form.kind.data = unit.kind.value
        form.parent_id.data = unit.parent_id or 0
    done = _unit_form_result(form, unit)
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_page("admin/unit_form.html", form=form, unit=unit, status=status)


def _unit_action_answer(unit: OrgUnit) -> Response:
    """After deactivating or restoring: the tree row in place, else back to where it was asked."""
    if wants_fragment():
        if request.form.get("from") == "tree":
            return render_fragment("admin/_unit_row.html", **_unit_row_context(unit))
        return hx_redirect(url_for("admin.unit_show", unit_id=unit.id))
    if request.form.get("from") == "tree":
        return redirect(url_for("admin.units"), 303)
    return redirect(url_for("admin.unit_show", unit_id=unit.id), 303)


def _back_from_unit_action(unit: OrgUnit) -> str:
    if request.form.get("from") == "tree":
        return url_for("admin.units")
    return url_for("admin.unit_show", unit_id=unit.id)


@bp.route("/units/<int:unit_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def unit_deactivate(unit_id: int) -> Response:
    unit = db.get_or_404(OrgUnit, unit_id)
    problem = services.deactivation_problem(unit, local_today())
    if problem is not None:
        return _refused(problem, _back_from_unit_action(unit))
    services.deactivate_unit(unit)
    db.session.commit()
    flash(_("%(name)s has been deactivated; it can be restored.", name=unit.name), "success")
    return _unit_action_answer(unit)


@bp.route("/units/<int:unit_id>/restore", methods=["POST"])
@role_required(Role.ADMIN)
def unit_restore(unit_id: int) -> Response:
    unit = db.get_or_404(OrgUnit, unit_id)
    problem = services.restore_problem(unit)
    if problem is not None:
        return _refused(problem, _back_from_unit_action(unit))
    services.restore_unit(unit)
    db.session.commit()
    flash(_("%(name)s has been restored.", name=unit.name), "success")
    return _unit_action_answer(unit)


def _memberships_page(unit: OrgUnit, removed: bool, today: date) -> Pagination:
    """Current first (committee posts before members), then upcoming, then past (latest first)."""
    state = sa.case(
        (Membership.start_date > today, 1),
        (sa.or_(Membership.end_date.is_(None), Membership.end_date > today), 0),
        else_=2,
    )
    posts = [
        MembershipRole.SECRETARY,
        MembershipRole.DEPUTY_SECRETARY,
        MembershipRole.ORGANISATION,
        MembershipRole.PUBLICITY,
        MembershipRole.DISCIPLINE,
        MembershipRole.COMMITTEE,
        MembershipRole.GROUP_LEADER,
        MembershipRole.MEMBER,
        MembershipRole.STAFF,
    ]
    rank = sa.case(
        *[(Membership.role == role, position) for position, role in enumerate(posts)],
        else_=len(posts),
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
        return _refused(
            _("%(name)s is deactivated; restore it before adding people.", name=unit.name),
            url_for("admin.unit_show", unit_id=unit.id),
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
                _apply_errors(form, errors)
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


def _membership_row(membership: Membership) -> Response:
    return render_fragment("admin/_membership_row.html", membership=membership, today=local_today())


def _membership_done(membership: Membership) -> Response:
    """After a row action: the row in place for htmx, else the unit's page."""
    if wants_fragment():
        return _membership_row(membership)
    return redirect(url_for("admin.unit_show", unit_id=membership.unit_id), 303)


@bp.route("/memberships/<int:membership_id>/end", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def membership_end(membership_id: int) -> Response:
    membership = _membership_or_404(membership_id)
    back = url_for("admin.unit_show", unit_id=membership.unit_id)
    today = local_today()
    if membership.deleted_at is not None:
        return _refused(_("This membership has been removed; restore it first."), back)
    if membership.end_date is not None and membership.end_date <= today:
        return _refused(
            _(
                "This membership already ended on %(date)s.",
                date=fmt_date(membership.end_date),
            ),
            back,
        )
    form = EndMembershipForm()
    if form.validate_on_submit():
        errors = memberships.check_end(membership, form.end_date.data)
        if errors:
            _apply_errors(form, errors)
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
            if wants_fragment():
                return _membership_row(membership)
            return redirect(back, 303)
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
        return _refused(problem, url_for("admin.unit_show", unit_id=membership.unit_id))
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


@bp.route("/accounts/")
@role_required(Role.ADMIN)
def accounts() -> Response:
    q = text_arg("q").strip()[:60]
    role = text_arg("role")
    role = role if role in {r.value for r in Role} else ""
    state = text_arg("state")
    state = state if state in ("active", "inactive") else ""
    stmt = sa.select(User).outerjoin(User.person)
    if q:
        stmt = stmt.where(sa.or_(contains(User.username, q), contains(Person.name, q)))
    if role:
        stmt = stmt.where(User.role == Role(role))
    if state:
        stmt = stmt.where(User.active.is_(state == "active"))
    stmt = stmt.options(contains_eager(User.person), selectinload(User.units)).order_by(
        User.username
    )
    page = paginate(stmt)
    return render_page(
        "admin/accounts.html",
        "admin/_accounts.html",
        page=page,
        filters={"q": q, "role": role, "state": state},
        roles=Role,
    )


def _account_units(account: User | None = None) -> list[tuple[int, str]]:
    return services.unit_choices(account.units if account is not None else ())


def _check_person(form: AccountForm | AccountEditForm, account: User | None) -> Person | None:
    """The person the form names, checked; errors land on the field. None: no person (or bad)."""
    person = form.person_code.person
    if person is None:
        return None
    holder = services.account_of(person)
    if holder is not None and (account is None or holder.id != account.id):
        form.person_code.errors.append(
            _(
                "%(name)s already has an account (%(username)s); a person has at most one.",
                name=person.name,
                username=holder.username,
            )
        )
        return None
    # What an account already is stays editable (e.g. to deactivate it) even when the person has
    # since left or changed status; only a new link or a new member role is checked.
    person_changed = account is None or account.person_id != person.id
    becomes_member = form.role.data == Role.MEMBER.value and (
        person_changed or account.role is not Role.MEMBER
    )
    if person_changed and not person.is_active:
        form.person_code.errors.append(
            _("%(name)s has been transferred out; they get no new account.", name=person.name)
        )
        return None
    if becomes_member and not person.party_status.is_party_member:
        form.person_code.errors.append(
            _(
                "%(name)s is not a Party member (%(status)s); member accounts are for Party "
                "members.",
                name=person.name,
                status=person.party_status.label,
            )
        )
        return None
    return person


@bp.route("/accounts/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def account_new() -> Response:
    form = AccountForm(units=_account_units())
    if request.method == "GET":
        form.role.data = Role.MEMBER.value
        person_id = int_arg("person")
        person = db.session.get(Person, person_id) if person_id else None
        if person is not None:
            form.person_code.set_person(person)
    if form.validate_on_submit():
        username = form.username.data
        if db.session.scalar(sa.select(User.id).where(User.username == username)):
            form.username.errors.append(_("This username is taken."))
        person = _check_person(form, None)
        if not form.errors:
            generated = not form.password.data
            password = generate_password() if generated else form.password.data
            account = User(
                username=username,
                role=Role(form.role.data),
                person=person,
                must_change_password=True,
                active=True,
            )
            account.set_password(password)
            account.units = services.units_by_ids(form.units.data)
            db.session.add(account)
            if not _committed():
                form.username.errors.append(
                    _("This username or person was taken a moment ago; check and try again.")
                )
                return render_page("admin/account_form.html", form=form, account=None, status=422)
            flash(_("The account %(username)s has been created.", username=username), "success")
            if generated:
                return render_page(
                    "admin/account_password.html", account=account, password=password
                )
            return hx_redirect(url_for("admin.account_edit", account_id=account.id))
    status = 422 if request.method == "POST" else 200
    return render_page("admin/account_form.html", form=form, account=None, status=status)


def _account_or_404(account_id: int) -> User:
    return db.one_or_404(
        sa.select(User)
        .where(User.id == account_id)
        .options(joinedload(User.person), selectinload(User.units))
    )


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def account_edit(account_id: int) -> Response:
    account = _account_or_404(account_id)
    form = AccountEditForm(units=_account_units(account))
    if request.method == "GET":
        form.role.data = account.role.value
        form.units.data = [unit.id for unit in account.units]
        form.person_code.set_person(account.person)
        form.active.data = account.active
    if form.validate_on_submit():
        is_self = account.id == current_user.id
        if is_self and not form.active.data:
            form.active.errors.append(
                _("You cannot deactivate your own account; another administrator can.")
            )
        if is_self and form.role.data != Role.ADMIN.value:
            form.role.errors.append(
                _("You cannot take the administrator role from your own account.")
            )
        person = _check_person(form, account)
        if not form.errors:
            account.role = Role(form.role.data)
            account.units = services.units_by_ids(form.units.data)
            account.person = person
            account.active = form.active.data
            db.session.commit()
            flash(
                _("The account %(username)s has been saved.", username=account.username), "success"
            )
            return hx_redirect(url_for("admin.account_edit", account_id=account.id))
    status = 422 if request.method == "POST" else 200
    return render_page(
        "admin/account_form.html",
        form=form,
        account=account,
        reset_form=PasswordResetForm(),
        status=status,
    )


@bp.route("/accounts/<int:account_id>/password", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def account_password(account_id: int) -> Response:
    account = _account_or_404(account_id)
    if account.id == current_user.id:
        return _refused(
            _("Change your own password under “Change password”."),
            url_for("admin.account_edit", account_id=account.id),
        )
    form = PasswordResetForm()
    if form.validate_on_submit():
        password = generate_password()
        account.set_password(password)
        account.must_change_password = True
        db.session.commit()
        flash(
            _("A new initial password has been set for %(username)s.", username=account.username),
            "success",
        )
        return render_page("admin/account_password.html", account=account, password=password)
    return render_page("admin/account_reset.html", account=account, form=form)


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
        db.session.commit()
        flash(_("The settings have been saved."), "success")
        return hx_redirect(url_for("admin.settings_edit"))
    status = 422 if request.method == "POST" else 200
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
        status=status,
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
    status = 200
    if form.validate_on_submit():
        name = form.name.data.strip()
        if _department_name_taken(name, None):
            form.name.errors.append(_("A department with this name exists."))
        else:
            db.session.add(Department(name=name, sort_order=form.sort_order.data or 0))
            db.session.commit()
            flash(_("%(name)s has been added.", name=name), "success")
            return hx_redirect(url_for("admin.departments"))
    if request.method == "POST":
        status = 422
    people = (
        sa.select(Person.department_id, sa.func.count())
        .where(Person.transferred_out_on.is_(None))
        .group_by(Person.department_id)
    )
    counts = dict(db.session.execute(people).all())
    rows = db.session.scalars(
        sa.select(Department).order_by(
            Department.deleted_at.is_not(None), Department.sort_order, Department.name
        )
    ).all()
    return render_page(
        "admin/departments.html", form=form, departments=rows, counts=counts, status=status
    )


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def department_edit(department_id: int) -> Response:
    department = _department_or_404(department_id)
    form = DepartmentForm(obj=department)
    status = 200
    if form.validate_on_submit():
        name = form.name.data.strip()
        if _department_name_taken(name, department):
            form.name.errors.append(_("A department with this name exists."))
        else:
            department.name = name
            department.sort_order = form.sort_order.data or 0
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return hx_redirect(url_for("admin.departments"))
    if request.method == "POST":
        status = 422
    return render_page(
        "admin/department_form.html", form=form, department=department, status=status
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
