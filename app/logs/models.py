"""A member's own record of training, self-study, volunteer service or other activity."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.people.models import Person
from app.types import LabelledEnum, UTCDateTime, enum_column, utcnow


class LogKind(LabelledEnum):
    TRAINING = "training"
    SELF_STUDY = "self_study"
    VOLUNTEER = "volunteer"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "training": _l("Outside training"),
            "self_study": _l("Self-study"),
            "volunteer": _l("Volunteer service"),
            "other": _l("Other activity"),
        }

    @property
    def has_hours(self) -> bool:
        return self is not LogKind.OTHER


# Approved logs of these kinds add to study hours; volunteer hours are counted apart.
STUDY_KINDS = (LogKind.TRAINING, LogKind.SELF_STUDY)


class LogState(LabelledEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "pending": _l("Waiting for review"),
            "approved": _l("Approved"),
            "returned": _l("Returned"),
            "withdrawn": _l("Withdrawn"),
        }


class MemberLog(db.Model):
    """Only approved logs count. A pending log may be edited or withdrawn by its author; a
    returned one fixed and sent again. Two reviewers at once: the version counter lets one win."""

    __tablename__ = "member_log"
    __audit_label__ = _l("Member log")
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("hours IS NULL OR hours >= 0", name="hours_positive"),
        # The review queue reads the waiting logs oldest first, a page at a time.
        sa.Index("ix_member_log_state_since", "state", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Person")}
    )
    kind: Mapped[LogKind] = mapped_column(enum_column(LogKind, 20), info={"label": _l("Kind")})
    done_on: Mapped[date] = mapped_column(index=True, info={"label": _l("Date")})
    hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1), info={"label": _l("Hours")})
    title: Mapped[str] = mapped_column(sa.String(200), info={"label": _l("Title"), "names": True})
    text: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("What you did")})
    place: Mapped[str | None] = mapped_column(sa.String(200), info={"label": _l("Place")})
    beneficiary: Mapped[str | None] = mapped_column(sa.String(200), info={"label": _l("For whom")})
    state: Mapped[LogState] = mapped_column(
        enum_column(LogState, 20),
        default=LogState.PENDING,
        index=True,
        info={"label": _l("Status")},
    )
    submitted_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, info={"label": _l("Submitted at")}
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Reviewed at")}
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id"), info={"label": _l("Reviewed by")}
    )
    review_comment: Mapped[str | None] = mapped_column(
        sa.String(500), info={"label": _l("Comment")}
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, info={"label": _l("Created at")}
    )
    version: Mapped[int] = mapped_column(default=1)

    person: Mapped[Person] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __audit_exclude__ = frozenset({"version"})

    def __str__(self) -> str:
        return self.title
