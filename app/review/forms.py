"""The reviewer's decision: approve (comment optional) or return (comment required)."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.forms import BaseForm

DECISIONS = ("approve", "return")


class DecisionForm(BaseForm):
    decision = StringField(validators=[DataRequired(), AnyOf(DECISIONS)])
    comment = StringField(_l("Comment"), validators=[Optional(), Length(max=500)])

    @property
    def approving(self) -> bool:
        return self.decision.data == "approve"
