"""The roster, a person's page, and creating, editing, moving and transferring out people."""

import sqlalchemy as sa
from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from app.activities import families
from app.auth.models import Role, User
from app.auth.policy import (
    can_edit_person,
    can_transfer_out,
    can_view_person,
    require,
    role_required,
    scope_unit_ids,
    unit_ids_in_scope,
)
from app.extensions import db
from app.files import word
from app.htmx import form_status, hx_redirect, render_fragment, render_page, saved
from app.locale_text import fmt_date
from app.people import picker, services, unit_picker
from app.people.forms import MoveForm, NewPersonForm, PersonForm, TransferForm
from app.people.memberships import add_membership
from app.people.models import Gender, Membership, MembershipRole, PartyStatus, Person
from app.people.roster.batches import forget_expired_batches
from app.queries import (
    COUNT_LIMIT,
    SEARCH_COUNT_LIMIT,
    int_arg,
    paginate,
    query_args,
    rows_read,
    text_arg,
)
from app.reports import personal_record
from app.types import local_today

bp = Blueprint("people", __name__)


def _person_or_404(person_id: int) -> Person:
    person = db.session.scalar(
        sa.select(Person)
        .where(Person.id == person_id)
        .options(selectinload(Person.memberships).joinedload(Membership.unit))
    )
    require(person is not None and can_view_person(current_user, person))
    return person  # type: ignore[return-value]


def _editable_person(person_id: int) -> Person:
    """The person, refused when the user may not change them."""
    person = _person_or_404(person_id)
    require(can_edit_person(current_user, person))
    return person


@bp.route("/")
@role_required(Role.ADMIN, Role.SECRETARY)
def index() -> Response:
    filters = services.RosterFilters.from_args(query_args())
    limit = SEARCH_COUNT_LIMIT if filters.q else COUNT_LIMIT
    first = services.roster_first(current_user, filters, rows_read())
    counted = services.roster_filtered(current_user, filters)
    page = paginate(first, count_limit=limit, counted=counted)
    return render_page(
        "people/index.html",
        "people/_roster.html",
        page=page,
        filters=filters,
        units=unit_picker.filter_units(current_user, filters.unit_id),
        departments=services.departments(),
        statuses=PartyStatus,
        today=local_today(),
    )


@bp.route("/pick")
@role_required(Role.ADMIN, Role.SECRETARY)
def pick() -> Response:
    """Live results for a person field: one's own people (name, code, department; paged), or
    with ``mode=bureau`` anyone in the bureau (name and department only; at most 20)."""
    bureau_wide = text_arg("mode") == "bureau"
    typed = text_arg("q")
    results = (
        picker.search_bureau(typed) if bureau_wide else picker.search_scoped(typed, current_user)
    )
    return render_fragment(
        "people/_pick_results.html",
        results=results,
        bureau_wide=bureau_wide,
        typed=typed.strip()[: picker.MAX_TYPED],
        token_of=picker.token_of,
        bureau_limit=picker.BUREAU_LIMIT,
    )


@bp.route("/pick-unit")
@role_required(Role.ADMIN, Role.SECRETARY)
def pick_unit() -> Response:
    """Live results for a unit filter or field with many units: the active units one may choose,
    by name, code or pinyin, in tree order with their paths, at most 20."""
    typed = text_arg("q")
    return render_fragment(
        "people/_unit_results.html",
        results=unit_picker.search_units(typed, current_user),
        typed=typed.strip()[: unit_picker.MAX_TYPED],
        limit=unit_picker.RESULT_LIMIT,
    )


@bp.app_template_global()
def unit_search_wanted(options: list) -> bool:
    """Whether a unit filter or field of these options is drawn as a live search."""
    return unit_picker.searched(options)


@bp.route("/<int:person_id>")
@login_required
def show(person_id: int) -> Response:
    person = _person_or_404(person_id)
    account = db.session.scalar(sa.select(User).where(User.person_id == person.id))
    return render_page(
        "people/show.html",
        person=person,
        account=account,
        can_edit=can_edit_person(current_user, person),
        can_transfer=person.is_active and can_transfer_out(current_user, person),
        person_sections=families.person_sections(person, current_user),
        today=local_today(),
    )


def _record_year() -> int:
    """The year asked for (?year=), or this year when it is missing or outside 1900–2100."""
    year = int_arg("year")
    return year if year is not None and 1900 <= year <= 2100 else local_today().year


@bp.route("/<int:person_id>/record")
@login_required
def record(person_id: int) -> Response:
    """The personal annual study record, for the person, the secretaries of their units (their
    units' part) and admins."""
    person = _person_or_404(person_id)
    year = _record_year()
    this_year = local_today().year
    starts = [m.start_date.year for m in person.memberships if m.deleted_at is None]
    first = max(min(starts, default=this_year), this_year - 9)
    years = sorted({*range(first, this_year + 1), year}, reverse=True)
    scope = _record_scope(person)
    result = personal_record.build_record(person, year, scope)
    # Sessions the viewer may open: all of them for the person and admins; a secretary's units'.
    return render_page("people/record.html", record=result, years=years, partial=scope is not None)


def _record_scope(person: Person) -> sa.Select | None:
    """The person and admins read the whole record; a secretary only their units' part of it (a
    unit's records are not another unit's to read, even of someone who moved)."""
    if current_user.person_id == person.id:
        return None
    return scope_unit_ids(current_user)


@bp.route("/<int:person_id>/record.docx")
@login_required
def record_docx(person_id: int) -> Response:
    person = _person_or_404(person_id)
    result = personal_record.build_record(person, _record_year(), _record_scope(person))
    return word.send_docx(personal_record.to_docx(result), personal_record.filename(result))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def new() -> Response:
    form = NewPersonForm(departments=services.departments())
    form.unit_id.offer(current_user)
    if form.validate_on_submit():
        unit = form.unit_id.unit
        require(unit is not None)
        # Codes differing only in letter case are the same code (as the roster import reads them).
        code = sa.func.lower(form.code.data.strip())
        if db.session.scalar(sa.select(Person.id).where(sa.func.lower(Person.code) == code)):
            form.code.errors.append(_("A person with this personnel code already exists."))
        else:
            person = Person()
            _fill(person, form)
            db.session.add(person)
            add_membership(person, unit, MembershipRole(form.role.data), form.start_date.data)
            db.session.commit()  # before the URL: the new person's id comes with the INSERT
            flash(_("%(name)s has been added.", name=person.name), "success")
            return hx_redirect(url_for("people.show", person_id=person.id))
    return render_page("people/form.html", form=form, person=None, status=form_status())


def _fill(person: Person, form: PersonForm) -> None:
    person.code = form.code.data.strip()
    person.name = form.name.data.strip()
    person.gender = Gender(form.gender.data) if form.gender.data else None
    person.birth_date = form.birth_date.data
    person.party_status = PartyStatus(form.party_status.data)
    person.joined_on = form.joined_on.data
    person.regularised_on = form.regularised_on.data
    person.department_id = form.department_id.data or None
    person.post = (form.post.data or "").strip() or None
    person.phone = (form.phone.data or "").strip() or None


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def edit(person_id: int) -> Response:
    person = _editable_person(person_id)
    form = PersonForm(obj=person, departments=services.departments())
    if request.method == "GET":
        form.gender.data = person.gender.value if person.gender else ""
        form.party_status.data = person.party_status.value
        form.department_id.data = person.department_id or 0
    if form.validate_on_submit():
        clash = db.session.scalar(
            sa.select(Person.id).where(
                sa.func.lower(Person.code) == sa.func.lower(form.code.data.strip()),
                Person.id != person.id,
            )
        )
        if clash:
            form.code.errors.append(_("A person with this personnel code already exists."))
        else:
            _fill(person, form)
            return saved(
                _("The changes have been saved."), url_for("people.show", person_id=person.id)
            )
    return render_page("people/form.html", form=form, person=person, status=form_status())


@bp.route("/<int:person_id>/transfer", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def transfer(person_id: int) -> Response:
    person = _editable_person(person_id)
    if person.is_active and not can_transfer_out(current_user, person):
        flash(
            _(
                "%(name)s also belongs to units you do not keep; the Party office transfers "
                "them out of the bureau.",
                name=person.name,
            ),
            "warning",
        )
        return hx_redirect(url_for("people.show", person_id=person.id))
    form = TransferForm()
    if not person.is_active:
        flash(_("This person has already been transferred out."), "warning")
        return hx_redirect(url_for("people.show", person_id=person.id))
    if form.validate_on_submit():
        started = [m.start_date for m in person.memberships if m.deleted_at is None]
        if started and form.transferred_out_on.data < max(started):
            form.transferred_out_on.errors.append(
                _("The date cannot come before the person's latest membership began.")
            )
        else:
            services.transfer_out(person, form.transferred_out_on.data, form.transfer_note.data)
            return saved(
                _("%(name)s has been transferred out; the history is kept.", name=person.name),
                url_for("people.show", person_id=person.id),
            )
    return render_page("people/transfer.html", form=form, person=person, status=form_status())


@bp.route("/<int:person_id>/move", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def move(person_id: int) -> Response:
    person = _editable_person(person_id)
    today = local_today()
    open_memberships = [
        m
        for m in person.memberships
        if m.deleted_at is None and (m.end_date is None or m.end_date > today)
    ]
    # A secretary moves people between their own units (a branch and its 党小组); a move
    # between branches changes two branches' records and is the Party office's.
    scope = unit_ids_in_scope(current_user)
    leaving_choices = [m for m in open_memberships if scope is None or m.unit_id in scope]
    form = MoveForm(memberships=leaving_choices)
    if not person.is_active or not leaving_choices:
        flash(_("This person has no current membership you can change."), "warning")
        return hx_redirect(url_for("people.show", person_id=person.id))
    form.unit_id.offer(current_user)
    if form.validate_on_submit():
        leaving = next((m for m in leaving_choices if m.id == form.from_membership_id.data), None)
        unit = form.unit_id.unit
        require(leaving is not None and unit is not None)
        role = MembershipRole(form.role.data)
        errors = services.move_problems(person, leaving, unit, role, form.on.data)
        for field_name, message in errors.items():
            getattr(form, field_name).errors.append(message)
        if not errors:
            joins_group = services.joins_group_of(leaving, unit)
            services.move(person, leaving, unit, role, form.on.data)
            db.session.commit()
            values = {"name": person.name, "unit": unit.name, "date": fmt_date(form.on.data)}
            if joins_group:
                flash(_("%(name)s joins %(unit)s from %(date)s.", **values), "success")
            else:
                flash(_("%(name)s moves to %(unit)s from %(date)s.", **values), "success")
            return hx_redirect(url_for("people.show", person_id=person.id))
    return render_page("people/move.html", form=form, person=person, status=form_status())


@bp.cli.command("forget-imports")
def forget_imports_command() -> None:
    """Delete expired import batches and the initial passwords nobody downloaded."""
    forget_expired_batches()
    db.session.commit()
