"""The integrity activity's own fields on the core's ActivityForm."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.activities.forms import ActivityForm
from app.activities.models import Activity
from app.integrity.models import CautionaryForm, IntegrityActivity, IntegrityKind
from app.people.models import OrgUnit


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = IntegrityKind.choices()
        self.cautionary_form.choices = [("", "—"), *CautionaryForm.choices()]

    def show_record(self, activity: Activity) -> None:
        super().show_record(activity)
        record: IntegrityActivity = activity  # type: ignore[assignment]
        self.kind.data = record.kind.value
        self.cautionary_form.data = record.cautionary_form.value if record.cautionary_form else ""

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
        }
