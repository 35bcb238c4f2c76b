"""What a member does at an activity of any family: check in by button or QR code, ask for
leave, hand in a make-up study, write a reflection; the QR code shown in the room."""

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from app import htmx, settings
from app.activities import checkin
from app.activities import services as core
from app.activities.families import family_of, show_url
from app.activities.forms import MakeUpForm, ReflectionForm, as_field_error
from app.activities.models import Activity, Participation, RecordedVia
from app.activities.record import load_activity, record_context
from app.activities.rules import QR_WINDOW
from app.activities.views.blueprint import (
    bp,
    leave_record,
    offered,
    own_row,
    reason_given,
    with_files,
)
from app.auth.policy import own_participation, require
from app.evidence import services as files
from app.extensions import db
from app.htmx import render_page
from app.queries import form_or_query_arg
from app.refusals import AlreadyDone


def _mine_answer(activity: Activity, status: int = 200) -> Response:
    """The member's own card as recorded now."""
    return htmx.answer(
        "activities/_mine.html", show_url(activity), status, **record_context(activity)
    )


@bp.route("/activities/<int:activity_id>/check-in", methods=["POST"])
@login_required
def check_in(activity_id: int) -> Response:
    activity = load_activity(activity_id)
    row = own_row(activity)
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
    row = own_row(activity)
    reason = reason_given(_("Give a reason for the leave request."))
    core.request_leave(row, reason)
    htmx.commit(_("Your attendance was changed at the same time. Reload and try again."))
    flash(_("Your leave request has been sent to the secretary."), "success")
    return _mine_answer(activity)


RECORD_CHANGED = _l("Your record was changed at the same time. Reload and try again.")


def _offered_row(
    activity_id: int, offer: str, check: Callable[[Participation], None]
) -> tuple[Activity, Participation]:
    """The activity and the member's own row, for a form the family offers (``offer`` names the
    family's flag); refused at once when the form cannot be handed in."""
    activity = load_activity(activity_id)
    require(getattr(family_of(activity), offer))
    row = own_row(activity)
    offered(row, check)
    return activity, row


def _handed_in(activity: Activity, message: str) -> Response:
    """Commit what the member handed in and go back to the record."""
    htmx.commit(RECORD_CHANGED)
    flash(message, "success")
    return leave_record(activity)


def _record_form(
    template: str, activity: Activity, form: FlaskForm, row: Participation, **extra: Any
) -> Response:
    """The member's form page again, 422 when a POST was refused."""
    status = 422 if request.method == "POST" else 200
    return render_page(
        template, form=form, row=row, status=status, **extra, **record_context(activity)
    )


@bp.route("/activities/<int:activity_id>/make-up", methods=["GET", "POST"])
@login_required
def make_up(activity_id: int) -> Response:
    activity, row = _offered_row(activity_id, "make_up", core.check_make_up)
    form = MakeUpForm(obj=None)
    if request.method == "GET" and row.make_up_note:
        form.note.data = row.make_up_note
    if form.validate_on_submit():
        submit = partial(core.submit_make_up, row, form.note.data)
        if as_field_error(form.note, with_files(row, submit))[0]:
            return _handed_in(activity, _("Your make-up study has been sent to the secretary."))
    attached = files.participation_evidence([row.id])
    return _record_form("activities/make_up.html", activity, form, row, attached=attached)


@bp.route("/activities/<int:activity_id>/reflection", methods=["GET", "POST"])
@login_required
def reflection(activity_id: int) -> Response:
    activity, row = _offered_row(activity_id, "reflections", core.check_reflection)
    form = ReflectionForm()
    if request.method == "GET":
        form.text.data = row.reflection
    write = partial(core.write_reflection, row, form.text.data)
    if form.validate_on_submit() and as_field_error(form.text, write)[0]:
        return _handed_in(activity, _("Your reflection has been saved."))
    return _record_form("activities/reflection.html", activity, form, row)


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
