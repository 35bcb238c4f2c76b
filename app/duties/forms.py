"""The forms of a responsibility list, a duty item, a manual item's status and a 履责记实 entry."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.activities.families import kind_keys
from app.activities.rules import record_date
from app.duties.models import AsRole, DutyCategory, DutyItem, DutyList, ManualStatus, Period
from app.forms import BaseForm, PersonField, UnitField, UnitsField

TEXT = [Optional(), Length(max=5000)]


class ListForm(BaseForm):
    unit_id = UnitField(
        _l("Issued by"),
        coerce=int,
        choices=[],
        validators=[DataRequired()],
        description=_l("Usually the 党组: its secretaries keep the list."),
    )
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    owner = SelectField(
        _l("Whose list"),
        choices=[("person", _l("A leader's")), ("unit", _l("The issuing unit's collective list"))],
        validators=[DataRequired()],
    )
    person = PersonField(
        _l("Leader"),
        validators=[Optional(), Length(max=80)],
        bureau_wide=True,
        description=_l("Type to search the bureau: the 第一责任人, a 班子成员, a branch 书记."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    post = StringField(
        _l("Post"),
        validators=[Optional(), Length(max=100)],
        description=_l("The post held that year, e.g. 局长."),
    )
    areas = TextAreaField(
        _l("Areas led"),
        validators=TEXT,
        render_kw={"rows": 3},
        description=_l("One a line: e.g. 党群, 纪检监察, 工业经济运行."),
    )
    business_duty = TextAreaField(_l("Business duties"), validators=TEXT, render_kw={"rows": 3})
    party_duty = TextAreaField(_l("Party-building duties"), validators=TEXT, render_kw={"rows": 3})
    integrity_duty = TextAreaField(_l("Integrity duties"), validators=TEXT, render_kw={"rows": 3})

    def show_record(self, duty_list: DutyList) -> None:
        self.owner.data = "person" if duty_list.person_id else "unit"
        self.person.set_person(duty_list.person)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.owner.data == "person" and self.person.person is None and not self.person.errors:
            self.person.errors = [_l("Choose the leader whose list it is.")]
            return False
        return valid

    def values(self) -> dict[str, Any]:
        return {
            "year": self.year.data,
            "title": self.title.data,
            "post": self.post.data or None,
            "areas": self.areas.data or None,
            "business_duty": self.business_duty.data or None,
            "party_duty": self.party_duty.data or None,
            "integrity_duty": self.integrity_duty.data or None,
        }


class ItemForm(BaseForm):
    text = TextAreaField(
        _l("Duty"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 2}
    )
    category = SelectField(_l("Category"), choices=[], validators=[DataRequired()])
    owner = PersonField(
        _l("Owner"),
        validators=[Optional(), Length(max=80)],
        bureau_wide=True,
        description=_l("Empty: the list's leader."),
    )
    pressed_to = StringField(
        _l("Pressed down to"),
        validators=[Optional(), Length(max=300)],
        description=_l("The departments or units it is cascaded to (层层压实)."),
    )
    period = SelectField(_l("Period"), choices=[], validators=[DataRequired()])
    due_on = DateField(
        _l("Deadline"),
        validators=[Optional()],
        description=_l("A yearly or manual item's deadline; empty: the year's end."),
    )
    target = IntegerField(
        _l("At least"),
        validators=[Optional(), NumberRange(1, 1000)],
        description=_l("A countable item: how many each period. Empty: a manual item."),
    )
    kinds = SelectMultipleField(
        _l("Of these activities"),
        choices=[],
        validators=[Optional()],
        render_kw={"size": 8},
        description=_l("Choose one or more (Ctrl or ⌘ and click on a computer)."),
    )
    unit_ids = UnitsField(
        _l("In these units"),
        coerce=int,
        choices=[],
        validators=[Optional()],
        description=_l(
            "With the units below. Empty: a leader's units on the day (a unit's list: its own)."
        ),
    )
    as_role = SelectField(_l("Which of them"), choices=[], validators=[DataRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = DutyCategory.choices()
        self.period.choices = Period.choices()
        self.kinds.choices = kind_keys()
        self.as_role.choices = AsRole.choices()

    def show_record(self, item: DutyItem) -> None:
        self.category.data = item.category.value
        self.period.data = item.period.value
        self.as_role.data = item.as_role.value
        self.owner.set_person(item.owner)
        self.unit_ids.data = list(item.unit_ids or [])

    def values(self) -> dict[str, Any]:
        countable = self.target.data is not None
        return {
            "text": self.text.data,
            "category": DutyCategory(self.category.data),
            "owner_id": self.owner.person.id if self.owner.person else None,
            "pressed_to": self.pressed_to.data or None,
            "period": Period(self.period.data) if countable else Period.YEAR,
            "due_on": self.due_on.data,
            "target": self.target.data,
            "kinds": [key for key in self.kinds.data or [] if key] if countable else None,
            "unit_ids": [unit.id for unit in self.unit_ids.chosen_units] or None,
            "as_role": AsRole(self.as_role.data),
        }


class StatusForm(BaseForm):
    status = SelectField(_l("Status"), choices=[], validators=[DataRequired()])
    completed_on = DateField(_l("Completed on"), validators=[Optional(), record_date])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = ManualStatus.choices()


class EntryForm(BaseForm):
    done_on = DateField(_l("Date"), validators=[DataRequired(), record_date])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    participants = StringField(
        _l("Participants"),
        validators=[Optional(), Length(max=500)],
        description=_l("Who took part: names, or e.g. 班子成员及各股室负责人."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(
        _l("What was done"), validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 4}
    )
    items = SelectMultipleField(_l("Fulfils"), coerce=int, choices=[], validators=[Optional()])

    def offer(self, duty_list: DutyList) -> None:
        self.items.choices = [(item.id, item.text[:80]) for item in duty_list.items]

    def values(self) -> dict[str, Any]:
        return {
            "done_on": self.done_on.data,
            "place": self.place.data or None,
            "participants": self.participants.data or None,
            "title": self.title.data,
            "text": self.text.data,
        }
