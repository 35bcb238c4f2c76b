"""The base of every form: text cleaned of control characters, dates within a plausible range."""

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    Field,
    Form,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.utils import unset_value
from wtforms.validators import StopValidation, ValidationError

if TYPE_CHECKING:
    from app.auth.models import User
    from app.people.models import OrgUnit
    from app.people.unit_picker import FieldUnits

# C0 controls other than tab and newlines: invisible, refused by XLSX and by PostgreSQL (NUL).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def clean_text(value: Any) -> Any:
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value


def clean_field_text(value: Any) -> Any:
    """A typed value without control characters or surrounding spaces."""
    value = clean_text(value)
    return value.strip() if isinstance(value, str) else value


def plausible_date(_form: Form, field: Field) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("Enter a date between 1900 and 2100."))


# A DecimalField takes "NaN", "Infinity" and "sNaN", which no range check can compare, and
# "1e999999999", which no arithmetic should be asked to expand. Checked first, and the chain
# stops there.
MAX_EXPONENT = 12


def plain_number(_form: Form, field: Field) -> None:
    value = field.data
    if isinstance(value, Decimal) and (
        not value.is_finite() or not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT
    ):
        raise StopValidation(_l("Enter a number."))


class _Meta:
    # The unbound field is shared by every instance of the form class, so the additions are
    # made once, the first time the field is bound.
    def bind_field(self, form: Form, unbound_field: Any, options: dict) -> Field:
        field_class = unbound_field.field_class
        # Passwords are taken exactly as typed.
        if issubclass(field_class, StringField | TextAreaField) and not issubclass(
            field_class, PasswordField
        ):
            filters = tuple(unbound_field.kwargs.get("filters", ()))
            if clean_field_text not in filters:
                unbound_field.kwargs["filters"] = (clean_field_text, *filters)
        if issubclass(unbound_field.field_class, DateField):
            validators = list(unbound_field.kwargs.get("validators") or ())
            if plausible_date not in validators:
                unbound_field.kwargs["validators"] = [*validators, plausible_date]
        if issubclass(field_class, DecimalField):
            validators = list(unbound_field.kwargs.get("validators") or ())
            if plain_number not in validators:
                unbound_field.kwargs["validators"] = [plain_number, *validators]
        return unbound_field.bind(form=form, **options)


class BaseForm(FlaskForm):
    """Every form of the app derives from this one (CSRF included)."""

    class Meta(_Meta):
        pass


class QueryForm(Form):
    """Filters read from the query string: the same cleaning, no CSRF token (a GET changes
    nothing)."""

    class Meta(_Meta):
        pass


INDENT = "\u3000"


class _UnitChoices:
    """Choices of units loaded for the user and the chosen ids (``offer``): every unit the field
    may take when there are few, else only the chosen ones, which the ``field`` macro draws
    with a live search (``people.pick_unit``). A submitted id is then valid when it is among the
    units loaded: the user's scope, active or already the record's."""

    choices: Any
    offered: "FieldUnits | None" = None

    data: Any

    def chosen_ids(self) -> list[int]:
        """The submitted or set unit ids: one for a unit, several for units."""
        values = self.data if isinstance(self.data, list) else [self.data]
        return [value for value in values if isinstance(value, int)]

    def offer(
        self,
        user: "User",
        *,
        keep: Iterable[int] = (),
        exclude: int | None = None,
        tree: bool = False,
        first: bool = False,
        before: Iterable[tuple[Any, Any]] = (),
    ) -> "FieldUnits":
        """Load the choices (``before`` ones first); ``tree`` indents them in tree order under
        their names and codes, else they are names in unit order; ``first`` also loads the first
        unit when none is chosen (a default). Returns the ``FieldUnits`` (``field_units``)."""
        from app.people.unit_picker import field_units, unit_label

        offered = field_units(user, self.chosen_ids(), list(keep), exclude, tree, first)
        self.offered = offered
        self.choices = [
            *before,
            *(
                (row.unit.id, INDENT * row.depth + unit_label(row.unit) if tree else row.unit.name)
                for row in offered.rows
            ),
        ]
        return offered

    @property
    def searched(self) -> bool:
        """Drawn as a live search: more units than a select shows."""
        from app.people.unit_picker import searched

        return self.offered.searched if self.offered is not None else searched(self.choices or [])

    def _loaded(self, ids: Iterable[int]) -> list["OrgUnit"]:
        wanted = set(ids)
        units = self.offered.units if self.offered is not None else []
        return [unit for unit in units if unit.id in wanted]


class UnitField(_UnitChoices, SelectField):
    """A unit, submitted as its id (a select, or the live search's hidden input of the same
    name, so the server reads and validates it as the select it replaces)."""

    @property
    def unit(self) -> "OrgUnit | None":
        """The chosen unit once offered and valid, else None."""
        return next(iter(self._loaded(self.chosen_ids())), None)

    @property
    def chosen_label(self) -> str:
        """The chosen unit's label as the select would show it, without the tree's indent."""
        for _value, label, selected, *_rest in self.iter_choices():
            if selected:
                return str(label).lstrip(INDENT)
        return ""


class UnitsField(_UnitChoices, SelectMultipleField):
    """Several units (a secretary's units): a select, or the chosen ones as ticked boxes of the
    same name and a live search that adds more, so the server reads the same list of ids."""

    @property
    def chosen_units(self) -> list["OrgUnit"]:
        """The chosen units once offered and valid."""
        return self._loaded(self.chosen_ids())

    @property
    def chosen(self) -> list[tuple[Any, str]]:
        """The chosen units as (id, label), without the tree's indent."""
        return [
            (value, str(label).lstrip(INDENT))
            for value, label, selected, *_rest in self.iter_choices()
            if selected
        ]


class PersonField(StringField):
    """A person chosen from live results as one types (``people.pick``; the ``person_field``
    macro draws it). The input carries what was typed, a hidden ``<name>-choice`` the opaque id
    of the person chosen from the results; ``person`` is who it names once validated.

    Scoped by default: the people of one's own units (an admin: everyone). ``bureau_wide``
    searches the whole bureau instead (列席). ``free_text`` keeps a typed name that names nobody
    (an outside lecturer) instead of refusing it."""

    def __init__(
        self,
        label: Any = None,
        validators: Any = None,
        *,
        bureau_wide: bool = False,
        free_text: bool = False,
        not_found: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.bureau_wide = bureau_wide
        self.free_text = free_text
        self.not_found = not_found or _l("Choose a person from the results.")
        self.choice = ""
        self.person: Any = None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            self.choice = clean_field_text(formdata.get(f"{self.name}-choice", ""))[:32]

    def set_person(self, person: Any, name: str | None = None) -> None:
        """Show ``person`` as chosen (or, without one, an outsider's ``name``)."""
        self.person = person
        self.data = person.name if person is not None else (name or "")

    @property
    def token(self) -> str:
        from app.people.picker import token_of

        return token_of(self.person)

    def pre_validate(self, form: Form) -> None:
        from flask_login import current_user

        from app.people.picker import resolve

        self.person = None
        if not self.choice and not self.data:
            return
        self.person = resolve(self.choice, self.data or "", current_user, self.bureau_wide)
        if self.person is not None:
            self.data = self.person.name
        elif self.choice or not self.free_text:
            raise ValidationError(str(self.not_found))
