"""The audit trail (admin only): who changed what, and when, filtered and paged."""

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.audit.fields import audited_models, field_label, field_of, name_column, record_label
from app.audit.models import AuditLog
from app.auth.models import Role, User
from app.auth.policy import role_required
from app.extensions import db
from app.forms import EARLIEST, LATEST, QueryForm
from app.htmx import render_page
from app.locale_text import fmt_date, fmt_datetime
from app.people.models import Person
from app.queries import MAX_INT, bounded_int, contains, paginate, query_args, text_arg

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
    "reopen": _l("Reopened"),
}


class AuditFilterForm(QueryForm):
    """The audit trail's filters, read from the query string (a GET form carries no token)."""

    user = StringField(_l("User"), validators=[Optional(), Length(max=60)])
    system = BooleanField(_l("Only the system"))
    record_type = SelectField(_l("Record type"), choices=[], validators=[Optional()])
    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    record_id = StringField(_l("Record id"), validators=[Optional(), Length(max=64)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until (inclusive)"), validators=[Optional()])

    def validate_user(self, field: StringField) -> None:
        if self.system.data:
            raise ValidationError(_l("Choose either a user or the system, not both."))

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end of the range comes before its start."))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


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


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_INT


def _ids(value: Any) -> list[int]:
    return [item for item in (value if isinstance(value, list) else [value]) if _is_id(item)]


def referenced_names(entries: Iterable[AuditLog]) -> dict[tuple[str, int], str]:
    """The names of the records the entries' changes point at, in one query for the page."""
    wanted: dict[type, set[int]] = defaultdict(set)
    for entry in entries:
        for key, change in (entry.changes or {}).items():
            found = field_of(entry.record_type, key)
            if found is None or found.refers_to is None or not isinstance(change, list):
                continue
            for value in change:
                wanted[found.refers_to].update(_ids(value))
    lookups = []
    for model, ids in wanted.items():
        name = name_column(model)
        if name is None or not ids:
            continue
        lookups.append(
            # The table name is a constant of the code, never user input.
            sa.select(
                sa.literal_column(f"'{model.__tablename__}'").label("kind"),
                model.id,
                name.label("name"),
            ).where(model.id.in_(sorted(ids)))
        )
    if not lookups:
        return {}
    rows = db.session.execute(lookups[0] if len(lookups) == 1 else sa.union_all(*lookups))
    return {(kind, record_id): name for kind, record_id, name in rows}


class ChangeText:
    """Before/after values of one page as a reader sees them: labels for enum values, names for
    the records an id points at (loaded for the whole page at once)."""

    def __init__(self, entries: Iterable[AuditLog]) -> None:
        self.names = referenced_names(entries)

    def name(self, model: type, record_id: Any) -> str:
        if not _is_id(record_id):
            return str(record_id)
        return self.names.get((model.__tablename__, record_id), f"#{record_id}")

    def __call__(self, record_type: str, key: str, value: Any) -> str | None:
        found = field_of(record_type, key)
        if found is None:
            return change_text(value)
        if found.enum_class is not None and isinstance(value, str) and value:
            try:
                return str(getattr(found.enum_class(value), "label", value))
            except ValueError:
                return value  # a value that has since left the enum
        if found.refers_to is not None and isinstance(value, list):
            return ", ".join(self.name(found.refers_to, item) for item in value) or None
        if found.refers_to is not None and value is not None:
            return self.name(found.refers_to, value)
        if found.is_date and isinstance(value, str) and value:
            try:
                return fmt_date(date.fromisoformat(value))
            except ValueError:
                return value
        if found.json and isinstance(value, str):
            try:
                return change_text(json.loads(value))
            except ValueError:
                return value
        return change_text(value)


def _day_start_utc(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of a calendar day in the configured zone, as a UTC instant."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _plausible(day: date | None) -> bool:
    """A date the filter may use: out-of-range dates are reported by the form, never queried
    (the day after 9999-12-31 does not exist)."""
    return day is not None and EARLIEST <= day <= LATEST


def record_type_choices() -> list[tuple[str, str]]:
    """The record types the trail can hold, from the registry of audited models (reading them
    off the trail would read all of it), by label; a type asked for that the registry no
    longer knows stays choosable, so a link to it keeps working."""
    labels = {record_type: record_label(record_type) for record_type in audited_models()}
    wanted = text_arg("record_type")[:40]
    if wanted and wanted not in labels:
        labels[wanted] = record_label(wanted)
    return sorted(labels.items(), key=lambda choice: choice[1])


@dataclass
class Filters:
    form: AuditFilterForm
    # From an ``actor=<id>`` link (e.g. an account's page): that account exactly.
    actor_id: int | None = None


def _filters() -> Filters:
    form = AuditFilterForm(query_args())
    form.record_type.choices = [("", _("All records")), *record_type_choices()]
    actions = list(ACTION_LABELS)
    wanted_action = text_arg("action")[:20]
    if wanted_action and wanted_action not in actions:
        actions.append(wanted_action)  # an event kind this page has no label for yet
    form.action.choices = [("", _("All actions")), *[(a, action_label(a)) for a in actions]]
    filters = Filters(form)
    actor = text_arg("actor").strip()
    unknown_actor = False
    if actor and not form.user.data and not form.system.data:
        if actor == SYSTEM:
            form.system.data = True
        else:
            filters.actor_id = bounded_int(actor)
            username = None
            if filters.actor_id is not None:
                username = db.session.scalar(
                    sa.select(User.username).where(User.id == filters.actor_id)
                )
            unknown_actor = username is None
            # The field shows whom the link meant, so changing another filter keeps it.
            form.user.data = username or actor[:60]
    form.validate()
    if unknown_actor:
        form.user.errors.append(_("No account has this id."))
    return filters


def _entries_query(filters: Filters) -> sa.Select:
    form = filters.form
    stmt = sa.select(AuditLog).options(joinedload(AuditLog.actor).joinedload(User.person))
    user = (form.user.data or "").strip()
    if filters.actor_id is not None or form.user.errors:
        # A link names one account; an unknown one matches nothing, and the form says why.
        stmt = stmt.where(AuditLog.actor_id == (filters.actor_id or 0))
    elif form.system.data:
        stmt = stmt.where(AuditLog.actor_id.is_(None))
    elif user:
        # The account with exactly this username, else every account whose username or
        # person's name contains the text.
        exact = sa.select(User.id).where(User.username == user.lower())
        similar = (
            sa.select(User.id)
            .outerjoin(User.person)
            .where(sa.or_(contains(User.username, user), contains(Person.name, user)))
        )
        stmt = stmt.where(
            sa.or_(
                AuditLog.actor_id.in_(exact),
                sa.and_(sa.not_(exact.exists()), AuditLog.actor_id.in_(similar)),
            )
        )
    if form.record_type.data and not form.record_type.errors:
        stmt = stmt.where(AuditLog.record_type == form.record_type.data)
    if form.action.data and not form.action.errors:
        stmt = stmt.where(AuditLog.action == form.action.data)
    record_id = (form.record_id.data or "").strip()
    if record_id and not form.record_id.errors:
        stmt = stmt.where(AuditLog.record_id == record_id)
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    # An inverted range stays applied: it matches nothing, and the form says why.
    if _plausible(form.date_from.data):
        stmt = stmt.where(AuditLog.at >= _day_start_utc(form.date_from.data, zone))
    if _plausible(form.date_to.data):
        stmt = stmt.where(AuditLog.at < _day_start_utc(form.date_to.data + timedelta(days=1), zone))
    return stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc())


FILTER_ARGS = (
    "user",
    "system",
    "actor",
    "record_type",
    "action",
    "record_id",
    "date_from",
    "date_to",
)


@bp.route("/")
@role_required(Role.ADMIN)
def index() -> Response:
    filters = _filters()
    page = paginate(_entries_query(filters))
    return render_page(
        "audit/index.html",
        "audit/_table.html",
        form=filters.form,
        page=page,
        filtered=any(text_arg(name) for name in FILTER_ARGS),
        action_label=action_label,
        record_label=record_label,
        change_text=ChangeText(page.items),
        field_label=field_label,
        summary_text=summary_text,
    )
