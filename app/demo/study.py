"""Demo study sessions: three years of the bureau's organisational life at the DOMAIN.md
frequencies, recorded through the same services a secretary's and a member's clicks go through,
then dated back to when each step would have happened (planned a few days ahead, marked after the
meeting, make-ups a few days later, archived a couple of weeks on).

``app.demo.study_plan`` says what was held; ``build_sessions`` writes it.
"""

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from app.activities import services as attendance
from app.activities.models import AttendanceStatus, Participation, RecordedVia
from app.auth.models import User
from app.demo.calendar import workday_from
from app.demo.people import INACTIVE, INACTIVE_MONTHS, MEMBER
from app.demo.photos import attach_photos
from app.demo.study_plan import PLACES, REFLECTED, REFLECTIONS, Slot, Writer, schedule, theme
from app.extensions import db
from app.people.models import OrgUnit, Person
from app.study.models import StudyKind, StudySession
from app.study.services import create_session
from app.types import utcnow

# The demo account of each unit, which plans and marks its sessions.
UNIT_ACCOUNT = {
    "jiguan": "secretary",
    "jiguan-g1": "secretary",
    "jiguan-g2": "secretary",
    "cujin": "secretary2",
    "dangzu": "admin",
}
LEADERS = frozenset({"KGX001", "KGX002", "KGX003"})  # away on business more often
LEAVE_REASONS = [
    "到省工信厅参加业务培训",
    "到企业开展安全生产检查",
    "参加区重点项目调度会",
    "外出招商，不能参会",
    "病假",
    "家中老人住院陪护",
    "带孩子就医",
    "参加区委党校中青班学习",
    "陪同市局调研组到企业走访",
]
LATE_REASONS = [
    "纸质会议记录，会后补录",
    "外出集中培训期间召开，按纸质签到表会后补录",
    "记录人出差，返岗后根据纸质记录补录",
    "根据纸质会议记录和签到表补录",
]
RETURN_COMMENT = "补学笔记过于简略，请结合会议精神和本职工作补充个人学习体会后重新提交。"


class Recorder:
    """Writes the slots through the services, dating every step back to when it happened."""

    def __init__(
        self,
        today: date,
        units: dict[str, OrgUnit],
        persons: dict[str, Person],
        accounts: dict[str, User],
        rng: random.Random,
    ) -> None:
        self.today = today
        self.units = units
        self.persons = persons
        self.accounts = accounts
        self.rng = rng
        self.zone = ZoneInfo(current_app.config["TIMEZONE"])
        self.now = utcnow()
        self.code_of = {p.id: code for code, p in persons.items()}
        # Persons who have an account check themselves in; everyone else is marked.
        self.own_account = {
            user.person.code: user for user in accounts.values() if user.person is not None
        }

    def at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.zone).astimezone(UTC)

    def before_now(self, moment: datetime, floor: datetime) -> datetime:
        """``moment``, but never in the future (nor before ``floor``)."""
        latest = self.now - timedelta(minutes=self.rng.randint(20, 240))
        return max(floor, min(moment, latest))

    def values(self, slot: Slot) -> dict[str, Any]:
        def person_id(code: str | None) -> int | None:
            person = self.persons.get(code) if code else None
            return person.id if person is not None else None

        return {
            "title": slot.title,
            "kind": slot.kind,
            "unit": self.units[slot.unit],
            "starts_at": self.at(slot.day, slot.start),
            "ends_at": self.at(slot.day, slot.end),
            "place": slot.place,
            "chair_id": person_id(slot.chair),
            "minute_taker_id": person_id(slot.minute_taker),
            "lecturer_id": person_id(slot.lecturer),
            "lecturer_name": slot.lecturer_name,
            "topics": slot.topics or None,
            "minutes": slot.minutes or None,
            "resolutions": slot.resolutions,
        }

    def create(self, slot: Slot, late_reason: str | None = None) -> StudySession:
        """The session with its expected list. A past session is created as if planned a few
        days ahead, unless it really was entered late. Call under ``no_autoflush``: the rows are
        written, with everything recorded on them, by the next flush (one audit row each)."""
        session = create_session(
            {**self.values(slot), "late_reason": late_reason or "会后补录"},
            self.accounts[UNIT_ACCOUNT[slot.unit]],
        )
        if late_reason:
            session.late_entry, session.late_reason = True, late_reason
            session.created_at = session.ends_at + timedelta(
                days=self.rng.randint(9, 14), hours=self.rng.randint(0, 6)
            )
        else:
            session.late_entry, session.late_reason = False, None
            session.created_at = min(
                self.now,
                session.starts_at
                - timedelta(days=self.rng.randint(2, 7), hours=self.rng.randint(0, 5)),
            )
        for row in session.participations:
            # The column defaults, which the services read before the row is ever flushed.
            row.status, row.confirmed = AttendanceStatus.UNMARKED, True
        for name, relation in slot.guests:
            attendance.add_guest(session, name, relation)
        return session

    def rows(self, session: StudySession) -> dict[str, Participation]:
        return {self.code_of[row.person_id]: row for row in session.participations}

    def outcome(self, code: str, slot: Slot) -> str:
        if code in (slot.chair, slot.minute_taker, slot.lecturer):
            return "present"
        # Leaders travel more; the member account's absences are mostly the planted ones.
        weight = 1.75 if code in LEADERS else 0.4 if code == MEMBER else 1.0
        leave, absent = 0.04 * weight, 0.025 * weight
        roll = self.rng.random()
        if roll < leave:
            return "leave"
        if roll < leave + absent:
            return "absent"
        if roll < leave + absent + 0.03:
            return "late"
        return "present"

    def record(
        self,
        slot: Slot,
        session: StudySession,
        planted: dict[str, str],
        hold_open: dict[str, str],
    ) -> None:
        """Attendance and leave, as the meeting went: check-ins by those with an account, the
        secretary's marks for everyone else (all marks, when the session was entered late).

        ``planted`` fixes some people's outcome; ``hold_open`` leaves rows waiting for the
        secretary ("unmarked", "check_in" a button press to confirm, "leave" a request)."""
        by = self.accounts[UNIT_ACCOUNT[slot.unit]]
        late = session.late_entry
        marked_at = (
            session.created_at + timedelta(minutes=self.rng.randint(5, 40))
            if late
            else session.ends_at + timedelta(minutes=self.rng.randint(10, 90))
        )
        for code, row in sorted(self.rows(session).items()):
            waiting = hold_open.get(code)
            account = self.own_account.get(code)
            if waiting == "unmarked":
                continue
            if waiting == "leave":
                asked = self.leave_asked(session)
                attendance.request_leave(row, self.rng.choice(LEAVE_REASONS), now=asked)
                continue
            if waiting == "check_in" and account is not None:
                self.check_in(row, account, by, keep_pending=True)
                continue
            outcome = planted.get(code) or self.outcome(code, slot)
            officer = code in (slot.chair, slot.minute_taker, slot.lecturer)
            if outcome == "present" and account is not None and not (late or officer):
                self.check_in(row, account, by, keep_pending=False)
            elif outcome in ("leave", "leave_refused") and not late:
                self.leave(row, by, refuse=outcome == "leave_refused")
            else:
                refused = outcome == "leave_refused"
                status = AttendanceStatus.ABSENT if refused else AttendanceStatus(outcome)
                attendance.mark(row, status, by)
                row.recorded_at = marked_at

    def check_in(self, row: Participation, account: User, by: User, keep_pending: bool) -> None:
        starts = row.activity.starts_at
        if keep_pending or self.rng.random() < 0.35:
            moment = starts - timedelta(minutes=self.rng.randint(1, 25))
            attendance.check_in(row, RecordedVia.BUTTON, account, now=moment)
            if not keep_pending:
                attendance.confirm_check_in(row, by)
        else:
            moment = starts + timedelta(minutes=self.rng.randint(-8, 4))
            attendance.check_in(row, RecordedVia.QR, account, now=moment)

    def leave_asked(self, session: StudySession) -> datetime:
        asked = session.starts_at - timedelta(hours=self.rng.randint(3, 60))
        return max(asked, session.created_at + timedelta(minutes=30))

    def leave(self, row: Participation, by: User, refuse: bool) -> None:
        asked = self.leave_asked(row.activity)
        attendance.request_leave(row, self.rng.choice(LEAVE_REASONS), now=asked)
        attendance.decide_leave(row, not refuse, by)
        decided = min(asked + timedelta(minutes=self.rng.randint(15, 180)), row.activity.starts_at)
        row.leave_decided_at = decided
        if refuse:
            attendance.mark(row, AttendanceStatus.ABSENT, by)
            row.recorded_at = row.activity.ends_at + timedelta(minutes=30)
        else:
            row.recorded_at = decided

    def make_ups(self, session: StudySession, planted: dict[str, str], subject: str) -> None:
        by = self.accounts[UNIT_ACCOUNT[self.code_of_unit(session)]]
        age = (self.today - session.held_on).days
        for code, row in sorted(self.rows(session).items()):
            if not row.owes_make_up:
                continue
            plan = planted.get(code)
            if plan is None:
                roll = self.rng.random()
                if age > 60:
                    plan = "confirmed" if roll < 0.85 else "owed"
                else:
                    plan = "confirmed" if roll < 0.4 else "submitted" if roll < 0.7 else "owed"
            if plan == "owed":
                continue
            words = self.rng.choice((800, 1000, 1200, 1500))
            attendance.submit_make_up(
                row,
                f"已围绕“{subject}”认真学习会议材料和会议记录，撰写学习笔记约{words}字。通过补学，"
                "进一步理解了会议精神和工作要求，今后将合理安排工作，按时参加组织生活。",
            )
            submitted = self.before_now(
                session.ends_at
                + timedelta(days=self.rng.randint(1, 8), hours=self.rng.randint(1, 8)),
                session.ends_at + timedelta(hours=1),
            )
            row.make_up_submitted_at = submitted
            if plan in ("confirmed", "returned"):
                attendance.review_make_up(
                    row, plan == "confirmed", RETURN_COMMENT if plan == "returned" else None, by
                )
                row.make_up_reviewed_at = self.before_now(
                    submitted + timedelta(days=self.rng.randint(1, 3)), submitted
                )

    def code_of_unit(self, session: StudySession) -> str:
        return next(code for code, unit in self.units.items() if unit is session.unit)

    def reflections(self, session: StudySession, subject: str, member_writes: bool) -> None:
        if session.kind not in REFLECTED:
            return
        for code, row in sorted(self.rows(session).items()):
            wants = member_writes if code == MEMBER else self.rng.random() < 0.12
            if not (wants and row.confirmed and row.status.is_present):
                continue
            department = self.persons[code].department
            place = department.name if department is not None else "本单位"
            attendance.write_reflection(
                row, self.rng.choice(REFLECTIONS).format(s=subject, d=place)
            )
            row.reflection_at = self.before_now(
                session.ends_at + timedelta(hours=self.rng.randint(2, 72)), session.ends_at
            )

    def photos(self, session: StudySession, count: int) -> int:
        """Photos taken during the meeting, uploaded by the secretary soon after it."""
        by = self.accounts[UNIT_ACCOUNT[self.code_of_unit(session)]]
        uploaded = max(session.created_at, session.ends_at) + timedelta(
            minutes=self.rng.randint(20, 180)
        )
        return attach_photos(
            session, count, by, self.rng, lambda: self.before_now(uploaded, session.ends_at)
        )

    def archive(self, session: StudySession) -> None:
        by = self.accounts[UNIT_ACCOUNT[self.code_of_unit(session)]]
        attendance.archive(session, by)
        session.archived_at = self.before_now(
            max(session.ends_at, session.created_at) + timedelta(days=self.rng.randint(5, 20)),
            session.created_at,
        )


def _nearest(slots: list[Slot], target: date, eligible: Callable[[Slot], bool]) -> Slot | None:
    candidates = [s for s in slots if eligible(s)]
    return min(candidates, key=lambda s: abs((s.day - target).days), default=None)


Plan = dict[Slot, dict[str, str]]


def build_sessions(
    today: date,
    units: dict[str, OrgUnit],
    persons: dict[str, Person],
    accounts: dict[str, User],
    rng: random.Random,
) -> dict[str, int]:
    """Sessions of jiguan (with its groups), cujin and dangzu from 1 January two years back until
    yesterday, three upcoming ones and one cancelled. Persons, units and accounts are flushed."""
    writer = Writer({c: p.name for c, p in persons.items()}, {c: u.name for c, u in units.items()})
    recorder = Recorder(today, units, persons, accounts, rng)
    first = date(today.year - 2, 1, 1)
    slots = [s for s in schedule(first, today, writer) if s.day < today]
    planted, make_up_plan = _stories(today, slots)
    late = _entered_late(today, slots)
    hold_open = _held_open(today, slots)

    counts = {"sessions": 0, "archived": 0, "late": 0, "photos": 0}
    with db.session.no_autoflush:
        for number, slot in enumerate(slots, 1):
            session = recorder.create(slot, late.get(slot))
            waiting = hold_open.get(slot, {})
            recorder.record(slot, session, planted.get(slot, {}), waiting)
            subject = theme(slot.day.year, slot.day.month)
            recorder.make_ups(session, make_up_plan.get(slot, {}), subject)
            recorder.reflections(session, subject, member_writes=rng.random() < 0.3)
            if rng.random() < 0.25:
                counts["photos"] += recorder.photos(session, rng.randint(1, 2))
            age = (today - slot.day).days
            if not waiting and (age > 60 or (age > 14 and rng.random() < 0.6)):
                recorder.archive(session)
                counts["archived"] += 1
            counts["sessions"] += 1
            counts["late"] += session.late_entry
            if number % 50 == 0:
                db.session.flush()
        counts["planned"] = _upcoming(today, writer, recorder)
    db.session.flush()
    return counts


def _stories(today: date, slots: list[Slot]) -> tuple[Plan, Plan]:
    """Planted outcomes and make-up plans: the member account's own story (an approved leave
    made up, an absence whose make-up was returned, a recent absence still owed), one refused
    leave request, the seconded member and a make-up waiting for the bureau's secretary."""

    def members_session(slot: Slot) -> bool:
        return slot.unit == "jiguan" and slot.kind in REFLECTED

    planted: Plan = {}
    make_up_plan: Plan = {}
    for days_ago, outcome, plan in (
        (200, "leave", "confirmed"),
        (95, "absent", "returned"),
        (20, "absent", "owed"),
        (420, "absent", "confirmed"),
    ):
        slot = _nearest(slots, today - timedelta(days=days_ago), members_session)
        if slot is not None:
            planted.setdefault(slot, {})[MEMBER] = outcome
            make_up_plan.setdefault(slot, {})[MEMBER] = plan
    refused = _nearest(
        slots,
        today - timedelta(days=300),
        lambda s: s.unit == "cujin" and s.kind is StudyKind.THEMED_DAY,
    )
    if refused is not None:
        planted.setdefault(refused, {})["SCL004"] = "leave_refused"
    # The seconded member: leave asked for the first session after the secondment began, then
    # absent from every one, with no make-up handed in.
    seconded = today - timedelta(days=31 * INACTIVE_MONTHS)
    for number, slot in enumerate(
        s
        for s in slots
        if s.unit == "jiguan" and s.kind is not StudyKind.COMMITTEE_MEETING and s.day >= seconded
    ):
        planted.setdefault(slot, {})[INACTIVE] = "leave" if number == 0 else "absent"
        make_up_plan.setdefault(slot, {})[INACTIVE] = "owed"
    # A make-up waiting for the bureau's secretary: excused from the fixed study day of about
    # three weeks ago, handed in and not yet confirmed.
    waiting_make_up = _nearest(
        slots,
        today - timedelta(days=25),
        lambda s: s.kind is StudyKind.FIXED_STUDY_DAY and (today - s.day).days >= 7,
    )
    if waiting_make_up is not None:
        planted.setdefault(waiting_make_up, {})["KGX011"] = "leave"
        make_up_plan.setdefault(waiting_make_up, {})["KGX011"] = "submitted"
    return planted, make_up_plan


def _entered_late(today: date, slots: list[Slot]) -> dict[Slot, str]:
    """Four sessions that were held on paper and entered late, with the reason."""
    late: dict[Slot, str] = {}
    for days_ago, unit, kind in (
        (700, "cujin", StudyKind.COMMITTEE_MEETING),
        (450, "dangzu", StudyKind.CENTRE_GROUP),
        (330, "jiguan-g1", StudyKind.GROUP_MEETING),
        (150, "cujin", StudyKind.PARTY_LECTURE),
    ):
        slot = _nearest(
            slots,
            today - timedelta(days=days_ago),
            lambda s, u=unit, k=kind: s.unit == u and s.kind == k and (today - s.day).days > 60,
        )
        if slot is not None:
            late[slot] = LATE_REASONS[len(late) % len(LATE_REASONS)]
    return late


def _held_open(today: date, slots: list[Slot]) -> Plan:
    """The latest session of each branch is still being marked (each holds one at least every
    four weeks, so the secretaries always have something waiting)."""
    hold_open: Plan = {}
    for unit, waiting in (
        ("jiguan", {MEMBER: "check_in", "KGX012": "unmarked"}),
        ("cujin", {"SCL005": "leave", "SCL007": "unmarked"}),
    ):
        latest = [s for s in slots if s.unit == unit and s.kind is not StudyKind.COMMITTEE_MEETING]
        if latest and (today - latest[-1].day).days <= 31:
            hold_open[latest[-1]] = waiting
    return hold_open


def _upcoming(today: date, writer: Writer, recorder: Recorder) -> int:
    """The next regular session of three units, a leave request waiting on one, and an extra
    lecture that was called off."""
    ahead = schedule(today + timedelta(days=1), today + timedelta(days=62), writer)
    planned = 0
    for unit, kind in (
        ("dangzu", StudyKind.CENTRE_GROUP),
        ("jiguan", StudyKind.THEMED_DAY),
        ("cujin", StudyKind.COMMITTEE_MEETING),
    ):
        slot = next((s for s in ahead if s.unit == unit and s.kind is kind and s.day > today), None)
        if slot is None:
            continue
        session = recorder.create(slot)
        session.created_at = recorder.now - timedelta(hours=recorder.rng.randint(2, 72))
        if unit == "jiguan":
            row = recorder.rows(session).get("KGX002")
            if row is not None:
                attendance.request_leave(row, "届时到省工信厅参加专题会议", now=recorder.now)
        planned += 1
    day = workday_from(today + timedelta(days=6))
    topic = "学党纪、明规矩、强党性"
    extra = Slot(
        "jiguan",
        StudyKind.PARTY_LECTURE,
        day,
        time(15, 0),
        time(16, 30),
        f"专题辅导：{topic}",
        PLACES["jiguan"],
        f"区委党校李红梅老师作专题辅导《{topic}》。",
        "",
        lecturer_name="区委党校 李红梅",
    )
    session = recorder.create(extra)
    attendance.cancel(session, "主讲老师临时有公务安排，改期举行，时间另行通知")
    return planned
