"""Where evidence files live, and their clean-up when a transaction does not commit.

Files are written before the database row is committed. Every file written in a transaction is
deleted again when that transaction ends without a commit, so a refused batch, a failed flush or
an error later in the request leaves nothing on disk.
"""

from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db

_WRITTEN = "evidence_files_written"


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def relative_path(stored_name: str) -> str:
    """Files are spread over subfolders named by their first two characters."""
    return f"{stored_name[:2]}/{stored_name}"


def store(stored_name: str, data: bytes) -> None:
    path = upload_folder() / relative_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    db.session.info.setdefault(_WRITTEN, []).append(path)
    with open(path, "xb") as handle:
        handle.write(data)


@sa.event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


@sa.event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    """A rollback, or a session closed without a commit: the files have no row to belong to."""
    if transaction.parent is not None:
        return
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)


def display_name(filename: str | None, extension: str) -> str:
    """The name offered on download: the sender's name without folders or control characters,
    with the extension of what is stored (a HEIC photo downloads as .jpg)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = stem.strip(" .")[:150] or "evidence"
    return f"{stem}.{extension}"
