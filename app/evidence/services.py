"""What views call: attach checked and cleaned files to an owner, remove them, list them.

Photos are cleaned (``photos``), PDFs checked (``pdf``), Word and Excel documents stored as sent
once their content says what they are (``content``). An owner's state rule (an open activity, a
log its author may still change) comes from its registration (``owners``). Every function
raises ``Refused`` with the reason, having stored nothing."""

import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from app.activities.models import Activity
from app.auth.models import User
from app.auth.policy import can_manage_activity
from app.evidence import content, owners
from app.evidence.models import Evidence, EvidenceKind, owner_column
from app.evidence.pdf import check_pdf
from app.evidence.photos import clean_image
from app.evidence.storage import display_name, store
from app.extensions import db
from app.refusals import Refused
from app.types import utcnow

# A refused file is content the server cannot take: the answer's status.
UNPROCESSABLE = 422


def attach(file: FileStorage, *, by: User, **owner: Any) -> Evidence:
    """Check and store one upload as evidence of the one owner given by its registered name
    (``activity=…``, ``participation=…``, ``member_log=…``).

    The owner's state rule decides first: session evidence needs an open activity; make-up
    evidence may arrive after archiving, never on a cancelled activity; a log takes files while
    its author may still change it."""
    registration, record = owners.single(owner)
    registration.require_writable(record)
    data = content.read(file)
    kind, image_format = content.sniff(data)
    thumbnail = None
    if image_format is not None:
        data, extension, thumbnail = clean_image(data, image_format)
    else:
        if kind is EvidenceKind.PDF:
            check_pdf(data)
        extension = kind.value
    token = secrets.token_hex(16)
    evidence = Evidence(
        kind=kind,
        original_name=display_name(file.filename, extension),
        stored_name=f"{token}.{extension}",
        thumbnail_name=f"{token}-thumb.jpg" if thumbnail else None,
        content_type=content.CONTENT_TYPES[extension],
        size=len(data),
        uploaded_by_id=by.id,
    )
    setattr(evidence, registration.name, record)
    store(evidence.stored_name, data)
    if thumbnail and evidence.thumbnail_name:
        store(evidence.thumbnail_name, thumbnail)
    db.session.add(evidence)
    return evidence


def sent_files() -> list[FileStorage]:
    """The files a form's ``files`` input sent (an input left empty sends one without a name)."""
    return [sent for sent in request.files.getlist("files") if sent.filename]


def attach_all(uploads: Sequence[FileStorage], *, by: User, **owner: Any) -> list[Evidence]:
    """Every file, or none: the first refused one raises ``Refused`` (status 422), naming the
    file when several were sent; an empty file field is no file. The caller's rollback removes
    what was stored before it."""
    uploads = [sent for sent in uploads if sent and sent.filename]
    attached = []
    for sent in uploads:
        try:
            attached.append(attach(sent, by=by, **owner))
        except Refused as refused:
            if len(uploads) == 1:
                raise Refused(refused.message, status=UNPROCESSABLE) from refused
            message = _(
                "%(name)s: %(reason)s Nothing was uploaded.",
                name=sent.filename,
                reason=refused.message,
            )
            raise Refused(message, status=UNPROCESSABLE) from refused
    return attached


def remove(evidence: Evidence) -> None:
    """Soft delete: the row and the file stay (restorable), nobody sees them any more. Refused
    (status 422) when the owner's files may no longer change."""
    owned = evidence.owned_by()
    if owned is not None:
        registration, record = owned
        try:
            registration.require_writable(record)
        except Refused as refused:
            raise Refused(refused.message, status=UNPROCESSABLE) from refused
    evidence.deleted_at = utcnow()


def live_evidence(owner: str, ids: Sequence[int]) -> list[Evidence]:
    """The live files of several records of one owner kind, in one query, oldest first."""
    if not ids:
        return []
    column = owner_column(owners.owner_named(owner))
    return list(
        db.session.scalars(
            sa.select(Evidence)
            .where(column.in_(ids), Evidence.deleted_at.is_(None))
            .order_by(Evidence.created_at, Evidence.id)
        )
    )


def activity_evidence(activity: Activity) -> list[Evidence]:
    return live_evidence("activity", [activity.id])


def participation_evidence(participation_ids: list[int]) -> list[Evidence]:
    """The live make-up files of several participations, in one query."""
    return live_evidence("participation", participation_ids)


def log_evidence(log_ids: list[int]) -> list[Evidence]:
    """The live files of several member logs, in one query."""
    return live_evidence("member_log", log_ids)


def remove_url(item: Evidence) -> str:
    """Where a file is removed through the evidence routes (``evidence.delete``)."""
    return url_for("evidence.delete", evidence_id=item.id)


def gallery(activity: Activity, user: User) -> dict[str, Any]:
    """What ``evidence/_gallery.html`` needs on an activity's page. Those who may upload may
    also remove."""
    can_change = activity.is_open and can_manage_activity(user, activity)
    return {
        "activity": activity,
        "evidence": activity_evidence(activity),
        "can_upload": can_change,
        "can_remove": can_change,
        "upload_url": url_for("evidence.upload", activity_id=activity.id),
        "remove_url": remove_url,
    }
