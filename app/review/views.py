"""The review queue: everything waiting in a secretary's units, decided in place one by one or in
bulk; and a member dismissing a leave decision they have read."""

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from app import htmx
from app.activities.families import show_url
from app.activities.models import Participation
from app.auth.models import Role
from app.auth.policy import require, role_required
from app.extensions import db
from app.htmx import local_path, render_fragment, render_page
from app.main.badge import badge_count
from app.people.unit_picker import filter_units
from app.queries import form_version, page_number, query_args, text_arg
from app.refusals import Refused
from app.review import services, sources
from app.review.forms import DecisionForm
from app.review.services import QueueItem

bp = Blueprint("review", __name__)

KEEPERS = (Role.ADMIN, Role.SECRETARY)
# A bulk decision covers at most what a few pages show; the form limits are far above it.
BULK_LIMIT = 200

CHANGED_MEANWHILE = _l("This item changed meanwhile; check it and try again.")
DECIDED_MEANWHILE = _l("Someone else decided on some of these at the same time; nothing was saved.")


def _queue_args() -> dict[str, str]:
    """The queue's filters and page, carried through every action so the same view comes back."""
    return {key: value for key in ("kind", "unit", "page") if (value := text_arg(key))}


def _queue_url() -> str:
    return url_for("review.index", **_queue_args())


def _item_context() -> dict[str, Any]:
    return {
        "activity_url": show_url,
        "queue_args": _queue_args(),
    }


def _queue_context() -> dict[str, Any]:
    filters = services.QueueFilters.from_args(query_args())
    # Unfiltered, the queue is what the badge counts: counted once for both (past the badge's
    # limit, the queue pages by "page N · more").
    total = None if filters.any else badge_count()
    page = services.queue_page(
        current_user, filters, page_number(), int(current_app.config["PAGE_SIZE"]), total
    )
    return {
        "page": page,
        "filters": filters,
        "units": filter_units(current_user, filters.unit_id),
        "kinds": sources.all_sources(),
        **_item_context(),
    }


def _validate(form: DecisionForm) -> None:
    """Refused (422) unless the form says approve or return, with a comment of fitting length."""
    if form.validate_on_submit():
        return
    if form.comment.errors:
        raise Refused(_("The comment is too long."), 422)
    if form.decision.errors:
        raise Refused(_("Choose to approve or to return."), 422)
    raise Refused(_("Some of the data is not valid."), 422)


def _comment(form: DecisionForm) -> str | None:
    """The comment, which returning needs (refused, 422, without one)."""
    comment = form.comment.data or None
    if not form.approving and not comment:
        raise Refused(services.RETURN_NEEDS_COMMENT, 422)
    return comment


def _item_answer(item: QueueItem, status: int = 200) -> Response:
    """The item's row as it is now: done, or still waiting after a conflict."""
    return render_fragment("review/_item.html", status, item=item, **_item_context())


def _queue_answer(status: int = 200) -> Response:
    return render_fragment("review/_queue.html", status, **_queue_context())


@bp.route("/")
@role_required(*KEEPERS)
def index() -> Response:
    return render_page("review/index.html", "review/_queue.html", **_queue_context())


@bp.route("/<item_kind>/<int:item_id>", methods=["POST"])
@role_required(*KEEPERS)
def decide(item_kind: str, item_id: int) -> Response:
    source = sources.get(item_kind) or abort(404)
    htmx.set_back(_queue_url())
    (item,) = services.items_for_review(current_user, [(source, item_id)])
    form = DecisionForm()
    _validate(form)
    comment = _comment(form)
    htmx.on_refusal(lambda status: _item_answer(item, status))  # what it has become
    shown = form_version()
    if shown is not None and shown != item.obj.version:
        raise Refused(CHANGED_MEANWHILE, 409, "warning")
    services.decide(item, form.approving, comment, current_user)
    htmx.commit(CHANGED_MEANWHILE, "warning")
    flash(item.done_message(form.approving), "success")
    return htmx.answer("review/_item.html", _queue_url(), item=item, **_item_context())


def _chosen() -> dict[services.Key, int | None]:
    """The ticked items (``item=kind:id:version``) with the version each showed."""
    chosen: dict[services.Key, int | None] = {}
    for raw in request.form.getlist("item"):
        parsed = services.parse_key(raw)
        if parsed is None:
            raise Refused(_("The selection could not be read. Reload and try again."), 422)
        source, item_id, version = parsed
        chosen[(source, item_id)] = version
    if not chosen:
        raise Refused(_("Tick the items to decide on first."), 422)
    if len(chosen) > BULK_LIMIT:
        raise Refused(_("Choose at most %(num)d items at once.", num=BULK_LIMIT), 422)
    return chosen


def _flash_bulk(approved: bool, decided: int, left: int) -> None:
    if decided:
        message = (
            ngettext("%(num)d item approved.", "%(num)d items approved.", decided)
            if approved
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


@bp.route("/bulk", methods=["POST"])
@role_required(*KEEPERS)
def decide_selected() -> Response:
    """The ticked items, all approved or all returned with one comment; items that changed
    meanwhile or no longer wait are left as they are and counted."""
    htmx.set_back(_queue_url())
    form = DecisionForm()
    _validate(form)
    chosen = _chosen()
    comment = _comment(form)
    items = services.items_for_review(current_user, list(chosen))
    decided, left = services.decide_all(items, chosen, form.approving, comment, current_user)
    htmx.on_refusal(_queue_answer)
    htmx.commit(DECIDED_MEANWHILE, "warning")
    _flash_bulk(form.approving, decided, left)
    status = 200 if decided or not left else 409
    return htmx.answer("review/_queue.html", _queue_url(), status, **_queue_context())


@bp.route("/seen/<int:row_id>", methods=["POST"])
@login_required
def dismiss(row_id: int) -> Response:
    """A member has read the decision on their leave request: it leaves their to-do list. Only
    one's own row (anyone else's answers 404)."""
    row = db.session.get(Participation, row_id)
    mine = current_user.person_id is not None
    require(row is not None and mine and row.person_id == current_user.person_id)
    back = local_path(request.form.get("next")) or url_for("main.index")
    htmx.set_back(back)
    services.dismiss_leave_decision(row)  # type: ignore[arg-type]
    htmx.commit(_("Your attendance was changed at the same time. Reload and try again."))
    return htmx.answer("review/_dismissed.html", back)
