"""The demo bureau's people: its units and departments, fictional persons with their memberships
(one who moved between branches, one transferred out) and the four demo accounts."""

import random
from datetime import date, timedelta

from app.auth.models import Role, User
from app.extensions import db
from app.people.models import (
    Department,
    Gender,
    Membership,
    MembershipRole,
    OrgUnit,
    PartyStatus,
    Person,
    UnitKind,
)

DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo sign-in
MEMBER = "KGX007"  # the person of the ``member`` account
# A member of the bureau's branch seconded to a project office four months ago, who has come to
# none of its sessions since: the secretary's dashboard warns about him.
INACTIVE = "KGX019"
INACTIVE_MONTHS = 4
DEPARTMENTS = ("办公室", "科技股", "工业股", "生产力促进中心")

# (code, name, gender, department, post, party status, unit memberships)
# Memberships: (unit code, role). Leaders sit in the 党组 and in the 机关党支部.
PEOPLE = [
    (
        "KGX001",
        "张建国",
        "male",
        "办公室",
        "局长",
        "full",
        [("dangzu", "secretary"), ("jiguan", "member")],
    ),
    (
        "KGX002",
        "李卫东",
        "male",
        "办公室",
        "副局长、二级主任科员",
        "full",
        [("dangzu", "member"), ("jiguan", "member")],
    ),
    (
        "KGX003",
        "王海燕",
        "female",
        "科技股",
        "副局长",
        "full",
        [("dangzu", "member"), ("jiguan", "member")],
    ),
    ("KGX004", "刘志强", "male", "办公室", "办公室主任", "full", [("jiguan", "secretary")]),
    (
        "KGX005",
        "陈静",
        "female",
        "办公室",
        "科员",
        "full",
        [("jiguan", "organisation"), ("jiguan-g1", "group_leader")],
    ),
    ("KGX006", "杨帆", "male", "科技股", "股长", "full", [("jiguan", "publicity")]),
    (
        "KGX007",
        "赵明",
        "male",
        "工业股",
        "科员",
        "full",
        [("jiguan", "member"), ("jiguan-g2", "member")],
    ),
    (
        "KGX008",
        "黄丽娟",
        "female",
        "工业股",
        "股长",
        "full",
        [("jiguan", "discipline"), ("jiguan-g2", "group_leader")],
    ),
    (
        "KGX009",
        "周涛",
        "male",
        "科技股",
        "科员",
        "full",
        [("jiguan", "member"), ("jiguan-g1", "member")],
    ),
    (
        "KGX010",
        "吴晓梅",
        "female",
        "办公室",
        "科员",
        "probationary",
        [("jiguan", "member"), ("jiguan-g1", "member")],
    ),
    (
        "KGX011",
        "徐磊",
        "male",
        "工业股",
        "科员",
        "full",
        [("jiguan", "member"), ("jiguan-g2", "member")],
    ),
    (
        "KGX012",
        "孙雅琴",
        "female",
        "科技股",
        "科员",
        "full",
        [("jiguan", "member"), ("jiguan-g1", "member")],
    ),
    (
        "KGX013",
        "马俊",
        "male",
        "工业股",
        "副股长",
        "full",
        [("jiguan", "member"), ("jiguan-g2", "member")],
    ),
    (
        "KGX014",
        "朱婷",
        "female",
        "办公室",
        "科员",
        "probationary",
        [("jiguan", "member"), ("jiguan-g1", "member")],
    ),
    ("KGX015", "胡斌", "male", "科技股", "科员", "activist", [("jiguan", "staff")]),
    ("KGX016", "郭晓燕", "female", "办公室", "文员", "masses", [("jiguan", "staff")]),
    ("KGX017", "林志远", "male", "工业股", "科员", "masses", [("jiguan", "staff")]),
    (
        "KGX018",
        "何文华",
        "male",
        "办公室",
        "科员",
        "full",
        [("jiguan", "member"), ("jiguan-g1", "member")],
    ),
    ("SCL001", "陈晓红", "female", "生产力促进中心", "中心主任", "full", [("cujin", "secretary")]),
    ("SCL002", "罗浩", "male", "生产力促进中心", "副主任", "full", [("cujin", "deputy_secretary")]),
    ("SCL003", "梁思雨", "female", "生产力促进中心", "工程师", "full", [("cujin", "organisation")]),
    ("SCL004", "宋伟", "male", "生产力促进中心", "工程师", "full", [("cujin", "member")]),
    ("SCL005", "郑佳", "female", "生产力促进中心", "助理工程师", "full", [("cujin", "member")]),
    ("SCL006", "谢鹏", "male", "生产力促进中心", "项目专员", "probationary", [("cujin", "member")]),
    ("SCL007", "韩雪", "female", "生产力促进中心", "项目专员", "full", [("cujin", "member")]),
    ("SCL008", "唐军", "male", "生产力促进中心", "工程师", "full", [("cujin", "committee")]),
    ("SCL009", "冯小芳", "female", "生产力促进中心", "会计", "masses", [("cujin", "staff")]),
    ("SCL010", "曹阳", "male", "生产力促进中心", "项目专员", "activist", [("cujin", "staff")]),
]


def _unit(code: str, name: str, kind: UnitKind, parent: OrgUnit | None, order: int) -> OrgUnit:
    unit = OrgUnit(code=code, name=name, kind=kind, parent=parent, sort_order=order)
    db.session.add(unit)
    return unit


def build_units() -> dict[str, OrgUnit]:
    bureau = _unit("bureau", "XX区科工信局", UnitKind.BUREAU, None, 0)
    units = {
        "bureau": bureau,
        "dangzu": _unit("dangzu", "局党组", UnitKind.PARTY_GROUP, bureau, 10),
    }
    units["jiguan"] = _unit("jiguan", "机关党支部", UnitKind.BRANCH, bureau, 20)
    units["cujin"] = _unit("cujin", "生产力促进中心党支部", UnitKind.BRANCH, bureau, 30)
    units["jiguan-g1"] = _unit("jiguan-g1", "机关第一党小组", UnitKind.GROUP, units["jiguan"], 21)
    units["jiguan-g2"] = _unit("jiguan-g2", "机关第二党小组", UnitKind.GROUP, units["jiguan"], 22)
    return units


def build_departments() -> dict[str, Department]:
    departments = {}
    for order, name in enumerate(DEPARTMENTS):
        departments[name] = Department(name=name, sort_order=order)
        db.session.add(departments[name])
    return departments


def build_persons(
    today: date,
    rng: random.Random,
    units: dict[str, OrgUnit],
    departments: dict[str, Department],
) -> dict[str, Person]:
    """The persons of PEOPLE with their memberships since 1 January two years back (or since they
    joined), then the member who moved and the one transferred out."""
    history_start = date(today.year - 2, 1, 1)
    persons: dict[str, Person] = {}
    for code, name, gender, dept, post, status, places in PEOPLE:
        birth = date(rng.randint(1968, 1998), rng.randint(1, 12), rng.randint(1, 28))
        joined = regularised = None
        party_status = PartyStatus(status)
        if party_status is PartyStatus.FULL:
            joined = date(
                min(birth.year + rng.randint(20, 30), today.year - 3),
                rng.randint(1, 12),
                rng.randint(1, 28),
            )
            regularised = joined + timedelta(days=365)
        elif party_status is PartyStatus.PROBATIONARY:
            joined = today - timedelta(days=rng.randint(60, 300))
        person = Person(
            code=code,
            name=name,
            gender=Gender(gender),
            birth_date=birth,
            party_status=party_status,
            joined_on=joined,
            regularised_on=regularised,
            department=departments[dept],
            post=post,
            phone=f"139{rng.randint(10000000, 99999999)}",
        )
        db.session.add(person)
        persons[code] = person
        for unit_code, role in places:
            start = history_start if joined is None or joined < history_start else joined
            db.session.add(
                Membership(
                    person=person,
                    unit=units[unit_code],
                    role=MembershipRole(role),
                    start_date=start,
                )
            )
    for person in (
        _moved(today, history_start, units, departments),
        _left(today, history_start, units, departments),
    ):
        persons[person.code] = person
    return persons


def _moved(
    today: date, history_start: date, units: dict[str, OrgUnit], departments: dict[str, Department]
) -> Person:
    """A member who moved from the centre's branch to the bureau's last spring: both keep
    history."""
    moved = Person(
        code="KGX019",
        name="邓凯",
        gender=Gender.MALE,
        birth_date=date(1990, 5, 12),
        party_status=PartyStatus.FULL,
        joined_on=date(2014, 6, 1),
        regularised_on=date(2015, 6, 1),
        department=departments["工业股"],
        post="科员",
        phone="13907310019",
    )
    db.session.add(moved)
    move_day = date(today.year - 1, 4, 1)
    db.session.add(
        Membership(
            person=moved,
            unit=units["cujin"],
            role=MembershipRole.MEMBER,
            start_date=history_start,
            end_date=move_day,
        )
    )
    db.session.add(
        Membership(
            person=moved, unit=units["jiguan"], role=MembershipRole.MEMBER, start_date=move_day
        )
    )
    return moved


def _left(
    today: date, history_start: date, units: dict[str, OrgUnit], departments: dict[str, Department]
) -> Person:
    """A member transferred out of the bureau last year."""
    left = Person(
        code="KGX020",
        name="曾庆华",
        gender=Gender.FEMALE,
        birth_date=date(1985, 9, 3),
        party_status=PartyStatus.FULL,
        joined_on=date(2008, 7, 1),
        regularised_on=date(2009, 7, 1),
        department=departments["科技股"],
        post="科员",
        phone="13907310020",
        transferred_out_on=date(today.year - 1, 9, 1),
        transfer_note="调往区发改局",
    )
    db.session.add(left)
    db.session.add(
        Membership(
            person=left,
            unit=units["jiguan"],
            role=MembershipRole.MEMBER,
            start_date=history_start,
            end_date=left.transferred_out_on,
        )
    )
    return left


def _account(username: str, role: Role, person: Person | None, scope: list[OrgUnit]) -> User:
    user = User(
        username=username, role=role, person=person, must_change_password=False, units=scope
    )
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    return user


def build_accounts(units: dict[str, OrgUnit], persons: dict[str, Person]) -> dict[str, User]:
    return {
        "admin": _account("admin", Role.ADMIN, None, []),
        "secretary": _account("secretary", Role.SECRETARY, persons["KGX004"], [units["jiguan"]]),
        "secretary2": _account("secretary2", Role.SECRETARY, persons["SCL001"], [units["cujin"]]),
        "member": _account("member", Role.MEMBER, persons["KGX007"], []),
    }
