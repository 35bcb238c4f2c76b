"""The secretary's attendance grid for every activity family: the grid and its cells, all present,
confirming check-ins, deciding leave and make-ups, reasons, and make-ups handed in on paper."""

from collections.abc import Callable
from functools import partial

from flask import Response, flash, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app import htmx
from app.activities import services as core
from app.activities.families import family_of
from app.activities.forms import AbsenceReasonForm, PaperMakeUpForm, ReviewForm, as_field_error
from app.activities.models import Activity, AttendanceStatus, Participation
from app.activities.record import grid_stamp, load_activity, record_context, row_of
from app.activities.views.blueprint import bp, grid_answer, leave_record, offered, stale, with_files
from app.auth.policy import may_decide, require, require_role
from app.htmx import VARY, only_flashes, render_page
from app.queries import text_arg
from app.refusals import Refused
from app.types import local_today


@bp.route("/activities/<int:activity_id>/attendance")
@login_required
def attendance(activity_id: int) -> Response:
    """The grid, polled while the activity is open: a member's check-in appears on the
    secretary's screen without a reload; nothing is sent when nothing changed."""
    activity = load_activity(activity_id, manage=True)
    if text_arg("v") == grid_stamp(activity):
        return Response(status=204, headers={"Vary": VARY})
    return grid_answer(activity)


def _change_row(
    activity: Activity,
    row_id: int,
    change: Callable[[Participation], None],
    *,
    review: bool | Callable[[Participation], bool],
    refused_status: int | None = None,
    done: str | None = None,
) -> Response:
    """One change on one row of the grid: refused on an outdated grid, on the secretary's own
    row when it is a review, and when the rules say no; answered with the row and the counts."""
    row = row_of(activity, row_id)
    if review(row) if callable(review) else review:
        require_role(may_decide(current_user, row.person_id))
    if stale(row):
        # The row changed since the grid was shown (a check-in, another secretary): nothing is
        # overwritten; the current row is shown with a message.
        flash(
            _(
                "%(name)s's attendance changed meanwhile; check it and try again.",
                name=row.person.name,
            ),
            "warning",
        )
        return grid_answer(activity, row, 409)
    if refused_status is not None:
        htmx.on_refusal(lambda _status: only_flashes(refused_status))
    change(row)
    htmx.on_refusal(only_flashes)
    htmx.commit()
    if done:
        flash(done, "success")
    return grid_answer(activity, row)


@bp.route("/activities/<int:activity_id>/attendance/<int:row_id>", methods=["POST"])
@login_required
def attendance_cell(activity_id: int, row_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    try:
        status = AttendanceStatus(request.form.get("status", ""))
    except ValueError:
        raise Refused(_("Choose a status."), 422) from None
    # Marking one's own row is fine (the secretary runs the meeting), but not when the mark
    # would decide one's own pending check-in or leave request.
    return _change_row(
        activity,
        row_id,
        lambda row: core.mark(row, status, current_user),
        review=lambda row: row.is_pending,
    )


@bp.route("/activities/<int:activity_id>/attendance/all-present", methods=["POST"])
@login_required
def all_present(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    changed = core.mark_all_present(activity, current_user)
    htmx.commit()
    flash(
        ngettext("%(num)d person marked present.", "%(num)d people marked present.", changed),
        "success",
    )
    return grid_answer(activity)


@bp.route("/activities/<int:activity_id>/attendance/<int:row_id>/confirm", methods=["POST"])
@login_required
def confirm(activity_id: int, row_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    return _change_row(
        activity, row_id, lambda row: core.confirm_check_in(row, current_user), review=True
    )


@bp.route("/activities/<int:activity_id>/leave/<int:row_id>", methods=["POST"])
@login_required
def leave_decide(activity_id: int, row_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    approve = request.form.get("decision") == "approve"
    return _change_row(
        activity,
        row_id,
        lambda row: core.decide_leave(row, approve, current_user),
        review=True,
    )


@bp.route("/activities/<int:activity_id>/make-up/<int:row_id>", methods=["POST"])
@login_required
def make_up_review(activity_id: int, row_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    require(family_of(activity).make_up)
    form = ReviewForm()
    if not form.validate_on_submit():
        raise Refused(_("The comment is too long."), 422)
    confirm_it = request.form.get("decision") == "confirm"
    return _change_row(
        activity,
        row_id,
        lambda row: core.review_make_up(row, confirm_it, form.comment.data or None, current_user),
        review=True,
        refused_status=422,
        done=_("The make-up study is confirmed.")
        if confirm_it
        else _("The make-up study was returned."),
    )


@bp.route("/activities/<int:activity_id>/attendance/<int:row_id>/reason", methods=["POST"])
@login_required
def absence_reason(activity_id: int, row_id: int) -> Response:
    """Why someone was on leave or absent, for the meeting record: also afterwards, also on an
    archived activity."""
    activity = load_activity(activity_id, manage=True)
    form = AbsenceReasonForm()
    if not form.validate_on_submit():
        raise Refused(_("The reason is too long."), 422)
    return _change_row(
        activity,
        row_id,
        lambda row: core.record_reason(row, form.reason.data, current_user),
        review=False,
        done=_("The reason has been saved."),
    )


@bp.route("/activities/<int:activity_id>/make-up/<int:row_id>/paper", methods=["GET", "POST"])
@login_required
def paper_make_up(activity_id: int, row_id: int) -> Response:
    """A make-up handed in on paper, entered by the secretary and confirmed at once."""
    activity = load_activity(activity_id, manage=True)
    require(family_of(activity).make_up)
    row = row_of(activity, row_id)
    offered(row, partial(core.check_paper_make_up, by=current_user))
    form = PaperMakeUpForm()
    if request.method == "GET":
        form.handed_in_on.data = local_today()
    if form.validate_on_submit():
        record = partial(
            core.record_paper_make_up, row, form.handed_in_on.data, form.note.data, current_user
        )
        if as_field_error(form.note, with_files(row, record))[0]:
            htmx.commit()
            flash(
                _("%(name)s's make-up study is recorded and confirmed.", name=row.person.name),
                "success",
            )
            return leave_record(activity)
    return render_page(
        "activities/paper_make_up.html",
        form=form,
        row=row,
        status=422 if request.method == "POST" else 200,
        **record_context(activity),
    )
