"""The synthetic district's study sessions at DOMAIN.md frequencies, with their participation:
past months archived (present, late, leave, absent with reasons, make-ups owed, submitted and
confirmed), a few cancelled, the current month open with unmarked and pending rows."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.activities.models import Activity, Participation
from app.demo.bulk import Loader
from app.demo.calendar import months, workday_from
from app.demo.people_synth import District, Unit, stamp
from app.people.models import COMMITTEE_POSTS
from app.study.models import StudyKind, StudySession

REASONS = ("出差", "病假", "参加上级培训", "家中有事", "值班")
# One person in DRIFT_EVERY has drifted away: absent from every session of the last DRIFT_DAYS,
# as the inactive-members warning exists to show, in a district of any size.
DRIFT_EVERY, DRIFT_DAYS = 50, 120
TITLES = {
    StudyKind.COMMITTEE_MEETING: "支委会",
    StudyKind.THEMED_DAY: "主题党日",
    StudyKind.GENERAL_MEETING: "支部党员大会",
    StudyKind.PARTY_LECTURE: "党课",
    StudyKind.ORG_LIFE_MEETING: "组织生活会",
    StudyKind.GROUP_MEETING: "党小组会",
    StudyKind.CENTRE_GROUP: "党组理论学习中心组学习",
    StudyKind.DEMOCRATIC_LIFE_MEETING: "民主生活会",
}


def kinds_of_month(unit: Unit, month: int) -> list[StudyKind]:
    """支委会, 主题党日 and 党小组会 monthly; 党员大会 and 党课 quarterly; 组织生活会 in
    December."""
    if unit.code == "dangzu":
        kinds = [StudyKind.CENTRE_GROUP]
        return kinds + ([StudyKind.DEMOCRATIC_LIFE_MEETING] if month == 12 else [])
    if unit.code.count("-g"):
        return [StudyKind.GROUP_MEETING]
    kinds = [StudyKind.COMMITTEE_MEETING, StudyKind.THEMED_DAY]
    if month % 3 == 0:
        kinds.append(StudyKind.GENERAL_MEETING)
    if month % 3 == 2:
        kinds.append(StudyKind.PARTY_LECTURE)
    if month == 12:
        kinds.append(StudyKind.ORG_LIFE_MEETING)
    return kinds


class StudyWriter:
    def __init__(self, loader: Loader, rng: random.Random, district: District, today: date) -> None:
        self.loader, self.rng, self.district, self.today = loader, rng, district, today
        self.month_start = today.replace(day=1)
        self.now = stamp(today, 12)
        self.drifted = set(sorted(district.names)[::DRIFT_EVERY])
        self.drifted_since = today - timedelta(days=DRIFT_DAYS)

    def units(self) -> list[tuple[Unit, int]]:
        """Each unit with the account that records its sessions."""
        found = [(self.district.party_group, self.district.admin_id)]
        for branch in self.district.branches:
            account = branch.secretary_account or self.district.admin_id
            found += [(branch, account)] + [(group, account) for group in branch.groups]
        return found

    def build(self, first: date) -> None:
        for unit, account in self.units():
            for year, month in months(first, self.today):
                for order, kind in enumerate(kinds_of_month(unit, month)):
                    day = workday_from(date(year, month, 3 + 5 * order + self.rng.randint(0, 4)))
                    if first <= day and day.month == month:
                        self.session(unit, account, kind, day)

    def session(self, unit: Unit, account: int, kind: StudyKind, day: date) -> None:
        rng = self.rng
        starts = stamp(day, rng.choice((9, 10, 14, 15)))
        ends = starts + timedelta(minutes=rng.choice((60, 90, 120)))
        past = day < self.month_start
        state = "archived" if past else "open"
        cancelled = rng.random() < 0.01
        if cancelled:
            state = "cancelled"
        chair = unit.seats[0].person_id if unit.seats else None
        activity = Activity.__table__
        row: dict[str, Any] = {
            "id": self.loader.next_id(activity),
            "family": "study",
            "unit_id": unit.id,
            "title": f"{day.year}年{day.month}月{TITLES[kind]}",
            "starts_at": starts,
            "ends_at": ends,
            "held_on": day,
            "place": f"{unit.name}会议室",
            "state": state,
            "late_entry": False,
            "late_reason": None,
            "cancel_reason": "与上级会议冲突，另行安排" if cancelled else None,
            "archived_at": ends + timedelta(days=3) if state == "archived" else None,
            "archived_by_id": account if state == "archived" else None,
            "created_by_id": account,
            "created_at": starts - timedelta(days=7),
            "chair_id": chair,
            "chair_name": None,
            "minute_taker_id": chair,
            "minute_taker_name": None,
            "lecturer_id": chair if kind is StudyKind.PARTY_LECTURE else None,
            "lecturer_name": None,
        }
        self.loader.created(activity, row, "study_session", row["title"], row["created_at"])
        hours = Decimal((ends - starts).total_seconds() / 3600).quantize(Decimal("0.1"))
        study = {"id": row["id"], "kind": kind, "topics": "学习贯彻上级精神", "minutes": None}
        study |= {"resolutions": None, "study_hours": hours}
        self.loader.add(StudySession.__table__, study)
        for seat in unit.seats:
            if not seat.party or not seat.covers(day):
                continue
            if kind is StudyKind.COMMITTEE_MEETING and seat.role not in COMMITTEE_POSTS:
                continue
            self.participation(row, seat.person_id, account)

    def participation(self, activity: dict[str, Any], person: int, account: int) -> None:
        row = blank_row(self.loader.next_id(Participation.__table__), activity["id"], person)
        if activity["state"] == "archived":
            self.settled(row, activity, account)
        elif activity["state"] == "open":
            self.open(row, activity, account)
        summary = f"{self.district.names[person]} @ {activity['title']}"
        self.loader.created(
            Participation.__table__, row, "participation", summary, activity["created_at"]
        )

    def settled(self, row: dict[str, Any], activity: dict[str, Any], account: int) -> None:
        draw, ends = self.rng.random(), activity["ends_at"]
        status = "present" if draw < 0.88 else "late" if draw < 0.92 else "leave"
        if draw >= 0.97 or self.drifted_away(row, activity):
            status = "absent"
        row |= {"status": status, "recorded_via": "secretary", "recorded_at": ends}
        row["recorded_by_id"] = account
        if status in ("leave", "absent"):
            self.absence(row, activity, account)

    def drifted_away(self, row: dict[str, Any], activity: dict[str, Any]) -> bool:
        return row["person_id"] in self.drifted and activity["held_on"] >= self.drifted_since

    def absence(self, row: dict[str, Any], activity: dict[str, Any], account: int) -> None:
        reason, ends = self.rng.choice(REASONS), activity["ends_at"]
        row["absence_reason"] = reason
        if row["status"] == "leave":
            row |= {"leave_state": "approved", "leave_reason": reason}
            row |= {"leave_requested_at": activity["starts_at"] - timedelta(days=1)}
            row |= {"leave_decided_at": activity["starts_at"] - timedelta(hours=12)}
            row["leave_decided_by_id"] = account
        draw = self.rng.random()
        if draw < 0.65:
            row |= {"make_up_state": "confirmed" if draw < 0.5 else "submitted"}
            row |= {"make_up_note": "已学习会议材料并撰写学习笔记"}
            row |= {"make_up_submitted_at": ends + timedelta(days=5)}
            if draw < 0.5:
                row |= {"make_up_reviewed_at": ends + timedelta(days=6)}
                row["make_up_reviewed_by_id"] = account

    def open(self, row: dict[str, Any], activity: dict[str, Any], account: int) -> None:
        draw, starts = self.rng.random(), activity["starts_at"]
        if starts > self.now:
            if draw < 0.05:
                row |= {"leave_state": "requested", "leave_reason": self.rng.choice(REASONS)}
                row["leave_requested_at"] = starts - timedelta(days=2)
            return
        if self.drifted_away(row, activity):
            return  # not marked: neither present nor asked for leave
        if draw < 0.6:
            row |= {"status": "present", "recorded_via": "secretary", "recorded_at": starts}
            row["recorded_by_id"] = account
        elif draw < 0.75:
            row |= {"status": "present", "recorded_via": "button", "confirmed": False}
            row |= {"recorded_at": starts, "recorded_by_id": None}
        elif draw < 0.8:
            row |= {"leave_state": "requested", "leave_reason": self.rng.choice(REASONS)}
            row["leave_requested_at"] = starts - timedelta(days=1)


def blank_row(row_id: int, activity: int, person: int) -> dict[str, Any]:
    """Every column, so that all rows of one executemany carry the same keys."""
    row: dict[str, Any] = dict.fromkeys(PARTICIPATION_COLUMNS)
    row |= {"id": row_id, "activity_id": activity, "person_id": person, "role": "expected"}
    row |= {"status": "unmarked", "confirmed": True, "leave_decision_seen": True}
    row |= {"make_up_on_paper": False, "version": 1}
    return row


PARTICIPATION_COLUMNS = tuple(column.name for column in Participation.__table__.columns)


def build_study(
    loader: Loader, rng: random.Random, district: District, first: date, today: date
) -> datetime:
    writer = StudyWriter(loader, rng, district, today)
    writer.build(first)
    return writer.now
