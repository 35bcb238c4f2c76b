"""The demo's responsibility lists of this year: the 党组's collective list, the seed's
three leaders — 张建国 (局党组书记、局长, the first-responsible person, recorded once), 李卫东
and 王海燕 (党组成员、副局长, with the areas the seed lists) — and the 机关党支部 secretary
刘志强's list; items of both kinds: countable ones met by the demo's sessions (the 中心组
each month, the branch's general meetings and lectures each quarter) and not (a 廉政党课 by
the leader himself), manual ones done with a 履责记实 entry, in progress, and one overdue.
Written through ``app.duties.lists``, as the 党组's office would."""

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.duties import lists
from app.duties.models import AsRole, DutyCategory, DutyItem, FirstResponsible, ManualStatus, Period
from app.extensions import db
from app.people.models import OrgUnit, Person

# code → (post, areas led, business, party-building, integrity duties)
LEADERS = {
    "KGX001": (
        "局党组书记、局长",
        "主持局机关全面工作",
        "主持局机关全面工作，统筹推进工业经济、科技创新各项任务",
        "履行全面从严治党第一责任人职责，带头抓党建、带头讲党课",
        "对党风廉政建设负总责，重要工作亲自部署、重大问题亲自过问",
    ),
    "KGX002": (
        "党组成员、副局长、二级主任科员",
        "党群\n纪检监察\n工业经济运行\n安全\n政法\n综治\n应急处理\n财务\n环保\n办公室",
        "抓好分管领域工业经济运行、安全生产和应急处置",
        "落实“一岗双责”，抓好分管股室党建工作",
        "督促分管股室落实党风廉政建设责任，定期听取情况汇报",
    ),
    "KGX003": (
        "党组成员、副局长",
        "意识形态\n思想宣传\n科技\n信访\n文明创建\n统战\n工青妇",
        "抓好科技创新、信访稳定和文明创建工作",
        "落实意识形态工作责任制，抓好思想宣传和统战、工青妇工作",
        "抓好分管领域廉政风险防控",
    ),
}


def _values(**own: Any) -> dict[str, Any]:
    values = {"category": DutyCategory.PARTY, "owner_id": None, "pressed_to": None}
    values |= {"period": Period.YEAR, "due_on": None, "target": None, "kinds": None}
    values |= {"unit_ids": None, "as_role": AsRole.ANY}
    return values | own


class DutiesDemo:
    def __init__(self, today: date, units: dict[str, OrgUnit], accounts: dict[str, User]) -> None:
        self.today, self.units, self.accounts = today, units, accounts
        self.by = accounts["admin"]
        people = db.session.scalars(sa.select(Person).where(Person.code.like("KGX%")))
        self.people = {person.code: person for person in people}

    def build(self) -> int:
        year, dangzu = self.today.year, self.units["dangzu"]
        db.session.add(
            FirstResponsible(
                unit=dangzu, year=year, person=self.people["KGX001"], created_by_id=self.by.id
            )
        )
        made = self.collective(dangzu, year)
        for code, duties in LEADERS.items():
            made += self.leader(dangzu, year, code, duties)
        made += self.branch_secretary(year)
        return made

    def new_list(self, unit: OrgUnit, year: int, title: str, **own: Any) -> Any:
        values = {"unit": unit, "year": year, "title": title, "post": None, "areas": None}
        values |= {"business_duty": None, "party_duty": None, "integrity_duty": None}
        duty_list = lists.create_list(values | own, self.by)
        db.session.flush()
        return duty_list

    def item(self, duty_list: Any, text: str, **own: Any) -> DutyItem:
        item = lists.add_item(duty_list, _values(text=text, **own), self.by)
        db.session.flush()
        return item

    def done_with_entry(self, duty_list: Any, item: DutyItem, title: str, text: str) -> None:
        day = self.today - timedelta(days=20)
        values = {"done_on": day, "place": "局党组会议室", "participants": "班子成员及各股室负责人"}
        values |= {"title": title, "text": text}
        lists.add_entry(duty_list, values, [item], self.by)
        db.session.flush()
        lists.set_status(item, ManualStatus.DONE, day)

    def collective(self, dangzu: OrgUnit, year: int) -> int:
        duty_list = self.new_list(dangzu, year, f"{year}年局党组主体责任清单", owner_unit=dangzu)
        self.item(
            duty_list,
            "每月开展理论学习中心组学习",
            period=Period.MONTH,
            target=1,
            kinds=["study:centre_group"],
        )
        self.item(
            duty_list, "每年召开民主生活会", target=1, kinds=["study:democratic_life_meeting"]
        )
        plan = self.item(
            duty_list,
            "研究制定年度党风廉政建设工作要点并印发",
            category=DutyCategory.INTEGRITY,
            due_on=date(year, 3, 31),
        )
        self.done_with_entry(
            duty_list,
            plan,
            "印发年度党风廉政建设工作要点",
            "党组会研究审议，印发各股室、各支部执行",
        )
        return 1

    def leader(self, dangzu: OrgUnit, year: int, code: str, duties: tuple[str, ...]) -> int:
        person = self.people[code]
        post, areas, business, party, integrity = duties
        title = f"{year}年{person.name}同志“一岗双责”责任清单"
        duty_list = self.new_list(
            dangzu,
            year,
            title,
            person=person,
            post=post,
            areas=areas,
            business_duty=business,
            party_duty=party,
            integrity_duty=integrity,
        )
        self.item(
            duty_list,
            "每年至少讲一次廉政党课",
            category=DutyCategory.INTEGRITY,
            target=1,
            kinds=["integrity:lecture"],
            as_role=AsRole.LECTURER,
        )
        report = self.item(
            duty_list,
            "每季度听取分管股室党风廉政建设情况汇报",
            category=DutyCategory.INTEGRITY,
            pressed_to="分管股室",
        )
        if code == "KGX002":
            self.done_with_entry(
                duty_list,
                report,
                "听取分管股室党风廉政建设情况汇报",
                "听取办公室、工业股汇报，提出整改要求",
            )
        else:
            report.status = ManualStatus.IN_PROGRESS
        if code == "KGX003":  # an item whose date has passed
            self.item(
                duty_list,
                "开展意识形态领域风险专题研判",
                category=DutyCategory.IDEOLOGY,
                due_on=date(year, 6, 30)
                if self.today > date(year, 6, 30)
                else self.today - timedelta(days=1),
            )
        return 1

    def branch_secretary(self, year: int) -> int:
        jiguan = self.units["jiguan"]
        person = self.people["KGX004"]
        duty_list = self.new_list(
            jiguan,
            year,
            f"{year}年机关党支部书记抓党建责任清单",
            person=person,
            post="机关党支部书记",
            party_duty="履行支部党建第一责任人职责",
        )
        self.item(
            duty_list,
            "每季度召开支部党员大会",
            period=Period.QUARTER,
            target=1,
            kinds=["study:general_meeting"],
        )
        self.item(
            duty_list,
            "每季度讲一次党课",
            period=Period.QUARTER,
            target=1,
            kinds=["study:party_lecture"],
        )
        self.item(
            duty_list, "每月开展主题党日", period=Period.MONTH, target=1, kinds=["study:themed_day"]
        )
        return 1


def build_duties(today: date, units: dict[str, OrgUnit], accounts: dict[str, User]) -> int:
    """The demo's lists (flushed, not committed); how many."""
    return DutiesDemo(today, units, accounts).build()
