"""The record of an activity of any family: who is on its list, its guests, archiving, reopening
and cancelling, and its printables (the sign-in sheet and the 会议记录)."""

from collections.abc import Callable

from flask import Response, flash
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app import htmx
from app.activities import meeting_record as record_docx
from app.activities import services as core
from app.activities import sign_in_sheet as sheet
from app.activities.forms import GuestForm, ParticipantForm
from app.activities.models import Activity, ActivityGuest, GuestKind, ParticipantRole
from app.activities.record import load_activity, row_of
from app.activities.views.blueprint import bp, grid_answer, leave_record, reason_given
from app.auth.policy import is_admin, require, require_role
from app.extensions import db
from app.files import word
from app.refusals import Refused


@bp.route("/activities/<int:activity_id>/participants", methods=["POST"])
@login_required
def participant_add(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    form = ParticipantForm()
    # Expected participants come from one's own units; a non-voting attendee from anywhere in
    # the bureau (the form's picker searches accordingly).
    person = form.person.person if form.validate_on_submit() else None
    if person is None or not person.is_active:
        raise Refused(_("Choose a person from the results."), 422)
    core.add_participant(activity, person, ParticipantRole(form.role.data))
    htmx.commit()
    flash(_("%(name)s has been added to the list.", name=person.name), "success")
    return grid_answer(activity)


@bp.route("/activities/<int:activity_id>/participants/<int:row_id>/remove", methods=["POST"])
@login_required
def participant_remove(activity_id: int, row_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    row = row_of(activity, row_id)
    name = row.person.name
    core.remove_participant(row)
    htmx.commit()
    db.session.expire(activity, ["participations"])
    flash(_("%(name)s has been taken off the list.", name=name), "success")
    return grid_answer(load_activity(activity_id))


@bp.route("/activities/<int:activity_id>/guests", methods=["POST"])
@login_required
def guest_add(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    form = GuestForm()
    if not form.validate_on_submit():
        raise Refused(form.refusal, 422)
    kind = GuestKind(form.kind.data)
    core.add_guest(activity, form.name.data, form.relation.data, kind, form.member.person)
    htmx.commit()
    flash(_("%(name)s has been added as a guest.", name=form.name.data), "success")
    return grid_answer(activity)


@bp.route("/activities/<int:activity_id>/guests/<int:guest_id>/remove", methods=["POST"])
@login_required
def guest_remove(activity_id: int, guest_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    guest = db.session.get(ActivityGuest, guest_id)
    require(guest is not None and guest.activity_id == activity.id and guest.deleted_at is None)
    core.remove_guest(guest)  # type: ignore[arg-type]
    htmx.commit()
    flash(_("The guest has been removed."), "success")
    return grid_answer(activity)


@bp.route("/activities/<int:activity_id>/archive", methods=["POST"])
@login_required
def archive(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    marked = core.archive(activity, current_user)
    htmx.commit(_("Someone else changed the attendance at the same time. Reload and try again."))
    if marked:
        flash(
            ngettext(
                "The session is archived; %(num)d unmarked person was recorded absent.",
                "The session is archived; %(num)d unmarked people were recorded absent.",
                marked,
            ),
            "success",
        )
    else:
        flash(_("The session is archived."), "success")
    return leave_record(activity)


@bp.route("/activities/<int:activity_id>/reopen", methods=["POST"])
@login_required
def reopen(activity_id: int) -> Response:
    activity = load_activity(activity_id)
    require_role(is_admin(current_user))
    missing = _("Give a reason for reopening the record.")
    return _for_reason(activity, missing, core.reopen, _("The record is open again."))


@bp.route("/activities/<int:activity_id>/cancel", methods=["POST"])
@login_required
def cancel(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    missing = _("Give a reason for cancelling the session.")
    done = _("The session is cancelled and counts nowhere.")
    return _for_reason(activity, missing, core.cancel, done)


def _for_reason(
    activity: Activity, missing: str, change: Callable[[Activity, str], None], done: str
) -> Response:
    """A change to the whole record that must give a reason (refused with ``missing``)."""
    change(activity, reason_given(missing))
    htmx.commit()
    flash(done, "success")
    return leave_record(activity)


@bp.route("/activities/<int:activity_id>/sign-in-sheet.docx")
@login_required
def sign_in_sheet(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    return word.send_docx(sheet.build(activity), sheet.filename(activity))


@bp.route("/activities/<int:activity_id>/meeting-record.docx")
@login_required
def meeting_record(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    return word.send_docx(record_docx.build(activity), record_docx.filename(activity))
