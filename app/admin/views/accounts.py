"""Accounts: the list, a new account, editing one and resetting its password."""

import sqlalchemy as sa
from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from werkzeug.wrappers import Response

from app.admin import services
from app.admin.forms import AccountEditForm, AccountForm, PasswordResetForm
from app.admin.views.blueprint import bp, committed
from app.auth.models import Role, User
from app.auth.policy import role_required
from app.auth.services import generate_password
from app.extensions import db
from app.htmx import hx_redirect, render_page, set_back
from app.people.models import Person
from app.queries import contains, int_arg, paginate, text_arg
from app.refusals import Refused


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


def _offer_units(form: AccountForm | AccountEditForm, account: User | None) -> None:
    """The units the form may take: the active ones, and those the account keeps already."""
    keep = [unit.id for unit in account.units] if account is not None else []
    form.units.offer(current_user, keep=keep, tree=True)


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
    form = AccountForm()
    if request.method == "GET":
        form.role.data = Role.MEMBER.value
        person_id = int_arg("person")
        person = db.session.get(Person, person_id) if person_id else None
        if person is not None:
            form.person_code.set_person(person)
    _offer_units(form, None)
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
            account.units = form.units.chosen_units
            db.session.add(account)
            if not committed():
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
    form = AccountEditForm()
    if request.method == "GET":
        form.role.data = account.role.value
        form.units.data = [unit.id for unit in account.units]
        form.person_code.set_person(account.person)
        form.active.data = account.active
    _offer_units(form, account)
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
            account.units = form.units.chosen_units
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
        set_back(url_for("admin.account_edit", account_id=account.id))
        raise Refused(_("Change your own password under “Change password”."))
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
