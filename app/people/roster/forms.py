"""The roster import's forms: the upload, and the confirmation of what its preview showed."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from app.forms import BaseForm
from app.people.roster.workbook import MIMETYPE


class RosterImportForm(BaseForm):
    file = FileField(
        _l("Roster file (.xlsx)"),
        validators=[
            FileRequired(_l("Choose the file to import.")),
            FileAllowed(["xlsx"], _l("Choose an Excel workbook (.xlsx).")),
        ],
        render_kw={"accept": ".xlsx," + MIMETYPE},
    )
    create_accounts = BooleanField(
        _l("Create member accounts for new Party members"),
        description=_l(
            "Username: the personnel code in lower case. You download the initial passwords "
            "once, right after the import; each must be changed at first sign-in."
        ),
    )

    def __init__(self, *args: Any, allow_accounts: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_accounts:
            # Not offered, and a field posted anyway is never read.
            del self.create_accounts


class ConfirmImportForm(BaseForm):
    token = HiddenField(validators=[DataRequired()])
    digest = HiddenField(validators=[DataRequired()])
