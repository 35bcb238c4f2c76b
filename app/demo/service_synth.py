"""The synthetic district's service days: ten days into each branch's projects of dormitory
repairs and community volunteering, a morning's service day of the project, and one on its own
in the last days (open still), with the branch's Party members on the list (``activity_synth``;
service days owe no make-up study) and the person-times served."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.demo.activity_synth import ActivityWriter
from app.demo.people_synth import Unit, stamp
from app.volunteer.models import ServiceDay

DAY_HOURS = Decimal("3.0")


class ServiceWriter(ActivityWriter):
    make_ups = False

    def held(self, unit: Unit, account: int, day: date, title: str, project: int | None) -> None:
        starts = stamp(day, 9)
        row = self.activity(unit, account, "service", title, starts, starts + timedelta(hours=3))
        own: dict[str, Any] = {"id": row["id"], "project_id": project, "hours": DAY_HOURS}
        own |= {"served": self.rng.randint(2, 12) * 10, "content": "入户走访，现场服务"}
        self.loader.add(ServiceDay.__table__, own)
        listed: set[int] = set()
        for seat in (*unit.seats, *(seat for group in unit.groups for seat in group.seats)):
            if seat.party and seat.covers(day) and seat.person_id not in listed:
                listed.add(seat.person_id)
                self.participation(row, seat.person_id, account)

    def recent(self, unit: Unit, account: int) -> None:
        """One of the last days, in this month (open still), on its own."""
        day = max(self.month_start, self.today - timedelta(days=3))
        self.held(unit, account, day, "社区志愿服务日", None)
