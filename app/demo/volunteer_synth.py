"""The synthetic district's practical things for the masses: each branch takes up three projects
a year (in February, May and September), each led by its secretary with a member responsible,
two progress entries a month apart; those planned to be done by now are done a little before
their planned completion and closed out with an acceptance and a survey — but two in five of
May's are left in progress past their date (overdue). Volunteers carry out the dormitory repairs
and the community volunteering on service days (``service_synth``)."""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from app.demo.bulk import Loader
from app.demo.people_synth import District, Unit, stamp
from app.demo.service_synth import ServiceWriter
from app.volunteer.models import Acceptance, ProgressEntry, Project, ProjectCategory

# (month, name, days planned): September's runs into the next year.
STARTS = ((2, "企业宿舍修缮", 75), (5, "惠企政策宣讲", 75), (9, "社区志愿服务", 120))
# The projects volunteers carry out on a service day, this many days after their start.
SERVICE_PROJECTS, SERVICE_AFTER = ("企业宿舍修缮", "社区志愿服务"), 10


def month_of_may(day: date) -> bool:
    """May's projects are the ones some branches leave overdue."""
    return day.month == 5


class VolunteerWriter:
    def __init__(self, loader: Loader, rng: random.Random, district: District, today: date) -> None:
        self.loader, self.rng, self.district, self.today = loader, rng, district, today
        self.categories = list(
            loader.connection.scalars(sa.select(ProjectCategory.id).order_by(ProjectCategory.id))
        )
        self.days = ServiceWriter(loader, rng, district, today)

    def build(self, first: date) -> None:
        for branch in self.district.branches:
            account = branch.secretary_account or self.district.admin_id
            serial: dict[int, int] = {}
            for year in range(first.year, self.today.year + 1):
                for month, name, days in STARTS:
                    start = date(year, month, 3)
                    if first <= start <= self.today:
                        serial[year] = serial.get(year, 0) + 1
                        end = start + timedelta(days=days)
                        self.project(branch, account, name, (start, end), serial[year])
            self.days.recent(branch, account)

    def project(
        self, unit: Unit, account: int, name: str, planned: tuple[date, date], serial: int
    ) -> None:
        start, end = planned
        people = [seat.person_id for seat in unit.seats if seat.party and seat.covers(start)]
        if not people:
            return
        stuck = month_of_may(start) and self.rng.random() < 0.4
        done = end <= self.today and not stuck
        table = Project.__table__
        row = {"id": self.loader.next_id(table), "number": f"{start.year}-{unit.code}-{serial:03d}"}
        row |= {"name": f"{unit.name}{name}", "unit_id": unit.id}
        row |= {"category_id": self.rng.choice(self.categories), "source": "visit"}
        row |= {"urgency": "deadline", "scope": "unit", "leader_id": people[0]}
        row |= {"person_id": self.rng.choice(people), "beneficiaries": "辖区企业职工"}
        row |= {"beneficiaries_count": self.rng.randint(20, 300), "beneficiary_visits": None}
        row |= {"planned_start": start, "planned_end": end, "description": None}
        row |= {"completed_on": end - timedelta(days=5) if done else None}
        row |= {
            "status": "closed" if done else "in_progress",
            "outcome": "已完成" if done else None,
        }
        row |= {"cancelled_at": None, "cancel_reason": None, "version": 1, "deleted_at": None}
        row |= {"created_by_id": account, "created_at": stamp(start, 9)}
        self.loader.created(table, row, "volunteer_project", row["number"], row["created_at"])
        for days in (2, 32):
            day = start + timedelta(days=days)
            if day <= self.today:
                self.entry(row, people[0], day, account)
        if done:
            self.acceptance(row, account)
        served = start + timedelta(days=SERVICE_AFTER)
        if name in SERVICE_PROJECTS and served < self.today:
            self.days.held(unit, account, served, row["name"], row["id"])

    def entry(self, project: dict[str, object], by: int, day: date, account: int) -> None:
        table = ProgressEntry.__table__
        row = {"id": self.loader.next_id(table), "project_id": project["id"], "done_on": day}
        row |= {"text": "走访对接，推进实施", "by_id": by, "by_name": None, "deleted_at": None}
        row |= {"created_by_id": account, "created_at": stamp(day, 16)}
        self.loader.created(table, row, "project_progress", str(day), row["created_at"])

    def acceptance(self, project: dict[str, object], account: int) -> None:
        table = Acceptance.__table__
        day = project["completed_on"] + timedelta(days=3)  # type: ignore[operator]
        row = {"id": self.loader.next_id(table), "project_id": project["id"]}
        row |= {"accepted_by": "企业代表", "accepted_on": day, "method": "signed"}
        row |= {"satisfied": self.rng.randint(15, 30), "fairly_satisfied": self.rng.randint(0, 4)}
        row |= {"dissatisfied": self.rng.randint(0, 1), "deleted_at": None}
        row |= {"created_by_id": account, "created_at": stamp(day, 15)}
        self.loader.created(table, row, "project_acceptance", str(day), row["created_at"])


def build_volunteer(
    loader: Loader, rng: random.Random, district: District, first: date, today: date
) -> None:
    VolunteerWriter(loader, rng, district, today).build(first)
