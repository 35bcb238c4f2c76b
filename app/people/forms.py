from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from app.forms import BaseForm, UnitField
from app.people.models import Gender, MembershipRole, PartyStatus
from app.types import local_today

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def check_party_dates(
    status: str | None,
    joined: date | None,
    regularised: date | None,
    born: date | None = None,
) -> dict[str, str]:
    """Errors by field for a party status and its dates (shared by the form and the import)."""
    errors: dict[str, str] = {}
    if status in (PartyStatus.FULL.value, PartyStatus.PROBATIONARY.value) and joined is None:
        errors["joined_on"] = str(_l("A Party member needs the date of joining the Party."))
    if status == PartyStatus.PROBATIONARY.value and regularised is not None:
        errors["regularised_on"] = str(_l("A probationary member has no regularisation date yet."))
    if status in (PartyStatus.ACTIVIST.value, PartyStatus.MASSES.value) and (joined or regularised):
        errors["joined_on"] = str(_l("Only Party members have Party dates."))
    if joined and regularised and regularised < joined:
        errors["regularised_on"] = str(_l("Regularisation cannot come before joining the Party."))
    if joined and joined > local_today():
        errors["joined_on"] = str(_l("The date cannot be in the future."))
    if joined and born and joined < born:
        errors["joined_on"] = str(_l("Joining the Party cannot come before the date of birth."))
    elif joined and born and joined < eighteenth_birthday(born):
        errors["joined_on"] = str(
            _l("One joins the Party at 18 at the earliest: this date is before the 18th birthday.")
        )
    return errors


def eighteenth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        return date(born.year + 18, 3, 1)


def not_future(_form: BaseForm, field: DateField) -> None:
    if field.data and field.data > local_today():
        raise ValidationError(_l("The date cannot be in the future."))


class PersonForm(BaseForm):
    code = StringField(
        _l("Personnel code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(CODE_PATTERN, message=_l("Use letters, digits, '.', '-' or '_'.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    gender = SelectField(_l("Gender"), choices=[], validators=[Optional()])
    birth_date = DateField(_l("Date of birth"), validators=[Optional(), not_future])
    party_status = SelectField(_l("Party status"), choices=[], validators=[DataRequired()])
    joined_on = DateField(_l("Joined the Party"), validators=[Optional()])
    regularised_on = DateField(_l("Regularised"), validators=[Optional()])
    department_id = SelectField(_l("Department"), coerce=int, choices=[], validators=[Optional()])
    post = StringField(_l("Post"), validators=[Optional(), Length(max=80)])
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=30),
            Regexp(r"^[0-9+\- ]+$", message=_l("Digits, spaces, '+' and '-' only.")),
        ],
    )

    def __init__(self, *args: Any, departments: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gender.choices = [("", _l("—")), *Gender.choices()]
        self.party_status.choices = PartyStatus.choices()
        self.department_id.choices = [(0, _l("—"))] + [(d.id, d.name) for d in departments or []]

    def validate(self, extra_validators: dict | None = None) -> bool:
        ok = super().validate(extra_validators)
        for field_name, message in check_party_dates(
            self.party_status.data,
            self.joined_on.data,
            self.regularised_on.data,
            self.birth_date.data,
        ).items():
            getattr(self, field_name).errors.append(message)
            ok = False
        return ok


class NewPersonForm(PersonForm):
    unit_id = UnitField(_l("Unit"), coerce=int, choices=[], validators=[DataRequired()])
    role = SelectField(_l("Role in the unit"), choices=[], validators=[DataRequired()])
    start_date = DateField(
        _l("In the unit since"), validators=[DataRequired()], default=local_today
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = MembershipRole.choices()

    def validate(self, extra_validators: dict | None = None) -> bool:
        ok = super().validate(extra_validators)
        if self.role.data == MembershipRole.STAFF.value and self.party_status.data in (
            PartyStatus.FULL.value,
            PartyStatus.PROBATIONARY.value,
        ):
            self.role.errors.append(_l("Party members belong to a unit as members, not as staff."))
            ok = False
        if self.role.data != MembershipRole.STAFF.value and self.party_status.data in (
            PartyStatus.ACTIVIST.value,
            PartyStatus.MASSES.value,
        ):
            self.role.errors.append(_l("Only Party members hold this role; choose staff."))
            ok = False
        return ok


class TransferForm(BaseForm):
    transferred_out_on = DateField(
        _l("Transferred out on"), validators=[DataRequired(), not_future]
    )
    transfer_note = StringField(
        _l("Destination or reason"), validators=[Optional(), Length(max=200)]
    )


class MoveForm(BaseForm):
    """A change of branch: the current membership ends and a new one starts on the same day."""

    from_membership_id = SelectField(
        _l("Leaves"), coerce=int, choices=[], validators=[DataRequired()]
    )
    unit_id = UnitField(_l("Joins"), coerce=int, choices=[], validators=[DataRequired()])
    role = SelectField(_l("Role in the new unit"), choices=[], validators=[DataRequired()])
    on = DateField(_l("On"), validators=[DataRequired()], default=local_today)

    def __init__(
        self,
        *args: Any,
        memberships: list | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.from_membership_id.choices = [
            (m.id, f"{m.unit.name} · {m.role.label}") for m in memberships or []
        ]
        self.role.choices = MembershipRole.choices()
