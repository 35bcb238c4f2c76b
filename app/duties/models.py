"""Responsibility 主体责任 / 一岗双责: lists per year (a unit's collective list, or a leader's with
their post, areas led and three duties), their duty items — countable ("at least N of these
activities in each period", counted from the records) or manual (a status the owner sets) —,
the 履责记实 entries that record what was done, and the first-responsible person of a unit and
year. A list belongs to the unit that issued it, whose keepers manage it."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.people.models import OrgUnit, Person
from app.recorded import Recorded
from app.types import LabelledEnum, enum_column


class DutyCategory(LabelledEnum):
    PARTY = "party"
    INTEGRITY = "integrity"
    IDEOLOGY = "ideology"
    BUSINESS = "business"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "party": _l("Party building"),
            "integrity": _l("Party conduct and integrity"),
            "ideology": _l("Ideological work"),
            "business": _l("Business work"),
        }


class Period(LabelledEnum):
    """How often a countable item's target is due: once a year, each half, quarter or month."""

    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "year": _l("Each year"),
            "half": _l("Each half-year"),
            "quarter": _l("Each quarter"),
            "month": _l("Each month"),
        }

    @property
    def months(self) -> int:
        return {"year": 12, "half": 6, "quarter": 3, "month": 1}[self.value]


class AsRole(LabelledEnum):
    """Whose activities a leader's countable item counts: any of the units', or only those the
    list's person chaired or lectured at."""

    ANY = "any"
    CHAIR = "chair"
    LECTURER = "lecturer"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "any": _l("Any of them"),
            "chair": _l("Chaired by the list's person"),
            "lecturer": _l("With the list's person as lecturer"),
        }


class ManualStatus(LabelledEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "not_started": _l("Not started"),
            "in_progress": _l("In progress"),
            "done": _l("Completed"),
        }


class DutyList(Recorded, db.Model):
    """A responsibility list 责任清单 of a year: a unit's collective list (``owner_unit``), or a
    person's (``person``, with their post that year). ``unit`` issued it and keeps it."""

    __tablename__ = "duty_list"
    __audit_label__ = _l("Responsibility list")
    __audited__ = True
    __table_args__ = (
        sa.Index("ix_duty_list_unit_year", "unit_id", "year"),
        sa.Index("ix_duty_list_person_year", "person_id", "year"),
        sa.CheckConstraint("(owner_unit_id IS NULL) <> (person_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(info={"label": _l("Year")})
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("org_unit.id"), info={"label": _l("Issued by")}
    )
    owner_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("org_unit.id"), info={"label": _l("Collective list of")}
    )
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), info={"label": _l("List of")}
    )
    title: Mapped[str] = mapped_column(sa.String(200), info={"label": _l("Title"), "names": True})
    post: Mapped[str | None] = mapped_column(sa.String(100), info={"label": _l("Post")})
    # The areas led 分管领域, one a line (e.g. "党群", "纪检监察", "工业经济运行").
    areas: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("Areas led")})
    business_duty: Mapped[str | None] = mapped_column(
        sa.Text, info={"label": _l("Business duties")}
    )
    party_duty: Mapped[str | None] = mapped_column(
        sa.Text, info={"label": _l("Party-building duties")}
    )
    integrity_duty: Mapped[str | None] = mapped_column(
        sa.Text, info={"label": _l("Integrity duties")}
    )

    unit: Mapped[OrgUnit] = relationship(foreign_keys=[unit_id])
    owner_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[owner_unit_id])
    person: Mapped[Person | None] = relationship()
    items: Mapped[list["DutyItem"]] = relationship(
        back_populates="duty_list",
        order_by="DutyItem.id",
        primaryjoin="and_(DutyItem.list_id == DutyList.id, DutyItem.deleted_at.is_(None))",
        viewonly=True,
    )

    @property
    def area_list(self) -> list[str]:
        return [line.strip() for line in (self.areas or "").splitlines() if line.strip()]

    @property
    def owner_name(self) -> str:
        if self.person is not None:
            return self.person.name
        return self.owner_unit.name if self.owner_unit is not None else ""

    def __str__(self) -> str:
        return self.title


class DutyItem(Recorded, db.Model):
    """A duty item of a list: countable (``target`` activities of ``kinds`` each ``period``, in
    ``unit_ids`` or, for a person's list, the units the person belonged to; ``as_role`` narrows
    them to those the person chaired or lectured at) or manual (``status``, set by its owner;
    completed with a 履责记实 entry). ``due_on``: a manual item's deadline (the year's end when
    none)."""

    __tablename__ = "duty_item"
    __audit_label__ = _l("Duty item")
    __audited__ = True
    __table_args__ = (
        sa.Index("ix_duty_item_list", "list_id"),
        sa.CheckConstraint("target IS NULL OR target >= 1", name="target_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        sa.ForeignKey("duty_list.id"), info={"label": _l("Responsibility list")}
    )
    text: Mapped[str] = mapped_column(sa.Text, info={"label": _l("Duty"), "names": True})
    category: Mapped[DutyCategory] = mapped_column(
        enum_column(DutyCategory, 20), info={"label": _l("Category")}
    )
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), info={"label": _l("Owner")}
    )
    # Where it is pressed down to 层层压实: departments or units, as text.
    pressed_to: Mapped[str | None] = mapped_column(
        sa.String(300), info={"label": _l("Pressed down to")}
    )
    period: Mapped[Period] = mapped_column(
        enum_column(Period, 20), default=Period.YEAR, info={"label": _l("Period")}
    )
    due_on: Mapped[date | None] = mapped_column(info={"label": _l("Deadline")})
    # Countable: at least ``target`` of ``kinds`` ("study:party_class", "integrity:lecture",
    # "service") in each period; None for a manual item.
    target: Mapped[int | None] = mapped_column(info={"label": _l("Target")})
    kinds: Mapped[list[str] | None] = mapped_column(
        sa.JSON, info={"label": _l("Activities counted")}
    )
    unit_ids: Mapped[list[int] | None] = mapped_column(sa.JSON, info={"label": _l("Units counted")})
    as_role: Mapped[AsRole] = mapped_column(
        enum_column(AsRole, 20), default=AsRole.ANY, info={"label": _l("Which of them")}
    )
    status: Mapped[ManualStatus] = mapped_column(
        enum_column(ManualStatus, 20),
        default=ManualStatus.NOT_STARTED,
        info={"label": _l("Status")},
    )
    completed_on: Mapped[date | None] = mapped_column(info={"label": _l("Completed on")})
    version: Mapped[int] = mapped_column(default=1)

    duty_list: Mapped[DutyList] = relationship(back_populates="items")
    owner: Mapped[Person | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __audit_exclude__ = frozenset({"version"})

    @property
    def countable(self) -> bool:
        return self.target is not None

    def __str__(self) -> str:
        return self.text[:60]


duty_entry_item = sa.Table(
    "duty_entry_item",
    db.metadata,
    sa.Column("entry_id", sa.ForeignKey("duty_entry.id"), primary_key=True),
    sa.Column("item_id", sa.ForeignKey("duty_item.id"), primary_key=True, index=True),
)


class DutyEntry(Recorded, db.Model):
    """A 履责记实 entry of a list: when, where, with whom, what was done, the items it fulfils
    and the activity it refers to; its files are evidence."""

    __tablename__ = "duty_entry"
    __audit_label__ = _l("Duty record")
    __audited__ = True
    __table_args__ = (sa.Index("ix_duty_entry_list_day", "list_id", "done_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(
        sa.ForeignKey("duty_list.id"), info={"label": _l("Responsibility list")}
    )
    done_on: Mapped[date] = mapped_column(info={"label": _l("Date")})
    place: Mapped[str | None] = mapped_column(sa.String(200), info={"label": _l("Place")})
    participants: Mapped[str | None] = mapped_column(
        sa.String(500), info={"label": _l("Participants")}
    )
    title: Mapped[str] = mapped_column(sa.String(200), info={"label": _l("Title"), "names": True})
    text: Mapped[str] = mapped_column(sa.Text, info={"label": _l("What was done")})
    activity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("activity.id"), info={"label": _l("Activity")}
    )

    duty_list: Mapped[DutyList] = relationship()
    items: Mapped[list[DutyItem]] = relationship(
        secondary=duty_entry_item, info={"label": _l("Fulfils")}
    )

    def __str__(self) -> str:
        return self.title


class FirstResponsible(Recorded, db.Model):
    """The person with first responsibility 第一责任人 of a unit in a year, recorded once."""

    __tablename__ = "first_responsible"
    __audit_label__ = _l("First-responsible person")
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("org_unit.id"), info={"label": _l("Unit")})
    year: Mapped[int] = mapped_column(info={"label": _l("Year"), "names": True})
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id"), info={"label": _l("First-responsible person")}
    )

    unit: Mapped[OrgUnit] = relationship()
    person: Mapped[Person] = relationship()
