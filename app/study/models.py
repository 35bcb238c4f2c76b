"""A study session: an activity with what a real meeting record 会议记录 holds."""

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.activities.expected import ExpectedDefault
from app.activities.models import Activity
from app.types import LabelledEnum, enum_column


class StudyKind(LabelledEnum):
    GENERAL_MEETING = "general_meeting"
    COMMITTEE_MEETING = "committee_meeting"
    GROUP_MEETING = "group_meeting"
    PARTY_LECTURE = "party_lecture"
    THEMED_DAY = "themed_day"
    ORG_LIFE_MEETING = "org_life_meeting"
    DEMOCRATIC_APPRAISAL = "democratic_appraisal"
    HEART_TALK = "heart_talk"
    DEMOCRATIC_LIFE_MEETING = "democratic_life_meeting"
    CENTRE_GROUP = "centre_group"
    FIXED_STUDY_DAY = "fixed_study_day"
    TRAINING = "training"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "general_meeting": _l("Branch general meeting"),
            "committee_meeting": _l("Branch committee meeting"),
            "group_meeting": _l("Party group meeting"),
            "party_lecture": _l("Party lecture"),
            "themed_day": _l("Themed Party day"),
            "org_life_meeting": _l("Organisational life meeting"),
            "democratic_appraisal": _l("Democratic appraisal"),
            "heart_talk": _l("Heart-to-heart talk"),
            "democratic_life_meeting": _l("Democratic life meeting"),
            "centre_group": _l("Theory-study centre group"),
            "fixed_study_day": _l("Fixed study day"),
            "training": _l("Training"),
            "other": _l("Other"),
        }

    @property
    def expected_default(self) -> ExpectedDefault:
        return EXPECTED_BY_KIND[self]

    @property
    def counts_in_attendance(self) -> bool:
        """Whether the kind's sessions enter attendance figures and study hours. A heart-to-heart
        talk does not: its figures are talks, the chair (the talker) with each person talked to
        (DOMAIN.md)."""
        return self is not StudyKind.HEART_TALK


EXPECTED_BY_KIND = {
    StudyKind.GENERAL_MEETING: ExpectedDefault.PARTY_MEMBERS,
    StudyKind.COMMITTEE_MEETING: ExpectedDefault.COMMITTEE,
    StudyKind.GROUP_MEETING: ExpectedDefault.PARTY_MEMBERS,
    StudyKind.PARTY_LECTURE: ExpectedDefault.PARTY_MEMBERS,
    StudyKind.THEMED_DAY: ExpectedDefault.PARTY_MEMBERS,
    StudyKind.ORG_LIFE_MEETING: ExpectedDefault.PARTY_MEMBERS,
    StudyKind.DEMOCRATIC_APPRAISAL: ExpectedDefault.PARTY_MEMBERS,
    StudyKind.HEART_TALK: ExpectedDefault.BY_HAND,
    StudyKind.DEMOCRATIC_LIFE_MEETING: ExpectedDefault.PARTY_MEMBERS,
    StudyKind.CENTRE_GROUP: ExpectedDefault.PARTY_MEMBERS,
    StudyKind.FIXED_STUDY_DAY: ExpectedDefault.ALL_STAFF,
    StudyKind.TRAINING: ExpectedDefault.BY_HAND,
    StudyKind.OTHER: ExpectedDefault.BY_HAND,
}


class StudySession(Activity):
    __tablename__ = "study_session"
    __audit_label__ = _l("Study session")

    id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id"), primary_key=True)
    kind: Mapped[StudyKind] = mapped_column(
        enum_column(StudyKind, 30), index=True, info={"label": _l("Kind")}
    )
    topics: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("Topics")})
    minutes: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("Minutes")})
    resolutions: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("Resolutions")})
    study_hours: Mapped[Decimal] = mapped_column(
        sa.Numeric(4, 1), info={"label": _l("Study hours")}
    )

    __mapper_args__ = {"polymorphic_identity": "study"}
