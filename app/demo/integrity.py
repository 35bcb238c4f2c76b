"""The demo's integrity activities: the 机关 (jiguan) and 生产力促进中心 (cujin) branches have held
a family integrity forum every year since ``today.year − 7`` — this year's on min(yesterday,
15 March), so the streak reads 8 whenever the demo is built — with their committees and a
spouse each as family guests; cautionary education twice a year; an integrity lecture planned
next week; the secretary's routine talks with the committee before the Spring Festival and a
reminder talk with one member; this year's integrity and clean-holiday pledges with two still
to sign, family pledges signed at the forum by all spouses but one, and the Party group's
responsibility letters, one still to sign. The years before the product were entered from
paper (补录); the cadres' memberships reach back that far."""

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from app.activities import services as core
from app.activities.models import AttendanceStatus, GuestKind
from app.auth.models import User
from app.demo.calendar import workday_from
from app.demo.people import INACTIVE
from app.demo.photos import attach_photos
from app.extensions import db
from app.integrity.figures import coverage
from app.integrity.holidays import holiday_date, occasions
from app.integrity.models import (
    CautionaryForm,
    Holiday,
    IntegrityActivity,
    IntegrityKind,
    PledgeKind,
    ReminderChannel,
    TalkKind,
)
from app.integrity.pledges import Signer, add_pair, record_signing, set_cadres
from app.integrity.reminders import create_reminder
from app.integrity.services import apply_values
from app.integrity.talks import create_talk
from app.locale_text import enumeration
from app.people.models import COMMITTEE_POSTS, Membership, MembershipRole, OrgUnit, Person
from app.types import utcnow

BRANCHES = {"jiguan": "secretary", "cujin": "secretary2"}
FORUM_YEARS = 8
SPOUSES = ("林秀英", "何淑芬", "罗慧敏", "邓雅琴", "谢玉兰", "韩桂芳", "唐丽华", "冯美玲")
FROM_PAPER = "根据纸质签到表和会议记录补录"
TALK_GISTS = {
    TalkKind.ROUTINE: "节前廉洁提醒：严守中央八项规定精神，不收受礼品礼金，不公车私用，"
    "管好家属和身边工作人员。",
    TalkKind.REMINDER: "近期工作中存在审批材料把关不严的苗头，提醒其严格执行审批程序，"
    "本人表示立即整改。",
}
CAUTIONARY = (
    (4, CautionaryForm.FILM, "观看警示教育片《警钟长鸣》"),
    (10, CautionaryForm.BASE_VISIT, "参观区廉政教育基地"),
)


class IntegrityDemo:
    def __init__(
        self, today: date, units: dict[str, OrgUnit], accounts: dict[str, User], rng: random.Random
    ) -> None:
        self.today, self.units, self.accounts, self.rng = today, units, accounts, rng
        self.zone = ZoneInfo(current_app.config["TIMEZONE"])
        self.now = utcnow()
        # This year's forum's cadres and their spouses, by unit code: they sign family pledges.
        self.spouses: dict[str, list[tuple[Person, str]]] = {}

    def at(self, day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=self.zone).astimezone(UTC)

    def cadres(self, unit: OrgUnit) -> list[Person]:
        """The branch committee today, its memberships reaching back to the first forum."""
        first = date(self.today.year - FORUM_YEARS, 1, 1)
        rows = db.session.scalars(
            sa.select(Membership).where(
                Membership.unit_id == unit.id,
                Membership.role.in_(COMMITTEE_POSTS),
                Membership.end_date.is_(None),
                Membership.deleted_at.is_(None),
            )
        ).all()
        for membership in rows:
            membership.start_date = min(membership.start_date, first)
            person = membership.person
            if person.joined_on is not None and person.joined_on > first:
                person.joined_on = first - timedelta(days=365)
        db.session.flush()
        return sorted((m.person for m in rows), key=lambda person: person.sort_key)

    def activity(
        self, unit: OrgUnit, by: User, kind: IntegrityKind, starts: datetime, **own: Any
    ) -> IntegrityActivity:
        """One activity entered a few days before it (long after it: from paper)."""
        early = starts - timedelta(days=3)
        entered = early if starts > self.now - timedelta(days=60) else starts + timedelta(days=5)
        activity = IntegrityActivity(created_at=min(entered, self.now))
        values = {"unit": unit, "starts_at": starts, "ends_at": starts + timedelta(minutes=90)}
        values |= {"kind": kind, "place": f"{unit.name}会议室", "late_reason": FROM_PAPER}
        apply_values(activity, {**values, **own})
        core.add_activity(activity, by, kind.expected_default)
        db.session.flush()  # the rows' defaults (confirmed, unmarked) before they are marked
        return activity

    def held(self, activity: IntegrityActivity, by: User, photos: int) -> None:
        """Everyone expected present but the member who stays away from everything (absent),
        photos uploaded, the record archived."""
        for row in activity.participations:
            if row.person.code == INACTIVE:
                core.mark(row, AttendanceStatus.ABSENT, by)
        core.mark_all_present(activity, by)
        if photos:
            later = activity.ends_at + timedelta(hours=2)
            attach_photos(activity, photos, by, self.rng, lambda: min(later, self.now))
        core.archive(activity, by)
        activity.archived_at = min(activity.ends_at + timedelta(days=2), self.now)

    def forum(self, unit: OrgUnit, by: User, cadres: list[Person], year: int) -> None:
        if year == self.today.year:
            day = min(self.today - timedelta(days=1), date(year, 3, 15))
        else:
            day = workday_from(date(year, 3, 10 + self.rng.randint(0, 8)))
        title = f"{year}年家属廉政座谈会"
        content = "通报典型案例，家属代表发言，签订家庭助廉承诺书，观看警示教育片"
        forum = self.activity(
            unit,
            by,
            IntegrityKind.FAMILY_FORUM,
            self.at(day, 15),
            **{"title": title, "content": content, "chair_id": cadres[0].id if cadres else None},
        )
        core.set_expected(forum, {person.id for person in cadres})
        db.session.flush()  # as in ``activity``
        spouses = list(zip(cadres, self.rng.sample(SPOUSES, len(cadres)), strict=False))
        for person, spouse in spouses:
            core.add_guest(forum, spouse, "配偶", GuestKind.FAMILY, person)
        if year == self.today.year:
            self.spouses[unit.code] = spouses
        self.held(forum, by, photos=2 if year == self.today.year else 0)

    def talk(self, unit: OrgUnit, by: User, kind: TalkKind, day: date, subject: Person) -> None:
        held = self.at(day, 10)
        values: dict[str, Any] = {"unit": unit, "kind": kind, "held_at": held, "held_on": day}
        values |= {"place": "书记办公室", "subject": subject, "talker_id": by.person_id}
        values |= {"talker_name": None, "minute_taker_id": None, "minute_taker_name": None}
        values["gist"] = TALK_GISTS[kind]
        talk = create_talk(values, by)
        talk.created_at = min(held + timedelta(hours=3), self.now)

    def talks(self, unit: OrgUnit, by: User, cadres: list[Person]) -> None:
        """Before the Spring Festival the secretary talks with each committee member; in
        September with one member who is no cadre (the demo's member account where it is the
        unit's), a reminder."""
        routine, reminder = date(self.today.year, 1, 20), date(self.today.year, 9, 18)
        if routine < self.today:
            for cadre in cadres:
                if cadre.id != by.person_id:
                    self.talk(unit, by, TalkKind.ROUTINE, routine, cadre)
        member = db.session.scalar(
            sa.select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.unit_id == unit.id, Membership.role == "member")
            .where(Membership.end_date.is_(None), Person.code != INACTIVE)
            .order_by((Person.id == self.accounts["member"].person_id).desc(), Person.code)
            .limit(1)
        )
        if reminder < self.today and member is not None:
            self.talk(unit, by, TalkKind.REMINDER, reminder, member)

    def sign(
        self,
        kind: PledgeKind,
        unit: OrgUnit,
        by: User,
        day: date,
        holiday: Holiday | None = None,
        left: int = 2,
    ) -> None:
        """This year's documents of the kind signed on the day by all expected but the last
        ``left`` (the family pledges: by the spouses who came to the forum, all but one)."""
        if day >= self.today:
            return
        expected = coverage(kind, unit, self.today.year, holiday)
        missing = expected.missing[: max(len(expected.missing) - left, 0)]
        signers = [Signer(person.id, upper.id if upper else None) for person, upper in missing]
        if kind is PledgeKind.FAMILY:
            spouses = self.spouses.get(unit.code, [])[:-1]
            signers = [Signer(person.id, None, name, "配偶") for person, name in spouses]
        if signers:
            record_signing(kind, unit, self.today.year, holiday, day, signers, by, expected)

    def pledges(self, unit: OrgUnit, by: User, cadres: list[Person]) -> None:
        """This year's integrity pledges in February, the clean-holiday pledges before the
        Spring Festival and, at the forum, the family pledges of the cadres marked."""
        year = self.today.year
        self.sign(PledgeKind.INTEGRITY, unit, by, workday_from(date(year, 2, 25)))
        spring = holiday_date(Holiday.SPRING_FESTIVAL, year)
        if spring is not None:
            before = spring - timedelta(days=5)
            self.sign(PledgeKind.HOLIDAY, unit, by, before, Holiday.SPRING_FESTIVAL)
        set_cadres(unit, year, {cadre.id for cadre in cadres})
        db.session.flush()
        self.sign(
            PledgeKind.FAMILY, unit, by, min(self.today - timedelta(days=1), date(year, 3, 15))
        )

    def reminders(self, unit: OrgUnit, by: User) -> None:
        """A reminder before each of this year's holidays so far, to everyone, five days ahead —
        but 生产力促进中心 forgot 端午."""
        channels = (ReminderChannel.GROUP_CHAT, ReminderChannel.SMS, ReminderChannel.MEETING)
        for number, occasion in enumerate(occasions(self.today.year)):
            sent_on = occasion.day - timedelta(days=5)
            forgot = unit.code == "cujin" and occasion.holiday is Holiday.DRAGON_BOAT
            if sent_on >= self.today or forgot:
                continue
            values: dict[str, Any] = {"unit": unit, "year": self.today.year, "sent_on": sent_on}
            values |= {"holiday": occasion.holiday, "channel": channels[number % len(channels)]}
            values |= {"everyone": True, "recipient_ids": set()}
            labels = enumeration(each.label for each in occasion.covers)
            values["text"] = f"{labels}将至，请严守中央八项规定精神，廉洁过节。"
            create_reminder(values, by)

    def letters(self) -> None:
        """The Party group's secretary signs a responsibility letter with each other member of the
        group, listed by the admin; one is still to sign."""
        dangzu, admin = self.units["dangzu"], self.accounts["admin"]
        rows = db.session.scalars(
            sa.select(Membership).where(
                Membership.unit_id == dangzu.id,
                Membership.end_date.is_(None),
                Membership.deleted_at.is_(None),
            )
        ).all()
        heads = [row.person_id for row in rows if row.role == MembershipRole.SECRETARY]
        if not heads:
            return
        for row in rows:
            if row.person_id != heads[0]:
                add_pair(dangzu, self.today.year, row.person_id, heads[0])
        db.session.flush()
        day = workday_from(date(self.today.year, 2, 27))
        self.sign(PledgeKind.RESPONSIBILITY, dangzu, admin, day, left=1)

    def build(self) -> int:
        made = 0
        for code, username in BRANCHES.items():
            unit, by = self.units[code], self.accounts[username]
            cadres = self.cadres(unit)
            self.talks(unit, by, cadres)
            for year in range(self.today.year - FORUM_YEARS + 1, self.today.year + 1):
                self.forum(unit, by, cadres, year)
                made += 1
            for year in (self.today.year - 1, self.today.year):
                for month, form, content in CAUTIONARY:
                    day = workday_from(date(year, month, 12))
                    if day >= self.today:
                        continue
                    title = f"{year}年{month}月警示教育"
                    activity = self.activity(
                        unit,
                        by,
                        IntegrityKind.CAUTIONARY,
                        self.at(day, 9),
                        **{"title": title, "cautionary_form": form, "content": content},
                    )
                    self.held(activity, by, photos=0)
                    made += 1
            lecture_day = workday_from(self.today + timedelta(days=7))
            self.activity(
                unit,
                by,
                IntegrityKind.LECTURE,
                self.at(lecture_day, 14),
                **{
                    "title": "廉政党课：守纪律 讲规矩",
                    "lecturer_id": cadres[0].id if cadres else None,
                },
            )
            made += 1
            db.session.flush()
            self.pledges(unit, by, cadres)
            self.reminders(unit, by)
        self.letters()
        db.session.flush()
        return made


def build_integrity(
    today: date, units: dict[str, OrgUnit], accounts: dict[str, User], rng: random.Random
) -> int:
    """The demo's integrity activities (flushed, not committed); how many. Written without
    autoflush, as the study sessions are: each mark would flush, and rewrite the tallies, alone."""
    with db.session.no_autoflush:
        return IntegrityDemo(today, units, accounts, rng).build()
