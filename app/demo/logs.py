"""Demo member logs: a year of outside training, self-study, volunteer service and other activities
handed in by the Party members of both branches, written through the same services a member's and
a secretary's clicks go through, then dated back to when each step would have happened (handed in a
few days after the activity, reviewed a few days later, never in the future).

Every state occurs: approved with and without a comment, returned with the reason, withdrawn, and
pending, so that each secretary has logs waiting. The ``member`` account's person has one returned
log and one approved; the seconded member (``INACTIVE``) has handed in nothing.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app

from app.auth.models import User
from app.demo.calendar import workday_from
from app.demo.people import INACTIVE, MEMBER
from app.extensions import db
from app.logs import services as logs
from app.logs.models import LogKind, LogState, MemberLog
from app.people.models import OrgUnit, Person, UnitKind
from app.types import utcnow


@dataclass(frozen=True)
class Entry:
    """What a member writes: title, hours (None for "other"), what was done, where, for whom."""

    title: str
    hours: str | None
    text: str
    place: str | None = None
    beneficiary: str | None = None


ENTRIES = {
    LogKind.TRAINING: [
        Entry(
            "区委党校专题培训",
            "8",
            "参加区委党校举办的学习贯彻党的二十届四中全会精神专题培训班，听取专题辅导并分组研讨。",
            "区委党校",
        ),
        Entry(
            "全市工业和信息化系统业务能力提升培训",
            "16",
            "参加市工信局组织的为期两天的业务培训，学习工业经济运行监测和惠企政策兑现实务。",
            "市工信局培训中心",
        ),
        Entry(
            "网络安全和数据安全专题培训",
            "4",
            "参加区委网信办组织的网络安全和数据安全专题讲座，学习重要数据识别和安全防护要求。",
            "区行政中心报告厅",
        ),
        Entry(
            "干部网络学院专题课程",
            "6",
            "完成区干部网络学院“推进新型工业化”专题课程6门，并通过在线测试。",
        ),
    ],
    LogKind.SELF_STUDY: [
        Entry(
            "学习强国专题学习",
            "2",
            "在“学习强国”学习平台学习习近平总书记关于科技创新的重要论述专题内容，做学习笔记。",
        ),
        Entry(
            "研读《习近平谈治国理政》第五卷",
            "3",
            "研读有关推进新型工业化和发展新质生产力的篇目，撰写读书笔记一篇。",
        ),
        Entry(
            "学习《中国共产党纪律处分条例》",
            "2",
            "逐章学习条例原文，结合通报的典型案例撰写心得体会。",
        ),
        Entry("观看专题节目《榜样》", "2", "观看专题节目，撰写观后感一篇。"),
    ],
    LogKind.VOLUNTEER: [
        Entry(
            "社区志愿服务",
            "3",
            "到报到社区参加环境整治和政策宣传志愿服务，发放宣传资料，清理楼道杂物。",
            "XX社区新时代文明实践站",
            "社区居民",
        ),
        Entry(
            "文明交通劝导志愿服务",
            "2",
            "在早高峰时段开展文明交通劝导，提醒行人和非机动车遵守交通信号。",
            "XX路与XX大道交叉口",
            "过往行人和非机动车驾驶人",
        ),
        Entry(
            "关爱空巢老人志愿服务",
            "3",
            "走访社区空巢老人，帮助打扫卫生、检查用电用气安全。",
            "XX社区",
            "空巢老人8户",
        ),
        Entry(
            "惠企政策进园区志愿宣讲",
            "4",
            "到园区企业宣讲惠企政策，现场解答企业用工、融资方面的问题。",
            "XX高新技术产业园",
            "园区企业12家",
        ),
    ],
    LogKind.OTHER: [
        Entry("参观红色教育基地", None, "利用周末参观XX红色教育基地，重温革命历史，接受党性教育。"),
        Entry(
            "参加党员先锋岗经验交流会",
            None,
            "在区直机关党员先锋岗经验交流会上作交流发言，介绍服务企业的做法。",
        ),
    ],
}
KIND_WEIGHTS = {LogKind.TRAINING: 3, LogKind.SELF_STUDY: 4, LogKind.VOLUNTEER: 2, LogKind.OTHER: 1}
APPROVAL_COMMENTS = {
    LogKind.TRAINING: "已核对培训通知，学时予以认定。",
    LogKind.SELF_STUDY: "学习笔记认真，予以认定。",
    LogKind.VOLUNTEER: "服务时长已与社区核实。",
    LogKind.OTHER: "很有意义，继续保持。",
}
RETURN_REASONS = {
    LogKind.TRAINING: "请上传培训通知或结业证书后重新提交。",
    LogKind.SELF_STUDY: "学时偏多：请按实际学习时长填报后重新提交。",
    LogKind.VOLUNTEER: "请补充服务对象，并附社区出具的服务证明后重新提交。",
    LogKind.OTHER: "请写明活动的组织单位和具体内容。",
}


@dataclass(frozen=True)
class Plan:
    """One log as it went: its kind, which entry, how many days ago it was done, its state and
    whether an approval came with a comment."""

    kind: LogKind
    entry: int
    days_ago: int
    state: LogState
    comment: bool = False


# Stories the demo relies on: the member account's returned and approved logs; logs waiting for
# each secretary (never the secretary's own); one withdrawn as a duplicate.
STORIES = {
    MEMBER: [
        Plan(LogKind.SELF_STUDY, 0, 46, LogState.APPROVED, comment=True),
        Plan(LogKind.TRAINING, 0, 13, LogState.RETURNED),
    ],
    "KGX009": [
        Plan(LogKind.VOLUNTEER, 0, 150, LogState.APPROVED),
        Plan(LogKind.TRAINING, 0, 6, LogState.PENDING),
    ],
    "KGX012": [
        Plan(LogKind.SELF_STUDY, 1, 95, LogState.APPROVED, comment=True),
        Plan(LogKind.OTHER, 0, 200, LogState.APPROVED),
        Plan(LogKind.VOLUNTEER, 1, 4, LogState.PENDING),
    ],
    "KGX013": [
        Plan(LogKind.TRAINING, 1, 240, LogState.APPROVED),
        Plan(LogKind.TRAINING, 1, 240, LogState.WITHDRAWN),  # handed in twice by mistake
        Plan(LogKind.SELF_STUDY, 2, 60, LogState.APPROVED),
    ],
    "SCL004": [
        Plan(LogKind.VOLUNTEER, 3, 120, LogState.RETURNED),
        Plan(LogKind.SELF_STUDY, 0, 5, LogState.PENDING),
    ],
}


class LogWriter:
    def __init__(self, today: date, rng: random.Random, now: datetime) -> None:
        self.today = today
        self.rng = rng  # what happened
        self.clock = random.Random(rng.random())  # when: its own stream, not to shift the rest
        self.now = now
        self.zone = ZoneInfo(current_app.config["TIMEZONE"])

    def plans(self, code: str, since: date, may_wait: bool) -> list[Plan]:
        """2–4 logs over the last year, the latest now and then still waiting (``may_wait``); the
        others mostly approved, some returned, a few withdrawn."""
        if code in STORIES:
            return STORIES[code]
        oldest = max(16, min(360, (self.today - since).days - 1))
        count = self.rng.randint(2, 4)
        plans: list[Plan] = []
        for n, days_ago in enumerate(
            sorted((self.rng.randint(15, oldest) for _ in range(count)), reverse=True)
        ):
            kind = self.rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
            # Not the same training (or book, or service) twice.
            used = {p.entry for p in plans if p.kind is kind}
            entry = self.rng.choice([i for i in range(len(ENTRIES[kind])) if i not in used] or [0])
            roll = self.rng.random()
            if may_wait and n == count - 1 and roll < 0.2:
                state, days_ago = LogState.PENDING, self.rng.randint(3, 12)
            elif roll < 0.12:
                state = LogState.RETURNED
            elif roll < 0.15:
                state = LogState.WITHDRAWN
            else:
                state = LogState.APPROVED
            plans.append(Plan(kind, entry, days_ago, state, comment=self.rng.random() < 0.35))
        return plans

    def at(self, day: date, hour: int, minute: int) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone).astimezone(UTC)

    def before_now(self, moment: datetime, floor: datetime) -> datetime:
        latest = self.now - timedelta(minutes=self.clock.randint(20, 240))
        return max(floor, min(moment, latest))

    def done_on(self, plan: Plan, since: date) -> date:
        """Training on a working day, volunteer service at the weekend, not before ``since``."""
        day = self.today - timedelta(days=plan.days_ago)
        if plan.kind is LogKind.VOLUNTEER:
            day -= timedelta(days=(day.weekday() - 5) % 7)
        elif plan.kind is LogKind.TRAINING and day.weekday() >= 5:
            day -= timedelta(days=day.weekday() - 4)
        return max(day, since)

    def write(self, person: Person, plan: Plan, since: date, reviewer: User) -> MemberLog:
        entry = ENTRIES[plan.kind][plan.entry]
        done = self.done_on(plan, since)
        log = logs.submit(
            person,
            {
                "kind": plan.kind,
                "done_on": done,
                "hours": Decimal(entry.hours) if entry.hours else None,
                "title": entry.title,
                "text": entry.text,
                "place": entry.place,
                "beneficiary": entry.beneficiary,
            },
        )
        handed_in = self.at(
            done + timedelta(days=self.clock.randint(1, 6)),
            self.clock.randint(8, 21),
            self.clock.randrange(60),
        )
        floor = self.at(done + timedelta(days=1), 8, 0)
        log.submitted_at = log.created_at = self.before_now(handed_in, floor)
        if plan.state is LogState.WITHDRAWN:
            logs.withdraw(log)
        elif plan.state in (LogState.APPROVED, LogState.RETURNED):
            approve = plan.state is LogState.APPROVED
            comment = (
                (APPROVAL_COMMENTS[plan.kind] if plan.comment else None)
                if approve
                else RETURN_REASONS[plan.kind]
            )
            logs.review(log, approve, comment, reviewer)
            # On a working day, in office hours, one to five days after it was handed in.
            handed_in_on = log.submitted_at.astimezone(self.zone).date()
            reviewed = self.at(
                workday_from(handed_in_on + timedelta(days=self.clock.randint(1, 5))),
                self.clock.randint(8, 17),
                self.clock.randrange(60),
            )
            log.reviewed_at = self.before_now(reviewed, log.submitted_at + timedelta(hours=1))
        return log


def build_logs(
    today: date, persons: dict[str, Person], accounts: dict[str, User], rng: random.Random
) -> int:
    """Logs of the Party members now in jiguan (with its groups) or cujin, reviewed by their
    branch's secretary (a secretary's own logs by the administrator). Returns how many."""
    writer = LogWriter(today, rng, utcnow().replace(microsecond=0))
    secretaries = {"jiguan": accounts["secretary"], "cujin": accounts["secretary2"]}

    def branch(unit: OrgUnit) -> str:
        return unit.parent.code if unit.kind is UnitKind.GROUP and unit.parent else unit.code

    written = 0
    for code, person in sorted(persons.items()):
        if code == INACTIVE or not person.party_status.is_party_member or not person.is_active:
            continue
        current = [m for m in person.current_memberships(today) if branch(m.unit) in secretaries]
        if not current:
            continue
        reviewer = secretaries[branch(current[0].unit)]
        own = reviewer.person_id == person.id
        if own:
            reviewer = accounts["admin"]
        since = min(m.start_date for m in current) + timedelta(days=1)
        for plan in writer.plans(code, since, may_wait=not own):
            writer.write(person, plan, since, reviewer)
            written += 1
    db.session.flush()
    return written
