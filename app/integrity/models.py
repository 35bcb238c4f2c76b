"""Integrity activities 党风廉政建设: family integrity forums, cautionary education, integrity
lectures and collective talks, on the shared core."""

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.activities.expected import ExpectedDefault
from app.activities.models import Activity
from app.types import LabelledEnum, enum_column


class IntegrityKind(LabelledEnum):
    FAMILY_FORUM = "family_forum"
    CAUTIONARY = "cautionary"
    LECTURE = "lecture"
    TALK = "talk"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "family_forum": _l("Family integrity forum"),
            "cautionary": _l("Cautionary education"),
            "lecture": _l("Integrity Party lecture"),
            "talk": _l("Collective integrity talk"),
            "other": _l("Other integrity activity"),
        }

    @property
    def expected_default(self) -> ExpectedDefault:
        """The unit's Party members on the date; a forum's cadres are chosen by the unit."""
        if self is IntegrityKind.FAMILY_FORUM:
            return ExpectedDefault.BY_HAND
        return ExpectedDefault.PARTY_MEMBERS


class CautionaryForm(LabelledEnum):
    """What a cautionary education was."""

    FILM = "film"
    BASE_VISIT = "base_visit"
    CASE_STUDY = "case_study"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "film": _l("Cautionary film"),
            "base_visit": _l("Visit to an education base"),
            "case_study": _l("Case study"),
        }


class IntegrityActivity(Activity):
    __tablename__ = "integrity_activity"
    __audit_label__ = _l("Integrity activity")

    id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id"), primary_key=True)
    kind: Mapped[IntegrityKind] = mapped_column(
        enum_column(IntegrityKind, 20), index=True, info={"label": _l("Kind")}
    )
    cautionary_form: Mapped[CautionaryForm | None] = mapped_column(
        enum_column(CautionaryForm, 20), info={"label": _l("Form")}
    )
    content: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("Content")})

    __mapper_args__ = {"polymorphic_identity": "integrity"}
