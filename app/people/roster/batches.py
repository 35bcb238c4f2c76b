"""Import batches: an upload's rows, owned by the uploader, kept until confirmed or expired; after
a confirmation that created accounts, their initial passwords until the one download."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_login import current_user

from app.auth.policy import require
from app.extensions import db
from app.people.models import ImportBatch
from app.types import utcnow


def _ttl() -> timedelta:
    return timedelta(minutes=int(current_app.config["IMPORT_TTL_MINUTES"]))


def expired(batch: ImportBatch) -> bool:
    return (batch.confirmed_at or batch.created_at) + _ttl() < utcnow()


def forget_expired_batches() -> None:
    """Checked rows and unclaimed passwords do not outlive their use (the table is not audited).

    Run on the import pages, at every sign-in and by ``flask people forget-imports``, so that
    initial passwords nobody downloaded are gone even when nobody comes back to the import.
    The caller commits."""
    cutoff = utcnow() - _ttl()
    db.session.execute(
        sa.delete(ImportBatch).where(
            sa.or_(
                sa.and_(ImportBatch.confirmed_at.is_(None), ImportBatch.created_at < cutoff),
                ImportBatch.confirmed_at < cutoff,
            )
        )
    )


def own_batch(token: str) -> ImportBatch:
    batch = db.session.scalar(
        sa.select(ImportBatch).where(
            ImportBatch.token == token, ImportBatch.account_id == current_user.id
        )
    )
    require(batch is not None)
    return batch  # type: ignore[return-value]


def pending_accounts(batch: ImportBatch) -> list[dict[str, str]]:
    """After a confirmation the batch's rows hold only the accounts waiting for their download."""
    if batch.confirmed_at is None or not batch.rows:
        return []
    return list(batch.rows[0].get("accounts", []))


def claim(batch: ImportBatch) -> bool:
    """Marks the batch confirmed unless a concurrent confirmation (a double click) did first."""
    claimed = db.session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.confirmed_at.is_(None))
        .values(confirmed_at=utcnow(), rows=[])
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1
