"""The demo's practical things for the masses: for the 机关 (jiguan) and 生产力促进中心 (cujin)
branches, three years of projects across categories, sources and urgencies — helping the park's
enterprises with dormitories and roads, policy briefings, training, community volunteering —
each pushed forward with progress and, once done, closed out with the acceptance of those served
and the survey's answers; this year's in every status: closed out, completed and waiting for
acceptance, in progress and due soon, overdue, not started, and a member's own pledge; one
cancelled last year; and 赵明's own pledge waiting in the secretary's queue. Written through
``app.volunteer.projects``, as a secretary would."""

import random
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.people.models import Membership, MembershipRole, OrgUnit, Person
from app.types import utcnow
from app.volunteer import projects
from app.volunteer.models import (
    AcceptanceMethod,
    Project,
    ProjectCategory,
    ProjectScope,
    ProjectSource,
    Urgency,
)

BRANCHES = {"jiguan": "secretary", "cujin": "secretary2"}
# (name, category, source, urgency, who is served, 人数, (start month, day), days planned)
YEARLY = (
    (
        "帮助园区企业修缮职工宿舍",
        "enterprise_visit",
        ProjectSource.ENTERPRISE,
        Urgency.DEADLINE,
        "科技园区企业职工",
        86,
        (3, 6),
        90,
    ),
    (
        "惠企政策宣讲会",
        "briefing",
        ProjectSource.ASSIGNED,
        Urgency.IMMEDIATE,
        "辖区中小企业负责人",
        45,
        (4, 15),
        20,
    ),
    (
        "企业用工政策业务培训",
        "training",
        ProjectSource.PUBLIC_REQUEST,
        Urgency.DEADLINE,
        "企业人事专员",
        60,
        (9, 2),
        60,
    ),
)
ROAD = (
    "修复园区道路破损路面",
    "enterprise_visit",
    ProjectSource.VISIT,
    Urgency.DEADLINE,
    "园区企业及周边群众",
    300,
    (1, 1),
    0,
)
COMMUNITY = (
    "社区志愿服务：垃圾分类宣传",
    "volunteering",
    ProjectSource.PUBLIC_REQUEST,
    Urgency.PHASED,
    "结对社区居民",
    200,
    (1, 1),
    0,
)
PLEDGE = (
    "为结对困难户代办医保缴费",
    "volunteering",
    ProjectSource.PUBLIC_REQUEST,
    Urgency.IMMEDIATE,
    "结对困难户",
    3,
    (1, 1),
    0,
)
# This year's open ones: (what, days from today to its start and to its planned completion,
# progress entries) — due soon, overdue, not started.
OPEN_NOW = ((YEARLY[0], -60, 12, 2), (ROAD, -80, -15, 2), (COMMUNITY, 7, 60, 0))
PROGRESS = (
    "走访企业，了解诉求，制定工作方案",
    "协调有关部门，推进实施",
    "组织实施，收集服务对象意见",
)


class VolunteerDemo:
    def __init__(
        self, today: date, units: dict[str, OrgUnit], accounts: dict[str, User], rng: random.Random
    ) -> None:
        self.today, self.units, self.accounts, self.rng = today, units, accounts, rng
        self.categories = {
            c.code: c.id for c in db.session.scalars(sa.select(ProjectCategory)) if c.code
        }

    def members(self, unit: OrgUnit) -> list[Person]:
        stmt = (
            sa.select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.unit_id == unit.id, Membership.end_date.is_(None))
            .where(Membership.role == MembershipRole.MEMBER, Membership.deleted_at.is_(None))
            .order_by(Person.sort_key)
        )
        return list(db.session.scalars(stmt))

    def build(self) -> int:
        made = 0
        for code, login in BRANCHES.items():
            unit, by = self.units[code], self.accounts[login]
            people = self.members(unit)
            for year in (self.today.year - 2, self.today.year - 1):
                for item in YEARLY:
                    self.closed(self.new(unit, by, people, item, year), by)
                    made += 1
            made += self.this_year(unit, by, people)
        self.cancelled(self.units["cujin"], self.accounts["secretary2"], self.today.year - 1)
        self.proposed(self.units["jiguan"], self.accounts["member"])
        return made + 2

    def proposed(self, unit: OrgUnit, member: User) -> None:
        """赵明 (``member``) has proposed a pledge of his own; it waits in the secretary's queue."""
        start = self.today + timedelta(days=3)
        values = {
            "name": "为社区独居老人上门讲解防诈骗知识",
            "category_id": self.categories["volunteering"],
            "source": ProjectSource.PUBLIC_REQUEST,
            "urgency": Urgency.DEADLINE,
            "beneficiaries": "结对社区独居老人",
            "beneficiaries_count": 12,
            "beneficiary_visits": None,
            "planned_start": start,
            "planned_end": start + timedelta(days=30),
            "description": "每周一次上门，讲解常见诈骗手法，留下联系卡片。",
        }
        projects.propose(values, unit, member)

    def new(
        self,
        unit: OrgUnit,
        by: User,
        people: list[Person],
        item: tuple,
        year: int,
        start: date | None = None,
        **values: Any,
    ) -> Project:
        name, category, source, urgency, served, count, (month, day), days = item
        start = start or date(year, month, day)
        fields = {
            "name": name,
            "category_id": self.categories[category],
            "source": source,
            "urgency": urgency,
            "scope": ProjectScope.UNIT,
            "leader_id": by.person_id,
            "person_id": self.rng.choice(people).id,
            "beneficiaries": served,
            "beneficiaries_count": count + self.rng.randint(0, 20),
            "beneficiary_visits": None,
            "planned_start": start,
            "planned_end": start + timedelta(days=days),
            "description": None,
        } | values
        project = projects.create_project(fields, unit, by)
        project.created_at = utcnow() - timedelta(days=max(0, (self.today - start).days))
        return project

    def progress(self, project: Project, by: User, steps: int) -> None:
        for step in range(steps):
            day = project.planned_start + timedelta(days=3 + step * 12)
            text = PROGRESS[step % len(PROGRESS)]
            projects.add_entry(
                project,
                {
                    "done_on": min(day, self.today),
                    "text": text,
                    "by_id": by.person_id,
                    "by_name": None,
                },
                by,
            )
        db.session.flush()
        db.session.refresh(project)

    def done(self, project: Project, by: User, on: date) -> None:
        self.progress(project, by, 3)
        projects.complete(project, min(on, self.today), "按期完成，服务对象反映良好")

    def closed(self, project: Project, by: User) -> None:
        self.done(project, by, project.planned_end - timedelta(days=self.rng.randint(1, 9)))
        answers = project.beneficiaries_count // 3
        projects.close_out(
            project,
            {
                "accepted_by": "服务对象代表",
                "method": self.rng.choice(list(AcceptanceMethod)),
                "accepted_on": min(project.completed_on + timedelta(days=5), self.today),
                "satisfied": answers - 2,
                "fairly_satisfied": 2,
                "dissatisfied": 0,
            },
            by,
        )

    def this_year(self, unit: OrgUnit, by: User, people: list[Person]) -> int:
        """This year's, dated from today: closed out, completed waiting for acceptance, in
        progress and due soon, overdue, not started, and a member's own pledge."""
        t = self.today
        self.closed(self.new(unit, by, people, YEARLY[1], t.year, t - timedelta(days=120)), by)
        waiting = self.new(unit, by, people, YEARLY[2], t.year, t - timedelta(days=70))
        self.done(waiting, by, t - timedelta(days=4))
        for item, start, end, steps in OPEN_NOW:
            begins, planned = t + timedelta(days=start), t + timedelta(days=end)
            project = self.new(unit, by, people, item, t.year, begins, planned_end=planned)
            self.progress(project, by, steps)
        own = self.new(
            unit,
            by,
            people,
            PLEDGE,
            t.year,
            t - timedelta(days=30),
            planned_end=t + timedelta(days=30),
            scope=ProjectScope.MEMBER,
            person_id=people[0].id,
        )
        self.progress(own, by, 1)
        return 6

    def cancelled(self, unit: OrgUnit, by: User, year: int) -> None:
        item = (
            "企业厂房用电增容协调",
            "enterprise_visit",
            ProjectSource.ENTERPRISE,
            Urgency.DEADLINE,
            "某机械制造企业",
            120,
            (6, 3),
            45,
        )
        project = self.new(unit, by, self.members(unit), item, year)
        projects.cancel(project, "企业已自行与供电部门协调解决")


def build_volunteer(
    today: date, units: dict[str, OrgUnit], accounts: dict[str, User], rng: random.Random
) -> int:
    """The demo's projects (flushed, not committed); how many."""
    return VolunteerDemo(today, units, accounts, rng).build()
