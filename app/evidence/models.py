"""The stored file, ``Evidence``: its owner columns and CHECK come from the owner registry."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.evidence import owners
from app.evidence.constraint import CHECK_NAME
from app.extensions import db
from app.types import LabelledEnum, UTCDateTime, enum_column, utcnow


class EvidenceKind(LabelledEnum):
    IMAGE = "image"
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {"image": _l("Photo"), "pdf": "PDF", "docx": "Word", "xlsx": "Excel"}


class Evidence(db.Model):
    """A stored file: photos re-encoded without metadata (with a thumbnail), PDF, Word, Excel.

    It has exactly one owner of those registered in ``owners``: one nullable foreign key and one
    relationship (named as the owner) each, added below the class. Access follows the owner."""

    __tablename__ = "evidence"
    __audit_label__ = _l("Evidence")
    __audited__ = True
    __table_args__ = (sa.CheckConstraint(owners.check_sql(), name=CHECK_NAME),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EvidenceKind] = mapped_column(
        enum_column(EvidenceKind, 10), info={"label": _l("Kind")}
    )
    original_name: Mapped[str] = mapped_column(
        sa.String(200), info={"label": _l("File name"), "names": True}
    )
    stored_name: Mapped[str] = mapped_column(
        sa.String(80), unique=True, info={"label": _l("Stored file")}
    )
    thumbnail_name: Mapped[str | None] = mapped_column(
        sa.String(80), info={"label": _l("Thumbnail")}
    )
    content_type: Mapped[str] = mapped_column(sa.String(100), info={"label": _l("File type")})
    size: Mapped[int] = mapped_column(info={"label": _l("Size (bytes)")})
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id"), info={"label": _l("Uploaded by")}
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, info={"label": _l("Created at")}
    )
    deleted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Deleted at")}
    )

    def owned_by(self) -> tuple[owners.Owner, Any] | None:
        """The owner's registration and its record; None for a row that has none (yet)."""
        for owner in owners.registered():
            record = getattr(self, owner.name)
            if record is not None:
                return owner, record
        return None

    def __str__(self) -> str:
        return self.original_name


def owner_column(owner: owners.Owner) -> Any:
    """``Evidence.<owner column>``, for queries."""
    return getattr(Evidence, owner.column)


def _add_owner_columns() -> None:
    """One nullable, indexed foreign key and one relationship per registered owner."""
    for owner in owners.registered():
        column = mapped_column(
            sa.Integer,
            sa.ForeignKey(f"{owner.table}.id"),
            nullable=True,
            index=True,
            info={"label": owner.label},
        )
        setattr(Evidence, owner.column, column)
        setattr(Evidence, owner.name, relationship(owner.model))
    owners.seal()


_add_owner_columns()
