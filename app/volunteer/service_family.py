"""Service days on the shared core: what the core's routes, partials, sign-in sheet and meeting
record need to know about them, and the volunteer log a service day already counts."""

from datetime import date
from typing import Any

from flask import has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from app.activities.families import FactLines, Family, register
from app.activities.models import ActivityFamily
from app.activities.sign_in_sheet import standard_facts
from app.files.document import Passage, Section
from app.logs.models import LogKind
from app.logs.services import register_counted_elsewhere
from app.volunteer.models import ServiceDay
from app.volunteer.service_days import attended_on, create_service_day, present_hours


def kind_text(_day: ServiceDay) -> str:
    return _("Volunteer service day")


def project_text(day: ServiceDay) -> str:
    return str(day.project) if day.project is not None else _("Not part of a project")


def _facts(day: ServiceDay) -> list[tuple[str, str]]:
    served = str(day.served) if day.served is not None else "—"
    return [(_("Volunteer hours"), str(day.hours)), (_("Person-times served"), served)]


def _sheet_facts(day: ServiceDay) -> FactLines:
    return [*standard_facts(day, kind_text(day)), [(_("Project"), project_text(day))]]


def _record_facts(day: ServiceDay) -> FactLines:
    return [[(_("Project"), project_text(day))], _facts(day)]


def _record_sections(day: ServiceDay) -> list[Section]:
    return [
        Section(_("What was done"), passages=[Passage.of_text(_("What was done"), day.content)])
    ]


def _load_options() -> list[Any]:
    return [joinedload(ServiceDay.project)]


def _record_extras(day: ServiceDay) -> dict[str, Any]:
    """The hours of those present, a section of the record page."""
    return {"family_section": "volunteer/_service_hours.html", "hours_rows": present_hours(day)}


SERVICE = register(
    Family(
        key=ActivityFamily.SERVICE,
        place=35,
        model=ServiceDay,
        label=_l("Service day"),
        show_endpoint="volunteer.service_day",
        show_arg="activity_id",
        index_endpoint="volunteer.service_days",
        index_label=_l("Service days"),
        mine_label=_l("My service days"),
        qr=True,
        sheet_facts=_sheet_facts,  # type: ignore[arg-type]
        record_facts=_record_facts,  # type: ignore[arg-type]
        record_sections=_record_sections,  # type: ignore[arg-type]
        load_options=_load_options,
        record_extras=_record_extras,  # type: ignore[arg-type]
        kind_label=kind_text,  # type: ignore[arg-type]
        create=create_service_day,  # type: ignore[arg-type]
    )
)


def _counted_by_a_service_day(person_id: int, kind: LogKind, done_on: date) -> object | None:
    """A volunteer log of a day the member was at a service day: its hours count already."""
    if kind is not LogKind.VOLUNTEER:
        return None
    day = attended_on(person_id, done_on)
    if day is None:
        return None
    link: object = day.title  # outside a request (a command) it is named, not linked
    if has_request_context():
        href = url_for("volunteer.service_day", activity_id=day.id)
        link = Markup('<a href="{}">{}</a>').format(href, day.title)
    message = _(
        "On this date the service day %(day)s lists this person as present: its hours count "
        "as volunteer hours already, so the day is not logged again."
    )
    return Markup(message) % {"day": link}  # noqa: S704 - the catalog's text, the title escaped


register_counted_elsewhere(_counted_by_a_service_day)
