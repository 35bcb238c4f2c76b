from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.auth.services import MIN_PASSWORD_LENGTH
from app.forms import BaseForm


def password_length() -> Length:
    """The length a new password must have, with the message both password forms show."""
    return Length(
        min=MIN_PASSWORD_LENGTH,
        max=200,
        message=_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    )


class LoginForm(BaseForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=60)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordForm(BaseForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            password_length(),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        render_kw={"autocomplete": "new-password"},
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )

    def validate_new(self, field: PasswordField) -> None:
        if field.data and field.data == self.current.data:
            raise ValidationError(_l("Choose a password different from the current one."))
