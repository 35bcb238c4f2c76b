"""The synthetic district's study sessions at DOMAIN.md frequencies, with their participation
(``activity_synth``)."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.demo.activity_synth import ActivityWriter
from app.demo.bulk import Loader
from app.demo.calendar import months, workday_from
from app.demo.people_synth import District, Unit, stamp
from app.people.models import COMMITTEE_POSTS
from app.study.models import StudyKind, StudySession

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


class StudyWriter(ActivityWriter):
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
        chair = unit.seats[0].person_id if unit.seats else None
        lecturer = chair if kind is StudyKind.PARTY_LECTURE else None
        title = f"{day.year}年{day.month}月{TITLES[kind]}"
        row = self.activity(unit, account, "study", title, starts, ends, lecturer)
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


def build_study(
    loader: Loader, rng: random.Random, district: District, first: date, today: date
) -> datetime:
    writer = StudyWriter(loader, rng, district, today)
    writer.build(first)
    return writer.now
