"""Evidence routes: upload to an activity, serve a file or its thumbnail, remove one. The owner's
page shows the gallery (``evidence/_gallery.html``); these routes change it and send the files."""

from flask import Blueprint, Response, flash, request, send_from_directory
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.activities.families import show_url
from app.activities.models import Activity
from app.auth.policy import (
    can_manage_activity,
    can_remove_evidence,
    can_view_activity,
    can_view_evidence,
    require,
    require_role,
)
from app.evidence import services as files
from app.evidence.models import Evidence, EvidenceKind
from app.evidence.storage import relative_path, upload_folder
from app.extensions import db
from app.htmx import answer, hx_redirect, local_path, set_back
from app.refusals import Refused

bp = Blueprint("evidence", __name__)

GALLERY = "evidence/_gallery.html"


def _back(page: str) -> str:
    """Where a plain form returns: the local page it names in ``next``, else the owner's page."""
    return local_path(request.form.get("next")) or page


def _evidence_or_404(evidence_id: int) -> Evidence:
    item = db.get_or_404(Evidence, evidence_id)
    require(can_view_evidence(current_user, item))
    return item


@bp.route("/activities/<int:activity_id>/evidence", methods=["POST"])
@login_required
def upload(activity_id: int) -> Response:
    activity = db.get_or_404(Activity, activity_id)
    require(can_view_activity(current_user, activity))
    require_role(can_manage_activity(current_user, activity))
    back = _back(show_url(activity))
    set_back(back)
    uploads = files.sent_files()
    if not uploads:
        raise Refused(_("Choose one or more files to upload."), status=files.UNPROCESSABLE)
    # One batch, one answer: a refused file refuses the batch, so nothing is half-uploaded.
    files.attach_all(uploads, activity=activity, by=current_user)
    db.session.commit()
    flash(
        ngettext("%(num)d file has been added.", "%(num)d files have been added.", len(uploads)),
        "success",
    )
    return answer(GALLERY, back, **files.gallery(activity, current_user))


def _send(stored_name: str, mimetype: str, download_name: str, inline: bool) -> Response:
    response = send_from_directory(
        upload_folder(),
        relative_path(stored_name),
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
    owner, record = item.owned_by()  # type: ignore[misc]
    # Some owners remove their files on their own form (a log's: logs.file_remove).
    require(owner.removed_here)
    require_role(can_remove_evidence(current_user, item))
    back = _back(owner.page_url(record))
    set_back(back)
    files.remove(item)
    db.session.commit()
    flash(_("%(name)s has been removed.", name=item.original_name), "success")
    if not owner.swaps_gallery:
        # A make-up's files are listed on its own form: that page is loaded again.
        return hx_redirect(back)
    return answer(GALLERY, back, **files.gallery(record, current_user))
