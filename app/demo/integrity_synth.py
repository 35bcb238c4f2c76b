"""The synthetic district's integrity activities: each branch's family integrity forum in March
(its committee, with a spouse each as a family guest), cautionary education in June and
November, and an integrity lecture planned for the coming days, with their participation
(``activity_synth``; integrity activities owe no make-up study); and the secretary's talks:
a routine talk with each committee member before the Spring Festival, a reminder talk with one
member in September; each year's integrity pledges, signed in February by all but one in
twenty of the branch's Party members, in one batch; and a reminder to all before the Spring
Festival, by text message."""

import random
from datetime import date, timedelta

from app.activities.models import ActivityGuest
from app.demo.activity_synth import ActivityWriter
from app.demo.bulk import Loader
from app.demo.calendar import months, workday_from
from app.demo.people_synth import District, Unit, stamp
from app.integrity.holidays import holiday_date
from app.integrity.models import (
    CautionaryForm,
    Holiday,
    HolidayReminder,
    IntegrityActivity,
    IntegrityKind,
    IntegrityTalk,
    PledgeKind,
    SignedDocument,
    SigningBatch,
    TalkKind,
)
from app.people.models import COMMITTEE_POSTS

TITLES = {
    IntegrityKind.FAMILY_FORUM: "家属廉政座谈会",
    IntegrityKind.CAUTIONARY: "警示教育",
    IntegrityKind.LECTURE: "廉政党课",
}
MONTHS = {3: IntegrityKind.FAMILY_FORUM, 6: IntegrityKind.CAUTIONARY, 11: IntegrityKind.CAUTIONARY}


class IntegrityWriter(ActivityWriter):
    make_ups = False

    def build(self, first: date) -> None:
        for branch in self.district.branches:
            account = branch.secretary_account or self.district.admin_id
            for year, month in months(first, self.today):
                kind = MONTHS.get(month)
                day = workday_from(date(year, month, 10 + self.rng.randint(0, 8)))
                if kind is not None and first <= day <= self.today:
                    self.held(branch, account, kind, day)
            coming = workday_from(self.today + timedelta(days=self.rng.randint(3, 9)))
            self.held(branch, account, IntegrityKind.LECTURE, coming)
            for year in range(first.year, self.today.year + 1):
                self.talks(branch, account, year, first)
                self.pledges(branch, account, year, first)
                self.reminder(branch, account, year, first)

    def reminder(self, unit: Unit, account: int, year: int, first: date) -> None:
        spring = holiday_date(Holiday.SPRING_FESTIVAL, year)
        day = spring - timedelta(days=5) if spring else None
        if day is None or not first <= day <= self.today:
            return
        table = HolidayReminder.__table__
        row = {"id": self.loader.next_id(table), "unit_id": unit.id, "year": year}
        row |= {"holiday": Holiday.SPRING_FESTIVAL.value, "sent_on": day, "channel": "sms"}
        row |= {"everyone": True, "text": "春节将至，请严守廉洁纪律。", "deleted_at": None}
        row |= {"created_by_id": account, "created_at": stamp(day, 10)}
        self.loader.created(table, row, "holiday_reminder", f"{year}", row["created_at"])

    def pledges(self, unit: Unit, account: int, year: int, first: date) -> None:
        """The year's integrity pledges of the branch's Party members (its groups' too)."""
        day = workday_from(date(year, 2, 20))
        if not first <= day <= self.today:
            return
        seats = (*unit.seats, *(seat for group in unit.groups for seat in group.seats))
        signers = sorted({seat.person_id for seat in seats if seat.party and seat.covers(day)})
        signers = [person for person in signers if self.rng.random() >= 0.05]
        if not signers:
            return
        batch = {
            "id": self.loader.next_id(SigningBatch.__table__),
            "kind": PledgeKind.INTEGRITY.value,
        }
        batch |= {"unit_id": unit.id, "year": year, "holiday": None, "signed_on": day}
        batch |= {"created_by_id": account, "created_at": stamp(day, 17)}
        self.loader.created(
            SigningBatch.__table__, batch, "signing_batch", f"{year}", batch["created_at"]
        )
        table = SignedDocument.__table__
        for person in signers:
            row = {"id": self.loader.next_id(table), "batch_id": batch["id"], "person_id": person}
            row |= {"counterpart_id": None, "family_name": None, "family_relation": None}
            row["deleted_at"] = None
            self.loader.created(
                table, row, "signed_document", self.district.names[person], batch["created_at"]
            )

    def talks(self, unit: Unit, account: int, year: int, first: date) -> None:
        """Before the Spring Festival the secretary talks with each committee member (routine);
        in September with one member (a reminder)."""
        if not unit.seats:
            return
        talker = unit.seats[0].person_id
        routine, reminder = date(year, 1, 20), date(year, 9, 20)
        for seat in unit.seats[1:]:
            if seat.role in COMMITTEE_POSTS and seat.covers(routine):
                self.talk(unit, account, TalkKind.ROUTINE, routine, talker, seat.person_id, first)
        members = [seat for seat in unit.seats[1:] if seat.party and seat.covers(reminder)]
        if members:
            subject = self.rng.choice(members).person_id
            self.talk(unit, account, TalkKind.REMINDER, reminder, talker, subject, first)

    def talk(
        self,
        unit: Unit,
        account: int,
        kind: TalkKind,
        day: date,
        talker: int,
        subject: int,
        first: date,
    ) -> None:
        if not first <= day <= self.today:
            return
        held = stamp(day, 10)
        table = IntegrityTalk.__table__
        row = {"id": self.loader.next_id(table), "unit_id": unit.id, "kind": kind.value}
        row |= {"held_at": held, "held_on": day, "place": f"{unit.name}书记办公室"}
        row |= {"subject_id": subject, "talker_id": talker, "talker_name": None}
        row |= {"minute_taker_id": None, "minute_taker_name": None, "deleted_at": None}
        row |= {"gist": "节前廉洁提醒，严守中央八项规定精神", "version": 1}
        row |= {"created_by_id": account, "created_at": held + timedelta(hours=2)}
        summary = f"{day.isoformat()} {self.district.names[subject]}"
        self.loader.created(table, row, "integrity_talk", summary, row["created_at"])

    def held(self, unit: Unit, account: int, kind: IntegrityKind, day: date) -> None:
        starts = stamp(day, self.rng.choice((9, 14)))
        ends = starts + timedelta(minutes=90)
        chair = unit.seats[0].person_id if unit.seats else None
        lecturer = chair if kind is IntegrityKind.LECTURE else None
        title = f"{day.year}年{TITLES[kind]}"
        row = self.activity(unit, account, "integrity", title, starts, ends, lecturer)
        form = CautionaryForm.FILM if kind is IntegrityKind.CAUTIONARY else None
        content = "观看警示教育片，剖析典型案例" if form else "学习廉洁从政有关规定"
        own = {"id": row["id"], "kind": kind, "cautionary_form": form, "content": content}
        self.loader.add(IntegrityActivity.__table__, own)
        forum = kind is IntegrityKind.FAMILY_FORUM
        listed: set[int] = set()
        for seat in (*unit.seats, *(seat for group in unit.groups for seat in group.seats)):
            if not seat.party or not seat.covers(day) or seat.person_id in listed:
                continue
            if forum and seat.role not in COMMITTEE_POSTS:
                continue  # a forum's cadres: the branch committee
            listed.add(seat.person_id)
            self.participation(row, seat.person_id, account)
            if forum:
                self.spouse(row, seat.person_id)

    def spouse(self, activity: dict[str, object], person: int) -> None:
        name = self.district.names[person][:1] + self.rng.choice(
            ("丽", "芳", "静", "敏", "燕", "红")
        )
        guest = {"id": self.loader.next_id(ActivityGuest.__table__), "activity_id": activity["id"]}
        guest |= {"name": name, "relation": "配偶", "kind": "family", "person_id": person}
        guest["deleted_at"] = None
        summary = f"{name} @ {activity['title']}"
        self.loader.created(
            ActivityGuest.__table__, guest, "activity_guest", summary, activity["created_at"]
        )


def build_integrity(
    loader: Loader, rng: random.Random, district: District, first: date, today: date
) -> None:
    IntegrityWriter(loader, rng, district, today).build(first)
