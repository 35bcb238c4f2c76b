"""The form a member fills in to record training, self-study, volunteer service or other activity.
Evidence files are read by the view (``request.files``), all of them or none."""

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.activities.rules import record_date
from app.forms import BaseForm
from app.logs.models import LogKind
from app.logs.services import MAX_HOURS
from app.types import local_today


class LogForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=[], validators=[DataRequired()])
    done_on = DateField(_l("Date"), validators=[DataRequired(), record_date])
    hours = DecimalField(
        _l("Hours"),
        places=1,
        validators=[Optional()],
        render_kw={"step": "0.5", "min": "0.5", "max": str(MAX_HOURS)},
        description=_l("In half hours, for example 1.5. Not needed for another activity."),
    )
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example: the course's name, or what you studied."),
    )
    text = TextAreaField(
        _l("What you did"),
        validators=[DataRequired(), Length(max=10000)],
        render_kw={"rows": 5},
        description=_l("The secretary reads this when reviewing the log."),
    )
    place = StringField(
        _l("Place"),
        # No Optional(): it would stop the chain before the volunteer check below.
        validators=[Length(max=200)],
        description=_l("Where it took place; needed for volunteer service."),
    )
    beneficiary = StringField(
        _l("For whom"),
        validators=[Length(max=200)],
        description=_l("For volunteer service: whom it served — a community, a school, a family."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = LogKind.choices()

    @property
    def chosen_kind(self) -> LogKind | None:
        try:
            return LogKind(self.kind.data)
        except ValueError:
            return None

    def validate_done_on(self, field: DateField) -> None:
        if field.data is not None and field.data > local_today():
            raise ValidationError(_l("The date cannot be in the future."))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Here, not in validate_hours: Optional() stops that chain when the field is empty.
        kind = self.chosen_kind
        if (
            kind is not None
            and kind.has_hours
            and self.hours.data is None
            and not self.hours.errors
        ):
            self.hours.errors.append(_l("Give the hours spent."))
            return False
        return valid

    def validate_hours(self, field: DecimalField) -> None:
        kind = self.chosen_kind
        if kind is None or field.data is None:
            return
        if not kind.has_hours:
            raise ValidationError(_l("Other activity counts no hours: leave the hours empty."))
        if not 0 < field.data <= MAX_HOURS:
            raise ValidationError(_l("Hours must be more than 0 and at most %(n)s.", n=MAX_HOURS))
        if field.data * 2 != int(field.data * 2):
            raise ValidationError(_l("Hours are counted in half hours."))

    def validate_place(self, field: StringField) -> None:
        if self.chosen_kind is LogKind.VOLUNTEER and not field.data:
            raise ValidationError(_l("Say where the service took place."))

    def validate_beneficiary(self, field: StringField) -> None:
        if self.chosen_kind is LogKind.VOLUNTEER and not field.data:
            raise ValidationError(_l("Say whom the service was for."))

    def values(self) -> dict[str, Any]:
        """What the services take."""
        kind = LogKind(self.kind.data)
        hours = self.hours.data if kind.has_hours else None
        return {
            "kind": kind,
            "done_on": self.done_on.data,
            "hours": Decimal(hours) if hours is not None else None,
            "title": self.title.data,
            "text": self.text.data,
            "place": self.place.data or None,
            "beneficiary": self.beneficiary.data or None,
        }
