"""The synthetic district's people: the bureau, its branches and 党小组, persons, memberships and
accounts, written through the bulk loader (``app.demo.bulk``)."""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from werkzeug.security import generate_password_hash

from app.auth.models import Role, User, account_unit
from app.demo.bulk import Loader
from app.people.models import (
    Department,
    Membership,
    MembershipRole,
    OrgUnit,
    PartyStatus,
    Person,
    UnitKind,
)
from app.people.sorting import person_sort_key, unit_sort_key

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许"
    "韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志文斌海燕鹏辉丹宇婷晨阳雪峰琳"
DEPARTMENTS = ("办公室", "科技股", "工业股", "生产力促进中心")
COMMITTEE = (
    MembershipRole.SECRETARY,
    MembershipRole.ORGANISATION,
    MembershipRole.PUBLICITY,
    MembershipRole.DISCIPLINE,
    MembershipRole.DEPUTY_SECRETARY,
)
# A branch this big splits into 党小组 of about GROUP_SIZE members.
GROUPS_FROM = 30
GROUP_SIZE = 12


def stamp(day: date, hour: int = 9) -> datetime:
    """A UTC moment on a local day (the bureau's zone is 8 hours ahead of UTC)."""
    return datetime.combine(day, time(hour)).replace(tzinfo=UTC) - timedelta(hours=8)


@dataclass
class Seat:
    """A person's membership of one unit, as the sessions need it."""

    person_id: int
    role: MembershipRole
    start: date
    end: date | None
    party: bool

    def covers(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on < self.end)


@dataclass
class Unit:
    id: int
    code: str
    name: str
    kind: UnitKind
    seats: list[Seat] = field(default_factory=list)
    groups: list["Unit"] = field(default_factory=list)
    secretary_account: int | None = None


@dataclass
class District:
    bureau: Unit
    party_group: Unit
    branches: list[Unit]
    names: dict[int, str]
    admin_id: int = 0
    logins: dict[str, str] = field(default_factory=dict)


def branch_sizes(members: int, branches: int, given: list[int]) -> list[int]:
    """The first branches as given, the rest sharing what is left (at least 3 each)."""
    sizes = list(given[:branches])
    rest = branches - len(sizes)
    if rest > 0:
        left = max(members - sum(sizes), 3 * rest)
        sizes += [left // rest + (1 if i < left % rest else 0) for i in range(rest)]
    return sizes


class PeopleWriter:
    def __init__(self, loader: Loader, rng: random.Random, first: date, today: date) -> None:
        self.loader, self.rng, self.first, self.today = loader, rng, first, today
        self.names: dict[int, str] = {}
        self.departments: list[int] = []
        self.password_hash = ""

    def unit(self, code: str, name: str, kind: UnitKind, parent: int | None, order: int) -> Unit:
        table = OrgUnit.__table__
        row = {
            "id": self.loader.next_id(table),
            "code": code,
            "name": name,
            "kind": kind,
            "parent_id": parent,
            "sort_order": order,
            "sort_key": unit_sort_key(name, code),
            "created_at": stamp(self.first - timedelta(days=30)),
            "deleted_at": None,
        }
        self.loader.created(table, row, "org_unit", name, row["created_at"])
        return Unit(row["id"], code, name, kind)

    def build_departments(self) -> None:
        table = Department.__table__
        for order, name in enumerate(DEPARTMENTS):
            row = {"id": self.loader.next_id(table), "name": name, "sort_order": order}
            row["deleted_at"] = None
            self.loader.created(table, row, "department", name, stamp(self.first))
            self.departments.append(row["id"])

    def person(
        self,
        status: PartyStatus,
        joined: date | None,
        regularised: date | None,
        transferred: date | None = None,
    ) -> int:
        table = Person.__table__
        person_id = self.loader.next_id(table)
        rng = self.rng
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        code = f"S{person_id:06d}"
        row = {
            "id": person_id,
            "code": code,
            "name": name,
            "gender": rng.choice(("male", "female")),
            "birth_date": date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28)),
            "party_status": status,
            "joined_on": joined,
            "regularised_on": regularised,
            "department_id": rng.choice(self.departments),
            "post": None,
            "phone": f"139{person_id:08d}",
            "transferred_out_on": None,
            "transfer_note": None,
            "sort_key": person_sort_key(name, code),
            "created_at": stamp(self.first - timedelta(days=30)),
        }
        if transferred is not None:
            row["transferred_out_on"] = transferred
            row["transfer_note"] = "组织关系转出"
        self.loader.created(table, row, "person", name, row["created_at"])
        self.names[person_id] = name
        return person_id

    def seat(self, unit: Unit, seat: Seat) -> None:
        table = Membership.__table__
        created = stamp(max(seat.start, self.first - timedelta(days=30)))
        row = {
            "id": self.loader.next_id(table),
            "person_id": seat.person_id,
            "unit_id": unit.id,
            "role": seat.role,
            "start_date": seat.start,
            "end_date": seat.end,
            "created_at": created,
            "deleted_at": None,
        }
        summary = f"{self.names[seat.person_id]} · {unit.name}"
        self.loader.created(table, row, "membership", summary, created)
        unit.seats.append(seat)

    def day_between(self, low: date, high: date) -> date:
        return low + timedelta(days=self.rng.randint(0, max((high - low).days, 0)))

    def newcomer(self) -> tuple[PartyStatus, date | None, date | None, date, bool]:
        """Status, joined, regularised, membership start and whether a Party member."""
        rng, today, first = self.rng, self.today, self.first
        draw = rng.random()
        if draw < 0.08:
            status = PartyStatus.ACTIVIST if draw < 0.03 else PartyStatus.MASSES
            return status, None, None, first - timedelta(days=rng.randint(0, 2000)), False
        if draw < 0.14:
            joined = today - timedelta(days=rng.randint(30, 330))
            return PartyStatus.PROBATIONARY, joined, None, joined, True
        if draw < 0.22:
            joined = self.day_between(first - timedelta(days=300), today - timedelta(days=400))
            return PartyStatus.FULL, joined, joined + timedelta(days=365), joined, True
        joined = date(rng.randint(1990, 2018), rng.randint(1, 12), rng.randint(1, 28))
        start = first - timedelta(days=rng.randint(0, 2000))
        if rng.random() < 0.05:
            start = self.day_between(first, today - timedelta(days=30))
        return PartyStatus.FULL, joined, joined + timedelta(days=365), start, True

    def populate(self, branch: Unit, size: int, arrivals: list[tuple[Seat, int]]) -> None:
        """The branch's people; a few leave (转出) or move to another branch (``arrivals``)."""
        rng, today = self.rng, self.today
        committee = min(len(COMMITTEE), max(3, size // 8), size)
        for index in range(size):
            if index < committee:
                joined = date(rng.randint(1990, 2012), rng.randint(1, 12), rng.randint(1, 28))
                person = self.person(PartyStatus.FULL, joined, joined + timedelta(days=365))
                start = self.first - timedelta(days=400)
                self.seat(branch, Seat(person, COMMITTEE[index], start, None, True))
                continue
            status, joined, regularised, start, party = self.newcomer()
            role = MembershipRole.MEMBER if party else MembershipRole.STAFF
            fate = rng.random()
            end = None
            if fate < 0.06 and start < today - timedelta(days=90):
                end = self.day_between(max(start, self.first) + timedelta(days=30), today)
            transferred = end if fate < 0.03 else None
            person = self.person(status, joined, regularised, transferred)
            self.seat(branch, Seat(person, role, start, end, party))
            if end is not None and transferred is None:
                arrivals.append((Seat(person, role, end, None, party), branch.id))

    def split_into_groups(self, branch: Unit) -> None:
        """党小组 for a large branch: its Party members, each in one group while in the branch."""
        seats = [s for s in branch.seats if s.party]
        if len(branch.seats) < GROUPS_FROM:
            return
        count = len(branch.seats) // GROUP_SIZE
        for number in range(count):
            code = f"{branch.code}-g{number + 1}"
            group = self.unit(
                code, f"{branch.name}第{number + 1}党小组", UnitKind.GROUP, branch.id, number
            )
            branch.groups.append(group)
        for index, seat in enumerate(seats):
            group = branch.groups[index % count]
            role = MembershipRole.GROUP_LEADER if index < count else MembershipRole.MEMBER
            self.seat(group, Seat(seat.person_id, role, seat.start, seat.end, True))

    def account(self, username: str, role: Role, person: int | None, units: list[int]) -> int:
        table = User.__table__
        row = {
            "id": self.loader.next_id(table),
            "username": username,
            "password_hash": self.password_hash,
            "role": role,
            "person_id": person,
            "must_change_password": False,
            "locale": None,
            "active": True,
            "created_at": stamp(self.first),
            "last_login_at": None,
            "session_version": 0,
        }
        self.loader.created(table, row, "account", username, row["created_at"])
        for unit in units:
            self.loader.add(account_unit, {"account_id": row["id"], "unit_id": unit})
        return row["id"]


def build_district(
    loader: Loader, rng: random.Random, first: date, today: date, sizes: list[int], password: str
) -> District:
    writer = PeopleWriter(loader, rng, first, today)
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    # One hash for every account: they share the printed password, and hashing is slow.
    writer.password_hash = generate_password_hash(password, method=method)
    bureau = writer.unit("bureau", "区科技和工业信息化局", UnitKind.BUREAU, None, 0)
    party_group = writer.unit("dangzu", "局党组", UnitKind.PARTY_GROUP, bureau.id, 0)
    writer.build_departments()
    branches = [
        writer.unit(f"b{n + 1:03d}", f"第{n + 1}党支部", UnitKind.BRANCH, bureau.id, n + 1)
        for n in range(len(sizes))
    ]
    arrivals: list[tuple[Seat, int]] = []
    for branch, size in zip(branches, sizes, strict=True):
        writer.populate(branch, size, arrivals)
    for seat, left in arrivals:
        choices = [b for b in branches if b.id != left]
        if choices:
            writer.seat(rng.choice(choices), seat)
    for branch in branches:
        writer.split_into_groups(branch)
    leaders = [branch.seats[0] for branch in branches[:5]]
    for index, seat in enumerate(leaders):
        role = MembershipRole.SECRETARY if index == 0 else MembershipRole.COMMITTEE
        writer.seat(party_group, Seat(seat.person_id, role, seat.start, None, True))
    district = District(bureau, party_group, branches, writer.names)
    build_accounts(writer, district)
    return district


def build_accounts(writer: PeopleWriter, district: District) -> None:
    """The admin, every branch's secretary and about one member in a hundred."""
    district.admin_id = writer.account("admin", Role.ADMIN, None, [])
    district.logins["admin"] = "admin"
    for branch in district.branches:
        secretary = branch.seats[0].person_id
        username = f"secretary-{branch.code}"
        branch.secretary_account = writer.account(username, Role.SECRETARY, secretary, [branch.id])
    district.logins["secretary"] = f"secretary-{district.branches[0].code}"
    district.party_group.secretary_account = district.admin_id
    taken = {b.seats[0].person_id for b in district.branches}
    members = [
        seat.person_id
        for branch in district.branches
        for seat in branch.seats
        if seat.party and seat.end is None and seat.role is MembershipRole.MEMBER
    ]
    for person in members[::100] or members[:1]:
        if person in taken:
            continue
        taken.add(person)
        username = f"member-{person:06d}"
        writer.account(username, Role.MEMBER, person, [])
        district.logins.setdefault("member", username)
