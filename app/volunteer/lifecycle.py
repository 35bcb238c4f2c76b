"""A project's actions, from its page: a progress entry (with its files) and its removal, the
completion, putting it back in progress, the close-out with the acceptance and the satisfaction
survey, and the cancellation. Each is its keepers' only, answered with the page again."""

from flask import Response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.policy import require
from app.evidence import services as files
from app.extensions import db
from app.htmx import commit, form_status, render_page, saved
from app.refusals import Refused
from app.types import local_today
from app.volunteer import projects
from app.volunteer.forms import AcceptanceForm, CancelForm, CompleteForm, EntryForm
from app.volunteer.loading import CHANGED_MEANWHILE, bp, kept
from app.volunteer.models import ProgressEntry


def _back(project_id: int) -> str:
    return url_for("volunteer.show", project_id=project_id)


def _invalid(form: object) -> Refused:
    """A refused form on the project's page: its first error, the page kept as it was."""
    errors = [message for messages in form.errors.values() for message in messages]  # type: ignore[attr-defined]
    return Refused(errors[0] if errors else _("Check the form."), status=422)


@bp.route("/<int:project_id>/progress", methods=["POST"])
@login_required
def add_entry(project_id: int) -> Response:
    project = kept(project_id)
    form = EntryForm()
    if not form.validate():
        raise _invalid(form)
    uploads = files.sent_files()
    entry = projects.add_entry(project, form.values(), current_user)
    db.session.flush()
    files.attach_all(uploads, project_progress=entry, by=current_user)
    commit(CHANGED_MEANWHILE)
    return saved(_("The progress has been recorded."), _back(project_id))


@bp.route("/<int:project_id>/progress/<int:entry_id>/remove", methods=["POST"])
@login_required
def remove_entry(project_id: int, entry_id: int) -> Response:
    project = kept(project_id)
    entry = db.session.get(ProgressEntry, entry_id)
    require(entry is not None and entry.project_id == project.id and entry.deleted_at is None)
    projects.remove_entry(entry)  # type: ignore[arg-type]
    commit(CHANGED_MEANWHILE)
    return saved(_("The progress entry has been removed."), _back(project_id))


@bp.route("/<int:project_id>/complete", methods=["POST"])
@login_required
def complete(project_id: int) -> Response:
    project = kept(project_id)
    form = CompleteForm()
    if not form.validate():
        raise _invalid(form)
    projects.complete(project, form.completed_on.data, form.outcome.data)
    commit(CHANGED_MEANWHILE)
    return saved(
        _("The project is done. Close it out once those served have accepted it."),
        _back(project_id),
    )


@bp.route("/<int:project_id>/reopen", methods=["POST"])
@login_required
def reopen(project_id: int) -> Response:
    project = kept(project_id)
    projects.reopen(project)
    commit(CHANGED_MEANWHILE)
    return saved(_("The project is in progress again."), _back(project_id))


@bp.route("/<int:project_id>/close", methods=["GET", "POST"])
@login_required
def close(project_id: int) -> Response:
    """The close-out 销号: the acceptance, its signed form and the survey's counts, at once."""
    project = kept(project_id)
    projects.require_open(project)
    projects.require_done(project)
    form = AcceptanceForm()
    file_error = ""
    if request.method == "GET":
        form.accepted_on.data = local_today()
    elif form.validate_on_submit():
        uploads = files.sent_files()
        try:
            acceptance = projects.close_out(project, form.values(), current_user)
            db.session.flush()
            files.attach_all(uploads, project_acceptance=acceptance, by=current_user)
        except Refused as refused:
            db.session.rollback()
            project = kept(project_id)
            file_error = str(refused.message)
        else:
            commit(CHANGED_MEANWHILE)
            return saved(_("The project has been closed out."), _back(project_id))
    status = 422 if file_error else form_status()
    context = {"form": form, "project": project, "file_error": file_error}
    return render_page("volunteer/close.html", status=status, **context)


@bp.route("/<int:project_id>/cancel", methods=["POST"])
@login_required
def cancel(project_id: int) -> Response:
    project = kept(project_id)
    form = CancelForm()
    if not form.validate():
        raise _invalid(form)
    projects.cancel(project, form.reason.data)
    commit(CHANGED_MEANWHILE)
    return saved(_("The project has been cancelled: it counts nowhere."), _back(project_id))
