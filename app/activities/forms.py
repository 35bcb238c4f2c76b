"""Forms of the core's routes: what a member hands in on an activity and what a secretary
records on its list."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.activities.models import ParticipantRole
from app.extensions import db
from app.forms import BaseForm, PersonField
from app.refusals import Refused

T = TypeVar("T")


class ReasonForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class MakeUpForm(BaseForm):
    note = TextAreaField(
        _l("What you studied"),
        validators=[DataRequired(), Length(max=10000)],
        description=_l("Read the session's materials and write down what you learnt."),
    )


class AbsenceReasonForm(BaseForm):
    """The reason for a 请假 or 缺席 row; empty clears it."""

    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class PaperMakeUpForm(BaseForm):
    """A make-up handed in on paper, entered by the secretary."""

    handed_in_on = DateField(_l("Handed in on"), validators=[DataRequired()])
    note = TextAreaField(
        _l("What was studied"),
        validators=[DataRequired(), Length(max=10000)],
        description=_l("Copy or summarise the paper; attach a scan if there is one."),
    )


class ReflectionForm(BaseForm):
    text = TextAreaField(_l("Reflection"), validators=[DataRequired(), Length(min=10, max=20000)])


class ReviewForm(BaseForm):
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=500)])


class GuestForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    relation = StringField(
        _l("Relation or organisation"),
        validators=[Optional(), Length(max=100)],
        description=_l("For example: spouse of 张三, or the district committee."),
    )


class ParticipantForm(BaseForm):
    """Someone added to the list: an expected participant from one's own units, or a non-voting
    attendee (列席) from anywhere in the bureau."""

    person = PersonField(_l("Person"), validators=[DataRequired(), Length(max=80)])
    role = SelectField(_l("Takes part as"), choices=[], validators=[DataRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = ParticipantRole.choices()
        self.person.bureau_wide = self.role.data == ParticipantRole.NON_VOTING.value


def as_field_error(field: Field, change: Callable[[], T]) -> tuple[bool, T | None]:
    """Run ``change``; when the rules refuse it, nothing of it is kept and the refusal becomes
    ``field``'s error, shown on the form again. (True, its result) when done."""
    try:
        result = change()
    except Refused as refused:
        db.session.rollback()
        field.errors.append(str(refused.message))  # type: ignore[attr-defined]
        return False, None
    return True, result
