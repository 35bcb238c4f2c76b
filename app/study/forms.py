"""Forms of study sessions and of what members submit on them."""

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.activities.rules import record_date
from app.forms import BaseForm, PersonField
from app.people.models import OrgUnit
from app.study.models import StudyKind


def to_utc(day: date, at: time) -> datetime:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


class SessionForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[], validators=[DataRequired()])
    unit_id = SelectField(_l("Unit"), coerce=int, choices=[], validators=[DataRequired()])
    day = DateField(_l("Date"), validators=[DataRequired(), record_date])
    start = TimeField(_l("Starts"), validators=[DataRequired()])
    end = TimeField(_l("Ends"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    chair = PersonField(
        _l("Chair"),
        validators=[Optional(), Length(max=80)],
        free_text=True,
        description=_l("Type to search and choose a person, or type an outsider's name."),
    )
    minute_taker = PersonField(
        _l("Minute-taker"), validators=[Optional(), Length(max=80)], free_text=True
    )
    lecturer = PersonField(_l("Lecturer"), validators=[Optional(), Length(max=80)], free_text=True)
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
    late_reason = StringField(
        _l("Reason for the late entry"),
        validators=[Optional(), Length(max=500)],
        description=_l("Needed when the session ended more than %(days)s days ago."),
    )

    def __init__(self, *args: Any, units: list[OrgUnit], late_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = StudyKind.choices()
        self.unit_id.choices = [(unit.id, unit.name) for unit in units]
        self.late_reason.description = _l(
            "Needed when the session ended more than %(days)s days ago.", days=late_days
        )

    def validate_end(self, field: TimeField) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("The end must come after the start."))

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

    @property
    def starts_at(self) -> datetime:
        return to_utc(self.day.data, self.start.data)

    @property
    def ends_at(self) -> datetime:
        return to_utc(self.day.data, self.end.data)

    def values(self, unit: OrgUnit) -> dict[str, Any]:
        """What the services take."""
        values: dict[str, Any] = {
            "title": self.title.data,
            "kind": StudyKind(self.kind.data),
            "unit": unit,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "place": self.place.data or None,
            "topics": self.topics.data or None,
            "minutes": self.minutes.data or None,
            "resolutions": self.resolutions.data or None,
            "study_hours": Decimal(self.study_hours.data)
            if self.study_hours.data is not None
            else None,
            "late_reason": self.late_reason.data or None,
        }
        for role in ("chair", "minute_taker", "lecturer"):
            field = getattr(self, role)
            values[f"{role}_id"] = field.person.id if field.person else None
            values[f"{role}_name"] = None if field.person else (field.data or None)
        return values
