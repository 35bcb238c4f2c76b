"""Evidence of activities: upload, serve, thumbnail and remove. The owner's page shows the gallery
(``activities/_gallery.html``); these routes change it and send the files."""

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    request,
    send_from_directory,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.activities import evidence as files
from app.activities.models import Activity, Evidence, EvidenceKind
from app.auth.policy import (
    can_manage_activity,
    can_remove_evidence,
    can_view_activity,
    can_view_evidence,
    require,
    require_role,
)
from app.extensions import db
from app.htmx import (
    hx_redirect,
    local_path,
    refuse,
    render_fragment,
    wants_fragment,
)
from app.refusals import Refused

bp = Blueprint("activities", __name__)


def _back(activity: Activity) -> str:
    """Where a plain form returns: the local page it names in ``next``, else the activity's."""
    return local_path(request.form.get("next")) or files.activity_url(activity)


def _evidence_or_404(evidence_id: int) -> Evidence:
    item = db.get_or_404(Evidence, evidence_id)
    require(can_view_evidence(current_user, item))
    return item


def _owner_activity(item: Evidence) -> Activity:
    if item.activity is not None:
        return item.activity
    return item.participation.activity  # type: ignore[union-attr]


def _refused(activity: Activity, message: object, status: int = 422) -> Response:
    return refuse(message, _back(activity), status)


@bp.route("/activities/<int:activity_id>/evidence", methods=["POST"])
@login_required
def upload(activity_id: int) -> Response:
    activity = db.get_or_404(Activity, activity_id)
    require(can_view_activity(current_user, activity))
    require_role(can_manage_activity(current_user, activity))
    uploads = [sent for sent in request.files.getlist("files") if sent.filename]
    if not uploads:
        return _refused(activity, _("Choose one or more files to upload."))
    # One batch, one answer: a refused file refuses the batch, so nothing is half-uploaded.
    for sent in uploads:
        try:
            files.attach(sent, activity=activity, by=current_user)
        except Refused as refused:
            if len(uploads) == 1:
                return _refused(activity, refused.message)
            message = _(
                "%(name)s: %(reason)s Nothing was uploaded.",
                name=sent.filename,
                reason=refused.message,
            )
            return _refused(activity, message)
    db.session.commit()
    flash(
        ngettext("%(num)d file has been added.", "%(num)d files have been added.", len(uploads)),
        "success",
    )
    if wants_fragment():
        return render_fragment("activities/_gallery.html", **files.gallery(activity, current_user))
    return redirect(_back(activity), 303)


def _send(stored_name: str, mimetype: str, download_name: str, inline: bool) -> Response:
    response = send_from_directory(
        files.upload_folder(),
        files.relative_path(stored_name),
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=download_name,
    )
    # Personal records: kept by no shared cache and not in the browser's disk cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/evidence/<int:evidence_id>")
@login_required
def file(evidence_id: int) -> Response:
    item = _evidence_or_404(evidence_id)
    # Photos open in the browser; documents are downloaded, never rendered by it.
    inline = item.kind is EvidenceKind.IMAGE
    return _send(item.stored_name, item.content_type, item.original_name, inline)


@bp.route("/evidence/<int:evidence_id>/thumbnail")
@login_required
def thumbnail(evidence_id: int) -> Response:
    item = _evidence_or_404(evidence_id)
    require(item.kind is EvidenceKind.IMAGE and item.thumbnail_name is not None)
    name = item.original_name.rsplit(".", 1)[0] + "-thumbnail.jpg"
    return _send(item.thumbnail_name, "image/jpeg", name, inline=True)  # type: ignore[arg-type]


@bp.route("/evidence/<int:evidence_id>/delete", methods=["POST"])
@login_required
def delete(evidence_id: int) -> Response:
    item = _evidence_or_404(evidence_id)
    # A log's files are removed on the log's own form (logs.file_remove).
    require(item.member_log_id is None)
    require_role(can_remove_evidence(current_user, item))
    activity = _owner_activity(item)
    try:
        files.remove(item)
    except Refused as refused:
        return _refused(activity, refused.message)
    db.session.commit()
    flash(_("%(name)s has been removed.", name=item.original_name), "success")
    if item.activity is None:
        # A make-up's files are listed on its own form: that page is loaded again.
        return hx_redirect(_back(activity))
    if wants_fragment():
        return render_fragment("activities/_gallery.html", **files.gallery(activity, current_user))
    return redirect(_back(activity), 303)
