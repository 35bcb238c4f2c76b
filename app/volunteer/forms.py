"""The forms of a project, a progress entry, the completion, the acceptance, a cancellation and
a service day."""

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.activities.forms import ActivityForm
from app.activities.models import Activity
from app.activities.rules import record_date
from app.activities.services import default_hours
from app.extensions import db
from app.forms import BaseForm, PersonField, UnitField
from app.people.models import OrgUnit
from app.volunteer.models import (
    AcceptanceMethod,
    Project,
    ProjectCategory,
    ProjectScope,
    ProjectSource,
    ServiceDay,
    Urgency,
)

COUNT = [Optional(), NumberRange(min=0, max=10_000_000)]


class ProjectForm(BaseForm):
    unit_id = UnitField(
        _l("Lead unit"),
        coerce=int,
        choices=[],
        validators=[DataRequired()],
        description=_l("Its secretaries keep the project."),
    )
    name = StringField(_l("Project name"), validators=[DataRequired(), Length(max=200)])
    category_id = SelectField(_l("Category"), coerce=int, choices=[], validators=[DataRequired()])
    source = SelectField(_l("Source"), choices=[], validators=[DataRequired()])
    urgency = SelectField(_l("Urgency"), choices=[], validators=[DataRequired()])
    scope = SelectField(_l("Scope"), choices=[], validators=[DataRequired()])
    leader = PersonField(
        _l("Responsible leader"),
        validators=[Optional(), Length(max=80)],
        bureau_wide=True,
        description=_l("Type to search the bureau and choose the leader in charge."),
    )
    person = PersonField(
        _l("Responsible person"),
        validators=[DataRequired(), Length(max=80)],
        bureau_wide=True,
        description=_l("Type to search the bureau and choose who carries it out."),
    )
    beneficiaries = StringField(
        _l("Beneficiaries"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("Who is served: e.g. the workers of an industrial park, a community."),
    )
    beneficiaries_count = IntegerField(
        _l("People served"), validators=[DataRequired(), NumberRange(min=1, max=10_000_000)]
    )
    beneficiary_visits = IntegerField(
        _l("Person-times"),
        validators=COUNT,
        description=_l("Where known: one person served three times counts three."),
    )
    planned_start = DateField(_l("Planned start"), validators=[DataRequired()])
    planned_end = DateField(_l("Planned completion"), validators=[DataRequired()])
    description = TextAreaField(
        _l("What is done"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 4}
    )

    def __init__(self, *args: Any, project: Project | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kept = project.category_id if project is not None else None
        categories = db.session.scalars(
            sa.select(ProjectCategory)
            .where(sa.or_(ProjectCategory.retired_at.is_(None), ProjectCategory.id == kept))
            .order_by(ProjectCategory.place, ProjectCategory.id)
        )
        self.category_id.choices = [(c.id, c.label) for c in categories]
        self.source.choices = ProjectSource.choices()
        self.urgency.choices = Urgency.choices()
        if "scope" in self._fields:  # a member's pledge has its scope already
            self.scope.choices = ProjectScope.choices()

    def show_record(self, project: Project) -> None:
        self.source.data = project.source.value
        self.urgency.data = project.urgency.value
        if "scope" in self._fields:
            self.scope.data = project.scope.value
            self.leader.set_person(project.leader)
            self.person.set_person(project.person)

    def values(self) -> dict[str, Any]:
        """What the services take: a member's pledge sets its scope and people itself."""
        values = {
            "name": self.name.data,
            "category_id": self.category_id.data,
            "source": ProjectSource(self.source.data),
            "urgency": Urgency(self.urgency.data),
            "beneficiaries": self.beneficiaries.data,
            "beneficiaries_count": self.beneficiaries_count.data,
            "beneficiary_visits": self.beneficiary_visits.data,
            "planned_start": self.planned_start.data,
            "planned_end": self.planned_end.data,
            "description": self.description.data or None,
        }
        if "scope" in self._fields:
            values |= {
                "scope": ProjectScope(self.scope.data),
                "leader_id": self.leader.person.id if self.leader.person else None,
                "person_id": self.person.person.id if self.person.person else None,
            }
        return values


class ProposalForm(ProjectForm):
    """A member's own pledge: the member is its responsible person, in a unit of theirs."""

    unit_id = SelectField(
        _l("Unit"),
        coerce=int,
        choices=[],
        validators=[DataRequired()],
        description=_l("Your branch: its secretaries review the pledge."),
    )
    leader = None
    person = None
    scope = None

    def offer(self, units: list[Any]) -> None:
        self.unit_id.choices = [(unit.id, unit.name) for unit in units]
        if self.unit_id.data is None and units:
            self.unit_id.data = units[0].id


class EntryForm(BaseForm):
    """A progress entry: when, what was done, by whom."""

    done_on = DateField(_l("Date"), validators=[DataRequired(), record_date])
    text = TextAreaField(
        _l("What was done"),
        validators=[DataRequired(), Length(max=20000)],
        render_kw={"rows": 3},
    )
    by = PersonField(
        _l("Done by"),
        validators=[Optional(), Length(max=80)],
        bureau_wide=True,
        free_text=True,
        description=_l("A person of the bureau, or a name."),
    )

    def values(self) -> dict[str, Any]:
        return {
            "done_on": self.done_on.data,
            "text": self.text.data,
            "by_id": self.by.person.id if self.by.person else None,
            "by_name": None if self.by.person else (self.by.data or None),
        }


class CompleteForm(BaseForm):
    completed_on = DateField(_l("Completed on"), validators=[DataRequired(), record_date])
    outcome = TextAreaField(
        _l("Outcome"),
        validators=[DataRequired(), Length(max=20000)],
        render_kw={"rows": 3},
        description=_l("What came of it for the people served."),
    )


class AcceptanceForm(BaseForm):
    """The acceptance of the people served, with the paper satisfaction survey's counts."""

    accepted_by = StringField(
        _l("Accepted by"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("A beneficiary or their representative."),
    )
    accepted_on = DateField(_l("Accepted on"), validators=[DataRequired(), record_date])
    method = SelectField(_l("How"), choices=[], validators=[DataRequired()])
    satisfied = IntegerField(
        _l("Satisfied"), default=0, validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    fairly_satisfied = IntegerField(
        _l("Fairly satisfied"), default=0, validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    dissatisfied = IntegerField(
        _l("Dissatisfied"), default=0, validators=[Optional(), NumberRange(min=0, max=100_000)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = AcceptanceMethod.choices()

    def values(self) -> dict[str, Any]:
        return {
            "accepted_by": self.accepted_by.data,
            "accepted_on": self.accepted_on.data,
            "method": AcceptanceMethod(self.method.data),
            "satisfied": self.satisfied.data or 0,
            "fairly_satisfied": self.fairly_satisfied.data or 0,
            "dissatisfied": self.dissatisfied.data or 0,
        }


class CancelForm(BaseForm):
    reason = StringField(_l("Reason for cancelling"), validators=[DataRequired(), Length(max=500)])


class CategoryForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])


def _half_hours(_form: Any, field: DecimalField) -> None:
    if field.data is not None and field.data * 2 != int(field.data * 2):
        raise ValidationError(_l("Hours are counted in half hours."))


HOURS = [Optional(), NumberRange(min=0, max=24), _half_hours]


class ServiceDayForm(ActivityForm):
    """A service day; of the project it was opened from, which it keeps."""

    hours = DecimalField(
        _l("Volunteer hours"),
        places=1,
        validators=HOURS,
        description=_l(
            "Credited to each person present. Leave empty for the duration rounded to the "
            "nearest half hour; someone who came late or left early gets their own on the "
            "record page."
        ),
    )
    served = IntegerField(
        _l("Person-times served"),
        validators=COUNT,
        description=_l("How many were served that day (人次), counted apart from a project's."),
    )
    content = TextAreaField(
        _l("What was done"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 5}
    )

    def show_record(self, activity: Activity) -> None:
        super().show_record(activity)
        day: ServiceDay = activity  # type: ignore[assignment]
        if day.hours == default_hours(day.starts_at, day.ends_at):
            self.hours.data = None  # left to follow the times when they change

    def values(self, unit: OrgUnit) -> dict[str, Any]:
        """What the services take."""
        hours = self.hours.data
        return {
            **super().values(unit),
            "hours": Decimal(hours) if hours is not None else None,
            "served": self.served.data,
            "content": self.content.data or None,
        }


class OwnHoursForm(BaseForm):
    """A participant's own hours; empty: the day's."""

    hours = DecimalField(_l("Own hours"), places=1, validators=HOURS)
