"""The core's routes for every activity family: the attendance grid and its cells, check-in by
button and by QR code, leave, make-up, reflections, the list of people and guests, archiving,
reopening, cancelling, the sign-in sheet and the meeting record. Evidence has its own routes
(``app/evidence``)."""

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from io import BytesIO

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from app import htmx, settings
from app.activities import checkin
from app.activities import meeting_record as record_docx
from app.activities import services as core
from app.activities import sign_in_sheet as sheet
from app.activities.families import family_of, show_url
from app.activities.forms import (
    AbsenceReasonForm,
    GuestForm,
    MakeUpForm,
    PaperMakeUpForm,
    ParticipantForm,
    ReasonForm,
    ReflectionForm,
    ReviewForm,
    as_field_error,
)
from app.activities.models import (
    Activity,
    ActivityGuest,
    AttendanceStatus,
    GuestKind,
    ParticipantRole,
    Participation,
    RecordedVia,
)
from app.activities.record import grid_stamp, load_activity, record_context, row_of
from app.activities.rules import QR_WINDOW
from app.auth.policy import (
    is_admin,
    may_decide,
    own_participation,
    require,
    require_role,
)
from app.evidence import services as files
from app.extensions import db
from app.htmx import (
    VARY,
    hx_redirect,
    only_flashes,
    render_page,
)
from app.queries import form_or_query_arg, form_version, text_arg
from app.refusals import AlreadyDone, Refused
from app.types import local_today

bp = Blueprint("activities", __name__)


def _own_row(activity: Activity) -> Participation:
    row = own_participation(current_user, activity)
    require_role(row is not None)
    return row  # type: ignore[return-value]


def _stale(row: Participation) -> bool:
    """The grid the secretary clicked on showed an older version of this row."""
    shown = form_version()
    return shown is not None and shown != row.version


def _offered(row: Participation, check: Callable[[Participation], None]) -> None:
    """Before a form is shown or read: say at once, as a warning, when it cannot be handed in."""
    try:
        check(row)
    except Refused as refused:
        raise Refused(refused.message, category="warning") from refused


def _reason(missing: str) -> str:
    """The reason a request must give; refused with ``missing`` when there is none."""
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Refused(missing, 422)
    return form.reason.data


def _leave_record(activity: Activity) -> Response:
    return hx_redirect(show_url(activity))


@bp.route("/activities/<int:activity_id>/attendance")
@login_required
def attendance(activity_id: int) -> Response:
    """The grid, polled while the activity is open: a member's check-in appears on the
    secretary's screen without a reload; nothing is sent when nothing changed."""
    activity = load_activity(activity_id, manage=True)
    if text_arg("v") == grid_stamp(activity):
        return Response(status=204, headers={"Vary": VARY})
    return _grid_answer(activity)


def _grid_answer(
    activity: Activity, row: Participation | None = None, status: int = 200
) -> Response:
    """After a change on the grid: the row (or the whole grid) and the counts out of band; a
    page request goes back to the record."""
    back = show_url(activity)
    context = record_context(activity)
    if row is not None:
        return htmx.answer("activities/_row_update.html", back, status, row=row, **context)
    return htmx.answer("activities/_attendance.html", back, status, oob_counts=True, **context)


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
    if _stale(row):
        # The row changed since the grid was shown (a check-in, another secretary): nothing is
        # overwritten; the current row is shown with a message.
        flash(
            _(
                "%(name)s's attendance changed meanwhile; check it and try again.",
                name=row.person.name,
            ),
            "warning",
        )
        return _grid_answer(activity, row, 409)
    if refused_status is not None:
        htmx.on_refusal(lambda _status: only_flashes(refused_status))
    change(row)
    htmx.on_refusal(only_flashes)
    htmx.commit()
    if done:
        flash(done, "success")
    return _grid_answer(activity, row)


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
    return _grid_answer(activity)


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


def _with_files(row: Participation, change: Callable[[], None]) -> Callable[[], None]:
    """A make-up written and its uploaded files attached, all or nothing."""

    def write() -> None:
        change()
        files.attach_all(request.files.getlist("files"), by=current_user, participation=row)

    return write


@bp.route("/activities/<int:activity_id>/make-up/<int:row_id>/paper", methods=["GET", "POST"])
@login_required
def paper_make_up(activity_id: int, row_id: int) -> Response:
    """A make-up handed in on paper, entered by the secretary and confirmed at once."""
    activity = load_activity(activity_id, manage=True)
    require(family_of(activity).make_up)
    row = row_of(activity, row_id)
    _offered(row, partial(core.check_paper_make_up, by=current_user))
    form = PaperMakeUpForm()
    if request.method == "GET":
        form.handed_in_on.data = local_today()
    if form.validate_on_submit():
        record = partial(
            core.record_paper_make_up, row, form.handed_in_on.data, form.note.data, current_user
        )
        if as_field_error(form.note, _with_files(row, record))[0]:
            htmx.commit()
            flash(
                _("%(name)s's make-up study is recorded and confirmed.", name=row.person.name),
                "success",
            )
            return _leave_record(activity)
    return render_page(
        "activities/paper_make_up.html",
        form=form,
        row=row,
        status=422 if request.method == "POST" else 200,
        **record_context(activity),
    )


def _mine_answer(activity: Activity, status: int = 200) -> Response:
    """The member's own card as recorded now."""
    return htmx.answer(
        "activities/_mine.html", show_url(activity), status, **record_context(activity)
    )


@bp.route("/activities/<int:activity_id>/check-in", methods=["POST"])
@login_required
def check_in(activity_id: int) -> Response:
    activity = load_activity(activity_id)
    row = _own_row(activity)
    # Refused or done already: the card shows what is recorded now.
    htmx.on_refusal(lambda status: _mine_answer(load_activity(activity_id), status))
    core.check_in(row, RecordedVia.BUTTON, current_user)
    _commit_check_in()
    flash(_("You have checked in. The secretary will confirm it."), "success")
    return _mine_answer(activity)


def _commit_check_in() -> None:
    """A second check-in that raced the first changes nothing, and says so."""
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()  # before the message is translated: the locale reads the user
        raise AlreadyDone(_("You have already checked in.")) from error


@bp.route("/activities/<int:activity_id>/leave", methods=["POST"])
@login_required
def leave(activity_id: int) -> Response:
    activity = load_activity(activity_id)
    row = _own_row(activity)
    reason = _reason(_("Give a reason for the leave request."))
    core.request_leave(row, reason)
    htmx.commit(_("Your attendance was changed at the same time. Reload and try again."))
    flash(_("Your leave request has been sent to the secretary."), "success")
    return _mine_answer(activity)


RECORD_CHANGED = _l("Your record was changed at the same time. Reload and try again.")


@bp.route("/activities/<int:activity_id>/make-up", methods=["GET", "POST"])
@login_required
def make_up(activity_id: int) -> Response:
    activity = load_activity(activity_id)
    require(family_of(activity).make_up)
    row = _own_row(activity)
    _offered(row, core.check_make_up)
    form = MakeUpForm(obj=None)
    if request.method == "GET" and row.make_up_note:
        form.note.data = row.make_up_note
    if form.validate_on_submit():
        submit = partial(core.submit_make_up, row, form.note.data)
        if as_field_error(form.note, _with_files(row, submit))[0]:
            htmx.commit(RECORD_CHANGED)
            flash(_("Your make-up study has been sent to the secretary."), "success")
            return _leave_record(activity)
    return render_page(
        "activities/make_up.html",
        form=form,
        row=row,
        attached=files.participation_evidence([row.id]),
        status=422 if request.method == "POST" else 200,
        **record_context(activity),
    )


@bp.route("/activities/<int:activity_id>/reflection", methods=["GET", "POST"])
@login_required
def reflection(activity_id: int) -> Response:
    activity = load_activity(activity_id)
    require(family_of(activity).reflections)
    row = _own_row(activity)
    _offered(row, core.check_reflection)
    form = ReflectionForm()
    if request.method == "GET":
        form.text.data = row.reflection
    write = partial(core.write_reflection, row, form.text.data)
    if form.validate_on_submit() and as_field_error(form.text, write)[0]:
        htmx.commit(RECORD_CHANGED)
        flash(_("Your reflection has been saved."), "success")
        return _leave_record(activity)
    return render_page(
        "activities/reflection.html",
        form=form,
        row=row,
        status=422 if request.method == "POST" else 200,
        **record_context(activity),
    )


@bp.route("/activities/<int:activity_id>/qr")
@login_required
def qr(activity_id: int) -> Response:
    """The page shown in the room; htmx fetches the next code from the same address."""
    activity = load_activity(activity_id, manage=True)
    require(family_of(activity).qr)
    core.require_open(activity)
    token = checkin.token_for(activity.id)
    url = url_for("activities.scan", activity_id=activity.id, t=token, _external=True)
    return render_page(
        "activities/qr.html",
        "activities/_qr_code.html",
        qr_svg=checkin.qr_svg(url),
        qr_url=url,
        seconds_left=checkin.seconds_left(),
        **record_context(activity),
    )


def _scan_problem(message: str, status: int) -> Response:
    return render_page("activities/scan.html", activity=None, problem=message, status=status)


@bp.route("/activities/<int:activity_id>/scan", methods=["GET", "POST"])
def scan(activity_id: int) -> Response:
    """The address in the QR code: a valid code checks the signed-in person in, confirmed at once
    (the code is only visible in the room). The page submits itself; the POST carries CSRF.

    The code is verified before sign-in: a person who must sign in on the phone first comes back
    here without the code, and the scan kept in the session completes the check-in if the sign-in
    ends within five minutes of it."""
    token = form_or_query_arg("t")
    window = timedelta(minutes=settings.get(QR_WINDOW.key))
    try:
        # Before any lookup: without a valid code nothing tells whether the activity exists.
        checkin.verify_scan(activity_id, token, window)
    except checkin.Expired:
        checkin.forget_scan()
        return _scan_problem(_("This code has expired. Scan the code on the screen again."), 400)
    except checkin.TokenProblem:
        return _scan_problem(
            _("This code is not valid. Scan the code on the screen in the room."), 400
        )
    if not current_user.is_authenticated:
        if token:  # a scan kept while signing in is not renewed by coming back
            checkin.remember_scan(activity_id)
        flash(_("Sign in to finish checking in."), "info")
        here = url_for("activities.scan", activity_id=activity_id)
        return redirect(url_for("auth.login", next=here))
    if request.method == "POST":
        checkin.forget_scan()
    return _scan_check_in(db.get_or_404(Activity, activity_id), token)


def _scan_check_in(activity: Activity, token: str | None) -> Response:
    row = own_participation(current_user, activity)
    if row is None:
        # A valid code was on the screen in the room; say why nothing happened, and no more.
        return _scan_problem(
            _("You are not on the list of this session. Ask the secretary to add you."), 403
        )
    if request.method == "GET":
        return render_page("activities/scan.html", activity=activity, token=token, problem=None)
    htmx.set_back(show_url(activity))
    core.check_in(row, RecordedVia.QR, current_user)
    _commit_check_in()
    flash(_("You have checked in."), "success")
    return redirect(show_url(activity), 303)


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
    return _grid_answer(activity)


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
    return _grid_answer(load_activity(activity_id))


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
    return _grid_answer(activity)


@bp.route("/activities/<int:activity_id>/guests/<int:guest_id>/remove", methods=["POST"])
@login_required
def guest_remove(activity_id: int, guest_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    guest = db.session.get(ActivityGuest, guest_id)
    require(guest is not None and guest.activity_id == activity.id and guest.deleted_at is None)
    core.remove_guest(guest)  # type: ignore[arg-type]
    htmx.commit()
    flash(_("The guest has been removed."), "success")
    return _grid_answer(activity)


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
    return _leave_record(activity)


@bp.route("/activities/<int:activity_id>/reopen", methods=["POST"])
@login_required
def reopen(activity_id: int) -> Response:
    activity = load_activity(activity_id)
    require_role(is_admin(current_user))
    reason = _reason(_("Give a reason for reopening the record."))
    core.reopen(activity, reason)
    htmx.commit()
    flash(_("The record is open again."), "success")
    return _leave_record(activity)


@bp.route("/activities/<int:activity_id>/cancel", methods=["POST"])
@login_required
def cancel(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    reason = _reason(_("Give a reason for cancelling the session."))
    core.cancel(activity, reason)
    htmx.commit()
    flash(_("The session is cancelled and counts nowhere."), "success")
    return _leave_record(activity)


@bp.route("/activities/<int:activity_id>/sign-in-sheet.docx")
@login_required
def sign_in_sheet(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    return _word_file(sheet.build(activity), sheet.filename(activity))


@bp.route("/activities/<int:activity_id>/meeting-record.docx")
@login_required
def meeting_record(activity_id: int) -> Response:
    activity = load_activity(activity_id, manage=True)
    return _word_file(record_docx.build(activity), record_docx.filename(activity))


def _word_file(data: bytes, name: str) -> Response:
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=True,
        download_name=name,
    )
