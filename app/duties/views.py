"""Responsibility lists 责任清单: the year's lists one may read, creating and editing one, its page
(the leader's post, areas and duties; its items with their progress counted from the records;
its 履责记实 entries), its items and a manual item's status, and the entries."""

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from app import settings
from app.auth.models import Role
from app.auth.policy import require, require_role, role_required
from app.duties import lists
from app.duties.figures import progress
from app.duties.forms import EntryForm, ItemForm, ListForm, StatusForm
from app.duties.models import DutyEntry, DutyItem, DutyList, ManualStatus
from app.evidence import services as files
from app.extensions import db
from app.htmx import commit, form_status, render_page, saved, set_back
from app.queries import int_arg, paginate
from app.refusals import Refused
from app.reports.rules import DUE_SOON
from app.types import local_today, utcnow

bp = Blueprint("duties", __name__)

CHANGED_MEANWHILE = _l("This item was changed at the same time. Check it again.")


def _load(list_id: int) -> DutyList:
    """A live list the user may read; anyone else is told it does not exist."""
    stmt = (
        sa.select(DutyList)
        .where(DutyList.id == list_id)
        .options(
            joinedload(DutyList.unit),
            joinedload(DutyList.person),
            joinedload(DutyList.owner_unit),
            selectinload(DutyList.items).joinedload(DutyItem.owner),
        )
    )
    duty_list = db.session.scalar(stmt)
    require(duty_list is not None and lists.may_view_list(current_user, duty_list))
    set_back(url_for("duties.show", list_id=list_id))
    return duty_list  # type: ignore[return-value]


def _kept(list_id: int) -> DutyList:
    duty_list = _load(list_id)
    require_role(lists.keeps_list(current_user, duty_list))
    return duty_list


def _item(item_id: int) -> tuple[DutyItem, DutyList]:
    list_id = db.session.scalar(
        sa.select(DutyItem.list_id).where(DutyItem.id == item_id, DutyItem.deleted_at.is_(None))
    )
    require(list_id is not None)
    duty_list = _load(list_id)  # type: ignore[arg-type]
    item = next((each for each in duty_list.items if each.id == item_id), None)
    require(item is not None)
    return item, duty_list  # type: ignore[return-value]


@bp.route("/")
@login_required
def index() -> Response:
    today = local_today()
    year = int_arg("year") or today.year
    stmt = (
        sa.select(DutyList)
        .where(DutyList.year == year, lists.visible_clause(current_user))
        .options(joinedload(DutyList.unit), joinedload(DutyList.person))
        .order_by(DutyList.person_id.is_(None).desc(), DutyList.id)
    )
    page = paginate(stmt)
    ids = [duty_list.id for duty_list in page.items]
    counts = dict(
        db.session.execute(
            sa.select(DutyItem.list_id, sa.func.count())
            .where(DutyItem.list_id.in_(ids), DutyItem.deleted_at.is_(None))
            .group_by(DutyItem.list_id)
        ).all()
    )
    context = {
        "page": page,
        "item_counts": counts,
        "year": year,
        "years": range(today.year + 1, today.year - 6, -1),
        "can_create": current_user.role is not Role.MEMBER,
    }
    return render_page("duties/index.html", "duties/_list.html", **context)


def _list_form(duty_list: DutyList | None) -> ListForm:
    form = ListForm(obj=duty_list)
    if request.method == "GET":
        if duty_list is not None:
            form.show_record(duty_list)
        else:
            form.year.data = int_arg("year") or local_today().year
    keep = [duty_list.unit_id] if duty_list is not None else []
    offered = form.unit_id.offer(current_user, keep=keep, first=duty_list is None)
    if form.unit_id.unit is None and offered.units and request.method == "GET":
        form.unit_id.data = offered.units[0].id
    return form


def _list_values(form: ListForm) -> dict[str, Any]:
    unit = form.unit_id.unit
    require(unit is not None)
    by_person = form.owner.data == "person"
    return {
        **form.values(),
        "unit": unit,
        "owner_unit": None if by_person else unit,
        "person": form.person.person if by_person else None,
    }


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def new() -> Response:
    form = _list_form(None)
    if form.validate_on_submit():
        duty_list = lists.create_list(_list_values(form), current_user)
        db.session.flush()
        message = _("%(title)s has been recorded.", title=duty_list.title)
        return saved(message, url_for("duties.show", list_id=duty_list.id))
    return render_page("duties/form.html", form=form, duty_list=None, status=form_status())


@bp.route("/<int:list_id>/edit", methods=["GET", "POST"])
@login_required
def edit(list_id: int) -> Response:
    duty_list = _kept(list_id)
    form = _list_form(duty_list)
    if form.validate_on_submit():
        values = _list_values(form)
        duty_list.unit = values["unit"]
        duty_list.owner_unit, duty_list.person = values["owner_unit"], values["person"]
        lists.apply_list(duty_list, values)
        return saved(_("The changes have been saved."), url_for("duties.show", list_id=list_id))
    return render_page("duties/form.html", form=form, duty_list=duty_list, status=form_status())


def _entries(duty_list: DutyList) -> list[DutyEntry]:
    stmt = (
        sa.select(DutyEntry)
        .where(DutyEntry.list_id == duty_list.id, DutyEntry.deleted_at.is_(None))
        .options(selectinload(DutyEntry.items))
        .order_by(DutyEntry.done_on.desc(), DutyEntry.id.desc())
    )
    return list(db.session.scalars(stmt))


@bp.route("/<int:list_id>")
@login_required
def show(list_id: int) -> Response:
    duty_list = _load(list_id)
    today, due = local_today(), settings.get(DUE_SOON.key)
    entries = _entries(duty_list)
    entry_files: dict[int, list[Any]] = {}
    for item in files.live_evidence("duty_entry", [entry.id for entry in entries]):
        entry_files.setdefault(item.duty_entry_id, []).append(item)
    entry_form = EntryForm(formdata=None, done_on=today)
    entry_form.offer(duty_list)
    context = {
        "duty_list": duty_list,
        "progress": progress(duty_list, today, utcnow(), due),
        "entries": entries,
        "entry_files": entry_files,
        "keeps": lists.keeps_list(current_user, duty_list),
        "reports": lists.may_report(current_user, duty_list),
        "entry_form": entry_form,
        "status_form": StatusForm(formdata=None, completed_on=today),
        "statuses": ManualStatus,
    }
    return render_page("duties/show.html", **context)


def _item_form(duty_list: DutyList, item: DutyItem | None) -> ItemForm:
    form = ItemForm(obj=item)
    if request.method == "GET" and item is not None:
        form.show_record(item)
    form.unit_ids.offer(current_user, keep=list(item.unit_ids or []) if item else [])
    return form


@bp.route("/<int:list_id>/items/new", methods=["GET", "POST"])
@login_required
def new_item(list_id: int) -> Response:
    duty_list = _kept(list_id)
    form = _item_form(duty_list, None)
    if form.validate_on_submit():
        try:
            lists.add_item(duty_list, form.values(), current_user)
        except Refused as refused:
            db.session.rollback()
            form.kinds.errors = [refused.message]
        else:
            return saved(_("The item has been added."), url_for("duties.show", list_id=list_id))
    context = {"form": form, "duty_list": duty_list, "item": None, "status": form_status()}
    return render_page("duties/item_form.html", **context)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(item_id: int) -> Response:
    item, duty_list = _item(item_id)
    require_role(lists.keeps_list(current_user, duty_list))
    form = _item_form(duty_list, item)
    if form.validate_on_submit():
        try:
            lists.apply_item(item, form.values())
        except Refused as refused:
            db.session.rollback()
            form.kinds.errors = [refused.message]
        else:
            commit(CHANGED_MEANWHILE)
            return saved(
                _("The changes have been saved."), url_for("duties.show", list_id=duty_list.id)
            )
    context = {"form": form, "duty_list": duty_list, "item": item, "status": form_status()}
    return render_page("duties/item_form.html", **context)


@bp.route("/items/<int:item_id>/remove", methods=["POST"])
@login_required
def remove_item(item_id: int) -> Response:
    item, duty_list = _item(item_id)
    require_role(lists.keeps_list(current_user, duty_list))
    lists.remove_item(item)
    return saved(_("The item has been removed."), url_for("duties.show", list_id=duty_list.id))


@bp.route("/items/<int:item_id>/status", methods=["POST"])
@login_required
def item_status(item_id: int) -> Response:
    """A manual item's status, set by the list's keepers or its own leader."""
    item, duty_list = _item(item_id)
    require_role(lists.may_report(current_user, duty_list))
    form = StatusForm()
    if not form.validate_on_submit():
        raise Refused(_("Choose a status."), 422)
    lists.set_status(item, ManualStatus(form.status.data), form.completed_on.data)
    commit(CHANGED_MEANWHILE)
    return saved(_("The status has been saved."), url_for("duties.show", list_id=duty_list.id))


@bp.route("/<int:list_id>/entries", methods=["POST"])
@login_required
def add_entry(list_id: int) -> Response:
    """A 履责记实 entry with its files, by the list's keepers or its own leader."""
    duty_list = _load(list_id)
    require_role(lists.may_report(current_user, duty_list))
    form = EntryForm()
    form.offer(duty_list)
    if not form.validate_on_submit():
        field = next((f for f in form if f.errors), None)
        message = (
            f"{field.label.text}: {field.errors[0]}"
            if field
            else _("Some of the data is not valid.")
        )
        raise Refused(message, 422)
    chosen = set(form.items.data or [])
    items = [item for item in duty_list.items if item.id in chosen]
    uploads = files.sent_files()
    entry = lists.add_entry(duty_list, form.values(), items, current_user)
    db.session.flush()
    files.attach_all(uploads, duty_entry=entry, by=current_user)
    return saved(_("The duty record has been saved."), url_for("duties.show", list_id=list_id))
