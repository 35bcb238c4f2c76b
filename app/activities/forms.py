"""Forms of the core's routes: what a member hands in on an activity and what a secretary
records on its list."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.activities.models import Activity, GuestKind, ParticipantRole
from app.activities.rules import record_date
from app.extensions import db
from app.forms import BaseForm, PersonField, UnitField
from app.people.models import OrgUnit
from app.refusals import Refused

T = TypeVar("T")

# Who chaired, took the minutes and spoke: each a person or an outsider's typed name.
PEOPLE_ROLES = ("chair", "minute_taker", "lecturer")


def to_utc(day: date, at: time) -> datetime:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def local_time(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def people_values(form: BaseForm, roles: tuple[str, ...]) -> dict[str, Any]:
    """``<role>_id`` and ``<role>_name`` of each person field named: the person chosen, or the
    outsider's typed name."""
    values: dict[str, Any] = {}
    for role in roles:
        field = getattr(form, role)
        values[f"{role}_id"] = field.person.id if field.person else None
        values[f"{role}_name"] = None if field.person else (field.data or None)
    return values


class ActivityForm(BaseForm):
    """What every family's record names: a family's form extends it with its own fields only
    (its template draws these through ``activities/_activity_fields.html``)."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    unit_id = UnitField(_l("Unit"), coerce=int, choices=[], validators=[DataRequired()])
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
    late_reason = StringField(
        _l("Reason for the late entry"),
        validators=[Optional(), Length(max=500)],
        description=_l("Needed when the session ended more than %(days)s days ago."),
    )

    def __init__(self, *args: Any, late_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.late_reason.description = _l(
            "Needed when the session ended more than %(days)s days ago.", days=late_days
        )

    def show_record(self, activity: Activity) -> None:
        """Fill the fields stored in another shape from ``activity``: local date and times, and
        each person or outsider's name."""
        local_start, local_end = local_time(activity.starts_at), local_time(activity.ends_at)
        self.day.data = local_start.date()
        self.start.data = local_start.time()
        self.end.data = local_end.time()
        for role in PEOPLE_ROLES:
            getattr(self, role).set_person(
                getattr(activity, role), getattr(activity, f"{role}_name")
            )

    def validate_end(self, field: TimeField) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("The end must come after the start."))

    @property
    def starts_at(self) -> datetime:
        return to_utc(self.day.data, self.start.data)

    @property
    def ends_at(self) -> datetime:
        return to_utc(self.day.data, self.end.data)

    def values(self, unit: OrgUnit) -> dict[str, Any]:
        """What the services take of the core's fields."""
        return {
            "title": self.title.data,
            "unit": unit,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "place": self.place.data or None,
            "late_reason": self.late_reason.data or None,
            **people_values(self, PEOPLE_ROLES),
        }


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
    """A guest without a person record; a member's family names the member (someone in one's
    own units, as the picker offers them: the rule for a family guest is the service's)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    relation = StringField(
        _l("Relation or organisation"),
        validators=[Optional(), Length(max=100)],
        description=_l("For example: spouse of 张三, or the district committee."),
    )
    kind = SelectField(
        _l("Kind of guest"), choices=[], default=GuestKind.OTHER.value, validators=[DataRequired()]
    )
    member = PersonField(_l("Family of"), validators=[Optional(), Length(max=80)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = GuestKind.choices()

    @property
    def refusal(self) -> str:
        """What a refused guest is told: what is wrong with the kind or the member, else that the
        name is missing."""
        for field in (self.kind, self.member):
            if field.errors:
                return str(field.errors[0])
        return str(_l("Give the guest's name."))


class ParticipantForm(BaseForm):
    """Someone added to the list: an expected participant from one's own units, or a non-voting
    attendee (列席) from anywhere in the bureau."""

    person = PersonField(_l("Person"), validators=[DataRequired(), Length(max=80)])
    role = SelectField(_l("Takes part as"), choices=[], validators=[DataRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = ParticipantRole.choices()
        self.person.bureau_wide = self.role.data == ParticipantRole.NON_VOTING.value


def list_forms(manage: bool) -> dict[str, BaseForm | None]:
    """The empty forms under a record's grid that add people and guests (none for a reader)."""
    return {
        "expected_form": _participant_form(ParticipantRole.EXPECTED) if manage else None,
        "non_voting_form": _participant_form(ParticipantRole.NON_VOTING) if manage else None,
        "guest_form": GuestForm(formdata=None) if manage else None,
    }


def _participant_form(role: ParticipantRole) -> ParticipantForm:
    return ParticipantForm(formdata=None, data={"role": role.value})


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
