"""The study session's own fields on the core's ActivityForm."""

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.activities.forms import ActivityForm
from app.activities.models import Activity
from app.activities.services import default_hours
from app.people.models import OrgUnit
from app.study.models import StudyKind, StudySession


class SessionForm(ActivityForm):
    kind = SelectField(_l("Kind"), choices=[], validators=[DataRequired()])
    topics = TextAreaField(
        _l("Topics"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    minutes = TextAreaField(
        _l("Minutes"), validators=[Optional(), Length(max=50000)], render_kw={"rows": 8}
    )
    resolutions = TextAreaField(
        _l("Resolutions"), validators=[Optional(), Length(max=10000)], render_kw={"rows": 3}
    )
    study_hours = DecimalField(
        _l("Study hours"),
        places=1,
        validators=[Optional(), NumberRange(min=0, max=24)],
        description=_l("Leave empty for the duration rounded to the nearest half hour."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = StudyKind.choices()

    def show_record(self, activity: Activity) -> None:
        super().show_record(activity)
        session: StudySession = activity  # type: ignore[assignment]
        self.kind.data = session.kind.value
        if session.study_hours == default_hours(session.starts_at, session.ends_at):
            self.study_hours.data = None  # left to follow the times when they change

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Here, not in validate_chair: the field's Optional() ends its own checks when empty.
        if self.kind.data == StudyKind.HEART_TALK.value and not (self.chair.data or "").strip():
            self.chair.errors = [
                _l(
                    "Name the talker as the chair: a heart-to-heart talk counts as a talk between "
                    "the chair and each person present."
                )
            ]
            return False
        return valid

    def validate_study_hours(self, field: DecimalField) -> None:
        if field.data is not None and field.data * 2 != int(field.data * 2):
            raise ValidationError(_l("Study hours are counted in half hours."))

    def values(self, unit: OrgUnit) -> dict[str, Any]:
        """What the services take."""
        return {
            **super().values(unit),
            "kind": StudyKind(self.kind.data),
            "topics": self.topics.data or None,
            "minutes": self.minutes.data or None,
            "resolutions": self.resolutions.data or None,
            "study_hours": Decimal(self.study_hours.data)
            if self.study_hours.data is not None
            else None,
        }
