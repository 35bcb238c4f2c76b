"""The sign-in sheet 签到表 of an activity: printed, signed by hand in the room, kept as a scan.

Expected people are listed by department (in the bureau's own order) and then by name, the way an
office reads its roster; 列席 attendees follow in their own table, since they never count in 应到.
Party status is the status on the activity's date, as the figures count it. The facts at the head
are the family's (``Family.sheet_facts``).
"""

from typing import Any

import sqlalchemy as sa
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from flask_babel import format_time
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import settings
from app.activities.families import FactLines, family_of
from app.activities.models import Activity, ActivityGuest, GuestKind, ParticipantRole, Participation
from app.extensions import db
from app.files import word
from app.locale_text import fmt_date
from app.people.models import Person, roster_order
from app.reports.figures import status_label_on
from app.types import local_date

# No., name, department, party status, signature: 15.6 cm, the text width.
COLUMN_WIDTHS = (Cm(1.3), Cm(2.8), Cm(3.6), Cm(2.5), Cm(5.4))
# Tall enough for a name written by hand with a pen.
SIGNATURE_ROW_HEIGHT = Cm(1.0)
# Characters Windows, macOS or a browser refuse in a file name.


def build(activity: Activity) -> bytes:
    """The sign-in sheet as a Word document (A4)."""
    doc = word.new_document()
    doc.core_properties.title = f"{_('Sign-in sheet')} {activity.title}"
    word.add_heading(
        doc,
        _("%(organisation)s sign-in sheet", organisation=settings.get("org.name")),
        0,
    )
    word.add_heading(doc, activity.title, 1).alignment = WD_ALIGN_PARAGRAPH.CENTER
    _facts(doc, activity)

    expected, non_voting = _participants(activity)
    _people_table(doc, expected, activity)
    if non_voting:
        word.add_heading(doc, _("Non-voting attendees"), 2)
        _people_table(doc, non_voting, activity)
    guests = [guest for guest in activity.guests if guest.deleted_at is None]
    if guests:
        word.add_heading(doc, _("Guests"), 2)
        rows = [
            [str(number), guest.name, _relation(guest), "", ""]
            for number, guest in enumerate(guests, start=1)
        ]
        headers = [_("No."), _("Name"), _("Relation or organisation"), "", _("Signature")]
        word.add_table(doc, headers, rows, COLUMN_WIDTHS, SIGNATURE_ROW_HEIGHT)

    word.add_fields(
        doc, [(_("Chair's signature"), ""), (_("Minute-taker's signature"), "")], Cm(0.8)
    )
    return word.to_bytes(doc)


def filename(activity: Activity) -> str:
    """签到表-2026-03-08-<title>.docx: the date sorts the files of a year in order."""
    return word.filename(_("Sign-in sheet"), activity.held_on.isoformat(), activity.title)


def _facts(doc: Document, activity: Activity) -> None:
    """The family's facts; short facts two to a line, long ones alone."""
    for pairs in family_of(activity).sheet_facts(activity):
        word.add_fields(doc, pairs)
    doc.add_paragraph()


def time_span(activity: Activity) -> str:
    """The local date and the start and end times, in TIMEZONE; both dates when it runs over."""
    start, end = format_time(activity.starts_at, "HH:mm"), format_time(activity.ends_at, "HH:mm")
    day = fmt_date(activity.held_on, "full")
    end_on = local_date(activity.ends_at)
    if end_on != activity.held_on:
        return f"{day} {start} – {fmt_date(end_on, 'full')} {end}"
    return f"{day} {start}–{end}"


def standard_facts(activity: Activity, kind: str) -> FactLines:
    """The facts a sheet's head names of any activity: its kind, unit, time, place, who chairs
    and takes the minutes, and the lecturer when there is one."""
    lines = [
        [(_("Kind"), kind), (_("Unit"), activity.unit.name)],
        [(_("Time"), time_span(activity))],
        [(_("Place"), activity.place or "")],
        [(_("Chair"), activity.chair_display), (_("Minute-taker"), activity.minute_taker_display)],
    ]
    if activity.lecturer_display:
        lines.append([(_("Lecturer"), activity.lecturer_display)])
    return lines


def _relation(guest: ActivityGuest) -> str:
    """As typed; else, for a member's family, whose (家属（张三）)."""
    if guest.relation:
        return guest.relation
    return guest.kind_display if guest.kind is GuestKind.FAMILY else ""


def _participants(activity: Activity) -> tuple[list[Participation], list[Participation]]:
    rows = db.session.scalars(
        sa.select(Participation)
        .where(Participation.activity_id == activity.id)
        .options(selectinload(Participation.person).selectinload(Person.department))
    )
    expected: list[Participation] = []
    non_voting: list[Participation] = []
    for row in rows:
        (expected if row.role is ParticipantRole.EXPECTED else non_voting).append(row)

    def order(row: Participation) -> Any:
        return roster_order(row.person)

    return sorted(expected, key=order), sorted(non_voting, key=order)


def _absence(row: Participation) -> str:
    """Where someone on leave or absent would sign: the mark and its reason, as the meeting
    record lists them (请假：出差)."""
    if not (row.confirmed and row.status.owes_make_up):
        return ""
    if row.reason:
        return _("%(status)s: %(reason)s", status=row.status.label, reason=row.reason)
    return str(row.status.label)


def _people_table(doc: Document, participants: list[Participation], activity: Activity) -> None:
    headers = [_("No."), _("Name"), _("Department"), _("Party status"), _("Signature")]
    rows = [
        [
            str(number),
            row.person.name,
            row.person.department.name if row.person.department else "",
            status_label_on(row.person, activity.held_on),
            _absence(row),
        ]
        for number, row in enumerate(participants, start=1)
    ]
    table = word.add_table(doc, headers, rows, COLUMN_WIDTHS, SIGNATURE_ROW_HEIGHT)
    for row in table.rows:
        row.cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
