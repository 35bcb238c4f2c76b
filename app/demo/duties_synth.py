"""The synthetic district's responsibility lists: each year, the 党组's collective list and, in
each branch, its secretary's list (issued by the branch), each with three items — a branch
general meeting each quarter and a Party lecture each quarter, counted from the records, and a
visit to the enterprises of its area, set by hand (done in past years)."""

from datetime import date

from app.demo.bulk import Loader
from app.demo.people_synth import District, Unit, stamp
from app.duties.models import DutyItem, DutyList
from app.people.models import MembershipRole

# (text, category, target, period, kinds): None for a manual item.
ITEMS = (
    ("每季度至少召开一次支部党员大会", "party", 1, "quarter", ["study:general_meeting"]),
    ("每季度至少讲一次党课", "party", 1, "quarter", ["study:party_lecture"]),
    ("走访联系服务辖区企业，协调解决实际困难", "business", None, "year", None),
)


class DutyWriter:
    def __init__(self, loader: Loader, district: District, today: date) -> None:
        self.loader, self.district, self.today = loader, district, today

    def build(self, first: date) -> None:
        for year in range(first.year, self.today.year + 1):
            group = self.district.party_group
            self.duty_list(group, self.district.admin_id, year, None, f"{year}年局党组主体责任清单")
            for branch in self.district.branches:
                secretary = next(
                    (s.person_id for s in branch.seats if s.role is MembershipRole.SECRETARY), None
                )
                if secretary is None:
                    continue
                account = branch.secretary_account or self.district.admin_id
                title = f"{year}年{branch.name}书记责任清单"
                self.duty_list(branch, account, year, secretary, title)

    def duty_list(
        self, unit: Unit, account: int, year: int, person: int | None, title: str
    ) -> None:
        table = DutyList.__table__
        at = stamp(date(year, 1, 15), 10)
        row = {"id": self.loader.next_id(table), "year": year, "unit_id": unit.id}
        row |= {"owner_unit_id": None if person else unit.id, "person_id": person}
        row |= {"title": title, "post": "支部书记" if person else None, "areas": None}
        row |= {
            "business_duty": None,
            "party_duty": "履行党建第一责任人职责",
            "integrity_duty": None,
        }
        row |= {"created_by_id": account, "created_at": at, "deleted_at": None}
        self.loader.created(table, row, "duty_list", title, at)
        for text, category, target, period, kinds in ITEMS:
            done = target is None and year < self.today.year
            item = {"id": self.loader.next_id(DutyItem.__table__), "list_id": row["id"]}
            item |= {"text": text, "category": category, "owner_id": person, "pressed_to": None}
            item |= {"period": period, "due_on": None, "target": target, "kinds": kinds}
            item |= {"unit_ids": None, "as_role": "any", "version": 1}
            item |= {"status": "done" if done else "not_started"}
            item |= {"completed_on": date(year, 11, 30) if done else None}
            item |= {"created_by_id": account, "created_at": at, "deleted_at": None}
            self.loader.created(DutyItem.__table__, item, "duty_item", text, at)


def build_duties(loader: Loader, district: District, first: date, today: date) -> None:
    DutyWriter(loader, district, today).build(first)
