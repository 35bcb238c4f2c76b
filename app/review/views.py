"""The review queue: everything waiting in a secretary's units, decided in place one by one or in
bulk; and a member dismissing a leave decision they have read."""

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from app.activities.models import Participation
from app.auth.models import Role
from app.auth.policy import require, role_required, units_for_choice
from app.evidence.owners import activity_url
from app.extensions import db
from app.htmx import local_path, only_flashes, render_fragment, render_page, wants_fragment
from app.queries import form_version, page_number, query_args, text_arg
from app.refusals import Refused
from app.review import services
from app.review.forms import DecisionForm
from app.review.services import ItemKind, QueueItem

bp = Blueprint("review", __name__)

KEEPERS = (Role.ADMIN, Role.SECRETARY)
# A bulk decision covers at most what a few pages show; the form limits are far above it.
BULK_LIMIT = 200
ITEM_KINDS = ", ".join(kind.value for kind in ItemKind)

CHANGED_MEANWHILE = _l("This item changed meanwhile; check it and try again.")
COMMENT_NEEDED = _l("Say why it is returned: a comment is needed.")


def _queue_args() -> dict[str, str]:
    """The queue's filters and page, carried through every action so the same view comes back."""
    return {key: value for key in ("kind", "unit", "page") if (value := text_arg(key))}


def _item_context() -> dict[str, Any]:
    return {
        "activity_url": activity_url,
        "queue_args": _queue_args(),
    }


def _queue_context() -> dict[str, Any]:
    filters = services.QueueFilters.from_args(query_args())
    page = services.queue_page(
        current_user, filters, page_number(), int(current_app.config["PAGE_SIZE"])
    )
    return {
        "page": page,
        "filters": filters,
        "units": units_for_choice(current_user),
        "kinds": ItemKind,
        **_item_context(),
    }


def _to_queue() -> Response:
    return redirect(url_for("review.index", **_queue_args()), 303)


def _refused(message: object, status: int) -> Response:
    """Nothing changed: the message, with the page as it is now for a plain form."""
    db.session.rollback()
    flash(str(message), "danger")
    if wants_fragment():
        return only_flashes(status)
    return render_page("review/index.html", status=status, **_queue_context())


def _form_problem(form: DecisionForm) -> str:
    if form.comment.errors:
        return _("The comment is too long.")
    if form.decision.errors:
        return _("Choose to approve or to return.")
    return _("Some of the data is not valid.")


def _checked(keys: list[tuple[ItemKind, int]]) -> list[QueueItem]:
    """The items, when the user may decide on every one: 404 outside their units, 403 for
    their own."""
    try:
        return services.items_for_review(current_user, keys)
    except services.NotInScope:
        abort(404)
    except services.OwnItem:
        abort(403)


def _decide(form: DecisionForm, item: QueueItem, comment: str | None) -> None:
    decide = services.approve if form.approving else services.give_back
    decide(item.kind, item.obj, comment, current_user)


def _done_message(item: QueueItem, approved: bool) -> str:
    name = item.person.name
    if item.kind is ItemKind.CHECK_IN:
        if approved:
            return _("The check-in of %(name)s is confirmed.", name=name)
        return _("The check-in of %(name)s was returned.", name=name)
    if item.kind is ItemKind.LEAVE:
        if approved:
            return _("The leave of %(name)s is approved.", name=name)
        return _("The leave request of %(name)s was refused.", name=name)
    if item.kind is ItemKind.MAKE_UP:
        if approved:
            return _("The make-up study of %(name)s is confirmed.", name=name)
        return _("The make-up study of %(name)s was returned.", name=name)
    if approved:
        return _("The log of %(name)s is approved.", name=name)
    return _("The log of %(name)s was returned.", name=name)


def _item_response(item: QueueItem, status: int = 200) -> Response:
    """The item's row as it is now: done, or still waiting after a conflict."""
    if not wants_fragment():
        if status == 200:
            return _to_queue()
        return render_page("review/index.html", status=status, **_queue_context())
    return render_fragment("review/_item.html", status, item=item, **_item_context())


def _queue_response(status: int = 200) -> Response:
    if not wants_fragment():
        if status == 200:
            return _to_queue()
        return render_page("review/index.html", status=status, **_queue_context())
    return render_fragment("review/_queue.html", status, **_queue_context())


# --- the queue -----------------------------------------------------------------------------------


@bp.route("/")
@role_required(*KEEPERS)
def index() -> Response:
    return render_page("review/index.html", "review/_queue.html", **_queue_context())


@bp.route(f"/<any({ITEM_KINDS}):item_kind>/<int:item_id>", methods=["POST"])
@role_required(*KEEPERS)
def decide(item_kind: str, item_id: int) -> Response:
    (item,) = _checked([(ItemKind(item_kind), item_id)])
    form = DecisionForm()
    if not form.validate_on_submit():
        return _refused(_form_problem(form), 422)
    comment = form.comment.data or None
    if not form.approving and not comment:
        return _refused(COMMENT_NEEDED, 422)
    shown = form_version()
    if shown is not None and shown != item.obj.version:
        flash(str(CHANGED_MEANWHILE), "warning")
        return _item_response(item, 409)
    try:
        _decide(form, item, comment)
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "warning")
        return _item_response(item, 409)  # what it has become, with why nothing changed
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(str(CHANGED_MEANWHILE), "warning")
        return _item_response(item, 409)
    flash(_done_message(item, form.approving), "success")
    return _item_response(item)


@bp.route("/bulk", methods=["POST"])
@role_required(*KEEPERS)
def decide_selected() -> Response:
    """The ticked items (``item=kind:id:version``), all approved or all returned with one
    comment; items that changed meanwhile or no longer wait are left as they are and counted."""
    form = DecisionForm()
    if not form.validate_on_submit():
        return _refused(_form_problem(form), 422)
    chosen: dict[tuple[ItemKind, int], int | None] = {}
    for raw in request.form.getlist("item"):
        parsed = services.parse_key(raw)
        if parsed is None:
            return _refused(_("The selection could not be read. Reload and try again."), 422)
        kind, item_id, version = parsed
        chosen[(kind, item_id)] = version
    if not chosen:
        return _refused(_("Tick the items to decide on first."), 422)
    if len(chosen) > BULK_LIMIT:
        return _refused(_("Choose at most %(num)d items at once.", num=BULK_LIMIT), 422)
    comment = form.comment.data or None
    if not form.approving and not comment:
        return _refused(COMMENT_NEEDED, 422)
    items = _checked(list(chosen))
    decided = left = 0
    for item in items:
        shown = chosen[(item.kind, item.id)]
        if shown is not None and shown != item.obj.version:
            left += 1
            continue
        try:
            _decide(form, item, comment)
        except Refused:
            left += 1  # no longer waiting: the services refuse before changing anything
        else:
            decided += 1
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(
            _("Someone else decided on some of these at the same time; nothing was saved."),
            "warning",
        )
        return _queue_response(409)
    if decided:
        message = (
            ngettext("%(num)d item approved.", "%(num)d items approved.", decided)
            if form.approving
            else ngettext("%(num)d item returned.", "%(num)d items returned.", decided)
        )
        flash(message, "success")
    if left:
        flash(
            ngettext(
                "%(num)d item had changed meanwhile or no longer waited: left as it is.",
                "%(num)d items had changed meanwhile or no longer waited: left as they are.",
                left,
            ),
            "warning",
        )
    return _queue_response(200 if decided or not left else 409)


# --- a member's own to-do list --------------------------------------------------------------------


@bp.route("/seen/<int:row_id>", methods=["POST"])
@login_required
def dismiss(row_id: int) -> Response:
    """A member has read the decision on their leave request: it leaves their to-do list. Only
    one's own row (anyone else's answers 404)."""
    row = db.session.get(Participation, row_id)
    mine = current_user.person_id is not None
    require(row is not None and mine and row.person_id == current_user.person_id)
    services.dismiss_leave_decision(row)  # type: ignore[arg-type]
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_("Your attendance was changed at the same time. Reload and try again."), "warning")
        if wants_fragment():
            return only_flashes(409)  # nothing saved: the item stays on the list
        return redirect(local_path(request.form.get("next")) or url_for("main.index"), 303)
    if wants_fragment():
        return render_fragment("review/_dismissed.html")
    return redirect(local_path(request.form.get("next")) or url_for("main.index"), 303)
