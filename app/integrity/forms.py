"""The integrity activity's own fields on the core's ActivityForm, and the form of a talk."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.activities.forms import ActivityForm, local_time, people_values, to_utc
from app.activities.models import Activity
from app.activities.rules import record_date
from app.auth.models import User
from app.forms import BaseForm, PersonField, QueryForm, UnitField
from app.integrity.holidays import REMINDED
from app.integrity.models import (
    COLLECTIVE_TALKS,
    CautionaryForm,
    Holiday,
    IntegrityActivity,
    IntegrityKind,
    IntegrityTalk,
    ReminderChannel,
    TalkKind,
)
from app.people.models import OrgUnit
from app.types import local_today


class IntegrityForm(ActivityForm):
    kind = SelectField(_l("Kind"), choices=[], validators=[DataRequired()])
    cautionary_form = SelectField(
        _l("Form of the cautionary education"), choices=[], validators=[Optional()]
    )
    content = TextAreaField(
        _l("Content"),
        validators=[Optional(), Length(max=20000)],
        render_kw={"rows": 6},
        description=_l("What was said, shown or visited, and what was pledged."),
    )
    talk_kind = SelectField(
        _l("Kind of talk"),
        choices=[],
        validators=[Optional()],
        description=_l(
            "Reminder, special and admonishment talks are held with one person: record them "
            "as talks."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = IntegrityKind.choices()
        self.cautionary_form.choices = [("", "—"), *CautionaryForm.choices()]
        self.talk_kind.choices = [("", "—"), *((k.value, k.label) for k in COLLECTIVE_TALKS)]

    def show_record(self, activity: Activity) -> None:
        super().show_record(activity)
        record: IntegrityActivity = activity  # type: ignore[assignment]
        self.kind.data = record.kind.value
        self.cautionary_form.data = record.cautionary_form.value if record.cautionary_form else ""
        self.talk_kind.data = record.talk_kind.value if record.talk_kind else ""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # Here, not in the fields' own checks: an empty Optional() field ends those.
        kind = self.kind.data
        if kind == IntegrityKind.CAUTIONARY.value and not self.cautionary_form.data:
            self.cautionary_form.errors = [
                _l("Say what the cautionary education was: a film, a visit or a case study.")
            ]
            return False
        if kind == IntegrityKind.LECTURE.value and not (self.lecturer.data or "").strip():
            self.lecturer.errors = [_l("Name who gave the integrity lecture.")]
            return False
        if kind == IntegrityKind.TALK.value and not self.talk_kind.data:
            self.talk_kind.errors = [_l("Say which kind of talk was held with the group.")]
            return False
        return valid

    def values(self, unit: OrgUnit) -> dict[str, Any]:
        """What the services take."""
        kind = IntegrityKind(self.kind.data)
        chosen = self.cautionary_form.data
        return {
            **super().values(unit),
            "kind": kind,
            "cautionary_form": CautionaryForm(chosen)
            if kind is IntegrityKind.CAUTIONARY and chosen
            else None,
            "content": self.content.data or None,
            "talk_kind": TalkKind(self.talk_kind.data)
            if kind is IntegrityKind.TALK and self.talk_kind.data
            else None,
        }


class TalkForm(BaseForm):
    """A talk with one person; it belongs to the talker's unit."""

    unit_id = UnitField(
        _l("Unit"),
        coerce=int,
        choices=[],
        validators=[DataRequired()],
        description=_l("The talker's unit: its secretaries keep the record."),
    )
    kind = SelectField(_l("Kind of talk"), choices=[], validators=[DataRequired()])
    day = DateField(_l("Date"), validators=[DataRequired(), record_date])
    time = TimeField(_l("Time"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    subject = PersonField(
        _l("Talked to"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Type to search and choose the person talked to."),
    )
    talker = PersonField(
        _l("Talker"),
        validators=[DataRequired(), Length(max=80)],
        free_text=True,
        description=_l("Type to search and choose a person, or type an outsider's name."),
    )
    minute_taker = PersonField(
        _l("Minute-taker"), validators=[Optional(), Length(max=80)], free_text=True
    )
    gist = TextAreaField(
        _l("Gist"),
        validators=[DataRequired(), Length(max=20000)],
        render_kw={"rows": 6},
        description=_l(
            "What was raised and what the person said. The gist of a reminder, special or "
            "admonishment talk is read only by the admins and the unit's secretaries."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = TalkKind.choices()

    def validate_subject(self, field: PersonField) -> None:
        from flask_login import current_user

        if field.person is not None and field.person.id == current_user.person_id:
            raise ValidationError(
                _l("A talk with you is recorded by someone else: you may not record or change it.")
            )

    def show_record(self, talk: IntegrityTalk) -> None:
        """The fields stored in another shape: local date and time, the people."""
        local = local_time(talk.held_at)
        self.day.data, self.time.data = local.date(), local.time()
        self.kind.data = talk.kind.value
        self.subject.set_person(talk.subject)
        self.talker.set_person(talk.talker, talk.talker_name)
        self.minute_taker.set_person(talk.minute_taker, talk.minute_taker_name)

    def values(self, unit: OrgUnit) -> dict[str, Any]:
        """What the services take."""
        return {
            "unit": unit,
            "kind": TalkKind(self.kind.data),
            "held_at": to_utc(self.day.data, self.time.data),
            "held_on": self.day.data,
            "place": self.place.data or None,
            "subject": self.subject.person,
            "gist": self.gist.data,
            **people_values(self, ("talker", "minute_taker")),
        }


class SigningForm(BaseForm):
    """The day a batch was signed; who signed is ticked on the rows of those expected."""

    signed_on = DateField(_l("Signed on"), validators=[DataRequired(), record_date])


class PairForm(BaseForm):
    """A responsibility letter's pair: the upper party (e.g. the 党组书记) and the lower."""

    upper = PersonField(
        _l("Upper party"),
        validators=[DataRequired(), Length(max=80)],
        bureau_wide=True,
        description=_l("For example the Party group's secretary, or a team member."),
    )
    lower = PersonField(
        _l("Lower party"),
        validators=[DataRequired(), Length(max=80)],
        bureau_wide=True,
        description=_l("For example a team member, or a department head."),
    )


class ReminderForm(BaseForm):
    """A pre-holiday reminder of a unit; the people it went to are ticked among the unit's
    members when it did not go to all its Party members."""

    unit_id = UnitField(_l("Unit"), coerce=int, choices=[], validators=[DataRequired()])
    holiday = SelectField(_l("Before the holiday"), choices=[], validators=[DataRequired()])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    sent_on = DateField(_l("Date"), validators=[DataRequired(), record_date])
    channel = SelectField(_l("Channel"), choices=[], validators=[DataRequired()])
    everyone = BooleanField(_l("To all Party members of the unit"), default=True)
    text = TextAreaField(
        _l("What it said"),
        validators=[DataRequired(), Length(max=5000)],
        render_kw={"rows": 4},
        description=_l("The reminder's words, or what was said at the meeting."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holiday.choices = [(each.value, each.label) for each in REMINDED]
        self.channel.choices = ReminderChannel.choices()

    def values(self, unit: OrgUnit, recipient_ids: set[int]) -> dict[str, Any]:
        return {
            "unit": unit,
            "year": self.year.data,
            "holiday": Holiday(self.holiday.data),
            "sent_on": self.sent_on.data,
            "channel": ReminderChannel(self.channel.data),
            "everyone": bool(self.everyone.data),
            "text": self.text.data,
            "recipient_ids": recipient_ids,
        }


class PastLineForm(QueryForm):
    """One past activity of a back-fill; a line left empty is skipped."""

    kind = SelectField(_l("Kind"), choices=[], validators=[Optional()])
    day = DateField(_l("Date"), validators=[Optional(), record_date])
    present = IntegerField(_l("Number present"), validators=[Optional(), NumberRange(0, 10000)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])

    @property
    def filled(self) -> bool:
        return any(
            field.data not in (None, "")
            for field in (self.kind, self.day, self.present, self.title)
        )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.filled:
            return valid
        for field in (self.kind, self.day, self.present):
            if field.data in (None, "") and not field.errors:
                field.errors = [_l("Needed on a line that is filled in.")]
                valid = False
        if self.day.data and self.day.data >= local_today() and not self.day.errors:
            self.day.errors = [_l("Only activities held before today are entered from paper.")]
            valid = False
        return valid


class BackfillForm(BaseForm):
    """Past activities of one unit from its paper records, a line each, with one reason for
    them all."""

    unit_id = UnitField(_l("Unit"), coerce=int, choices=[], validators=[DataRequired()])
    lines = FieldList(FormField(PastLineForm), min_entries=8, max_entries=20)
    reason = StringField(
        _l("Where these come from"),
        validators=[DataRequired(), Length(max=500)],
        default=_l("Entered from the paper records"),
        description=_l("One reason for every activity entered here, kept on each as 补录."),
    )

    def offer(self, user: User) -> None:
        """The user's units, and the kinds on every line."""
        self.unit_id.offer(user, first=True)
        kinds = [("", "—"), *IntegrityKind.choices()]
        for line in self.lines:
            line.form.kind.choices = kinds

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not any(line.form.filled for line in self.lines):
            self.reason.errors = [_l("Fill in at least one line.")]
            return False
        return valid
