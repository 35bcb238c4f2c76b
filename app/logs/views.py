"""Member logs 个人活动记录: the signed-in person's own list, the form to record and fix a log,
withdrawing it, and the record its reviewers read. Reviewing happens in the review queue."""

from collections import Counter
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.auth.policy import can_remove_evidence, can_view_log, require, require_role
from app.evidence import services as files
from app.evidence.models import Evidence
from app.extensions import db
from app.htmx import commit, hx_redirect, local_path, render_page, set_back
from app.logs import services
from app.logs.forms import LogForm
from app.logs.models import LogKind, LogState, MemberLog
from app.queries import paginate, text_arg
from app.refusals import Refused
from app.types import local_today

bp = Blueprint("logs", __name__)

CHANGED_MEANWHILE = _l("This log was changed at the same time, perhaps reviewed. Check it again.")


def _load(log_id: int) -> MemberLog:
    """A log its author or one of its reviewers may read; anyone else is told it does not exist."""
    log = db.session.scalar(
        sa.select(MemberLog).where(MemberLog.id == log_id).options(joinedload(MemberLog.person))
    )
    require(log is not None and can_view_log(current_user, log))
    set_back(url_for("logs.show", log_id=log_id))
    return log  # type: ignore[return-value]


def _own(log_id: int) -> MemberLog:
    """Only the author changes a log; a reviewer who may read it may not."""
    log = _load(log_id)
    require_role(_is_author(log))
    return log


def _is_author(log: MemberLog) -> bool:
    return current_user.person_id is not None and current_user.person_id == log.person_id


def _attach_files(log: MemberLog) -> None:
    """Every file sent, or none: the first refused one raises ``Refused`` naming the file."""
    uploads = files.sent_files()
    files.attach_all(uploads, member_log=log, by=current_user)


def _remove_url(log: MemberLog) -> Callable[[Evidence], str]:
    def remove_url(item: Evidence) -> str:
        return url_for("logs.file_remove", log_id=log.id, evidence_id=item.id)

    return remove_url


def _form_page(
    form: LogForm, log: MemberLog | None, file_error: str | None = None, status: int = 200
) -> Response:
    attached = files.log_evidence([log.id]) if log is not None else []
    return render_page(
        "logs/form.html",
        form=form,
        log=log,
        attached=attached,
        remove_url=_remove_url(log) if log is not None else None,
        file_error=file_error,
        kinds=LogKind,
        status=status,
    )


def _state_arg(raw: str | None) -> LogState | None:
    try:
        return LogState(raw) if raw else None
    except ValueError:
        return None


@bp.route("/")
@login_required
def index() -> Response:
    """One's own logs, newest first. An account linked to no person (the administrator's
    technical account) keeps none and is told why."""
    state = _state_arg(text_arg("state"))
    page = None
    file_counts: Counter[int | None] = Counter()
    if current_user.person_id is not None:
        stmt = (
            sa.select(MemberLog)
            .where(MemberLog.person_id == current_user.person_id)
            .order_by(MemberLog.done_on.desc(), MemberLog.id.desc())
        )
        if state is not None:
            stmt = stmt.where(MemberLog.state == state)
        page = paginate(stmt)
        file_counts.update(
            item.member_log_id for item in files.log_evidence([log.id for log in page.items])
        )
    return render_page(
        "logs/index.html",
        "logs/_list.html",
        page=page,
        state=state,
        states=LogState,
        file_counts=file_counts,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response:
    require_role(current_user.person_id is not None)
    form = LogForm()
    if request.method == "GET":
        form.kind.data = LogKind.TRAINING.value
        form.done_on.data = local_today()
    if form.validate_on_submit():
        try:
            log = services.submit(current_user.person, form.values())
            _attach_files(log)
        except services.CountedElsewhere as refused:
            db.session.rollback()
            form.done_on.errors = [refused.message]
            return _form_page(form, None, status=422)
        except Refused as refused:
            db.session.rollback()
            return _form_page(form, None, str(refused.message), 422)
        db.session.commit()
        flash(_("Your log has been sent to the secretary for review."), "success")
        return hx_redirect(url_for("logs.index"))
    return _form_page(form, None, status=422 if request.method == "POST" else 200)


@bp.route("/<int:log_id>/edit", methods=["GET", "POST"])
@login_required
def edit(log_id: int) -> Response:
    """Change a log waiting for review, or fix a returned one: saving sends it again."""
    log = _own(log_id)
    if log.state not in (LogState.PENDING, LogState.RETURNED):
        raise Refused(_("Only a log waiting for review or returned can be changed."))
    form = LogForm(obj=log)
    if form.validate_on_submit():
        resubmitted = log.state is LogState.RETURNED
        try:
            services.change(log, form.values())
            _attach_files(log)
        except services.CountedElsewhere as refused:
            db.session.rollback()
            form.done_on.errors = [refused.message]
            return _form_page(form, log, status=422)
        except Refused as refused:
            db.session.rollback()
            return _form_page(form, log, str(refused.message), 422)
        commit(CHANGED_MEANWHILE)
        if resubmitted:
            flash(_("Your log has been sent again for review."), "success")
        else:
            flash(_("The changes have been saved."), "success")
        return hx_redirect(url_for("logs.show", log_id=log.id))
    return _form_page(form, log, status=422 if request.method == "POST" else 200)


@bp.route("/<int:log_id>/withdraw", methods=["POST"])
@login_required
def withdraw(log_id: int) -> Response:
    log = _own(log_id)
    services.withdraw(log)
    commit(CHANGED_MEANWHILE)
    flash(_("The log has been withdrawn; it will not be reviewed."), "success")
    return hx_redirect(local_path(request.form.get("next")) or url_for("logs.index"))


@bp.route("/<int:log_id>/files/<int:evidence_id>/remove", methods=["POST"])
@login_required
def file_remove(log_id: int, evidence_id: int) -> Response:
    """The author takes a file off a log that may still change; the form is loaded again."""
    log = _load(log_id)
    item = db.session.get(Evidence, evidence_id)
    require(item is not None and item.member_log_id == log.id and item.deleted_at is None)
    require_role(can_remove_evidence(current_user, item))  # type: ignore[arg-type]
    files.remove(item)  # type: ignore[arg-type]
    commit(CHANGED_MEANWHILE)
    flash(_("%(name)s has been removed.", name=item.original_name), "success")  # type: ignore[union-attr]
    return hx_redirect(url_for("logs.edit", log_id=log.id))


@bp.route("/<int:log_id>")
@login_required
def show(log_id: int) -> Response:
    log = _load(log_id)
    reviewer = db.session.get(User, log.reviewed_by_id) if log.reviewed_by_id else None
    returned = services.returns(log)
    if log.state is LogState.RETURNED:
        returned = returned[:-1]  # the latest return is the page's own message
    context: dict[str, Any] = {
        "log": log,
        "earlier_returns": returned,
        "evidence": files.log_evidence([log.id]),
        "reviewer": reviewer,
        "is_author": _is_author(log),
    }
    return render_page("logs/show.html", **context)
