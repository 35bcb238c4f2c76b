"""Forms of the admin area: org units, memberships, accounts and settings."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from app.auth.forms import password_length
from app.auth.models import Role, User
from app.auth.services import normalise_username
from app.forms import BaseForm, PersonField, UnitField, UnitsField
from app.people.forms import CODE_PATTERN
from app.people.models import MembershipRole, OrgUnit, UnitKind
from app.settings import SettingDef, SettingError, parse
from app.types import local_today

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._@-]*$"


class UnitForm(BaseForm):
    code = StringField(
        _l("Unit code"),
        description=_l("Short and stable, e.g. jiguan; used by imports and commands."),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(CODE_PATTERN, message=_l("Use letters, digits, '.', '-' or '_'.")),
        ],
    )
    name = StringField(_l("Unit name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[], validators=[DataRequired()])
    parent_id = UnitField(_l("Sits under"), coerce=int, choices=[], validators=[Optional()])
    sort_order = IntegerField(
        _l("Position among its siblings"),
        default=0,
        description=_l("Smaller numbers come first."),
        validators=[Optional(), NumberRange(min=0, max=99999)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = UnitKind.choices()

    def offer_parents(self, user: User, unit: OrgUnit | None) -> None:
        """The units ``unit`` (None: a new one) may sit under: the active ones, and the one it
        sits under already even when deactivated; never itself (deeper cycles are caught by
        the check, with a clear message)."""
        self.parent_id.offer(
            user,
            keep=[unit.parent_id] if unit is not None and unit.parent_id is not None else [],
            exclude=unit.id if unit is not None else None,
            tree=True,
            before=[(0, _l("— none (the root of the tree)"))],
        )


NO_SUCH_PERSON = _l("No person has this personnel code.")


class MembershipForm(BaseForm):
    person_code = PersonField(
        _l("Person"),
        description=_l(
            "Type a name, a personnel code or a department and choose from the results."
        ),
        validators=[DataRequired(), Length(max=80)],
        not_found=NO_SUCH_PERSON,
    )
    role = SelectField(_l("Role in the unit"), choices=[], validators=[DataRequired()])
    start_date = DateField(_l("From"), validators=[DataRequired()], default=local_today)
    end_date = DateField(
        _l("Until (first day out)"),
        description=_l("Leave empty while the person is still in the unit."),
        validators=[Optional()],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = MembershipRole.choices()


class EndMembershipForm(BaseForm):
    end_date = DateField(
        _l("First day out of the unit"), validators=[DataRequired()], default=local_today
    )


def _normalised_username(_form: BaseForm, field: StringField) -> None:
    field.data = normalise_username(field.data or "")
    if not field.data:
        raise ValidationError(_l("This field is required."))


class AccountFields(BaseForm):
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired()])
    units = UnitsField(
        _l("Units kept (secretaries)"),
        coerce=int,
        choices=[],
        description=_l(
            "A secretary keeps the records of these units and the units below them. "
            "Hold Ctrl (⌘ on a Mac) to choose several."
        ),
        render_kw={"size": 8},
    )
    person_code = PersonField(
        _l("Person"),
        description=_l("The person this account belongs to; required for members."),
        # No Optional(): it would stop the chain before the check that members name a person.
        validators=[Length(max=80)],
        not_found=NO_SUCH_PERSON,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices()

    def validate_units(self, field: SelectMultipleField) -> None:
        if self.role.data == Role.SECRETARY.value and not field.data:
            raise ValidationError(_l("Choose at least one unit for a secretary."))
        if self.role.data != Role.SECRETARY.value and field.data:
            raise ValidationError(
                _l("Only secretaries keep units: clear the selection or choose the secretary role.")
            )

    def validate_person_code(self, field: StringField) -> None:
        field.data = (field.data or "").strip()
        if self.role.data == Role.MEMBER.value and not field.data:
            raise ValidationError(_l("A member account belongs to a person: enter their code."))


class AccountForm(AccountFields):
    username = StringField(
        _l("Username"),
        description=_l("Letters are stored in lower case."),
        validators=[
            _normalised_username,
            Length(max=60),
            Regexp(
                USERNAME_PATTERN,
                message=_l("Use lower-case letters, digits, '.', '-', '_' or '@'."),
            ),
        ],
    )
    password = PasswordField(
        _l("Initial password"),
        render_kw={"autocomplete": "new-password"},
        description=_l(
            "Leave empty to generate one. Either way it must be changed at the first sign-in."
        ),
        validators=[
            Optional(),
            password_length(),
        ],
    )


class AccountEditForm(AccountFields):
    active = BooleanField(
        _l("Active (may sign in)"),
        description=_l("A deactivated account cannot sign in; its records and history stay."),
    )


class PasswordResetForm(BaseForm):
    """Only the CSRF token: the new password is generated."""


class SettingsFormBase(BaseForm):
    definitions: dict[str, SettingDef]
    parsed: dict[str, Any]

    def validate(self, extra_validators: dict | None = None) -> bool:
        ok = super().validate(extra_validators)
        self.parsed = {}
        for key, definition in self.definitions.items():
            field: Field = self[key]
            if field.errors:
                continue
            raw = ("true" if field.data else "false") if definition.kind is bool else field.data
            try:
                self.parsed[key] = parse(definition, raw or "")
            except SettingError as error:
                field.errors = [*field.errors, str(error)]
                ok = False
        return ok


def settings_form(
    definitions: dict[str, SettingDef], values: dict[str, Any], **kwargs: Any
) -> SettingsFormBase:
    """A form with one field per setting, named by its key, pre-filled with the current value."""

    class SettingsForm(SettingsFormBase):
        pass

    for key, definition in definitions.items():
        field: Field
        if definition.kind is bool:
            field = BooleanField(definition.label, description=definition.help)
        else:
            field = StringField(definition.label, description=definition.help)
        setattr(SettingsForm, key, field)
    SettingsForm.definitions = definitions
    data = {key: display_value(values.get(key, d.default), d) for key, d in definitions.items()}
    return SettingsForm(data=data, **kwargs)


def display_value(value: Any, definition: SettingDef) -> Any:
    if definition.kind is bool:
        return bool(value)
    if definition.kind is float and float(value).is_integer():
        return str(int(value))
    return str(value)


class DepartmentForm(BaseForm):
    name = StringField(_l("Name of the department"), validators=[DataRequired(), Length(max=80)])
    sort_order = IntegerField(
        _l("Position in lists"),
        default=0,
        description=_l("Smaller numbers come first."),
        validators=[Optional(), NumberRange(min=0, max=99999)],
    )
