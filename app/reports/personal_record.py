"""The personal annual study record 个人年度学习档案: one member's year as the democratic appraisal
民主评议 reads it — every study session with their mark, the rates, study hours by source against
the target, approved logs, reflections and make-up study; shown as a page and printed as Word.

The record is the person's, not a unit's: its figures and lists cover every unit the person was
in during the year (a member who moved mid-year keeps one record), so the numbers are
``member_figures`` without ``units`` — also when a secretary opens it.

The committee post, the party status and the target are read on one day: today for the current
year, the last day of the year for a year gone by (what the appraisal at its end saw).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from app import settings
from app.activities import families
from app.activities.models import (
    Activity,
    AttendanceStatus,
    MakeUpState,
    ParticipantRole,
    Participation,
)
from app.extensions import db
from app.files import document_docx, word
from app.files.document import Contents, Section, Table
from app.locale_text import enumeration, fmt_date
from app.logs.models import STUDY_KINDS, LogKind, LogState, MemberLog
from app.people.models import Membership, MembershipRole, Person
from app.reports.figures import (
    MemberFigures,
    hours_of,
    in_attendance_activity,
    member_figures,
    member_of_on,
    percent,
    status_label_on,
)
from app.reports.rules import TARGET_COMMITTEE, TARGET_MEMBER
from app.types import local_today, utcnow

PENDING = "pending"
LEAVE = AttendanceStatus.LEAVE.value
ABSENT = AttendanceStatus.ABSENT.value
OWED = "owed"
STUDY = "study"
VOLUNTEER = "volunteer"
ZERO = Decimal("0.0")


@dataclass(frozen=True)
class SessionLine:
    """One activity counting in attendance (a study session) the person had a row at, and what
    it gave them."""

    session: Activity
    row: Participation
    status: str  # present, late, leave, absent, unmarked or pending (waiting for the secretary)
    make_up: str | None  # submitted, confirmed, returned, owed (nothing handed in) or None
    hours: Decimal  # study hours credited: attended, or made up and confirmed

    @property
    def status_label(self) -> str:
        if self.status == PENDING:
            return _("To confirm")
        return AttendanceStatus(self.status).label

    @property
    def kind_label(self) -> str:
        return families.kind_label(self.session)

    @property
    def make_up_label(self) -> str:
        if self.make_up is None:
            return ""
        if self.make_up == OWED:
            return _("Owed")
        return str(MakeUpState(self.make_up).label)

    @property
    def non_voting(self) -> bool:
        return self.row.role is ParticipantRole.NON_VOTING

    @property
    def reason(self) -> str | None:
        """Why the person was on leave or absent, as recorded (None while not settled)."""
        return self.row.reason if self.status in (LEAVE, ABSENT) else None

    @property
    def attendance_text(self) -> str:
        """The mark as the Word record prints it: 请假（出差）, 缺席, 出席（列席）."""
        if self.non_voting:
            return with_detail(self.status_label, _("Non-voting attendee"))
        if self.reason:
            return with_detail(self.status_label, self.reason)
        return self.status_label


@dataclass(frozen=True)
class LogLine:
    log: MemberLog
    counts_as: str | None  # study, volunteer, or None (a log of another kind)

    @property
    def counts_as_label(self) -> str:
        if self.counts_as == STUDY:
            return _("Study hours")
        if self.counts_as == VOLUNTEER:
            return _("Volunteer hours")
        return "—"


@dataclass
class PersonalRecord:
    person: Person
    year: int
    as_of: date
    figures: MemberFigures
    target: Decimal
    committee_post: MembershipRole | None
    memberships: list[Membership]
    sessions: list[SessionLine] = field(default_factory=list)
    logs: list[LogLine] = field(default_factory=list)

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year + 1, 1, 1)

    @property
    def party_status(self) -> str:
        return status_label_on(self.person, self.as_of)

    @property
    def units_label(self) -> str:
        """The units of the year with the person's role in each: 机关党支部（书记）、……"""
        return enumeration(membership_label(m) for m in self.memberships) or "—"

    @property
    def target_met(self) -> bool:
        return self.figures.study_hours >= self.target

    @property
    def hours_short(self) -> Decimal:
        """How many study hours are still missing to reach the target (0 once reached)."""
        return max(self.target - self.figures.study_hours, ZERO)

    @property
    def progress(self) -> int:
        """Study hours as a whole percentage of the target, at most 100 (for the bar)."""
        if self.target <= 0:
            return 100
        return min(100, int(self.figures.study_hours * 100 / self.target))

    @property
    def reflections(self) -> list[SessionLine]:
        return [line for line in self.sessions if line.row.reflection]

    @property
    def make_ups(self) -> list[SessionLine]:
        return [line for line in self.sessions if line.make_up is not None]

    @property
    def parts(self) -> list["RecordPart"]:
        return parts()

    @property
    def session_hours_listed(self) -> Decimal:
        return sum((line.hours for line in self.sessions), ZERO)


@dataclass(frozen=True)
class RecordPart:
    """A part of the personal record, the core's or a family's: the sections it prints and the
    partial that shows it on the page (reading ``record``). Parts follow one another by
    ``place``: the figures (10), the family's activities (30), the logs (40), notes (50)."""

    place: int
    sections: Callable[[PersonalRecord], list[Section]]
    partial: str


_parts: list[RecordPart] = []


def register_part(part: RecordPart) -> RecordPart:
    _parts.append(part)
    _parts.sort(key=lambda found: found.place)
    return part


def parts() -> list[RecordPart]:
    return list(_parts)


def as_of_day(year: int, today: date) -> date:
    """The day posts and party status are read on: today within the year, else its last day
    (or its first, for a year still to come)."""
    return min(max(today, date(year, 1, 1)), date(year, 12, 31))


def build_record(
    person: Person, year: int, units: sa.Select | None = None, now: datetime | None = None
) -> PersonalRecord:
    """The person's record of a calendar year, in a fixed number of queries whatever its length.

    ``units`` (a SELECT of unit ids) limits it to what happened in those units — a secretary
    reads only their units' part of someone who moved; the person and admins read it whole."""
    now = now or utcnow()
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    as_of = as_of_day(year, local_today())
    memberships = [m for m in person.memberships if _overlaps(m, start, end)]
    post = next((m.role for m in memberships if m.covers(as_of) and m.role.is_committee_post), None)
    target_key = TARGET_COMMITTEE.key if post is not None else TARGET_MEMBER.key
    target = Decimal(str(settings.get(target_key))).quantize(Decimal("0.1"))
    activity = families.any_activity()
    rows = db.session.scalars(
        sa.select(Participation)
        .join(Participation.activity.of_type(activity))
        .where(
            Participation.person_id == person.id,
            in_attendance_activity(start, end, units, now=now),
        )
        .options(contains_eager(Participation.activity.of_type(activity)).joinedload(activity.unit))
        .order_by(activity.starts_at, activity.id)
    ).all()
    logs = db.session.scalars(
        sa.select(MemberLog)
        .where(
            MemberLog.person_id == person.id,
            MemberLog.state == LogState.APPROVED,
            MemberLog.done_on >= start,
            MemberLog.done_on < end,
            *(
                []
                if units is None
                else [member_of_on(units, MemberLog.person_id, MemberLog.done_on)]
            ),
        )
        .order_by(MemberLog.done_on, MemberLog.id)
    ).all()
    return PersonalRecord(
        person=person,
        year=year,
        as_of=as_of,
        figures=member_figures([person.id], start, end, units, now=now)[person.id],
        target=target,
        committee_post=post,
        memberships=sorted(memberships, key=lambda m: (m.start_date, m.id)),
        sessions=[_line(row) for row in rows],
        logs=[LogLine(log, _counts_as(log.kind)) for log in logs],
    )


def _overlaps(membership: Membership, start: date, end: date) -> bool:
    if membership.deleted_at is not None or membership.start_date >= end:
        return False
    return membership.end_date is None or membership.end_date > start


def _line(row: Participation) -> SessionLine:
    """The row as the figures count it (``member_figures``): attended hours for a settled
    present or late mark, the session's hours again for a confirmed make-up of an expected row."""
    session = row.activity
    settled = row.confirmed and not row.is_pending
    present = settled and row.status.is_present
    made_up = (
        row.role is ParticipantRole.EXPECTED
        and settled
        and row.status.owes_make_up
        and row.make_up_state is MakeUpState.CONFIRMED
    )
    if row.make_up_state is not None:
        make_up: str | None = row.make_up_state.value
    elif row.owes_make_up:
        make_up = OWED
    else:
        make_up = None
    return SessionLine(
        session=session,
        row=row,
        status=PENDING if row.is_pending else row.status.value,
        make_up=make_up,
        hours=hours_of(session) if present or made_up else ZERO,
    )


def _counts_as(kind: LogKind) -> str | None:
    if kind in STUDY_KINDS:
        return STUDY
    if kind is LogKind.VOLUNTEER:
        return VOLUNTEER
    return None


def membership_label(membership: Membership) -> str:
    return with_detail(membership.unit.name, str(membership.role.label))


def with_detail(name: str, detail: str) -> str:
    return _("%(name)s (%(detail)s)", name=name, detail=detail)


# Each table spans the text width, 15.6 cm (widths in cm).
ATTENDANCE_WIDTHS = (1.56,) * 10
HOURS_WIDTHS = (2.2,) * 6 + (2.4,)
LOG_WIDTHS = (0.9, 2.5, 2.4, 5.6, 1.6, 2.6)


def to_docx(record: PersonalRecord) -> bytes:
    """The record as a Word document (A4, Chinese fonts), with signature lines for the appraisal."""
    return document_docx.to_docx(contents(record))


def contents(record: PersonalRecord) -> Contents:
    """What the printed record says, section by section."""
    title = _(
        "%(organisation)s personal study record %(year)d",
        organisation=settings.get("org.name"),
        year=record.year,
    )
    return Contents(
        title=title,
        subject=f"{title} {record.person.name}",
        facts=facts(record),
        sections=[section for part in parts() for section in part.sections(record)],
        printed=_("Printed on %(date)s.", date=fmt_date(local_today())),
        # Signed on paper at the appraisal: the member, then the branch secretary.
        signatures=[
            [_("Member's signature"), _("Branch secretary's signature")],
            [_("Date"), _("Date")],
        ],
    )


def facts(record: PersonalRecord) -> list[list[tuple[str, str]]]:
    person = record.person
    return [
        [(_("Name"), person.name), (_("Party status"), record.party_status)],
        [(_("Units"), record.units_label)],
        [
            (_("Department"), person.department.name if person.department else "—"),
            (_("Post"), person.post or "—"),
        ],
    ]


def attendance_section(f: MemberFigures) -> Section:
    headers = [
        _("Expected"),
        _("Present (incl. late)"),
        _("On leave"),
        _("Absent"),
        _("Unmarked"),
        _("To confirm"),
        _("Make-ups confirmed"),
        _("Make-ups owed"),
        _("Attendance rate"),
        _("Participation rate"),
    ]
    counts = (f.expected, f.present, f.leave, f.absent, f.unmarked, f.pending)
    row = [
        *(str(count) for count in (*counts, f.make_ups, f.make_ups_owed)),
        percent(f.attendance_rate),
        percent(f.participation_rate),
    ]
    return Section(_("Attendance"), Table(headers, [row], ATTENDANCE_WIDTHS))


def hours_section(record: PersonalRecord) -> Section:
    f = record.figures
    headers = [
        _("Sessions attended"),
        _("Make-up study"),
        _("Approved logs"),
        _("Total"),
        _("Target"),
        _("Target met"),
        _("Volunteer hours (apart)"),
    ]
    row = [
        *(str(hours) for hours in (f.session_hours, f.make_up_hours, f.log_hours, f.study_hours)),
        str(record.target),
        _("Yes") if record.target_met else _("No"),
        str(f.volunteer_hours),
    ]
    return Section(_("Study hours"), Table(headers, [row], HOURS_WIDTHS))


def logs_section(logs: list[LogLine]) -> Section:
    headers = [_("No."), _("Date"), _("Kind"), _("Title"), _("Hours"), _("Counts as")]
    rows = [
        [
            str(number),
            fmt_date(line.log.done_on, "medium"),
            str(line.log.kind.label),
            line.log.title,
            str(line.log.hours) if line.log.hours is not None else "—",
            line.counts_as_label,
        ]
        for number, line in enumerate(logs, start=1)
    ]
    return Section(_("Approved logs"), Table(headers, rows, LOG_WIDTHS, numbered=True))


def filename(record: PersonalRecord) -> str:
    """个人年度学习档案-2026-张三.docx."""
    return word.filename(_("Personal annual study record"), str(record.year), record.person.name)


register_part(
    RecordPart(
        10,
        lambda record: [attendance_section(record.figures), hours_section(record)],
        "people/_record_summary.html",
    )
)
register_part(
    RecordPart(40, lambda record: [logs_section(record.logs)], "people/_record_logs.html")
)
