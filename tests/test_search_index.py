"""The people search's index (person_gram) and the admin's roster read a department at a time:
the same people, in the same order, as comparing every row would give."""

import random

import sqlalchemy as sa
from conftest import make_person

from app.auth.models import User
from app.demo.invariants import grams_fresh
from app.extensions import db
from app.people import search
from app.people.models import Department, OrgUnit, Person
from app.people.services import RosterFilters, roster_first, roster_query


def _found(typed: str, fields: int) -> list[str]:
    stmt = search.matching(sa.select(Person.code), typed, fields)
    return list(db.session.scalars(stmt.order_by(*search.name_order(typed))))


def _compared(typed: str, fields: int) -> list[str]:
    """What comparing every person's fields gives, in name order: the index must agree."""
    typed = typed.lower()
    found = []
    for person in db.session.scalars(sa.select(Person).order_by(Person.sort_key, Person.id)):
        texts = {
            search.NAME: person.name,
            search.CODE: person.code,
            search.PHONE: person.phone,
            search.POST: person.post,
            search.DEPARTMENT: person.department.name if person.department else None,
        }
        if any(bit & fields and typed in (text or "").lower() for bit, text in texts.items()):
            found.append(person.code)
    return found


def test_the_index_finds_what_comparing_every_person_finds(app, world):
    rng = random.Random(7)
    letters = "张王李小明Ab1-"
    with app.app_context():
        departments = [Department(name=name) for name in ("办公室", "Finance 科")]
        db.session.add_all(departments)
        for n in range(60):
            person = make_person(
                f"X{n:03d}", "".join(rng.choice(letters) for _ in range(rng.randint(1, 4)))
            )
            person.phone = "".join(rng.choice("139-") for _ in range(rng.randint(0, 5))) or None
            person.post = rng.choice([None, "科员", "Chief 张"])
            person.department = rng.choice([None, *departments])
        db.session.commit()
        assert grams_fresh(db) == []
        fields_used = (
            search.NAME | search.CODE | search.PHONE | search.POST,
            search.NAME | search.CODE | search.DEPARTMENT,
            search.NAME | search.DEPARTMENT,
        )
        typed_used = ["张", "a", "B", "小明", "1-", "办公", "finance", "AB1", "张王李", "科", "x0"]
        typed_used += ["".join(rng.choice(letters) for _ in range(3)) for _ in range(15)]
        for fields in fields_used:
            for typed in typed_used:
                assert _found(typed, fields) == _compared(typed, fields), (typed, fields)
        assert _found("x0", search.NAME) == []  # a code is not a name


def test_the_index_follows_every_write_and_every_rollback(app, world):
    with app.app_context():
        office = Department(name="办公室")
        db.session.add(office)
        person = make_person("Q001", "周小川")
        db.session.commit()
        assert _found("小川", search.NAME) == ["Q001"]
        person.name, person.phone, person.department = "吴敬琏", "13800", office
        db.session.commit()
        assert _found("小川", search.NAME) == [] and _found("敬琏", search.NAME) == ["Q001"]
        assert _found("380", search.PHONE) == ["Q001"]
        assert _found("公室", search.DEPARTMENT) == ["Q001"]
        office.name = "财务科"  # a department renamed: everyone in it is found by the new name
        db.session.commit()
        assert _found("公室", search.DEPARTMENT) == [] and _found("财务", search.DEPARTMENT)
        person.code = "R9"
        db.session.commit()
        assert _found("r9", search.CODE) == ["R9"] and _found("Q0", search.CODE) == []
        assert grams_fresh(db) == []
        person.name = "刘鹤"
        db.session.flush()
        db.session.rollback()  # the index rolls back with the change
        assert _found("刘鹤", search.NAME) == [] and _found("吴敬琏", search.NAME) == ["R9"]
        assert grams_fresh(db) == []
        db.session.execute(sa.delete(search.PersonGram).where(search.PersonGram.gram == "吴"))
        assert grams_fresh(db)  # the invariant sees a stale index


def test_the_admins_roster_read_a_department_at_a_time_keeps_the_roster_order(app, world):
    """Departments in the bureau's order (not their names'), people without one last, each in
    name order: the first rows of ``roster_first`` are those of the whole ordered roster."""
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        departments = [
            Department(name=name, sort_order=order)
            for name, order in (("B", 2), ("A", 9), ("C", 2))
        ]
        db.session.add_all(departments)
        rng = random.Random(3)
        for n in range(25):
            make_person(
                f"D{n:03d}",
                f"成员{rng.randint(0, 99):02d}",
                jiguan,
                department=rng.choice([None, *departments]),
            )
        db.session.commit()
        admin = db.session.scalar(sa.select(User).filter_by(username="admin"))
        for filters in (RosterFilters(), RosterFilters(state="all")):
            whole = list(db.session.scalars(roster_query(admin, filters)).unique())
            assert len(whole) > 25
            for rows in (1, 5, 12, len(whole) + 3):
                first = db.session.scalars(roster_first(admin, filters, rows).limit(rows)).unique()
                assert list(first) == whole[:rows], rows
