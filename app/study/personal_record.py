"""Study's parts of the personal record: the sessions of the year with the person's mark, and
their reflections and make-up study — printed and shown among the core's parts."""

from flask_babel import gettext as _

from app.files.document import Passage, Section, Table
from app.locale_text import fmt_date
from app.reports.personal_record import RecordPart, SessionLine, register_part, with_detail

# Each table spans the text width, 15.6 cm (widths in cm).
SESSION_WIDTHS = (0.9, 2.3, 2.2, 3.7, 2.2, 1.6, 1.5, 1.2)
MAKE_UP_WIDTHS = (0.9, 2.5, 4.4, 2.2, 5.6)


def sessions_section(sessions: list[SessionLine]) -> Section:
    headers = [
        _("No."),
        _("Date"),
        _("Kind"),
        _("Title"),
        _("Unit"),
        _("Attendance"),
        _("Make-up study"),
        _("Study hours"),
    ]
    rows = [
        [
            str(number),
            fmt_date(line.session.held_on, "medium"),
            line.kind_label,
            line.session.title,
            line.session.unit.name,
            line.attendance_text,
            line.make_up_label,
            str(line.hours),
        ]
        for number, line in enumerate(sessions, start=1)
    ]
    return Section(_("Study sessions"), Table(headers, rows, SESSION_WIDTHS, numbered=True))


def reflections_section(reflections: list[SessionLine]) -> Section:
    """Each reflection under its session's title and date, a paragraph per line written."""
    passages = [
        Passage(
            with_detail(line.session.title, fmt_date(line.session.held_on, "medium")),
            [text.strip() for text in (line.row.reflection or "").splitlines() if text.strip()],
        )
        for line in reflections
    ]
    return Section(_("Reflections"), passages=passages)


def make_ups_section(make_ups: list[SessionLine]) -> Section:
    headers = [_("No."), _("Date"), _("Session"), _("Status"), _("Make-up note")]
    rows = [
        [
            str(number),
            fmt_date(line.session.held_on, "medium"),
            line.session.title,
            line.make_up_label,
            line.row.make_up_note or "",
        ]
        for number, line in enumerate(make_ups, start=1)
    ]
    return Section(_("Make-up study"), Table(headers, rows, MAKE_UP_WIDTHS, numbered=True))


register_part(
    RecordPart(
        30, lambda record: [sessions_section(record.sessions)], "study/_record_sessions.html"
    )
)
register_part(
    RecordPart(
        50,
        lambda record: [
            reflections_section(record.reflections),
            make_ups_section(record.make_ups),
        ],
        "study/_record_notes.html",
    )
)
