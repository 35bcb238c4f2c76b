"""The demo's service days: for the 机关 (jiguan) and 生产力促进中心 (cujin) branches, each year's
学雷锋志愿服务日 in March on its own, and service days of the projects that volunteers carry out
(community volunteering, helping the park's enterprises) between their start and completion —
the branch's Party members there, the one who stays away from everything absent, someone who
came late credited fewer hours, the people served that day counted; last week's one still open,
older ones archived.
Written through ``app.volunteer.service_days`` and the core, as a secretary would."""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.activities import services as core
from app.activities.models import AttendanceStatus
from app.auth.models import User
from app.demo.calendar import workday_from
from app.demo.people import INACTIVE
from app.extensions import db
from app.people.models import OrgUnit
from app.types import utcnow
from app.volunteer.models import Project, ProjectCategory, ServiceDay
from app.volunteer.service_days import create_service_day

BRANCHES = {"jiguan": "secretary", "cujin": "secretary2"}
RECORDED_ONLINE = 60  # days: older ones were entered from the paper sign-in sheets (补录)
YEARS = 3
# The categories whose projects have service days, and what such a day is called and does.
DAYS_OF = {
    "volunteering": ("志愿服务日：{name}", "入户宣传、现场指导，发放宣传资料"),
    "enterprise_visit": ("走访服务日：{name}", "深入企业现场察看，协助解决具体困难"),
}
MARCH = ("学雷锋志愿服务日", "到结对社区开展环境整治和便民服务", "结对社区")
# Last week's, still open: its hours can still be changed.
RECENT = ("结对社区冬季送温暖志愿服务", "走访慰问结对社区孤寡老人，帮助清扫庭院", "结对社区")


class ServiceDemo:
    def __init__(
        self, today: date, units: dict[str, OrgUnit], accounts: dict[str, User], rng: random.Random
    ) -> None:
        self.today, self.units, self.accounts, self.rng = today, units, accounts, rng
        self.zone = ZoneInfo(current_app.config["TIMEZONE"])
        self.now = utcnow()

    def build(self) -> int:
        made = 0
        for code, login in BRANCHES.items():
            unit, by = self.units[code], self.accounts[login]
            for year in range(self.today.year - YEARS + 1, self.today.year + 1):
                day = workday_from(date(year, 3, 5))
                if day < self.today:
                    title, content, place = MARCH
                    self.day(unit, by, day, f"{year}年{title}", content, place, None)
                    made += 1
            made += self.of_projects(unit, by)
            recent = workday_from(self.today - timedelta(days=6))
            if recent < self.today:
                self.day(unit, by, recent, *RECENT, None)
                made += 1
        return made

    def of_projects(self, unit: OrgUnit, by: User) -> int:
        """One or two days of each of the unit's projects that volunteers carry out, between
        its start and its completion (today, for an open one)."""
        codes = {c.id: c.code for c in db.session.scalars(sa.select(ProjectCategory)) if c.code}
        stmt = (
            sa.select(Project)
            .where(Project.unit_id == unit.id, Project.cancelled_at.is_(None))
            .where(Project.running(), Project.planned_start < self.today)
            .order_by(Project.planned_start, Project.id)
        )
        made = 0
        for project in db.session.scalars(stmt).all():
            kind = DAYS_OF.get(codes.get(project.category_id) or "")
            if kind is None:
                continue
            last = min(project.completed_on or self.today, self.today - timedelta(days=1))
            span = (last - project.planned_start).days
            for share in (0.3, 0.8)[: 1 + (span > 40)]:
                day = workday_from(project.planned_start + timedelta(days=int(span * share)))
                if day >= self.today:
                    continue
                title, content = kind[0].format(name=project.name), kind[1]
                self.day(unit, by, day, title, content, project.beneficiaries, project)
                made += 1
        return made

    def day(
        self,
        unit: OrgUnit,
        by: User,
        on: date,
        title: str,
        content: str,
        place: str,
        project: Project | None,
    ) -> ServiceDay:
        """A morning's service day entered two days before it, held: everyone expected there but
        the one who stays away from everything, one of them late with an hour less."""
        starts = datetime.combine(on, time(8, 30), tzinfo=self.zone).astimezone(UTC)
        values = {"title": title, "unit": unit, "starts_at": starts, "place": place}
        values |= {"ends_at": starts + timedelta(hours=3), "content": content, "project": project}
        values["served"] = self.rng.randint(3, 12) * 10
        values["late_reason"] = "根据志愿服务签到表补录"
        day = create_service_day(values, by)
        day.created_at = min(starts - timedelta(days=2), self.now)
        if on >= self.today - timedelta(days=RECORDED_ONLINE):  # entered before it, not from paper
            day.late_entry, day.late_reason = False, None
        db.session.flush()  # the rows' defaults before they are marked
        rows = sorted(day.participations, key=lambda row: row.person.sort_key)
        for row in rows:
            if row.person.code == INACTIVE:
                core.mark(row, AttendanceStatus.ABSENT, by)
        late = [row for row in rows if row.person.code != INACTIVE][self.rng.randint(1, 3)]
        core.mark(late, AttendanceStatus.LATE, by)
        late.own_hours = day.hours - Decimal(1)
        core.mark_all_present(day, by)
        if on < self.today - timedelta(days=7):
            core.archive(day, by)
            day.archived_at = min(day.ends_at + timedelta(days=2), self.now)
        return day


def build_service_days(
    today: date, units: dict[str, OrgUnit], accounts: dict[str, User], rng: random.Random
) -> int:
    """The demo's service days (flushed, not committed); how many."""
    return ServiceDemo(today, units, accounts, rng).build()
