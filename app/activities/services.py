"""Writes on the shared core: attendance, check-in, leave, make-up study, reflections, archiving
and cancelling. Services take models and values, may add and flush, never commit: the view owns
the transaction. A refused change raises ``Refused`` with a message for the user.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app import settings
from app.activities.expected import ExpectedDefault, expected_person_ids
from app.activities.models import (
    Activity,
    ActivityGuest,
    ActivityState,
    AttendanceStatus,
    GuestKind,
    LeaveState,
    MakeUpState,
    ParticipantRole,
    Participation,
    RecordedVia,
)
from app.activities.rules import CHECKIN_AFTER, CHECKIN_BEFORE, LATE_ENTRY_DAYS
from app.audit.models import AuditLog
from app.audit.trail import record_event, record_type
from app.auth.models import User
from app.auth.policy import may_decide
from app.extensions import db
from app.locale_text import enumeration
from app.people.models import Person
from app.refusals import AlreadyDone, Refused
from app.types import local_date, local_today, utcnow


def default_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """The duration rounded to the nearest half hour, halves up: 1 h 45 min → 2.0, 1 h 36 → 1.5
    (a study session's 学时, a service day's hours, when none are given)."""
    minutes = Decimal((ends_at - starts_at).total_seconds()) / 60
    halves = (minutes / 30).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return (halves / 2).quantize(Decimal("0.1"))


def is_late_entry(ends_at: datetime, entered_at: datetime | None = None) -> bool:
    """补录: entered more than the set number of days after it ended."""
    days = settings.get(LATE_ENTRY_DAYS.key)
    return (entered_at or utcnow()) - ends_at > timedelta(days=days)


def flag_late_entry(activity: Activity, reason: str | None) -> None:
    """Flag an activity entered long after it ended, with the reason, also when an edit moves
    it into the past: allowed, never hidden."""
    if not is_late_entry(activity.ends_at, activity.created_at):
        activity.late_entry = False
        activity.late_reason = None
        return
    reason = reason or activity.late_reason
    if not reason:
        raise Refused(_l("This session ended long ago: give a reason for the late entry."))
    activity.late_entry = True
    activity.late_reason = reason


# What every family's form gives its services (``ActivityForm.values``), late_reason apart.
CORE_FIELDS = (
    "title",
    "unit",
    "starts_at",
    "ends_at",
    "place",
    "chair_id",
    "chair_name",
    "minute_taker_id",
    "minute_taker_name",
    "lecturer_id",
    "lecturer_name",
)


def apply_values(activity: Activity, values: dict[str, Any], fields: Iterable[str]) -> None:
    """The form's values on the activity: the core's fields and the family's ``fields``; its
    date follows its start, and a late entry is flagged with its reason."""
    for key in (*CORE_FIELDS, *fields):
        if key in values:
            setattr(activity, key, values[key])
    activity.held_on = local_date(activity.starts_at)
    flag_late_entry(activity, values.get("late_reason"))


def add_activity(activity: Activity, by: User, rule: ExpectedDefault) -> Activity:
    """A new activity (its values applied) added with its default expected list."""
    activity.created_by_id = by.id
    db.session.add(activity)
    set_expected(activity, expected_person_ids(activity.unit, rule, activity.held_on))
    return activity


def require_open(activity: Activity) -> None:
    if activity.is_archived:
        raise Refused(_l("This record is archived and can no longer be changed."))
    if activity.is_cancelled:
        raise Refused(_l("This activity was cancelled."))


def require_not_cancelled(activity: Activity) -> None:
    if activity.is_cancelled:
        raise Refused(_l("This activity was cancelled."))


def require_started(activity: Activity, now: datetime | None = None) -> None:
    """A make-up is owed and offered once the session has started: before, there is nothing to
    study yet."""
    if (now or utcnow()) < activity.starts_at:
        raise Refused(_l("Make-up study is handed in once the session has taken place."))


def require_someone_else(row: Participation, by: User) -> None:
    """Leave, absence and make-up on one's own row are recorded by another secretary or an
    admin, as every other decision about one's own row is."""
    if not may_decide(by, row.person_id):
        raise Refused(_l("Your own row is recorded by another secretary or an administrator."))


def set_expected(activity: Activity, person_ids: set[int]) -> None:
    """Make the expected list exactly these people: new rows are added; rows of people no longer
    expected are removed only while nothing was recorded on them."""
    require_open(activity)
    existing = {p.person_id: p for p in activity.participations}
    new_ids = person_ids - existing.keys()
    if new_ids:
        for person in db.session.scalars(sa.select(Person).where(Person.id.in_(new_ids))):
            db.session.add(
                Participation(
                    activity=activity,
                    person=person,
                    person_id=person.id,
                    role=ParticipantRole.EXPECTED,
                )
            )
    for person_id, row in existing.items():
        if row.role is not ParticipantRole.EXPECTED:
            if person_id in person_ids:
                row.role = ParticipantRole.EXPECTED
            continue
        if person_id in person_ids:
            continue
        _require_no_record(row)
        db.session.delete(row)


def _require_no_record(row: Participation) -> None:
    """Only a row nothing was recorded on may leave the list."""
    if row.status is not AttendanceStatus.UNMARKED or row.leave_state is not None:
        raise Refused(
            _l("%(name)s already has a record here and stays on the list.", name=row.person)
        )


def add_participant(activity: Activity, person: Person, role: ParticipantRole) -> Participation:
    require_open(activity)
    for row in activity.participations:
        if row.person_id == person.id:
            raise Refused(_l("%(name)s is already on the list.", name=person.name))
    row = Participation(activity=activity, person=person, role=role)
    db.session.add(row)
    return row


def remove_participant(row: Participation) -> None:
    require_open(row.activity)
    _require_no_record(row)
    db.session.delete(row)


def add_guest(
    activity: Activity,
    name: str,
    relation: str | None,
    kind: GuestKind = GuestKind.OTHER,
    member: Person | None = None,
) -> ActivityGuest:
    """A guest without a person record. A member's family names the member they belong to (so
    family attendees can be counted and listed as 家属（张三）); any other guest names nobody."""
    require_open(activity)
    if kind is GuestKind.FAMILY and member is None:
        raise Refused(_l("Name the member this guest is family of."), 422)
    if kind is not GuestKind.FAMILY and member is not None:
        raise Refused(
            _l(
                "Only a family guest belongs to a member: choose “Family member” as the kind, "
                "or leave the member empty."
            ),
            422,
        )
    guest = ActivityGuest(
        activity=activity, name=name, relation=relation or None, kind=kind, person=member
    )
    db.session.add(guest)
    return guest


def remove_guest(guest: ActivityGuest) -> None:
    require_open(guest.activity)
    guest.deleted_at = utcnow()


# Present, late and absent are known once people gather; leave may be granted beforehand.
_MARKED_IN_THE_ROOM = frozenset(
    {AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT}
)


def require_begun(activity: Activity, now: datetime | None = None) -> None:
    opens, _closes = check_in_window(activity)
    if (now or utcnow()) < opens:
        raise Refused(
            _l(
                "Attendance is recorded once the session begins: from %(minutes)d minutes "
                "before the start.",
                minutes=settings.get(CHECKIN_BEFORE.key),
            )
        )


def mark(row: Participation, status: AttendanceStatus, by: User) -> None:
    """The secretary's mark: confirmed at once; it settles a pending check-in or leave request.
    Present or late on one's own row is fine (the secretary runs the meeting); leave or absence
    for oneself is another secretary's or an admin's to record."""
    if status.owes_make_up:
        require_someone_else(row, by)
    _mark(row, status, by)


def _mark(row: Participation, status: AttendanceStatus, by: User) -> None:
    # The actor's id is read first: loading an expired account would flush the change half done
    # and split it over two audit rows.
    by_id = by.id
    require_open(row.activity)
    if row.role is ParticipantRole.NON_VOTING and status.owes_make_up:
        raise Refused(_l("Non-voting attendees are only marked present or late."))
    if status in _MARKED_IN_THE_ROOM:
        require_begun(row.activity)
    if not status.owes_make_up:
        row.absence_reason = None  # a reason belongs to a 请假 or 缺席 mark
    row.status = status
    row.confirmed = True
    row.recorded_via = None if status is AttendanceStatus.UNMARKED else RecordedVia.SECRETARY
    row.recorded_at = utcnow()
    row.recorded_by_id = by_id
    if row.leave_state is LeaveState.REQUESTED:
        # Marked on leave: granted. Marked present or late: they came, the request is withdrawn.
        # Marked absent: refused, and the member sees it.
        if status is AttendanceStatus.LEAVE:
            row.leave_state = LeaveState.APPROVED
        elif status.is_present or status is AttendanceStatus.UNMARKED:
            row.leave_state = None
        else:
            row.leave_state = LeaveState.REFUSED
        row.leave_decided_at = utcnow()
        row.leave_decided_by_id = by_id
        # A decision the member should read (a withdrawn request needs no news).
        row.leave_decision_seen = row.leave_state is None


def mark_all_present(activity: Activity, by: User) -> int:
    """Every unmarked expected row becomes present; rows already recorded keep their mark."""
    require_open(activity)
    require_begun(activity)
    changed = 0
    for row in activity.participations:
        expected = row.role is ParticipantRole.EXPECTED
        if expected and row.status is AttendanceStatus.UNMARKED and not row.is_pending:
            mark(row, AttendanceStatus.PRESENT, by)
            changed += 1
    return changed


def confirm_check_in(row: Participation, by: User) -> None:
    by_id = by.id
    require_open(row.activity)
    if row.confirmed or row.status is AttendanceStatus.UNMARKED:
        raise Refused(_l("There is no check-in to confirm."))
    row.confirmed = True
    row.recorded_by_id = by_id


def return_check_in(row: Participation, comment: str, by: User) -> None:
    """A self check-in the secretary does not accept (the person was not there): the row is
    unmarked again, with the reason for the member to read."""
    by_id = by.id
    require_open(row.activity)
    if row.confirmed or row.status is AttendanceStatus.UNMARKED:
        raise Refused(_l("There is no check-in to confirm."))
    if not comment:
        raise Refused(_l("Say why the check-in is not accepted."))
    row.status = AttendanceStatus.UNMARKED
    row.confirmed = True
    row.recorded_via = None
    row.recorded_at = utcnow()
    row.recorded_by_id = by_id
    row.check_in_comment = comment


def leave_decision_seen(row: Participation) -> None:
    row.leave_decision_seen = True


def check_in_window(activity: Activity) -> tuple[datetime, datetime]:
    before = timedelta(minutes=settings.get(CHECKIN_BEFORE.key))
    after = timedelta(minutes=settings.get(CHECKIN_AFTER.key))
    return activity.starts_at - before, activity.ends_at + after


def check_in(row: Participation, via: RecordedVia, by: User, now: datetime | None = None) -> None:
    """The member's own check-in: with the button it waits for the secretary; with the QR code in
    the room it is confirmed at once. A second check-in changes nothing and says so."""
    by_id = by.id
    require_open(row.activity)
    now = now or utcnow()
    opens, closes = check_in_window(row.activity)
    if row.status.is_present and row.confirmed:
        raise AlreadyDone(_l("You have already checked in."))
    if row.status.is_present and via is not RecordedVia.QR:
        raise AlreadyDone(_l("You have already checked in."))
    if row.status.is_present:
        # Pressed the button, then scanned the code in the room: the scan confirms it.
        row.confirmed = True
        row.recorded_via = via
        return
    if row.status is not AttendanceStatus.UNMARKED:
        raise Refused(_l("The secretary has already recorded your attendance."))
    if now < opens:
        raise Refused(_l("Check-in has not opened yet."))
    if now > closes:
        raise Refused(_l("Check-in has closed."))
    row.status = AttendanceStatus.PRESENT
    row.confirmed = via is RecordedVia.QR
    row.recorded_via = via
    row.recorded_at = now
    row.recorded_by_id = by_id
    if row.leave_state is LeaveState.REQUESTED:
        row.leave_state = None  # came after all: the request is withdrawn


def request_leave(row: Participation, reason: str, now: datetime | None = None) -> None:
    require_open(row.activity)
    now = now or utcnow()
    if now >= row.activity.starts_at:
        raise Refused(_l("Leave is asked for before the session starts."))
    if row.role is not ParticipantRole.EXPECTED:
        raise Refused(_l("Only expected participants ask for leave."))
    if row.status is not AttendanceStatus.UNMARKED:
        raise Refused(_l("Your attendance is already recorded."))
    if row.leave_state is LeaveState.REQUESTED:
        raise Refused(_l("Your leave request is already waiting for the secretary."))
    row.leave_state = LeaveState.REQUESTED
    row.leave_reason = reason
    row.leave_requested_at = now
    row.leave_decided_at = None
    row.leave_decided_by_id = None


def decide_leave(row: Participation, approve: bool, by: User, comment: str | None = None) -> None:
    """Approval sets 请假; refusal leaves the status as it was. The member sees the decision on
    their to-do list until they have read it."""
    by_id = by.id
    require_open(row.activity)
    if row.leave_state is not LeaveState.REQUESTED:
        raise Refused(_l("There is no leave request waiting."))
    row.leave_state = LeaveState.APPROVED if approve else LeaveState.REFUSED
    row.leave_decided_at = utcnow()
    row.leave_decided_by_id = by_id
    row.leave_comment = comment or None
    row.leave_decision_seen = False
    if approve:
        row.status = AttendanceStatus.LEAVE
        row.confirmed = True
        row.recorded_via = RecordedVia.SECRETARY
        row.recorded_at = utcnow()
        row.recorded_by_id = by_id


def record_reason(row: Participation, reason: str | None, by: User) -> None:
    """The reason for a 请假 or 缺席 row, as the meeting record lists it: recorded afterwards too,
    also on an archived session (it changes no figure) and for leave nobody asked for online."""
    require_not_cancelled(row.activity)
    if not (row.status.owes_make_up and row.role is ParticipantRole.EXPECTED):
        raise Refused(_l("A reason is recorded for people on leave or absent."))
    require_someone_else(row, by)
    row.absence_reason = (reason or "").strip() or None


def check_make_up(row: Participation) -> None:
    """A make-up is handed in for a confirmed absence or leave once the session has started, also
    after archiving; not on a cancelled activity."""
    require_not_cancelled(row.activity)
    require_started(row.activity)
    if not (row.confirmed and row.status.owes_make_up and row.role is ParticipantRole.EXPECTED):
        raise Refused(_l("No make-up study is owed for this session."))


def submit_make_up(row: Participation, note: str) -> None:
    check_make_up(row)
    if row.make_up_state is MakeUpState.CONFIRMED:
        raise Refused(_l("Your make-up study is already confirmed."))
    row.make_up_state = MakeUpState.SUBMITTED
    row.make_up_note = note
    row.make_up_on_paper = False
    row.make_up_handed_in_on = None
    row.make_up_submitted_at = utcnow()
    row.make_up_reviewed_at = None
    row.make_up_reviewed_by_id = None


def check_paper_make_up(row: Participation, by: User) -> None:
    check_make_up(row)
    require_someone_else(row, by)
    if row.make_up_state is MakeUpState.CONFIRMED:
        raise Refused(_l("This make-up study is already confirmed."))


def record_paper_make_up(row: Participation, handed_in_on: date, note: str, by: User) -> None:
    """A make-up handed in on paper, recorded by the secretary and confirmed at once: also on an
    archived session, and for anyone on the session's list whatever their membership today."""
    by_id = by.id
    check_paper_make_up(row, by)
    if handed_in_on < row.activity.held_on or handed_in_on > local_today():
        raise Refused(_l("The make-up was handed in between the session and today."))
    now = utcnow()
    row.make_up_state = MakeUpState.CONFIRMED
    row.make_up_note = note
    row.make_up_on_paper = True
    row.make_up_handed_in_on = handed_in_on
    row.make_up_submitted_at = now
    row.make_up_comment = None
    row.make_up_reviewed_at = now
    row.make_up_reviewed_by_id = by_id


def review_make_up(row: Participation, confirm: bool, comment: str | None, by: User) -> None:
    by_id = by.id
    require_started(row.activity)
    if row.make_up_state is not MakeUpState.SUBMITTED:
        raise Refused(_l("There is no make-up study waiting."))
    if not confirm and not comment:
        raise Refused(_l("Say why the make-up study is returned."))
    row.make_up_state = MakeUpState.CONFIRMED if confirm else MakeUpState.RETURNED
    row.make_up_comment = comment or None
    row.make_up_reviewed_at = utcnow()
    row.make_up_reviewed_by_id = by_id


def check_reflection(row: Participation) -> None:
    """Reflections are written on sessions one attended, also after archiving."""
    require_not_cancelled(row.activity)
    if not (row.confirmed and row.status.is_present):
        raise Refused(_l("Reflections are written on sessions you attended."))


def write_reflection(row: Participation, text: str) -> None:
    check_reflection(row)
    row.reflection = text
    row.reflection_at = utcnow()


def archive(activity: Activity, by: User) -> int:
    """Freeze the record: refused while anything is pending; unmarked rows become absent.
    Returns how many rows were marked absent."""
    by_id = by.id
    require_open(activity)
    if activity.starts_at > utcnow():
        raise Refused(_l("A session is archived after it was held."))
    waiting = [
        row.person.name
        for row in sorted(activity.participations, key=lambda row: row.person.sort_key)
        if row.is_pending
    ]
    if waiting:
        raise Refused(
            _l(
                "Confirm the pending check-ins and leave requests before archiving (%(names)s).",
                names=enumeration(waiting),
            )
        )
    marked = 0
    for row in activity.participations:
        if row.role is ParticipantRole.EXPECTED and row.status is AttendanceStatus.UNMARKED:
            # The rule, not a decision about anyone: the archiving secretary's own row too.
            _mark(row, AttendanceStatus.ABSENT, by)
            marked += 1
    activity.state = ActivityState.ARCHIVED
    activity.archived_at = utcnow()
    activity.archived_by_id = by_id
    return marked


def reopen(activity: Activity, reason: str) -> None:
    if not activity.is_archived:
        raise Refused(_l("Only an archived record can be reopened."))
    activity.state = ActivityState.OPEN
    activity.archived_at = None
    activity.archived_by_id = None
    record_event("reopen", activity, changes={"reason": [None, reason]})


def last_reopening(activity: Activity) -> AuditLog | None:
    """The latest reopening of a record, with its reason, to show beside it."""
    return db.session.scalar(
        sa.select(AuditLog)
        .where(
            AuditLog.action == "reopen",
            AuditLog.record_type == record_type(activity),
            AuditLog.record_id == str(activity.id),
        )
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(1)
    )


def cancel(activity: Activity, reason: str) -> None:
    """A session that did not take place: allowed while open and no one is recorded present."""
    require_open(activity)
    if any(row.status.is_present for row in activity.participations):
        raise Refused(_l("People are recorded present: this session took place."))
    activity.state = ActivityState.CANCELLED
    activity.cancel_reason = reason
