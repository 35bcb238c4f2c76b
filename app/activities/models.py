"""Activities, the people taking part in them and their guests.

A study session (and later an integrity activity or a service day) is an ``Activity``; the
family-specific record extends it by joined-table inheritance. ``Participation`` is one row per
person per activity: expected people and 列席 attendees, their status, how it was recorded,
whether it is confirmed, leave, make-up study and the reflection. Guests without a person record
live in ``ActivityGuest``. Their evidence is ``app/evidence``'s.
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.people.models import OrgUnit, Person
from app.types import LabelledEnum, UTCDateTime, enum_column, utcnow


class ActivityFamily(LabelledEnum):
    STUDY = "study"
    INTEGRITY = "integrity"
    SERVICE = "service"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "study": _l("Study session"),
            "integrity": _l("Integrity activity"),
            "service": _l("Service day"),
        }


class ActivityState(LabelledEnum):
    """What is stored. Whether an open activity is shown as planned or held follows its time."""

    OPEN = "open"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {"open": _l("Open"), "archived": _l("Archived"), "cancelled": _l("Cancelled")}


class ActivityStatus(LabelledEnum):
    """What is shown and filtered on."""

    PLANNED = "planned"
    HELD = "held"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "planned": _l("Planned"),
            "held": _l("Held"),
            "archived": _l("Archived"),
            "cancelled": _l("Cancelled"),
        }


class Activity(db.Model):
    __tablename__ = "activity"
    __audit_label__ = _l("Activity")
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="times_ordered"),
        # A unit's activities in a given state (the review queue of a secretary's units).
        sa.Index("ix_activity_unit_id_state", "unit_id", "state"),
        # A unit's sessions of a few days: the recent sessions of the units a few people were
        # expected at (the inactive-members warning), without the rest of those units' years.
        sa.Index("ix_activity_unit_day", "unit_id", "held_on"),
        # Days, months and years of sessions in the order of their starts: the lists filter on
        # ``held_on`` and order by (held_on, starts_at, id), read off this index without a sort.
        # It also serves the lookups of one day, so ``held_on`` has no index of its own; with
        # the state and family, a month's activities are counted from the index alone.
        sa.Index("ix_activity_held_on_starts_at", "held_on", "starts_at", "id", "state", "family"),
        # Activities in a state by day, in the order of their starts: those held and not yet
        # archived, oldest first, and every lookup of a state (so ``state`` has no index alone).
        sa.Index("ix_activity_state_day", "state", "held_on", "starts_at", "id"),
        # A family's list: its activities of a year in the order of their starts, read and
        # counted off the index without walking the other families' rows of the year.
        sa.Index("ix_activity_family_day", "family", "held_on", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[ActivityFamily] = mapped_column(
        enum_column(ActivityFamily, 20), info={"label": _l("Activity type")}
    )
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("org_unit.id"), index=True, info={"label": _l("Unit")}
    )
    title: Mapped[str] = mapped_column(sa.String(200), info={"label": _l("Title"), "names": True})
    starts_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), index=True, info={"label": _l("Starts")}
    )
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), info={"label": _l("Ends")})
    # The local (TIMEZONE) date of the start: what days, months and years are bucketed by.
    held_on: Mapped[date] = mapped_column(info={"label": _l("Date")})
    place: Mapped[str | None] = mapped_column(sa.String(200), info={"label": _l("Place")})
    state: Mapped[ActivityState] = mapped_column(
        enum_column(ActivityState, 20),
        default=ActivityState.OPEN,
        info={"label": _l("Status")},
    )
    late_entry: Mapped[bool] = mapped_column(default=False, info={"label": _l("Late entry")})
    late_reason: Mapped[str | None] = mapped_column(
        sa.String(500), info={"label": _l("Reason for the late entry")}
    )
    cancel_reason: Mapped[str | None] = mapped_column(
        sa.String(500), info={"label": _l("Reason for cancelling")}
    )
    archived_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Archived at")}
    )
    archived_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id"), info={"label": _l("Archived by")}
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id"), info={"label": _l("Created by")}
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, info={"label": _l("Created at")}
    )
    # Who chaired, took the minutes and spoke, as every family's record names them: a person
    # of the bureau, or a free-text name for someone from outside.
    chair_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), info={"label": _l("Chair")}
    )
    chair_name: Mapped[str | None] = mapped_column(sa.String(60), info={"label": _l("Chair")})
    minute_taker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), info={"label": _l("Minute-taker")}
    )
    minute_taker_name: Mapped[str | None] = mapped_column(
        sa.String(60), info={"label": _l("Minute-taker")}
    )
    lecturer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), info={"label": _l("Lecturer")}
    )
    lecturer_name: Mapped[str | None] = mapped_column(sa.String(60), info={"label": _l("Lecturer")})

    unit: Mapped[OrgUnit] = relationship()
    chair: Mapped[Person | None] = relationship(foreign_keys=[chair_id])
    minute_taker: Mapped[Person | None] = relationship(foreign_keys=[minute_taker_id])
    lecturer: Mapped[Person | None] = relationship(foreign_keys=[lecturer_id])
    participations: Mapped[list["Participation"]] = relationship(
        back_populates="activity", order_by="Participation.id"
    )
    guests: Mapped[list["ActivityGuest"]] = relationship(
        back_populates="activity", order_by="ActivityGuest.id"
    )

    __mapper_args__ = {"polymorphic_on": "family"}

    def status_at(self, now: datetime) -> ActivityStatus:
        if self.state is ActivityState.CANCELLED:
            return ActivityStatus.CANCELLED
        if self.state is ActivityState.ARCHIVED:
            return ActivityStatus.ARCHIVED
        return ActivityStatus.HELD if self.starts_at <= now else ActivityStatus.PLANNED

    @property
    def status(self) -> ActivityStatus:
        return self.status_at(utcnow())

    @property
    def chair_display(self) -> str:
        return self.chair.name if self.chair else (self.chair_name or "")

    @property
    def minute_taker_display(self) -> str:
        return self.minute_taker.name if self.minute_taker else (self.minute_taker_name or "")

    @property
    def lecturer_display(self) -> str:
        return self.lecturer.name if self.lecturer else (self.lecturer_name or "")

    @property
    def is_open(self) -> bool:
        return self.state is ActivityState.OPEN

    @property
    def is_archived(self) -> bool:
        return self.state is ActivityState.ARCHIVED

    @property
    def is_cancelled(self) -> bool:
        return self.state is ActivityState.CANCELLED

    @classmethod
    def status_condition(cls, status: ActivityStatus, now: datetime) -> sa.ColumnElement[bool]:
        """SQL condition for a shown status."""
        if status is ActivityStatus.PLANNED:
            return sa.and_(cls.state == ActivityState.OPEN, cls.starts_at > now)
        if status is ActivityStatus.HELD:
            return sa.and_(cls.state == ActivityState.OPEN, cls.starts_at <= now)
        if status is ActivityStatus.ARCHIVED:
            return cls.state == ActivityState.ARCHIVED
        return cls.state == ActivityState.CANCELLED

    def __str__(self) -> str:
        return self.title


class ParticipantRole(LabelledEnum):
    EXPECTED = "expected"
    NON_VOTING = "non_voting"  # 列席: listed apart, never in 应到

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {"expected": _l("Expected"), "non_voting": _l("Non-voting attendee")}


class AttendanceStatus(LabelledEnum):
    UNMARKED = "unmarked"
    PRESENT = "present"
    LATE = "late"
    LEAVE = "leave"
    ABSENT = "absent"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "unmarked": _l("Unmarked"),
            "present": _l("Present"),
            "late": _l("Late"),
            "leave": _l("On leave"),
            "absent": _l("Absent"),
        }

    @property
    def is_present(self) -> bool:
        return self in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)

    @property
    def owes_make_up(self) -> bool:
        return self in (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT)


class RecordedVia(LabelledEnum):
    SECRETARY = "secretary"
    BUTTON = "button"
    QR = "qr"
    IMPORT = "import"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "secretary": _l("Marked by the secretary"),
            "button": _l("Check-in button"),
            "qr": _l("QR code in the room"),
            "import": _l("Imported"),
        }


class LeaveState(LabelledEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "requested": _l("Leave requested"),
            "approved": _l("Leave approved"),
            "refused": _l("Leave refused"),
        }


class MakeUpState(LabelledEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    RETURNED = "returned"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "submitted": _l("Make-up submitted"),
            "confirmed": _l("Make-up confirmed"),
            "returned": _l("Make-up returned"),
        }


class Participation(db.Model):
    """One person at one activity. Two requests may write one row at once: ``version`` makes the
    second one fail with StaleDataError instead of silently overwriting the first."""

    __tablename__ = "participation"
    __audit_label__ = _l("Attendance")
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("activity_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity.id"), index=True, info={"label": _l("Activity")}
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Person")}
    )
    role: Mapped[ParticipantRole] = mapped_column(
        enum_column(ParticipantRole, 20),
        default=ParticipantRole.EXPECTED,
        info={"label": _l("Takes part as")},
    )
    status: Mapped[AttendanceStatus] = mapped_column(
        enum_column(AttendanceStatus, 20),
        default=AttendanceStatus.UNMARKED,
        info={"label": _l("Status")},
    )
    recorded_via: Mapped[RecordedVia | None] = mapped_column(
        enum_column(RecordedVia, 20), info={"label": _l("Recorded via")}
    )
    confirmed: Mapped[bool] = mapped_column(default=True, info={"label": _l("Confirmed")})
    recorded_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Recorded at")}
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id"), info={"label": _l("Recorded by")}
    )

    leave_state: Mapped[LeaveState | None] = mapped_column(
        enum_column(LeaveState, 20), info={"label": _l("Leave")}
    )
    leave_reason: Mapped[str | None] = mapped_column(
        sa.String(500), info={"label": _l("Reason for leave")}
    )
    leave_requested_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Leave requested")}
    )
    leave_decided_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Leave decided at")}
    )
    leave_decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id"), info={"label": _l("Leave decided by")}
    )
    leave_comment: Mapped[str | None] = mapped_column(
        sa.String(500), info={"label": _l("Comment on the leave")}
    )
    # False from a decision until the member has seen it (their to-do list shows it till then).
    leave_decision_seen: Mapped[bool] = mapped_column(
        default=True,
        server_default=sa.true(),
        info={"label": _l("Leave decision seen by the member")},
    )
    check_in_comment: Mapped[str | None] = mapped_column(
        sa.String(500), info={"label": _l("Comment on the check-in")}
    )
    # Why someone was on leave or absent, as the secretary records it for the meeting record
    # (also for leave nobody asked for online); shown before the member's own request reason.
    absence_reason: Mapped[str | None] = mapped_column(
        sa.String(500), info={"label": _l("Reason for the absence")}
    )

    make_up_state: Mapped[MakeUpState | None] = mapped_column(
        enum_column(MakeUpState, 20), info={"label": _l("Make-up study")}
    )
    make_up_note: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("Make-up note")})
    make_up_submitted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Make-up submitted")}
    )
    make_up_comment: Mapped[str | None] = mapped_column(
        sa.String(500), info={"label": _l("Comment on the make-up")}
    )
    make_up_reviewed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Make-up reviewed at")}
    )
    make_up_reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id"), info={"label": _l("Make-up reviewed by")}
    )
    # Handed in on paper and recorded by the secretary, confirmed at once: the day it was handed in.
    make_up_on_paper: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false(), info={"label": _l("Make-up handed in on paper")}
    )
    make_up_handed_in_on: Mapped[date | None] = mapped_column(
        info={"label": _l("Make-up handed in on")}
    )

    # The hours this person is credited when they are not the activity's own (a volunteer who
    # came late or left early); None: the activity's. Only families that offer it set it.
    own_hours: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(4, 1), info={"label": _l("Own hours")}
    )

    reflection: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("Reflection")})
    reflection_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Reflection written at")}
    )

    version: Mapped[int] = mapped_column(default=1)

    activity: Mapped[Activity] = relationship(back_populates="participations")
    person: Mapped[Person] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __audit_exclude__ = frozenset({"version"})

    @property
    def is_pending(self) -> bool:
        """Waiting for the secretary: a self check-in to confirm or a leave request to decide."""
        unconfirmed = self.status is not AttendanceStatus.UNMARKED and not self.confirmed
        return unconfirmed or self.leave_state is LeaveState.REQUESTED

    @property
    def owes_make_up(self) -> bool:
        """Owed once the session has started (before, there is nothing to study yet), at an
        activity of a family that has make-up study."""
        from app.activities.families import family_of

        return (
            self.role is ParticipantRole.EXPECTED
            and family_of(self.activity).make_up
            and not self.activity.is_cancelled
            and self.activity.starts_at <= utcnow()
            and self.confirmed
            and self.status.owes_make_up
            and self.make_up_state is not MakeUpState.CONFIRMED
        )

    @property
    def reason(self) -> str | None:
        """The reason beside a 请假 or 缺席 row: the secretary's, else the granted request's."""
        if not self.status.owes_make_up:
            return None
        if self.absence_reason:
            return self.absence_reason
        return self.leave_reason if self.leave_state is LeaveState.APPROVED else None

    def __str__(self) -> str:
        return f"{self.person} @ {self.activity}" if self.person and self.activity else "-"

    @classmethod
    def audit_name(cls) -> sa.ColumnElement[str]:
        """What names a row where another record points at it, in SQL: "person @ activity"."""
        person = sa.select(Person.name).where(Person.id == cls.person_id).scalar_subquery()
        title = sa.select(Activity.title).where(Activity.id == cls.activity_id).scalar_subquery()
        return person + " @ " + title


def _is(
    column: sa.ColumnElement, value: LabelledEnum, equal: bool = True
) -> sa.ColumnElement[bool]:
    # The value written into the statement, as in the partial index's own predicate: PostgreSQL
    # plans a prepared statement's parameter without its value, so only a literal matches.
    literal = sa.literal(value, column.type, literal_execute=True)
    return column == literal if equal else column != literal


def check_in_waits() -> sa.ColumnElement[bool]:
    """SQL: a self check-in waiting for the secretary's confirmation (``is_pending``)."""
    p = Participation
    return sa.and_(_is(p.status, AttendanceStatus.UNMARKED, equal=False), sa.not_(p.confirmed))


def leave_waits() -> sa.ColumnElement[bool]:
    """SQL: a leave request waiting for a decision."""
    return _is(Participation.leave_state, LeaveState.REQUESTED)


def make_up_waits() -> sa.ColumnElement[bool]:
    """SQL: a make-up study handed in, waiting for review."""
    return _is(Participation.make_up_state, MakeUpState.SUBMITTED)


# What waits for a secretary is a few rows among a district's hundreds of thousands: each kind
# has a partial index holding only its waiting rows, by activity. A query uses one only where it
# repeats the index's predicate, so the review sources take theirs from the functions above. The
# state after the activity makes each the planner's clear choice over ``activity_id``'s own index
# (not a tie broken by the order the indexes were made in); the person makes it cover the queue's
# count, which leaves out one's own items.
def _waiting_index(
    name: str, waits: Callable[[], sa.ColumnElement[bool]], *states: Any
) -> sa.Index:
    return sa.Index(
        name,
        Participation.activity_id,
        *states,
        Participation.person_id,
        sqlite_where=waits(),
        postgresql_where=waits(),
    )


_waiting_index(
    "ix_participation_check_in_waits",
    check_in_waits,
    Participation.confirmed,
    Participation.status,
)
_waiting_index("ix_participation_leave_waits", leave_waits, Participation.leave_state)
_waiting_index("ix_participation_make_up_waits", make_up_waits, Participation.make_up_state)


# The queue's page reads each kind's waiting rows oldest first from these, a page at a time,
# instead of sorting all that wait (the rows without a timestamp are found here too, as NULL).
def _since_index(name: str, waits: Callable[[], sa.ColumnElement[bool]], stamp: Any) -> sa.Index:
    return sa.Index(name, stamp, Participation.id, sqlite_where=waits(), postgresql_where=waits())


_since_index("ix_participation_check_in_since", check_in_waits, Participation.recorded_at)
_since_index("ix_participation_leave_since", leave_waits, Participation.leave_requested_at)
_since_index("ix_participation_make_up_since", make_up_waits, Participation.make_up_submitted_at)


class GuestKind(LabelledEnum):
    """A member's family (counted as family attendees, as at a family integrity forum) or anyone
    else without a person record."""

    FAMILY = "family"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {"family": _l("Family member"), "other": _l("Other guest")}


class ActivityGuest(db.Model):
    """Someone without a person record: a spouse at a family forum, an outside lecturer's aide."""

    __tablename__ = "activity_guest"
    __audit_label__ = _l("Guest")
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity.id"), index=True, info={"label": _l("Activity")}
    )
    name: Mapped[str] = mapped_column(sa.String(60), info={"label": _l("Name"), "names": True})
    relation: Mapped[str | None] = mapped_column(
        sa.String(100), info={"label": _l("Relation or organisation")}
    )
    kind: Mapped[GuestKind] = mapped_column(
        enum_column(GuestKind, 10), default=GuestKind.OTHER, info={"label": _l("Kind of guest")}
    )
    # The member a family guest belongs to: whose spouse or child came.
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Family of")}
    )
    deleted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Deleted at")}
    )

    activity: Mapped[Activity] = relationship(back_populates="guests")
    person: Mapped[Person | None] = relationship()

    @property
    def kind_display(self) -> str:
        """家属（张三） for a member's family, else the kind."""
        if self.kind is GuestKind.FAMILY and self.person is not None:
            return str(_l("Family of %(name)s", name=self.person.name))
        return str(self.kind.label)

    def __str__(self) -> str:
        return self.name


class CountColumns:
    """The ``Counts`` of ``app.reports.figures`` as columns, in its order (a row of these columns
    makes its ``Counts`` by position): of one activity, or summed."""

    expected: Mapped[int]
    expected_full: Mapped[int]
    expected_probationary: Mapped[int]
    present: Mapped[int]
    present_full: Mapped[int]
    present_probationary: Mapped[int]
    leave: Mapped[int]
    absent: Mapped[int]
    unmarked: Mapped[int]
    pending: Mapped[int]
    make_ups: Mapped[int]
    staff_expected: Mapped[int]
    staff_present: Mapped[int]
    non_voting: Mapped[int]


class ActivityTally(CountColumns, db.Model):
    """The figures of one activity kept up to date by ``app.activities.tally``: machine state,
    not an audited record (no ``__audited__``, no version counter; rewritten whole by one
    aggregate statement). The activity's unit, date, times, state and whether it counts in
    attendance are copied, so the bureau's figures are sums over this table alone; the org tree
    is resolved when read."""

    __tablename__ = "activity_tally"

    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[ActivityState] = mapped_column(enum_column(ActivityState, 20))
    in_attendance: Mapped[bool]
    rows: Mapped[int]  # participation rows of any role: the activity has a list


class UnitTally(CountColumns, db.Model):
    """The figures of ``activity_tally`` summed per org unit — the unit and every unit below it —
    and per year to the end of each month (the row of March sums January to March): a bureau's
    page reads one row per unit, or one per month of the root, instead of a year of activities.
    Only activities counting in attendance and not cancelled are in it, started or not (a page
    reads the current month and later from ``activity_tally``, started only). Machine state like
    ``ActivityTally``, kept by ``app.activities.tally`` with additions (a row whose figures are
    all zero may stay)."""

    __tablename__ = "unit_tally"
    __table_args__ = (sa.Index("ix_unit_tally_year_month", "year", "month"),)

    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)  # 1–12: January up to this month
    activities: Mapped[int]  # counting in attendance, not cancelled
    listed: Mapped[int]  # of those, with a list (a participation row of any role)


class AttendanceLast(db.Model):
    """Per person and unit, the latest session they were expected at and the latest they were
    present or late at, over the unit's non-cancelled activities counting in attendance; kept
    up to date by ``app.activities.tally`` (machine state like ``ActivityTally``). Only the
    (person, unit) pairs whose last presence is before a window, unknown, or at a session not
    started yet can hold an inactive member, and the index finds those few."""

    __tablename__ = "attendance_last"
    __table_args__ = (
        sa.Index("ix_attendance_last_present_on", "last_present_on", "last_expected_on"),
        sa.Index("ix_attendance_last_present_at", "last_present_at"),
    )

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), primary_key=True)
    last_expected_on: Mapped[date]
    last_present_on: Mapped[date | None]  # None: never present or late there
    last_present_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the latest start
