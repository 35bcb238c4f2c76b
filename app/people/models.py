"""Org units, departments, persons and their memberships."""

from abc import abstractmethod
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.extensions import db
from app.people.sorting import SORT_KEY_TYPE, person_sort_key, unit_sort_key
from app.types import LabelledEnum, UTCDateTime, enum_column, local_today, utcnow


class UnitKind(LabelledEnum):
    BUREAU = "bureau"
    PARTY_GROUP = "party_group"
    BRANCH = "branch"
    GROUP = "group"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "bureau": _l("Bureau"),
            "party_group": _l("Leading Party group"),
            "branch": _l("Party branch"),
            "group": _l("Party group (cell)"),
        }


# Which kind of unit may sit under which: the 党组 and the branches are siblings under the bureau.
ALLOWED_PARENT = {
    UnitKind.BUREAU: None,
    UnitKind.PARTY_GROUP: UnitKind.BUREAU,
    UnitKind.BRANCH: UnitKind.BUREAU,
    UnitKind.GROUP: UnitKind.BRANCH,
}


class PartyStatus(LabelledEnum):
    FULL = "full"
    PROBATIONARY = "probationary"
    ACTIVIST = "activist"
    MASSES = "masses"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "full": _l("Full member"),
            "probationary": _l("Probationary member"),
            "activist": _l("Activist"),
            "masses": _l("Non-Party"),
        }

    @property
    def is_party_member(self) -> bool:
        return self in (PartyStatus.FULL, PartyStatus.PROBATIONARY)


class Gender(LabelledEnum):
    MALE = "male"
    FEMALE = "female"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {"male": _l("Male"), "female": _l("Female")}


class MembershipRole(LabelledEnum):
    MEMBER = "member"
    STAFF = "staff"
    SECRETARY = "secretary"
    DEPUTY_SECRETARY = "deputy_secretary"
    ORGANISATION = "organisation"
    PUBLICITY = "publicity"
    DISCIPLINE = "discipline"
    COMMITTEE = "committee"
    GROUP_LEADER = "group_leader"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "member": _l("Member"),
            "staff": _l("Staff (non-Party)"),
            "secretary": _l("Secretary"),
            "deputy_secretary": _l("Deputy secretary"),
            "organisation": _l("Organisation committee member"),
            "publicity": _l("Publicity committee member"),
            "discipline": _l("Discipline committee member"),
            "committee": _l("Committee member"),
            "group_leader": _l("Party group leader"),
        }

    @property
    def is_committee_post(self) -> bool:
        return self in COMMITTEE_POSTS


# The order a unit's memberships are listed in: the committee's posts, then the rest.
POST_ORDER = (
    MembershipRole.SECRETARY,
    MembershipRole.DEPUTY_SECRETARY,
    MembershipRole.ORGANISATION,
    MembershipRole.PUBLICITY,
    MembershipRole.DISCIPLINE,
    MembershipRole.COMMITTEE,
    MembershipRole.GROUP_LEADER,
    MembershipRole.MEMBER,
    MembershipRole.STAFF,
)
COMMITTEE_POSTS = frozenset(POST_ORDER[: POST_ORDER.index(MembershipRole.GROUP_LEADER)])


class SoftDeleteMixin:
    deleted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Deleted at")}
    )


class SortKeyMixin:
    """A stored ``sort_key`` kept in step with ``name`` and ``code`` on every write (see
    ``app.people.sorting``); the class says how its key is spelled. The model's metaclass is
    SQLAlchemy's, not ``ABCMeta``, so ``abstractmethod`` declares the hook for type checkers."""

    sort_key: Mapped[str] = mapped_column(SORT_KEY_TYPE, index=True)

    @staticmethod
    @abstractmethod
    def sort_key_of(name: str | None, code: str | None) -> str:
        """The key stored for a row with this name and code."""

    @validates("name", "code")
    def _keep_sort_key(self, key: str, value: str) -> str:
        values = {"name": getattr(self, "name", None), "code": getattr(self, "code", None)}
        values[key] = value
        self.sort_key = self.sort_key_of(values["name"], values["code"])
        return value


class OrgUnit(SortKeyMixin, SoftDeleteMixin, db.Model):
    __tablename__ = "org_unit"
    __audit_label__ = _l("Org unit")
    __audited__ = True
    # Derived from the name and code on every write: worth no row of its own in the trail.
    __audit_exclude__ = frozenset({"sort_key"})

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, info={"label": _l("Code")})
    name: Mapped[str] = mapped_column(
        sa.String(120), info={"label": _l("Unit name"), "names": True}
    )
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind), info={"label": _l("Kind")})
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("org_unit.id"), index=True, info={"label": _l("Parent unit")}
    )
    sort_order: Mapped[int] = mapped_column(default=0, info={"label": _l("Order")})
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, info={"label": _l("Created at")}
    )

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["OrgUnit"]] = relationship(back_populates="parent")

    @staticmethod
    def sort_key_of(name: str | None, code: str | None) -> str:
        return unit_sort_key(name, code)

    def __str__(self) -> str:
        return self.name


def unit_order(unit: OrgUnit) -> tuple[int, str]:
    """Units as the admin orders them (``sort_order``), then by the pinyin of the name."""
    return (unit.sort_order, unit.sort_key)


def unit_order_by() -> tuple[sa.ColumnElement[Any], ...]:
    """``unit_order`` in SQL."""
    return (OrgUnit.sort_order, OrgUnit.sort_key)


class Department(SoftDeleteMixin, db.Model):
    __tablename__ = "department"
    __audit_label__ = _l("Department")
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(
        sa.String(80), unique=True, info={"label": _l("Name of the department"), "names": True}
    )
    sort_order: Mapped[int] = mapped_column(default=0, info={"label": _l("Order")})

    def __str__(self) -> str:
        return self.name


class PersonGram(db.Model):
    """The people search's index, kept by ``app.people.search``: one row per person and each
    one- or two-character piece of what a search compares (name, code, phone, post, the
    department's name), with the fields it occurs in as bits. Machine state, not an audited
    record. Led by the piece, then the person's ``sort_key``: a search walks one piece's rows
    in name order and stops at a page, whatever the size of the bureau."""

    __tablename__ = "person_gram"

    gram: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    sort_key: Mapped[str] = mapped_column(SORT_KEY_TYPE, primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), primary_key=True, index=True)
    fields: Mapped[int] = mapped_column()


class Person(SortKeyMixin, db.Model):
    """Anyone the records name: Party members, activists, non-Party staff. Never hard-deleted."""

    __tablename__ = "person"
    __audit_label__ = _l("Person")
    __audited__ = True
    # Derived from the name and code on every write: worth no row of its own in the trail.
    __audit_exclude__ = frozenset({"sort_key"})
    # The people in name order with what a person search compares: the search walks this index
    # and reads a person's row only when it matches, stopping once a page is found.
    __table_args__ = (
        sa.Index(
            "ix_person_search", "sort_key", "transferred_out_on", "name", "code", "department_id"
        ),
        # The current people of each department counted from the index alone, and read in
        # name order (the admin's roster, a department at a time).
        sa.Index("ix_person_department_id", "department_id", "transferred_out_on", "sort_key"),
        # The people on the roll counted by status (the home's figures) or by department from
        # the index alone. Not led by transferred_out_on: a search filtering on it would walk
        # this index instead of the name order of ix_person_search, and sort every match.
        sa.Index("ix_person_on_roll", "party_status", "transferred_out_on", "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Ordered by ix_person_search, which leads with it: no index of its own.
    sort_key: Mapped[str] = mapped_column(SORT_KEY_TYPE)
    code: Mapped[str] = mapped_column(
        sa.String(40), unique=True, info={"label": _l("Personnel code")}
    )
    name: Mapped[str] = mapped_column(
        sa.String(60), index=True, info={"label": _l("Name"), "names": True}
    )
    gender: Mapped[Gender | None] = mapped_column(
        enum_column(Gender, 10), info={"label": _l("Gender")}
    )
    birth_date: Mapped[date | None] = mapped_column(info={"label": _l("Date of birth")})
    party_status: Mapped[PartyStatus] = mapped_column(
        enum_column(PartyStatus, 20), info={"label": _l("Party status")}
    )
    joined_on: Mapped[date | None] = mapped_column(info={"label": _l("Joined the Party")})
    regularised_on: Mapped[date | None] = mapped_column(info={"label": _l("Regularised")})
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("department.id"), info={"label": _l("Department")}
    )
    post: Mapped[str | None] = mapped_column(sa.String(80), info={"label": _l("Post")})
    phone: Mapped[str | None] = mapped_column(sa.String(30), info={"label": _l("Phone")})
    transferred_out_on: Mapped[date | None] = mapped_column(
        info={"label": _l("Transferred out on")}
    )
    transfer_note: Mapped[str | None] = mapped_column(
        sa.String(200), info={"label": _l("Destination or reason")}
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, info={"label": _l("Created at")}
    )

    department: Mapped[Department | None] = relationship()
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="person", order_by="Membership.start_date"
    )

    @staticmethod
    def sort_key_of(name: str | None, code: str | None) -> str:
        return person_sort_key(name, code)

    @property
    def is_active(self) -> bool:
        return self.transferred_out_on is None

    def current_memberships(self, on: date | None = None) -> list["Membership"]:
        on = on or local_today()
        return [m for m in self.memberships if m.covers(on)]

    def __str__(self) -> str:
        return self.name


def roster_order(person: Person) -> tuple[int, int, str, str]:
    """Lists of people read in roster order: by department (as the bureau orders them), then
    by the pinyin of the name; people without a department come last."""
    department = person.department
    if department is None:
        return (1, 0, "", person.sort_key)
    return (0, department.sort_order, department.name, person.sort_key)


def department_order_by() -> tuple[sa.ColumnElement[Any], ...]:
    """Departments as the bureau orders them (``sort_order``), then by name: ``roster_order``'s
    department part in SQL."""
    return (Department.sort_order, Department.name)


class Membership(SoftDeleteMixin, db.Model):
    """A person's place in an org unit over [start_date, end_date).

    end_date is the first day no longer in the unit, so a move ends one and starts the next on the
    same day."""

    __tablename__ = "membership"
    __audit_label__ = _l("Membership")
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Person")}
    )
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("org_unit.id"), index=True, info={"label": _l("Unit")}
    )
    role: Mapped[MembershipRole] = mapped_column(
        enum_column(MembershipRole, 20), info={"label": _l("Role in the unit")}
    )
    start_date: Mapped[date] = mapped_column(info={"label": _l("From")})
    end_date: Mapped[date | None] = mapped_column(info={"label": _l("Until")})
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, info={"label": _l("Created at")}
    )

    person: Mapped[Person] = relationship(back_populates="memberships")
    unit: Mapped[OrgUnit] = relationship()

    def covers(self, on: date) -> bool:
        if self.deleted_at is not None:
            return False
        return self.start_date <= on and (self.end_date is None or on < self.end_date)

    @classmethod
    def on_date(cls, on: date) -> sa.ColumnElement[bool]:
        """SQL condition: the membership was in force on that date."""
        return sa.and_(
            cls.deleted_at.is_(None),
            cls.start_date <= on,
            sa.or_(cls.end_date.is_(None), cls.end_date > on),
        )


class ImportBatch(db.Model):
    """Checked roster rows waiting for the user's confirmation; nothing is saved before it."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    rows: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    create_accounts: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
