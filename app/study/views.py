"""Study sessions: list, calendar, the record, attendance in place, check-in, leave, make-up study,
reflections, archiving and the printed sign-in sheet."""

import hashlib
from calendar import Calendar
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import settings
from app.activities import checkin
from app.activities import services as core
from app.activities.models import (
    Activity,
    ActivityGuest,
    ActivityStatus,
    AttendanceStatus,
    ParticipantRole,
    Participation,
    RecordedVia,
)
from app.activities.rules import LATE_ENTRY_DAYS, QR_WINDOW
from app.auth.models import Role, User
from app.auth.policy import (
    can_manage_activity,
    can_view_activity,
    is_admin,
    own_participation,
    require,
    require_role,
    role_required,
    unit_in_scope,
    units_for_choice,
)
from app.evidence import services as files
from app.evidence.models import Evidence
from app.extensions import db
from app.htmx import (
    CHANGED_MEANWHILE,
    VARY,
    commit_or_refuse,
    hx_redirect,
    refuse,
    render_fragment,
    render_page,
    wants_fragment,
)
from app.people.models import OrgUnit, Person, roster_order
from app.queries import (
    form_or_query_arg,
    form_version,
    int_arg,
    paginate,
    query_args,
    text_arg,
)
from app.refusals import AlreadyDone, Refused
from app.reports import figures
from app.study import services
from app.study.forms import (
    AbsenceReasonForm,
    GuestForm,
    MakeUpForm,
    PaperMakeUpForm,
    ParticipantForm,
    ReasonForm,
    ReflectionForm,
    ReviewForm,
    SessionForm,
)
from app.study.models import StudyKind, StudySession
from app.types import local_today, utcnow

bp = Blueprint("study", __name__)

# --- loading and answering ----------------------------------------------------------------------


def _load(session_id: int) -> StudySession:
    """One session with everything its page shows, in a fixed number of queries."""
    session = db.session.scalar(
        sa.select(StudySession)
        .where(StudySession.id == session_id)
        .options(
            joinedload(StudySession.unit),
            selectinload(StudySession.participations)
            .joinedload(Participation.person)
            .joinedload(Person.department),
            selectinload(StudySession.guests),
            joinedload(StudySession.chair),
            joinedload(StudySession.minute_taker),
            joinedload(StudySession.lecturer),
        )
    )
    require(session is not None and can_view_activity(current_user, session))
    return session  # type: ignore[return-value]


def _managed(session_id: int) -> StudySession:
    session = _load(session_id)
    require_role(can_manage_activity(current_user, session))
    return session


def _row(session: StudySession, row_id: int) -> Participation:
    for row in session.participations:
        if row.id == row_id:
            return row
    abort(404)


def _own_row(session: StudySession) -> Participation:
    row = own_participation(current_user, session)
    require_role(row is not None)
    return row  # type: ignore[return-value]


def _to_show(session: Activity) -> Response:
    return redirect(url_for("study.show", session_id=session.id), 303)


def _refused(session: Activity, message: object, status: int = 409) -> Response:
    return refuse(message, url_for("study.show", session_id=session.id), status)


def _commit_or_conflict(session: Activity, conflict: object = CHANGED_MEANWHILE) -> Response | None:
    return commit_or_refuse(url_for("study.show", session_id=session.id), conflict)


def _stale(row: Participation) -> bool:
    """The grid the secretary clicked on showed an older version of this row."""
    shown = form_version()
    return shown is not None and shown != row.version


def _not_own(row: Participation) -> None:
    """What a member records waits for someone else: a secretary does not approve their own
    leave, check-in or make-up (an admin may)."""
    if row.person_id == current_user.person_id and not is_admin(current_user):
        abort(403)


def _context(session: StudySession, **extra: Any) -> dict[str, Any]:
    manage = can_manage_activity(current_user, session)
    rows = sorted(
        session.participations,
        key=lambda r: (r.role is not ParticipantRole.EXPECTED, roster_order(r.person)),
    )
    make_up_files: dict[int, list[Evidence]] = {}
    if manage:
        # Make-up evidence beside the note the secretary reviews, for the whole grid at once.
        submitted = [r.id for r in rows if r.make_up_state is not None]
        for item in files.participation_evidence(submitted):
            make_up_files.setdefault(item.participation_id, []).append(item)
    counts = figures.counts_for(session)
    return {
        "session": session,
        "counts": counts,
        "talks": [] if session.kind.counts_in_attendance else figures.talks([session.id]),
        "quorum": figures.quorum(session.kind, counts),
        "make_up_files": make_up_files,
        "expected_rows": [r for r in rows if r.role is ParticipantRole.EXPECTED],
        "non_voting_rows": [r for r in rows if r.role is ParticipantRole.NON_VOTING],
        "guests": [g for g in session.guests if g.deleted_at is None],
        "can_manage": manage,
        "mine": own_participation(current_user, session),
        "now": utcnow(),
        "window": core.check_in_window(session),
        "statuses": AttendanceStatus,
        "party_label": figures.status_label_on,
        "grid_stamp": grid_stamp,
        "by_qr": sum(r.recorded_via is RecordedVia.QR for r in rows),
        "archivable": session.is_open and session.starts_at <= utcnow(),
        **extra,
    }


# --- list, calendar ------------------------------------------------------------------------------


@bp.route("/")
@login_required
def index() -> Response:
    filters = services.SessionFilters.from_args(query_args())
    page = paginate(services.session_query(current_user, filters, utcnow()))
    counts = figures.activity_counts(s.id for s in page.items)
    units = units_for_choice(current_user) if current_user.role is not Role.MEMBER else []
    return render_page(
        "study/index.html",
        "study/_list.html",
        page=page,
        counts=counts,
        filters=filters,
        units=units,
        kinds=StudyKind,
        statuses=ActivityStatus,
        years=range(local_today().year + 1, local_today().year - 6, -1),
        can_create=current_user.role is not Role.MEMBER,
        now=utcnow(),
    )


@bp.route("/calendar")
@login_required
def calendar() -> Response:
    today = local_today()
    month = _month_arg(text_arg("month")) or today.replace(day=1)
    first, following = services.month_bounds(month)
    filters = services.SessionFilters()
    stmt = services.session_query(current_user, filters, utcnow()).where(
        Activity.held_on >= first, Activity.held_on < following
    )
    by_day: dict[date, list[StudySession]] = {}
    for session in db.session.scalars(stmt.options(joinedload(StudySession.unit))):
        by_day.setdefault(session.held_on, []).append(session)
    for sessions in by_day.values():
        sessions.sort(key=lambda s: s.starts_at)
    weeks = Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    previous = (first - timedelta(days=1)).replace(day=1)
    return render_page(
        "study/calendar.html",
        month=month,
        weeks=weeks,
        by_day=by_day,
        today=today,
        previous=previous,
        following=following,
        now=utcnow(),
    )


def _month_arg(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        year, month = (int(part) for part in raw.split("-", 1))
        if 1900 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    return None


# --- creating and editing -----------------------------------------------------------------------


def _session_form(session: StudySession | None) -> tuple[SessionForm, list[OrgUnit]]:
    units = units_for_choice(current_user)
    late_days = settings.get(LATE_ENTRY_DAYS.key)
    form = SessionForm(obj=session, units=units, late_days=late_days)
    if session is not None and request.method == "GET":
        local_start = session.starts_at.astimezone(_zone())
        local_end = session.ends_at.astimezone(_zone())
        form.kind.data = session.kind.value
        form.day.data = local_start.date()
        form.start.data = local_start.time()
        form.end.data = local_end.time()
        form.chair.set_person(session.chair, session.chair_name)
        form.minute_taker.set_person(session.minute_taker, session.minute_taker_name)
        form.lecturer.set_person(session.lecturer, session.lecturer_name)
        if session.study_hours == services.default_hours(session.starts_at, session.ends_at):
            form.study_hours.data = None  # left to follow the times when they change
    return form, units


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def new() -> Response:
    form, units = _session_form(None)
    if request.method == "GET":
        form.unit_id.data = int_arg("unit") or (units[0].id if units else None)
        form.day.data = local_today()
    status = 200
    if form.validate_on_submit():
        unit = db.session.get(OrgUnit, form.unit_id.data)
        require(unit is not None and unit_in_scope(current_user, unit))
        try:
            session = services.create_session(form.values(unit), current_user)
        except Refused as refused:
            form.late_reason.errors.append(str(refused.message))
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The session has been created with %(num)d person expected.",
                    "The session has been created with %(num)d people expected.",
                    len(session.participations),
                ),
                "success",
            )
            return hx_redirect(url_for("study.show", session_id=session.id))
    if request.method == "POST":
        status = 422
    return render_page("study/form.html", form=form, session=None, status=status)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit(session_id: int) -> Response:
    session = _managed(session_id)
    try:
        core.require_open(session)
    except Refused as refused:
        return _refused(session, refused.message)
    form, _units = _session_form(session)
    status = 200
    if form.validate_on_submit():
        unit = db.session.get(OrgUnit, form.unit_id.data)
        require(unit is not None and unit_in_scope(current_user, unit))
        try:
            services.apply_values(session, form.values(unit))
        except Refused as refused:
            db.session.rollback()
            form.late_reason.errors.append(str(refused.message))
        else:
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return hx_redirect(url_for("study.show", session_id=session.id))
    if request.method == "POST":
        status = 422
    return render_page("study/form.html", form=form, session=session, status=status)


# --- the record -------------------------------------------------------------------------------


@bp.route("/<int:session_id>")
@login_required
def show(session_id: int) -> Response:
    session = _load(session_id)
    context = _context(session)
    manage = context["can_manage"]
    return render_page(
        "study/show.html",
        expected_form=_participant_form(ParticipantRole.EXPECTED) if manage else None,
        non_voting_form=_participant_form(ParticipantRole.NON_VOTING) if manage else None,
        can_reopen=session.is_archived and is_admin(current_user),
        entered_by=db.session.get(User, session.created_by_id) if session.created_by_id else None,
        reopened=core.last_reopening(session),
        **files.gallery(session, current_user),
        **context,
    )


def _participant_form(role: ParticipantRole) -> ParticipantForm:
    return ParticipantForm(formdata=None, data={"role": role.value})


def grid_stamp(session: StudySession) -> str:
    """Changes whenever a row or guest of the grid changes: the polling grid is sent again only
    then."""
    parts = [f"{r.id}:{r.version}" for r in session.participations]
    parts += [f"g{g.id}:{g.deleted_at is None}" for g in session.guests]
    return hashlib.sha256(",".join(sorted(parts)).encode()).hexdigest()[:16]


@bp.route("/<int:session_id>/attendance")
@login_required
def attendance(session_id: int) -> Response:
    """The grid, polled while the session is open: a member's check-in appears on the
    secretary's screen without a reload; nothing is sent when nothing changed."""
    session = _managed(session_id)
    if text_arg("v") == grid_stamp(session):
        return Response(status=204, headers={"Vary": VARY})
    if not wants_fragment():
        return _to_show(session)
    return render_fragment("study/_attendance.html", oob_counts=True, **_context(session))


def _changed_meanwhile(session: StudySession, row: Participation) -> Response:
    """The row changed since the grid was shown (a check-in, another secretary): nothing is
    overwritten; the current row is shown with a message."""
    flash(
        _("%(name)s's attendance changed meanwhile; check it and try again.", name=row.person.name),
        "warning",
    )
    if not wants_fragment():
        return _to_show(session)
    return render_fragment("study/_row_update.html", 409, row=row, **_context(session))


def _grid_response(session: StudySession, row: Participation | None = None) -> Response:
    """After a change on the grid: the row (or the whole grid) and the counts out of band."""
    if not wants_fragment():
        return _to_show(session)
    context = _context(session)
    if row is not None:
        return render_fragment("study/_row_update.html", row=row, **context)
    return render_fragment("study/_attendance.html", oob_counts=True, **context)


def _change_row(
    session_id: int,
    row_id: int,
    change: Callable[[Participation], None],
    *,
    review: bool | Callable[[Participation], bool],
    refused_status: int = 409,
    done: str | None = None,
) -> Response:
    """One change on one row of the grid: refused on an outdated grid, on the secretary's own
    row when it is a review, and when the rules say no; answered with the row and the counts."""
    session = _managed(session_id)
    row = _row(session, row_id)
    if review(row) if callable(review) else review:
        _not_own(row)
    if _stale(row):
        return _changed_meanwhile(session, row)
    try:
        change(row)
    except Refused as refused:
        return _refused(session, refused.message, refused_status)
    problem = _commit_or_conflict(session)
    if problem:
        return problem
    if done:
        flash(done, "success")
    return _grid_response(session, row)


@bp.route("/<int:session_id>/attendance/<int:row_id>", methods=["POST"])
@login_required
def attendance_cell(session_id: int, row_id: int) -> Response:
    try:
        status = AttendanceStatus(request.form.get("status", ""))
    except ValueError:
        return _refused(_managed(session_id), _("Choose a status."), 422)
    # Marking one's own row is fine (the secretary runs the meeting), but not when the mark
    # would decide one's own pending check-in or leave request.
    return _change_row(
        session_id,
        row_id,
        lambda row: core.mark(row, status, current_user),
        review=lambda row: row.is_pending,
    )


@bp.route("/<int:session_id>/attendance/all-present", methods=["POST"])
@login_required
def all_present(session_id: int) -> Response:
    session = _managed(session_id)
    try:
        changed = core.mark_all_present(session, current_user)
    except Refused as refused:
        return _refused(session, refused.message)
    problem = _commit_or_conflict(session)
    if problem:
        return problem
    flash(
        ngettext("%(num)d person marked present.", "%(num)d people marked present.", changed),
        "success",
    )
    return _grid_response(session)


@bp.route("/<int:session_id>/attendance/<int:row_id>/confirm", methods=["POST"])
@login_required
def confirm(session_id: int, row_id: int) -> Response:
    return _change_row(
        session_id, row_id, lambda row: core.confirm_check_in(row, current_user), review=True
    )


@bp.route("/<int:session_id>/leave/<int:row_id>", methods=["POST"])
@login_required
def leave_decide(session_id: int, row_id: int) -> Response:
    approve = request.form.get("decision") == "approve"
    return _change_row(
        session_id,
        row_id,
        lambda row: core.decide_leave(row, approve, current_user),
        review=True,
    )


@bp.route("/<int:session_id>/make-up/<int:row_id>", methods=["POST"])
@login_required
def make_up_review(session_id: int, row_id: int) -> Response:
    form = ReviewForm()
    if not form.validate_on_submit():
        return _refused(_managed(session_id), _("The comment is too long."), 422)
    confirm_it = request.form.get("decision") == "confirm"
    return _change_row(
        session_id,
        row_id,
        lambda row: core.review_make_up(row, confirm_it, form.comment.data or None, current_user),
        review=True,
        refused_status=422,
        done=_("The make-up study is confirmed.")
        if confirm_it
        else _("The make-up study was returned."),
    )


@bp.route("/<int:session_id>/attendance/<int:row_id>/reason", methods=["POST"])
@login_required
def absence_reason(session_id: int, row_id: int) -> Response:
    """Why someone was on leave or absent, for the meeting record: also afterwards, also on an
    archived session."""
    form = AbsenceReasonForm()
    if not form.validate_on_submit():
        return _refused(_managed(session_id), _("The reason is too long."), 422)
    return _change_row(
        session_id,
        row_id,
        lambda row: core.record_reason(row, form.reason.data, current_user),
        review=False,
        done=_("The reason has been saved."),
    )


def _make_up_with_files(row: Participation, change: Callable[[], None]) -> str | None:
    """Write a make-up and attach its uploaded files, all or nothing: the refusal's message, or
    None when done (the view commits)."""
    try:
        change()
        for upload in request.files.getlist("files"):
            if upload and upload.filename:
                files.attach(upload, participation=row, by=current_user)
    except Refused as refused:
        db.session.rollback()
        return str(refused.message)
    return None


@bp.route("/<int:session_id>/make-up/<int:row_id>/paper", methods=["GET", "POST"])
@login_required
def paper_make_up(session_id: int, row_id: int) -> Response:
    """A make-up handed in on paper, entered by the secretary and confirmed at once."""
    session = _managed(session_id)
    row = _row(session, row_id)
    check = partial(core.check_paper_make_up, by=current_user)
    if (problem := _not_possible(session, row, check)) is not None:
        return problem
    form = PaperMakeUpForm()
    if request.method == "GET":
        form.handed_in_on.data = local_today()
    status = 200
    if form.validate_on_submit():
        refusal = _make_up_with_files(
            row,
            lambda: core.record_paper_make_up(
                row, form.handed_in_on.data, form.note.data, current_user
            ),
        )
        if refusal:
            form.note.errors.append(refusal)
        else:
            problem = _commit_or_conflict(session)
            if problem:
                return problem
            flash(
                _("%(name)s's make-up study is recorded and confirmed.", name=row.person.name),
                "success",
            )
            return hx_redirect(url_for("study.show", session_id=session.id))
    if request.method == "POST":
        status = 422
    return render_page(
        "study/paper_make_up.html", form=form, session=session, row=row, status=status
    )


# --- the member's own actions -----------------------------------------------------------------


def _mine_response(session: StudySession, status: int = 200) -> Response:
    if not wants_fragment():
        return _to_show(session)
    return render_fragment("study/_mine.html", status, **_context(session))


@bp.route("/<int:session_id>/check-in", methods=["POST"])
@login_required
def check_in(session_id: int) -> Response:
    session = _load(session_id)
    row = _own_row(session)
    try:
        core.check_in(row, RecordedVia.BUTTON, current_user)
    except AlreadyDone as done:
        db.session.rollback()
        flash(str(done.message), "info")
        return _mine_response(session)
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "danger")
        return _mine_response(session, 409)  # the card shows what is recorded now
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_("You have already checked in."), "info")
        return _mine_response(_load(session_id))
    flash(_("You have checked in. The secretary will confirm it."), "success")
    return _mine_response(session)


@bp.route("/<int:session_id>/leave", methods=["POST"])
@login_required
def leave(session_id: int) -> Response:
    session = _load(session_id)
    row = _own_row(session)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _refused(session, _("Give a reason for the leave request."), 422)
    try:
        core.request_leave(row, form.reason.data)
    except Refused as refused:
        return _refused(session, refused.message)
    problem = _commit_or_conflict(
        session, _("Your attendance was changed at the same time. Reload and try again.")
    )
    if problem:
        return problem
    flash(_("Your leave request has been sent to the secretary."), "success")
    return _mine_response(session)


def _not_possible(
    session: StudySession, row: Participation, check: Callable[[Participation], None]
) -> Response | None:
    """Before a form is shown or read: say at once when it cannot be handed in here."""
    try:
        check(row)
    except Refused as refused:
        flash(str(refused.message), "warning")
        return hx_redirect(url_for("study.show", session_id=session.id))
    return None


@bp.route("/<int:session_id>/make-up", methods=["GET", "POST"])
@login_required
def make_up(session_id: int) -> Response:
    session = _load(session_id)
    row = _own_row(session)
    if (problem := _not_possible(session, row, core.check_make_up)) is not None:
        return problem
    form = MakeUpForm(obj=None)
    if request.method == "GET" and row.make_up_note:
        form.note.data = row.make_up_note
    status = 200
    if form.validate_on_submit():
        refusal = _make_up_with_files(row, lambda: core.submit_make_up(row, form.note.data))
        if refusal:
            form.note.errors.append(refusal)
        else:
            problem = _commit_or_conflict(
                session, _("Your record was changed at the same time. Reload and try again.")
            )
            if problem:
                return problem
            flash(_("Your make-up study has been sent to the secretary."), "success")
            return hx_redirect(url_for("study.show", session_id=session.id))
    if request.method == "POST":
        status = 422
    attached = files.participation_evidence([row.id])
    return render_page(
        "study/make_up.html", form=form, session=session, row=row, attached=attached, status=status
    )


@bp.route("/<int:session_id>/reflection", methods=["GET", "POST"])
@login_required
def reflection(session_id: int) -> Response:
    session = _load(session_id)
    row = _own_row(session)
    if (problem := _not_possible(session, row, core.check_reflection)) is not None:
        return problem
    form = ReflectionForm()
    if request.method == "GET":
        form.text.data = row.reflection
    status = 200
    if form.validate_on_submit():
        try:
            core.write_reflection(row, form.text.data)
        except Refused as refused:
            db.session.rollback()
            form.text.errors.append(str(refused.message))
        else:
            problem = _commit_or_conflict(
                session, _("Your record was changed at the same time. Reload and try again.")
            )
            if problem:
                return problem
            flash(_("Your reflection has been saved."), "success")
            return hx_redirect(url_for("study.show", session_id=session.id))
    if request.method == "POST":
        status = 422
    return render_page("study/reflection.html", form=form, session=session, row=row, status=status)


# --- check-in by QR code in the room -----------------------------------------------------------


@bp.route("/<int:session_id>/qr")
@login_required
def qr(session_id: int) -> Response:
    """The page shown in the room; htmx fetches the next code from the same address."""
    session = _managed(session_id)
    try:
        core.require_open(session)
    except Refused as refused:
        return _refused(session, refused.message)
    return render_page(
        "study/qr.html", "study/_qr_code.html", session=session, **_qr_context(session)
    )


def _qr_context(session: StudySession) -> dict[str, Any]:
    token = checkin.token_for(session.id)
    url = url_for("study.scan", session_id=session.id, t=token, _external=True)
    return {"qr_svg": checkin.qr_svg(url), "qr_url": url, "seconds_left": checkin.seconds_left()}


@bp.route("/<int:session_id>/scan", methods=["GET", "POST"])
def scan(session_id: int) -> Response:
    """The address in the QR code: a valid code checks the signed-in person in, confirmed at once
    (the code is only visible in the room). The page submits itself; the POST carries CSRF.

    The code is verified before sign-in: a person who must sign in on the phone first comes back
    here without the code, and the scan kept in the session completes the check-in if the sign-in
    ends within five minutes of it."""
    token = form_or_query_arg("t")
    window = timedelta(minutes=settings.get(QR_WINDOW.key))
    try:
        # Before any lookup: without a valid code nothing tells whether the session exists.
        checkin.verify_scan(session_id, token, window)
    except checkin.Expired:
        checkin.forget_scan()
        return render_page(
            "study/scan.html",
            session=None,
            problem=_("This code has expired. Scan the code on the screen again."),
            status=400,
        )
    except checkin.TokenProblem:
        return render_page(
            "study/scan.html",
            session=None,
            problem=_("This code is not valid. Scan the code on the screen in the room."),
            status=400,
        )
    if not current_user.is_authenticated:
        if token:  # a scan kept while signing in is not renewed by coming back
            checkin.remember_scan(session_id)
        flash(_("Sign in to finish checking in."), "info")
        return redirect(url_for("auth.login", next=url_for("study.scan", session_id=session_id)))
    if request.method == "POST":
        checkin.forget_scan()
    session = db.get_or_404(StudySession, session_id)
    row = own_participation(current_user, session)
    if row is None:
        # A valid code was on the screen in the room; say why nothing happened, and no more.
        return render_page(
            "study/scan.html",
            session=None,
            problem=_("You are not on the list of this session. Ask the secretary to add you."),
            status=403,
        )
    if request.method == "GET":
        return render_page("study/scan.html", session=session, token=token, problem=None)
    try:
        core.check_in(row, RecordedVia.QR, current_user)
    except Refused as refused:
        db.session.rollback()
        flash(str(refused.message), "info" if isinstance(refused, AlreadyDone) else "danger")
        return _to_show(session)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_("You have already checked in."), "info")
        return _to_show(session)
    flash(_("You have checked in."), "success")
    return _to_show(session)


# --- the list of people --------------------------------------------------------------------


@bp.route("/<int:session_id>/participants", methods=["POST"])
@login_required
def participant_add(session_id: int) -> Response:
    session = _managed(session_id)
    form = ParticipantForm()
    # Expected participants come from one's own units; a non-voting attendee from anywhere in
    # the bureau (the form's picker searches accordingly).
    person = form.person.person if form.validate_on_submit() else None
    if person is None or not person.is_active:
        return _refused(session, _("Choose a person from the results."), 422)
    try:
        core.add_participant(session, person, ParticipantRole(form.role.data))
    except Refused as refused:
        return _refused(session, refused.message)
    problem = _commit_or_conflict(session)
    if problem:
        return problem
    flash(_("%(name)s has been added to the list.", name=person.name), "success")
    return _grid_response(session)


@bp.route("/<int:session_id>/participants/<int:row_id>/remove", methods=["POST"])
@login_required
def participant_remove(session_id: int, row_id: int) -> Response:
    session = _managed(session_id)
    row = _row(session, row_id)
    name = row.person.name
    try:
        core.remove_participant(row)
    except Refused as refused:
        return _refused(session, refused.message)
    problem = _commit_or_conflict(session)
    if problem:
        return problem
    db.session.expire(session, ["participations"])
    flash(_("%(name)s has been taken off the list.", name=name), "success")
    return _grid_response(_load(session_id))


@bp.route("/<int:session_id>/guests", methods=["POST"])
@login_required
def guest_add(session_id: int) -> Response:
    session = _managed(session_id)
    form = GuestForm()
    if not form.validate_on_submit():
        return _refused(session, _("Give the guest's name."), 422)
    try:
        core.add_guest(session, form.name.data, form.relation.data)
    except Refused as refused:
        return _refused(session, refused.message)
    problem = _commit_or_conflict(session)
    if problem:
        return problem
    flash(_("%(name)s has been added as a guest.", name=form.name.data), "success")
    return _grid_response(session)


@bp.route("/<int:session_id>/guests/<int:guest_id>/remove", methods=["POST"])
@login_required
def guest_remove(session_id: int, guest_id: int) -> Response:
    session = _managed(session_id)
    guest = db.session.get(ActivityGuest, guest_id)
    require(guest is not None and guest.activity_id == session.id and guest.deleted_at is None)
    try:
        core.remove_guest(guest)  # type: ignore[arg-type]
    except Refused as refused:
        return _refused(session, refused.message)
    problem = _commit_or_conflict(session)
    if problem:
        return problem
    flash(_("The guest has been removed."), "success")
    return _grid_response(session)


# --- archiving, reopening, cancelling -----------------------------------------------------------


@bp.route("/<int:session_id>/archive", methods=["POST"])
@login_required
def archive(session_id: int) -> Response:
    session = _managed(session_id)
    try:
        marked = core.archive(session, current_user)
    except Refused as refused:
        return _refused(session, refused.message)
    problem = _commit_or_conflict(
        session, _("Someone else changed the attendance at the same time. Reload and try again.")
    )
    if problem:
        return problem
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
    return hx_redirect(url_for("study.show", session_id=session.id))


@bp.route("/<int:session_id>/reopen", methods=["POST"])
@login_required
def reopen(session_id: int) -> Response:
    session = _load(session_id)
    require_role(is_admin(current_user))
    form = ReasonForm()
    if not form.validate_on_submit():
        return _refused(session, _("Give a reason for reopening the record."), 422)
    try:
        core.reopen(session, form.reason.data)
    except Refused as refused:
        return _refused(session, refused.message)
    problem = _commit_or_conflict(session)
    if problem:
        return problem
    flash(_("The record is open again."), "success")
    return hx_redirect(url_for("study.show", session_id=session.id))


@bp.route("/<int:session_id>/cancel", methods=["POST"])
@login_required
def cancel(session_id: int) -> Response:
    session = _managed(session_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _refused(session, _("Give a reason for cancelling the session."), 422)
    try:
        core.cancel(session, form.reason.data)
    except Refused as refused:
        return _refused(session, refused.message)
    problem = _commit_or_conflict(session)
    if problem:
        return problem
    flash(_("The session is cancelled and counts nowhere."), "success")
    return hx_redirect(url_for("study.show", session_id=session.id))


# --- the printed sign-in sheet ----------------------------------------------------------------


@bp.route("/<int:session_id>/sign-in-sheet.docx")
@login_required
def sign_in_sheet(session_id: int) -> Response:
    from app.study import sign_in_sheet as sheet

    session = _managed(session_id)
    return send_file(
        BytesIO(sheet.build(session)),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=True,
        download_name=sheet.filename(session),
    )
