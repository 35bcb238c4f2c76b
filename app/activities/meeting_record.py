"""The meeting record 会议记录 of an activity: printed beside the sign-in sheet, signed by the
chair and the minute-taker, kept as a scan.

It says what the record holds (DOMAIN.md): the family's facts (``Family.record_facts``), when,
where and who led; who was expected 应到, present 实到, on leave 请假 and absent 缺席 — each
count beside its names, the same figures the page shows (``figures.counts_for``), and the
reason beside each absentee; the 列席 attendees and the guests; then the family's own sections
(``Family.record_sections``) and the lines to sign at. A cancelled activity's record says so and
why, and counts nobody.
"""

from flask_babel import gettext as _

from app import settings
from app.activities.families import family_of
from app.activities.models import (
    Activity,
    ActivityGuest,
    AttendanceStatus,
    ParticipantRole,
    Participation,
)
from app.activities.sign_in_sheet import time_span
from app.files import document_docx, word
from app.files.document import Contents, Section, Table
from app.locale_text import enumeration, fmt_date
from app.people.models import roster_order
from app.reports import figures
from app.reports.figures import STAFF
from app.types import local_today

# Each table spans the text width, 15.6 cm (widths in cm).
ATTENDANCE_WIDTHS = (3.0, 3.2, 9.4)
PEOPLE_WIDTHS = (1.3, 3.0, 3.6, 2.9, 4.8)
GUEST_WIDTHS = (1.3, 3.0, 6.4, 4.9)


def build(activity: Activity) -> bytes:
    """The meeting record as a Word document (A4, Chinese fonts)."""
    return document_docx.to_docx(contents(activity))


def filename(activity: Activity) -> str:
    """会议记录-2026-03-08-<title>.docx, beside the sign-in sheet's file."""
    return word.filename(_("Meeting record"), activity.held_on.isoformat(), activity.title)


def contents(activity: Activity) -> Contents:
    """What the printed record says, section by section."""
    family = family_of(activity)
    sections = [] if activity.is_cancelled else [attendance_section(activity)]
    sections += [non_voting_section(activity), guests_section(activity)]
    return Contents(
        title=_("%(organisation)s meeting record", organisation=settings.get("org.name")),
        subject=f"{_('Meeting record')} {activity.title}",
        facts=facts(activity),
        sections=sections + family.record_sections(activity),
        printed=_("Printed on %(date)s.", date=fmt_date(local_today())),
        signatures=[[_("Chair's signature"), _("Minute-taker's signature")]],
    )


def facts(activity: Activity) -> list[list[tuple[str, str]]]:
    """The title, the family's facts, then when, where and who led; a cancellation last."""
    lines = [[(_("Title"), activity.title)], *family_of(activity).record_facts(activity)]
    lines += [
        [(_("Unit"), activity.unit.name)],
        [(_("Time"), time_span(activity))],
        [(_("Place"), activity.place or "")],
        [(_("Chair"), activity.chair_display), (_("Minute-taker"), activity.minute_taker_display)],
    ]
    if activity.lecturer_display:
        lines.append([(_("Lecturer"), activity.lecturer_display)])
    if activity.is_cancelled:
        lines.append([(_("Cancelled"), activity.cancel_reason or "")])
    return lines


def _with_detail(name: str, detail: str | None) -> str:
    return _("%(name)s (%(detail)s)", name=name, detail=detail) if detail else name


def _listed(activity: Activity, role: ParticipantRole) -> list[Participation]:
    rows = [row for row in activity.participations if row.role is role]
    return sorted(rows, key=lambda row: roster_order(row.person))


def _settled(row: Participation) -> bool:
    """Counted in the figures: confirmed and waiting for nobody (as ``figures`` counts)."""
    return row.confirmed and not row.is_pending


def _names(rows: list[Participation], reasons: bool = False) -> str:
    """张三、李四（出差）: the names, with the reason beside each absentee when ``reasons``."""
    return enumeration(
        _with_detail(row.person.name, row.reason if reasons else None) for row in rows
    )


def _present(rows: list[Participation]) -> list[Participation]:
    return [row for row in rows if _settled(row) and row.status.is_present]


def _marked(rows: list[Participation], status: AttendanceStatus) -> list[Participation]:
    return [row for row in rows if _settled(row) and row.status is status]


def _split(full: int, probationary: int) -> str:
    """5（正式 4 · 预备 1）: Party members counted in full and probationary apart."""
    detail = _("full %(a)d · probationary %(b)d", a=full, b=probationary)
    return _with_detail(str(full + probationary), detail)


def attendance_section(activity: Activity) -> Section:
    """应到, 实到, 请假, 缺席 — and, before the record is settled, who is unmarked or waits to
    be confirmed — each with its count and its names, by the figures' rules: Party members on
    the day count, staff have their own line."""
    counts = figures.counts_for(activity)
    rows = _listed(activity, ParticipantRole.EXPECTED)
    staff = [row for row in rows if figures.status_on(row.person, activity.held_on) == STAFF]
    members = [row for row in rows if row not in staff]
    leave, absent = AttendanceStatus.LEAVE, AttendanceStatus.ABSENT
    lines = [
        [
            _("Expected"),
            _split(counts.expected_full, counts.expected_probationary),
            _names(members),
        ],
        [
            _("Present (incl. late)"),
            _split(counts.present_full, counts.present_probationary),
            _names(_present(members)),
        ],
        [_("On leave"), str(counts.leave), _names(_marked(members, leave), reasons=True)],
        [_("Absent"), str(counts.absent), _names(_marked(members, absent), reasons=True)],
    ]
    if counts.unmarked:
        unmarked = [
            r for r in members if r.status is AttendanceStatus.UNMARKED and not r.is_pending
        ]
        lines.append([_("Unmarked"), str(counts.unmarked), _names(unmarked)])
    if counts.pending:
        pending = [row for row in members if row.is_pending]
        lines.append([_("To confirm"), str(counts.pending), _names(pending)])
    if counts.staff_expected:
        share = f"{counts.staff_present}/{counts.staff_expected}"
        lines.append([_("Staff present / expected"), share, _names(_present(staff))])
    headers = [_("Status"), _("Headcount"), _("Names")]
    return Section(_("Attendance"), Table(headers, lines, ATTENDANCE_WIDTHS))


def non_voting_section(activity: Activity) -> Section:
    """列席: present without a vote, never in 应到."""
    rows = [
        [
            str(number),
            row.person.name,
            row.person.department.name if row.person.department else "",
            figures.status_label_on(row.person, activity.held_on),
            str(row.status.label),
        ]
        for number, row in enumerate(_listed(activity, ParticipantRole.NON_VOTING), start=1)
    ]
    headers = [_("No."), _("Name"), _("Department"), _("Party status"), _("Status")]
    return Section(_("Non-voting attendees"), Table(headers, rows, PEOPLE_WIDTHS, numbered=True))


def _guest_kind(guest: ActivityGuest) -> str:
    kind = str(guest.kind.label)
    return _with_detail(kind, guest.person.name) if guest.person else kind


def guests_section(activity: Activity) -> Section:
    guests = [guest for guest in activity.guests if guest.deleted_at is None]
    rows = [
        [str(number), guest.name, guest.relation or "", _guest_kind(guest)]
        for number, guest in enumerate(guests, start=1)
    ]
    headers = [_("No."), _("Name"), _("Relation or organisation"), _("Kind of guest")]
    return Section(_("Guests"), Table(headers, rows, GUEST_WIDTHS, numbered=True))
