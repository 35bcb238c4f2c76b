"""The audit trail: one row per change of a domain record."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime, utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (
        # One record's trail in the order it happened: read without going through every row
        # of its type.
        sa.Index("ix_audit_log_record", "record_type", "record_id", "at", "id"),
        # The page lists newest first (at, then id): each filter's index hands its rows over in
        # that order, so a page reads its own rows, not every row the filter matches.
        sa.Index("ix_audit_log_record_type_at", "record_type", "at", "id"),
        sa.Index("ix_audit_log_action_at", "action", "at", "id"),
        sa.Index("ix_audit_log_actor_at", "actor_id", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # None: the system (CLI, demo data, background work).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id"))
    action: Mapped[str] = mapped_column(sa.String(20))
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[str | None] = mapped_column(sa.String(64))
    summary: Mapped[str | None] = mapped_column(sa.String(200))
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))

    actor = relationship("User")
