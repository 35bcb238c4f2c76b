"""The audit trail (admin only): who changed what, and when, filtered and paged."""

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response
from wtforms import DateField, Form, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.audit.models import AuditLog
from app.auth.models import Role, User
from app.auth.policy import role_required
from app.extensions import db
from app.htmx import render_page
from app.templating import fmt_datetime

bp = Blueprint("audit", __name__)

SYSTEM = "system"

ACTION_LABELS: dict[str, Any] = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "restore": _l("Restored"),
    "purge": _l("Purged"),
    "login_failed": _l("Failed sign-in"),
    "login_refused": _l("Sign-in refused (locked)"),
    "login_locked": _l("Sign-in locked"),
}

RECORD_LABELS: dict[str, Any] = {
    "org_unit": _l("Org unit"),
    "department": _l("Department"),
    "person": _l("Person"),
    "membership": _l("Membership"),
    "account": _l("Account"),
    "setting": _l("Setting"),
}

# Column names as the reader knows them; an unknown column shows its own name.
FIELD_LABELS: dict[str, Any] = {
    "code": _l("Code"),
    "name": _l("Name"),
    "gender": _l("Gender"),
    "birth_date": _l("Date of birth"),
    "party_status": _l("Party status"),
    "joined_on": _l("Joined the Party"),
    "regularised_on": _l("Regularised"),
    "department_id": _l("Department"),
    "post": _l("Post"),
    "phone": _l("Phone"),
    "transferred_out_on": _l("Transferred out on"),
    "transfer_note": _l("Destination or reason"),
    "created_at": _l("Created at"),
    "deleted_at": _l("Deleted at"),
    "kind": _l("Kind"),
    "parent_id": _l("Parent unit"),
    "sort_order": _l("Order"),
    "person_id": _l("Person"),
    "unit_id": _l("Unit"),
    "role": _l("Role"),
    "start_date": _l("From"),
    "end_date": _l("Until"),
    "username": _l("Username"),
    "password_hash": _l("Password"),
    "must_change_password": _l("Must change password"),
    "locale": _l("Language"),
    "active": _l("Active"),
    "last_login_at": _l("Last sign-in"),
    "units": _l("Units"),
    "value": _l("Value"),
}


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


class AuditFilterForm(Form):
    """The audit trail's filters, read from the query string (a GET form carries no token)."""

    actor = SelectField(_l("User"), choices=[], validators=[Optional()])
    record_type = SelectField(_l("Record type"), choices=[], validators=[Optional()])
    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    record_id = StringField(_l("Record id"), validators=[Optional(), Length(max=64)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until (inclusive)"), validators=[Optional()])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the range comes before its start."))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def record_label(record_type: str) -> str:
    return str(RECORD_LABELS.get(record_type, record_type))


ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
DEFAULT_REPR = re.compile(r"^<\w+[ >]")


def change_text(value: Any) -> str | None:
    """A before/after value as a reader sees it; None for "nothing"."""
    if value is None or value == "" or value == []:
        return None
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, str):
        if ISO_INSTANT.match(value):
            try:
                return fmt_datetime(datetime.fromisoformat(value))
            except ValueError:
                return value
        return value
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def summary_text(entry: AuditLog) -> str:
    """The stored summary, unless it is only a class's default repr (records without a name)."""
    summary = entry.summary or ""
    return "" if DEFAULT_REPR.match(summary) else summary


def _day_start_utc(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of a calendar day in the configured zone, as a UTC instant."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    wanted_actor = request.args.get("actor", "")
    acted = sa.select(AuditLog.actor_id).where(AuditLog.actor_id.is_not(None)).distinct()
    actor_condition = User.id.in_(acted)
    if wanted_actor.isdigit():
        actor_condition = sa.or_(actor_condition, User.id == int(wanted_actor))
    actors = db.session.scalars(
        sa.select(User)
        .where(actor_condition)
        .options(joinedload(User.person))
        .order_by(User.username)
    ).all()
    form.actor.choices = [
        ("", _("Everyone")),
        (SYSTEM, _("System")),
        *[(str(user.id), f"{user.display_name} ({user.username})") for user in actors],
    ]
    record_types = db.session.scalars(
        sa.select(AuditLog.record_type).distinct().order_by(AuditLog.record_type)
    ).all()
    form.record_type.choices = [
        ("", _("All records")),
        *[(value, record_label(value)) for value in record_types],
    ]
    actions = list(ACTION_LABELS)
    wanted_action = request.args.get("action", "")[:20]
    if wanted_action and wanted_action not in actions:
        actions.append(wanted_action)  # an event kind this page has no label for yet
    form.action.choices = [("", _("All actions")), *[(a, action_label(a)) for a in actions]]
    form.validate()
    return form


def _entries_query(form: AuditFilterForm) -> sa.Select:
    stmt = sa.select(AuditLog).options(joinedload(AuditLog.actor).joinedload(User.person))
    if form.actor.data and not form.actor.errors:
        if form.actor.data == SYSTEM:
            stmt = stmt.where(AuditLog.actor_id.is_(None))
        else:
            stmt = stmt.where(AuditLog.actor_id == int(form.actor.data))
    if form.record_type.data and not form.record_type.errors:
        stmt = stmt.where(AuditLog.record_type == form.record_type.data)
    if form.action.data and not form.action.errors:
        stmt = stmt.where(AuditLog.action == form.action.data)
    record_id = (form.record_id.data or "").strip()
    if record_id and not form.record_id.errors:
        stmt = stmt.where(AuditLog.record_id == record_id)
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    # An inverted range stays applied: it matches nothing, and the form says why.
    if form.date_from.data:
        stmt = stmt.where(AuditLog.at >= _day_start_utc(form.date_from.data, zone))
    if form.date_to.data:
        stmt = stmt.where(AuditLog.at < _day_start_utc(form.date_to.data + timedelta(days=1), zone))
    return stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc())


@bp.route("/")
@role_required(Role.ADMIN)
def index() -> Response:
    form = _filter_form()
    page = db.paginate(
        _entries_query(form), per_page=int(current_app.config["PAGE_SIZE"]), error_out=False
    )
    filtered = any(
        request.args.get(name)
        for name in ("actor", "record_type", "action", "record_id", "date_from", "date_to")
    )
    return render_page(
        "audit/index.html",
        "audit/_table.html",
        form=form,
        page=page,
        filtered=filtered,
        action_label=action_label,
        record_label=record_label,
        change_text=change_text,
        field_label=field_label,
        summary_text=summary_text,
    )
