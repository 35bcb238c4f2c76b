"""What every activity family's synthetic part writes alike: the activity's row with its state
(past months archived, a few cancelled, the current month open), and its participation rows —
settled on archived activities (present, late, leave, absent with reasons, make-ups owed,
submitted and confirmed where the family has make-ups), unmarked and pending on open ones."""

import random
from datetime import date, datetime, timedelta
from typing import Any

from app.activities.families import family_for
from app.activities.models import Activity, ActivityFamily, Participation
from app.demo.bulk import Loader
from app.demo.people_synth import District, Unit, stamp

REASONS = ("出差", "病假", "参加上级培训", "家中有事", "值班")
# One person in DRIFT_EVERY has drifted away: absent from every session of the last DRIFT_DAYS,
# as the inactive-members warning exists to show, in a district of any size.
DRIFT_EVERY, DRIFT_DAYS = 50, 120


class ActivityWriter:
    # Whether the family's absentees owe make-up study.
    make_ups = True

    def __init__(self, loader: Loader, rng: random.Random, district: District, today: date) -> None:
        self.loader, self.rng, self.district, self.today = loader, rng, district, today
        self.month_start = today.replace(day=1)
        self.now = stamp(today, 12)
        self.drifted = set(sorted(district.names)[::DRIFT_EVERY])
        self.drifted_since = today - timedelta(days=DRIFT_DAYS)

    def units(self) -> list[tuple[Unit, int]]:
        """Each unit with the account that records its activities."""
        found = [(self.district.party_group, self.district.admin_id)]
        for branch in self.district.branches:
            account = branch.secretary_account or self.district.admin_id
            found += [(branch, account)] + [(group, account) for group in branch.groups]
        return found

    def activity(
        self,
        unit: Unit,
        account: int,
        family: str,
        title: str,
        starts: datetime,
        ends: datetime,
        lecturer: int | None = None,
    ) -> dict[str, Any]:
        """The activity's row, written with its audit row: archived before this month, open
        from it on, one in a hundred cancelled; the unit's first seat chairs and takes the
        minutes."""
        day = (starts + timedelta(hours=8)).date()
        state = "archived" if day < self.month_start else "open"
        cancelled = self.rng.random() < 0.01
        if cancelled:
            state = "cancelled"
        chair = unit.seats[0].person_id if unit.seats else None
        activity = Activity.__table__
        row: dict[str, Any] = {
            "id": self.loader.next_id(activity),
            "family": family,
            "unit_id": unit.id,
            "title": title,
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
            "lecturer_id": lecturer,
            "lecturer_name": None,
        }
        record_type = family_for(ActivityFamily(family)).model.__tablename__
        self.loader.created(activity, row, record_type, row["title"], row["created_at"])
        return row

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
        if self.make_ups and draw < 0.65:
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
