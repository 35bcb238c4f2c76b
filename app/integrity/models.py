"""Integrity activities 党风廉政建设: family integrity forums, cautionary education, integrity
lectures and collective talks, on the shared core; and individual integrity talks 廉政谈话."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.activities.expected import ExpectedDefault
from app.activities.models import Activity
from app.extensions import db
from app.people.models import OrgUnit, Person
from app.recorded import Recorded
from app.types import LabelledEnum, UTCDateTime, enum_column, utcnow


class IntegrityKind(LabelledEnum):
    FAMILY_FORUM = "family_forum"
    CAUTIONARY = "cautionary"
    LECTURE = "lecture"
    TALK = "talk"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "family_forum": _l("Family integrity forum"),
            "cautionary": _l("Cautionary education"),
            "lecture": _l("Integrity Party lecture"),
            "talk": _l("Collective integrity talk"),
            "other": _l("Other integrity activity"),
        }

    @property
    def expected_default(self) -> ExpectedDefault:
        """The unit's Party members on the date; a forum's cadres are chosen by the unit."""
        if self is IntegrityKind.FAMILY_FORUM:
            return ExpectedDefault.BY_HAND
        return ExpectedDefault.PARTY_MEMBERS


class CautionaryForm(LabelledEnum):
    """What a cautionary education was."""

    FILM = "film"
    BASE_VISIT = "base_visit"
    CASE_STUDY = "case_study"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "film": _l("Cautionary film"),
            "base_visit": _l("Visit to an education base"),
            "case_study": _l("Case study"),
        }


class TalkKind(LabelledEnum):
    """Why an integrity talk was held. The gist of a reminder, special or admonishment talk is
    for the admins and the talk's unit's secretaries only, never for the person talked to."""

    ROUTINE = "routine"
    REMINDER = "reminder"
    SPECIAL = "special"
    ADMONISHMENT = "admonishment"
    PRE_APPOINTMENT = "pre_appointment"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "routine": _l("Routine talk"),
            "reminder": _l("Reminder talk"),
            "special": _l("Special talk"),
            "admonishment": _l("Admonishment talk"),
            "pre_appointment": _l("Pre-appointment talk"),
        }

    @property
    def confidential(self) -> bool:
        return self in CONFIDENTIAL_TALKS


CONFIDENTIAL_TALKS = (TalkKind.REMINDER, TalkKind.SPECIAL, TalkKind.ADMONISHMENT)
# A talk with a group is an activity whose participants all read its record: only the kinds
# whose gist is not confidential are held with a group.
COLLECTIVE_TALKS = (TalkKind.ROUTINE, TalkKind.PRE_APPOINTMENT)


class IntegrityActivity(Activity):
    __tablename__ = "integrity_activity"
    __audit_label__ = _l("Integrity activity")

    id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id"), primary_key=True)
    kind: Mapped[IntegrityKind] = mapped_column(
        enum_column(IntegrityKind, 20), index=True, info={"label": _l("Kind")}
    )
    cautionary_form: Mapped[CautionaryForm | None] = mapped_column(
        enum_column(CautionaryForm, 20), info={"label": _l("Form")}
    )
    content: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("Content")})
    # A collective talk's kind (only COLLECTIVE_TALKS).
    talk_kind: Mapped[TalkKind | None] = mapped_column(
        enum_column(TalkKind, 20), info={"label": _l("Kind of talk")}
    )
    # How many were present by the paper record of an activity entered from history without its
    # list of names (``services.backfill``); None for every activity with a list.
    paper_present: Mapped[int | None] = mapped_column(
        info={"label": _l("Present (from the paper record)")}
    )

    __mapper_args__ = {"polymorphic_identity": "integrity"}


class IntegrityTalk(Recorded, db.Model):
    """A talk with one person: who talked (a person, or an outsider's name), who took the
    minutes, whom they talked to, when, where, and its gist. It belongs to the talker's unit,
    whose secretaries keep it. Removing one marks it; nothing is deleted."""

    __tablename__ = "integrity_talk"
    __audit_label__ = _l("Integrity talk")
    __audited__ = True
    __table_args__ = (
        sa.Index("ix_integrity_talk_unit_held", "unit_id", "held_on"),
        # The list's order: a page of the bureau's talks read off it, newest first.
        sa.Index("ix_integrity_talk_held_at", "held_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), info={"label": _l("Unit")})
    kind: Mapped[TalkKind] = mapped_column(enum_column(TalkKind, 20), info={"label": _l("Kind")})
    held_at: Mapped[datetime] = mapped_column(UTCDateTime(), info={"label": _l("Time")})
    # The local day of ``held_at``, as the figures of a year and the filters read it.
    held_on: Mapped[date] = mapped_column(info={"label": _l("Date")})
    place: Mapped[str | None] = mapped_column(sa.String(200), info={"label": _l("Place")})
    subject_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Talked to")}
    )
    talker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Talker")}
    )
    talker_name: Mapped[str | None] = mapped_column(sa.String(60), info={"label": _l("Talker")})
    minute_taker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Minute-taker")}
    )
    minute_taker_name: Mapped[str | None] = mapped_column(
        sa.String(60), info={"label": _l("Minute-taker")}
    )
    gist: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("Gist")})
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[OrgUnit] = relationship()
    subject: Mapped[Person] = relationship(foreign_keys=[subject_id])
    talker: Mapped[Person | None] = relationship(foreign_keys=[talker_id])
    minute_taker: Mapped[Person | None] = relationship(foreign_keys=[minute_taker_id])

    __mapper_args__ = {"version_id_col": version}
    __audit_exclude__ = frozenset({"version"})

    @classmethod
    def audit_name(cls) -> sa.ColumnElement[str]:
        """What names a talk where another record points at it, in SQL: the person talked to."""
        return sa.select(Person.name).where(Person.id == cls.subject_id).scalar_subquery()

    @property
    def talker_display(self) -> str:
        return self.talker.name if self.talker else (self.talker_name or "")

    @property
    def minute_taker_display(self) -> str:
        return self.minute_taker.name if self.minute_taker else (self.minute_taker_name or "")

    def __str__(self) -> str:
        return f"{self.kind.label} · {self.subject.name}"


class PledgeKind(LabelledEnum):
    """The signed documents of integrity work, each signed for a year (a holiday's for one
    holiday of a year)."""

    INTEGRITY = "integrity"
    RESPONSIBILITY = "responsibility"
    FAMILY = "family"
    HOLIDAY = "holiday"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "integrity": _l("Integrity pledge"),
            "responsibility": _l("Integrity responsibility letter"),
            "family": _l("Family integrity pledge"),
            "holiday": _l("Clean holiday pledge"),
        }

    @property
    def listed(self) -> bool:
        """Whether who is expected to sign is a list kept by hand (the admin's pairs, the
        unit's cadres) rather than the unit's Party members."""
        return self in (PledgeKind.RESPONSIBILITY, PledgeKind.FAMILY)


class Holiday(LabelledEnum):
    """The holidays before which integrity is reminded and clean-holiday pledges signed."""

    NEW_YEAR = "new_year"
    SPRING_FESTIVAL = "spring_festival"
    QINGMING = "qingming"
    LABOUR_DAY = "labour_day"
    DRAGON_BOAT = "dragon_boat"
    MID_AUTUMN = "mid_autumn"
    NATIONAL_DAY = "national_day"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "new_year": _l("New Year's Day"),
            "spring_festival": _l("Spring Festival"),
            "qingming": _l("Qingming Festival"),
            "labour_day": _l("Labour Day"),
            "dragon_boat": _l("Dragon Boat Festival"),
            "mid_autumn": _l("Mid-Autumn Festival"),
            "national_day": _l("National Day"),
        }


class SigningBatch(db.Model):
    """One signing: a kind of document signed in a unit for a year (a holiday's for one holiday)
    on a day. It owns the scan of the signed pages — evidence has one owner — and the signed
    documents point to it; a single document entered alone is a batch of one."""

    __tablename__ = "signing_batch"
    __audit_label__ = _l("Signing")
    __audited__ = True
    __table_args__ = (sa.Index("ix_signing_batch_unit_year", "unit_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PledgeKind] = mapped_column(
        enum_column(PledgeKind, 20), info={"label": _l("Document")}
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), info={"label": _l("Unit")})
    year: Mapped[int] = mapped_column(info={"label": _l("Year")})
    holiday: Mapped[Holiday | None] = mapped_column(
        enum_column(Holiday, 30), info={"label": _l("Holiday")}
    )
    signed_on: Mapped[date] = mapped_column(info={"label": _l("Signed on")})
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id"), info={"label": _l("Created by")}
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, info={"label": _l("Created at")}
    )

    unit: Mapped[OrgUnit] = relationship()
    documents: Mapped[list["SignedDocument"]] = relationship(
        back_populates="batch", order_by="SignedDocument.id"
    )

    @classmethod
    def audit_name(cls) -> sa.ColumnElement[str]:
        """What names a signing where another record points at it, in SQL: "unit year"."""
        unit = sa.select(OrgUnit.name).where(OrgUnit.id == cls.unit_id).scalar_subquery()
        return unit + " " + sa.cast(cls.year, sa.String)

    def __str__(self) -> str:
        return f"{self.year} {self.kind.label}"


class SignedDocument(db.Model):
    """A document signed in a batch: by ``person`` (for a family pledge, the cadre whose family
    member ``family_name`` signed; for a responsibility letter, the lower party, with the upper
    as ``counterpart``). Removing one marks it."""

    __tablename__ = "signed_document"
    __audit_label__ = _l("Signed document")
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("signing_batch.id"), index=True, info={"label": _l("Signing")}
    )
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Signed by")}
    )
    counterpart_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), info={"label": _l("Signed with")}
    )
    family_name: Mapped[str | None] = mapped_column(
        sa.String(60), info={"label": _l("Family member")}
    )
    family_relation: Mapped[str | None] = mapped_column(
        sa.String(30), info={"label": _l("Relation")}
    )
    deleted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Deleted at")}
    )

    batch: Mapped[SigningBatch] = relationship(back_populates="documents")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    counterpart: Mapped[Person | None] = relationship(foreign_keys=[counterpart_id])

    def __str__(self) -> str:
        return self.person.name


class PledgeExpectation(db.Model):
    """Who is expected to sign where the list is kept by hand: a responsibility letter's pair
    (``counterpart`` the upper party), listed by the admin, or a cadre whose family signs a
    family pledge, marked by the unit's secretary — for a unit and a year."""

    __tablename__ = "pledge_expectation"
    __audit_label__ = _l("Expected to sign")
    __audited__ = True
    __table_args__ = (sa.Index("ix_pledge_expectation_unit_year", "unit_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PledgeKind] = mapped_column(
        enum_column(PledgeKind, 20), info={"label": _l("Document")}
    )
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), info={"label": _l("Unit")})
    year: Mapped[int] = mapped_column(info={"label": _l("Year")})
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), info={"label": _l("Person")})
    counterpart_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), info={"label": _l("Signed with")}
    )
    deleted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Deleted at")}
    )

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    counterpart: Mapped[Person | None] = relationship(foreign_keys=[counterpart_id])

    def __str__(self) -> str:
        return self.person.name


class ReminderChannel(LabelledEnum):
    """How a pre-holiday integrity reminder reached people."""

    MEETING = "meeting"
    SMS = "sms"
    GROUP_CHAT = "group_chat"
    DOCUMENT = "document"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "meeting": _l("At a meeting"),
            "sms": _l("Text message"),
            "group_chat": _l("Work group chat"),
            "document": _l("Circular"),
        }


reminder_recipient = sa.Table(
    "reminder_recipient",
    db.metadata,
    sa.Column("reminder_id", sa.ForeignKey("holiday_reminder.id"), primary_key=True),
    sa.Column("person_id", sa.ForeignKey("person.id"), primary_key=True, index=True),
)


class HolidayReminder(Recorded, db.Model):
    """A pre-holiday integrity reminder 节前廉政提醒 of a unit: before which holiday of which year,
    when, how, to whom (everyone who is a Party member of the unit, or the people named) and what
    it said. Removing one marks it."""

    __tablename__ = "holiday_reminder"
    __audit_label__ = _l("Pre-holiday reminder")
    __audited__ = True
    __table_args__ = (sa.Index("ix_holiday_reminder_unit_year", "unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), info={"label": _l("Unit")})
    year: Mapped[int] = mapped_column(info={"label": _l("Year")})
    holiday: Mapped[Holiday] = mapped_column(
        enum_column(Holiday, 30), info={"label": _l("Holiday")}
    )
    sent_on: Mapped[date] = mapped_column(info={"label": _l("Date")})
    channel: Mapped[ReminderChannel] = mapped_column(
        enum_column(ReminderChannel, 20), info={"label": _l("Channel")}
    )
    everyone: Mapped[bool] = mapped_column(
        default=True, info={"label": _l("All Party members of the unit")}
    )
    text: Mapped[str] = mapped_column(sa.Text, info={"label": _l("What it said")})

    unit: Mapped[OrgUnit] = relationship()
    recipients: Mapped[list[Person]] = relationship(
        secondary=reminder_recipient, order_by=Person.sort_key, info={"label": _l("Recipients")}
    )

    def __str__(self) -> str:
        return f"{self.year} {self.holiday.label}"


class HolidayCorrection(db.Model):
    """An admin's correction of a holiday's date in a year (the shipped table is
    ``app/integrity/holidays.py``)."""

    __tablename__ = "holiday_correction"
    __audit_label__ = _l("Holiday date")
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("holiday", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    holiday: Mapped[Holiday] = mapped_column(
        enum_column(Holiday, 30), info={"label": _l("Holiday")}
    )
    year: Mapped[int] = mapped_column(info={"label": _l("Year")})
    day: Mapped[date] = mapped_column(info={"label": _l("Date")})

    def __str__(self) -> str:
        return f"{self.year} {self.holiday.label}"
