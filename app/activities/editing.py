"""Creating and editing an activity of any family, as every family's new and edit pages do:
the form prepared for the user (its unit field offering their units), then validate → change
→ commit → flash → answer."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, flash, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app import settings
from app.activities.forms import ActivityForm, as_field_error
from app.activities.models import Activity
from app.activities.rules import LATE_ENTRY_DAYS
from app.auth.models import User
from app.auth.policy import require
from app.extensions import db
from app.htmx import hx_redirect, saved
from app.queries import int_arg, text_arg
from app.types import local_today

F = TypeVar("F", bound=ActivityForm)


def activity_form(form_class: type[F], activity: Activity | None) -> F:
    """The form of a new activity (its unit and kind the ones asked for, else the first unit the
    user may take; today's date) or of ``activity``; its unit field offers the user's units, and the
    activity's own unit even when it has been deactivated since."""
    form = form_class(obj=activity, late_days=settings.get(LATE_ENTRY_DAYS.key))
    if activity is None and request.method == "GET":
        form.unit_id.data = int_arg("unit")
        form.day.data = local_today()
        kind = getattr(form, "kind", None)  # a family's kind, when a link names one
        asked = text_arg("kind")
        if kind is not None and asked in {value for value, _label in kind.choices}:
            kind.data = asked
    if activity is not None and request.method == "GET":
        form.show_record(activity)
    if activity is not None:
        form.unit_id.offer(current_user, keep=[activity.unit_id])
    elif request.method == "GET":
        offered = form.unit_id.offer(current_user, first=True)
        if form.unit_id.unit is None and offered.units:
            form.unit_id.data = offered.units[0].id
    else:
        form.unit_id.offer(current_user)
    return form


def _values(form: ActivityForm) -> dict[str, Any]:
    unit = form.unit_id.unit
    require(unit is not None)
    return form.values(unit)  # type: ignore[arg-type]


def create_answer(
    form: ActivityForm,
    create: Callable[[dict[str, Any], User], Activity],
    show_url: Callable[[Activity], str],
) -> Response | None:
    """A valid new activity's form: made with its default expected list, committed, said and
    shown; None (the form shown again) when the rules refuse it, the refusal on the form."""
    values = _values(form)
    done, activity = as_field_error(form.late_reason, lambda: create(values, current_user))
    if not done or activity is None:
        return None
    db.session.commit()
    expected = len(activity.participations)
    message = ngettext(
        "Saved, with %(num)d person expected.", "Saved, with %(num)d people expected.", expected
    )
    flash(message, "success")
    return hx_redirect(show_url(activity))


def edit_answer(
    form: ActivityForm, apply: Callable[[dict[str, Any]], None], show_url: str
) -> Response | None:
    """A valid edited form: its values applied, committed, said and shown; None when the rules
    refuse them."""
    values = _values(form)
    done, _result = as_field_error(form.late_reason, lambda: apply(values))
    if not done:
        return None
    return saved(_("The changes have been saved."), show_url)
