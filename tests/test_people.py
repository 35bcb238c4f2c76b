"""People: roster search and filters, person pages, create/edit, transfer out, change of unit."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from conftest import make_person, unlimited_unit_loads
from openpyxl import load_workbook
from test_unit_picker import add_groups

from app.audit.models import AuditLog
from app.extensions import db
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
from app.people.unit_picker import SELECT_LIMIT
from app.types import utcnow


def members_of(app, unit_id: int, on: date) -> set[str]:
    """Who belonged to the unit on that date, answered from the memberships."""
    with app.app_context():
        return set(
            db.session.scalars(
                sa.select(Person.code)
                .join(Membership)
                .where(Membership.unit_id == unit_id, Membership.on_date(on))
            )
        )


def new_person_form(world, **overrides) -> dict:
    data = {
        "code": "J100",
        "name": "新同志",
        "gender": "female",
        "birth_date": "1995-04-02",
        "party_status": "probationary",
        "joined_on": "2026-06-01",
        "regularised_on": "",
        "department_id": str(world["office"]),
        "post": "科员",
        "phone": "13900000000",
        "unit_id": str(world["jiguan"]),
        "role": "member",
        "start_date": "2026-06-01",
    }
    data.update(overrides)
    return data


def test_roster_lists_only_the_secretarys_units(client, auth, world):
    auth.login("secretary")
    html = client.get("/members/").get_data(as_text=True)
    assert "Member J" in html and "Grouped J" in html  # the branch and its 党小组
    assert "Member C" not in html and "Secretary C" not in html


def test_roster_search_three_ways(client, auth, world):
    auth.login("admin")
    plain = client.get("/members/?q=Member")
    body = plain.get_data(as_text=True)
    assert plain.status_code == 200
    assert body.startswith("<!doctype html>")
    assert "Member J" in body and "Member C" in body and "Secretary J" not in body
    assert "HX-Request" in plain.headers["Vary"]

    fragment = client.get("/members/?q=Member%20C", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="roster-table"')
    assert "Member C" in body and "Member J" not in body
    assert 'id="flashes"' in body and 'hx-swap-oob="true"' in body

    boosted = client.get("/members/?q=Member", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.get_data(as_text=True).startswith("<!doctype html>")


def test_roster_filters(client, auth, app, world):
    auth.login("admin")
    html = client.get(f"/members/?unit={world['cujin']}").get_data(as_text=True)
    assert "Member C" in html and "Member J" not in html
    html = client.get(f"/members/?unit={world['jiguan']}").get_data(as_text=True)
    assert "Grouped J" in html  # units below the branch are included
    html = client.get(f"/members/?department={world['office']}").get_data(as_text=True)
    assert "Member J" in html and "Grouped J" not in html
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        make_person("J050", "Activist J", jiguan, MembershipRole.STAFF, PartyStatus.ACTIVIST)
        db.session.commit()
    html = client.get("/members/?status=activist").get_data(as_text=True)
    assert "Activist J" in html and "Member J" not in html


def _jiguan_people(app, world, count: int, code: str, name: str) -> None:
    """``count`` members of the jiguan branch, numbered in their codes and names."""
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        for n in range(count):
            make_person(f"{code}{n:03d}", f"{name} {n:03d}", jiguan)
        db.session.commit()


def test_roster_is_paginated(client, auth, app, world):
    _jiguan_people(app, world, 30, "P", "Paged")
    auth.login("admin")
    first = client.get("/members/?q=Paged").get_data(as_text=True)
    assert "Paged 000" in first and "Paged 025" not in first
    second = client.get("/members/?q=Paged&page=2").get_data(as_text=True)
    assert "Paged 025" in second and "Paged 000" not in second


def test_roster_search_counts_up_to_its_limit(client, auth, app, world, monkeypatch):
    """A typed search counts its matches up to ``SEARCH_COUNT_LIMIT`` (3 here, 100 in use):
    past it the roster says "more than 3" and pages by "more"; the roster itself counts on."""
    _jiguan_people(app, world, 4, "S", "搜索")
    auth.login("admin")
    assert "4 people match" in client.get("/members/?q=搜索").get_data(as_text=True)
    monkeypatch.setattr("app.people.views.SEARCH_COUNT_LIMIT", 3)
    found = client.get("/members/?q=搜索").get_data(as_text=True)
    assert "More than 3 people match" in found and "4 people match" not in found
    assert all(f">搜索 {n:03d}<" in found for n in range(4))
    roster = client.get("/members/").get_data(as_text=True)
    assert "More than" not in roster and "people match" in roster


def test_roster_statement_count_does_not_grow(client, auth, app, world, queries):
    auth.login("secretary")

    def add(count: int, prefix: str) -> None:
        with app.app_context():
            jiguan = db.session.get(OrgUnit, world["jiguan"])
            for n in range(count):
                make_person(f"{prefix}{n:04d}", f"Bulk {prefix}{n}", jiguan)
            db.session.commit()

    add(10, "A")
    with queries() as small:
        assert client.get("/members/").status_code == 200
    add(490, "B")
    with queries() as large:
        assert client.get("/members/").status_code == 200
    assert large.count == small.count, "\n---\n".join(large.statements)


def test_roster_is_403_for_members(client, auth, world):
    auth.login("member")
    assert client.get("/members/").status_code == 403
    assert client.get("/members/new").status_code == 403


def test_member_sees_own_record_only(client, auth, world):
    auth.login("member")
    assert client.get(f"/members/{world['member_person']}").status_code == 200
    assert client.get(f"/members/{world['grouped']}").status_code == 404
    assert client.get(f"/members/{world['member_person']}/edit").status_code == 403


def test_secretary_of_another_branch_gets_404(client, auth, world):
    auth.login("secretary2")
    assert client.get(f"/members/{world['member_person']}").status_code == 404
    assert client.get(f"/members/{world['member_person']}/edit").status_code == 404
    assert client.get(f"/members/{world['member_person']}/transfer").status_code == 404
    assert client.get(f"/members/{world['cujin_member']}").status_code == 200


def test_missing_person_is_404(client, auth, world):
    auth.login("admin")
    assert client.get("/members/999999").status_code == 404


def test_create_person_with_membership_is_audited(client, auth, app, world):
    auth.login("secretary")
    token = auth.token("/members/new")
    response = client.post("/members/new", data={**new_person_form(world), "csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        person = db.session.scalar(sa.select(Person).where(Person.code == "J100"))
        assert person.name == "新同志"
        assert person.party_status is PartyStatus.PROBATIONARY
        assert [(m.unit.code, m.role) for m in person.memberships] == [
            ("jiguan", MembershipRole.MEMBER)
        ]
        row = db.session.scalar(
            sa.select(AuditLog).where(
                AuditLog.record_type == "person", AuditLog.record_id == str(person.id)
            )
        )
        assert row.action == "create"
        assert row.changes["name"] == [None, "新同志"]
        assert row.changes["joined_on"] == [None, "2026-06-01"]
        assert row.actor.username == "secretary"


def test_invalid_person_is_not_saved(client, auth, app, world):
    auth.login("secretary")
    token = auth.token("/members/new")
    cases = [
        {"name": ""},
        {"party_status": "full", "joined_on": ""},
        {"joined_on": "2020-01-01", "regularised_on": "2019-01-01", "party_status": "full"},
        {"party_status": "masses", "joined_on": "", "role": "member"},
        {"code": "J002"},  # taken
        {"birth_date": "2999-01-01"},
        {"code": "bad code!"},
    ]
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    for case in cases:
        response = client.post(
            "/members/new", data={**new_person_form(world, **case), "csrf_token": token}
        )
        assert response.status_code == 422, case
        assert "invalid-feedback" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == before


def test_secretary_cannot_create_in_another_branch(client, auth, app, world):
    auth.login("secretary")
    token = auth.token("/members/new")
    response = client.post(
        "/members/new",
        data={**new_person_form(world, unit_id=str(world["cujin"])), "csrf_token": token},
    )
    assert response.status_code in (404, 422)
    with app.app_context():
        assert db.session.scalar(sa.select(Person).where(Person.code == "J100")) is None


def test_edit_records_before_and_after(client, auth, app, world):
    auth.login("secretary")
    url = f"/members/{world['member_person']}/edit"
    token = auth.token(url)
    response = client.post(
        url,
        data={
            "code": "J002",
            "name": "Member J renamed",
            "gender": "",
            "birth_date": "",
            "party_status": "full",
            "joined_on": "2010-07-01",
            "regularised_on": "2011-07-01",
            "department_id": str(world["office"]),
            "post": "股长",
            "phone": "",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(
            sa.select(AuditLog).where(
                AuditLog.record_type == "person",
                AuditLog.record_id == str(world["member_person"]),
                AuditLog.action == "update",
            )
        )
        assert row.changes == {
            "name": ["Member J", "Member J renamed"],
            "post": [None, "股长"],
        }


def test_transfer_out_keeps_history(client, auth, app, world):
    auth.login("secretary")
    url = f"/members/{world['member_person']}/transfer"
    token = auth.token(url)
    response = client.post(
        url,
        data={
            "transferred_out_on": "2025-03-01",
            "transfer_note": "调往区发改局",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert "J002" in members_of(app, world["jiguan"], date(2025, 2, 28))
    assert "J002" not in members_of(app, world["jiguan"], date(2025, 3, 1))
    with app.app_context():
        person = db.session.get(Person, world["member_person"])
        assert person.transferred_out_on == date(2025, 3, 1)
        assert person.memberships[0].end_date == date(2025, 3, 1)
        rows = db.session.scalars(
            sa.select(AuditLog).where(AuditLog.record_type.in_(["person", "membership"]))
        ).all()
        assert {(r.record_type, r.action) for r in rows} >= {
            ("person", "update"),
            ("membership", "update"),
        }
    # Still visible as a former member, not on the current roster.
    assert ">Member J</a>" not in client.get("/members/").get_data(as_text=True)
    assert ">Member J</a>" in client.get("/members/?state=former").get_data(as_text=True)
    assert client.get(f"/members/{world['member_person']}").status_code == 200


def test_change_of_branch_keeps_history(client, auth, app, world):
    auth.login("admin")
    url = f"/members/{world['member_person']}/move"
    with app.app_context():
        leaving = db.session.scalar(
            sa.select(Membership.id).where(Membership.person_id == world["member_person"])
        )
    token = auth.token(url)
    response = client.post(
        url,
        data={
            "from_membership_id": str(leaving),
            "unit_id": str(world["cujin"]),
            "role": "member",
            "on": "2024-09-01",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert "J002" in members_of(app, world["jiguan"], date(2024, 8, 31))
    assert "J002" not in members_of(app, world["cujin"], date(2024, 8, 31))
    assert "J002" not in members_of(app, world["jiguan"], date(2024, 9, 1))
    assert "J002" in members_of(app, world["cujin"], date(2024, 9, 1))
    # The cujin secretary now sees the person; the jiguan secretary keeps the history.
    auth.logout()
    auth.login("secretary2")
    assert client.get(f"/members/{world['member_person']}").status_code == 200
    auth.logout()
    auth.login("secretary")
    assert client.get(f"/members/{world['member_person']}").status_code == 200
    assert ">Member J</a>" not in client.get("/members/").get_data(as_text=True)


def test_soft_delete_is_audited_as_delete(app, world):
    with app.app_context():
        membership = db.session.scalar(
            sa.select(Membership).where(Membership.person_id == world["grouped"])
        )
        from app.types import utcnow

        membership.deleted_at = utcnow()
        db.session.commit()
        row = db.session.scalar(
            sa.select(AuditLog).where(
                AuditLog.record_type == "membership", AuditLog.action == "delete"
            )
        )
        assert row.changes["deleted_at"][0] is None
        assert row.changes["deleted_at"][1] is not None
        assert row.actor_id is None  # the system, outside a request


def test_codes_differing_only_in_letter_case_are_refused(client, auth, app, world):
    auth.login("admin")
    token = auth.token("/members/new")
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    response = client.post(
        "/members/new", data={**new_person_form(world, code="j002"), "csrf_token": token}
    )
    assert response.status_code == 422
    assert "A person with this personnel code already exists." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == before

    url = f"/members/{world['grouped']}/edit"
    form = {
        "name": "Grouped J",
        "gender": "",
        "birth_date": "",
        "party_status": "full",
        "joined_on": "2010-07-01",
        "regularised_on": "2011-07-01",
        "department_id": "0",
        "post": "",
        "phone": "",
        "csrf_token": auth.token(url),
    }
    response = client.post(url, data={**form, "code": "j002"})
    assert response.status_code == 422
    assert "A person with this personnel code already exists." in response.get_data(as_text=True)
    # A person's own code may change its letter case.
    assert client.post(url, data={**form, "code": "j003"}).status_code == 303
    with app.app_context():
        assert db.session.get(Person, world["grouped"]).code == "j003"


def test_transfer_out_deactivates_the_account(client, auth, app, world):
    auth.login("secretary")
    url = f"/members/{world['member_person']}/transfer"
    response = client.post(
        url, data={"transferred_out_on": "2025-03-01", "csrf_token": auth.token(url)}
    )
    assert response.status_code == 303
    auth.logout()
    assert auth.login("member").status_code == 422


def test_export_link_follows_the_filters_on_screen(client, auth, world):
    auth.login("admin")
    fragment = client.get("/members/?status=full&q=J", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert 'id="roster-export"' in html
    assert "/members/export?" in html and "status=full" in html and "q=J" in html


def test_a_page_past_the_end_says_so(client, auth, world):
    auth.login("admin")
    html = client.get("/members/?page=50").get_data(as_text=True)
    assert "There is no page 50" in html


def test_control_characters_are_removed_from_text(client, auth, app, world):
    auth.login("secretary")
    token = auth.token("/members/new")
    data = {**new_person_form(world, name="Bad\x01Name\x00"), "csrf_token": token}
    assert client.post("/members/new", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Person.name).where(Person.code == "J100")) == "BadName"


def test_joining_a_party_group_keeps_the_branch(client, auth, app, world):
    """A 党小组 member is a member of its branch too: joining one ends nothing."""
    auth.login("secretary")
    url = f"/members/{world['member_person']}/move"
    with app.app_context():
        leaving = db.session.scalar(
            sa.select(Membership.id).where(Membership.person_id == world["member_person"])
        )
    response = client.post(
        url,
        data={
            "from_membership_id": str(leaving),
            "unit_id": str(world["group"]),
            "role": "member",
            "on": "2025-05-06",
            "csrf_token": auth.token(url),
        },
    )
    assert response.status_code == 303
    assert "J002" in members_of(app, world["jiguan"], date(2025, 5, 6))
    assert "J002" in members_of(app, world["group"], date(2025, 5, 6))
    assert "J002" not in members_of(app, world["group"], date(2025, 5, 5))


def test_typed_text_loses_surrounding_spaces(client, auth, app, world):
    auth.login("secretary")
    data = {
        **new_person_form(world, code=" J101 ", name="  王芳 "),
        "csrf_token": auth.token("/members/new"),
    }
    assert client.post("/members/new", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(Person.name).where(Person.code == "J101")) == "王芳"


def in_order(page: str, names: list[str]) -> bool:
    positions = [page.index(name) for name in names]
    return positions == sorted(positions)


def test_people_and_units_are_listed_by_pinyin_within_the_admins_order(client, auth, app, world):
    """By code point 单 孙 张 李 and 张村 before 李村; by pinyin 李 单 (Shàn, not Dān) 孙 张, and
    李村 before 张村 — except where the admin's sort order says otherwise."""
    with app.app_context():
        bureau = db.session.get(OrgUnit, world["bureau"])
        zhang = OrgUnit(code="a-zhang", name="张村党支部", kind=UnitKind.BRANCH, parent=bureau)
        li = OrgUnit(code="b-li", name="李村党支部", kind=UnitKind.BRANCH, parent=bureau)
        wang = OrgUnit(
            code="c-wang", name="王村党支部", kind=UnitKind.BRANCH, parent=bureau, sort_order=-1
        )
        db.session.add_all([zhang, li, wang])
        for code, name in (
            ("K001", "张三"),
            ("K002", "单雄信"),
            ("K003", "孙丽"),
            ("K004", "李四"),
        ):
            make_person(code, name, li)
        db.session.commit()
        li_id = li.id
    auth.login("admin")

    members = client.get(f"/admin/units/{li_id}").get_data(as_text=True)
    assert in_order(members, [">李四<", ">单雄信<", ">孙丽<", ">张三<"])

    tree = client.get("/admin/units/").get_data(as_text=True)
    assert in_order(tree, [">王村党支部<", ">Cujin branch<", ">李村党支部<", ">张村党支部<"])

    by_name = client.get("/?sort=name").get_data(as_text=True)
    assert in_order(by_name, ["李村党支部", "王村党支部", "张村党支部"])  # by name: pinyin only

    roster = client.get("/members/").get_data(as_text=True)
    assert in_order(
        roster, [">王村党支部</option>", ">李村党支部</option>", ">张村党支部</option>"]
    )


def test_the_roster_reads_by_department_then_pinyin(client, auth, app, world):
    """The roster and its export list the bureau's departments in their order, people without
    one last, and within each department by pinyin (李 单 张), whatever the personnel codes."""
    with app.app_context():
        cujin = db.session.get(OrgUnit, world["cujin"])
        first = Department(name="科技股", sort_order=-1)
        db.session.add(first)
        for code, name, department in (
            ("K001", "张三", first),
            ("K002", "单雄信", first),
            ("K003", "李四", first),
            ("K004", "王五", None),
            ("K005", "艾青", None),
        ):
            make_person(code, name, cujin, department=department)
        db.session.commit()
    auth.login("secretary2")
    roster = client.get("/members/").get_data(as_text=True)
    assert in_order(roster, [">李四<", ">单雄信<", ">张三<", ">艾青<", ">王五<"])
    exported = load_workbook(io.BytesIO(client.get("/members/export").data)).active
    codes = [row[0] for row in exported.iter_rows(min_row=2, values_only=True)]
    # Latin names sort among the pinyin: ai(艾青), member c, secretary c, wang(王五).
    assert codes == ["K003", "K002", "K001", "K005", "C002", "C001", "K004"]


def test_the_sort_key_follows_every_change_of_name(client, auth, app, world):
    auth.login("secretary")
    url = f"/members/{world['member_person']}/edit"
    response = client.post(
        url,
        data={
            "code": "J002",
            "name": "曾国藩",
            "party_status": "full",
            "joined_on": "2010-07-01",
            "regularised_on": "2011-07-01",
            "department_id": str(world["office"]),
            "csrf_token": auth.token(url),
        },
    )
    assert response.status_code == 303
    with app.app_context():
        person = db.session.get(Person, world["member_person"])
        assert person.sort_key == "zeng1guo2fan1 曾国藩 j002"  # 曾 the surname, not céng
        change = db.session.scalar(
            sa.select(AuditLog).where(
                AuditLog.record_type == "person",
                AuditLog.record_id == str(world["member_person"]),
                AuditLog.action == "update",
            )
        )
        assert "sort_key" not in change.changes  # derived, not a change anyone made


def test_surname_readings_and_ties():
    names = ["张三", "仇", "区小梅", "解放", "曾", "单雄信", "李四", "李", "林", "黎明", "张三"]
    codes = ["K9", "K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K10", "K11"]
    ordered = sorted(zip(names, codes, strict=True), key=lambda p: person_sort_key(*p))
    assert ordered == [
        ("黎明", "K10"),  # lí
        ("李", "K7"),  # lǐ, before the longer 李四
        ("李四", "K6"),
        ("林", "K8"),
        ("区小梅", "K2"),  # Ōu
        ("仇", "K1"),  # Qiú
        ("单雄信", "K5"),  # Shàn
        ("解放", "K3"),  # Xiè
        ("曾", "K4"),  # Zēng
        ("张三", "K11"),  # the same name: by code
        ("张三", "K9"),
    ]
    # A unit's name is read as words: 区 of 区委 is qū.
    assert unit_sort_key("区委党支部", "qw").startswith("qu1wei3")


def test_a_roster_longer_than_it_counts_says_more(app, client, auth, world, queries):
    """Past 1,000 people the roster says "more than 1,000" and pages on with "page N · more",
    its count reading no more than 1,001 rows; the export still offers every match."""
    with app.app_context():
        db.session.execute(
            Person.__table__.insert(),
            [
                {
                    "code": f"R{n:04d}",
                    "name": f"Roster {n:04d}",
                    "party_status": PartyStatus.FULL.value,
                    "created_at": utcnow(),
                    "sort_key": person_sort_key(f"Roster {n:04d}", f"R{n:04d}"),
                }
                for n in range(1001)
            ],
        )
        db.session.commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    auth.login("admin")
    with queries() as issued:
        page = client.get("/members/").get_data(as_text=True)
    assert "More than 1000 people match" in page and "Page 1 · more" in page
    assert 'id="roster-export"' in page
    counted = [s for s in issued.statements if "count(" in s.lower() and "FROM person" in s]
    assert counted and all("LIMIT" in s for s in counted)


def _persons(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


def test_a_new_person_among_many_units_is_checked_against_ones_scope(client, auth, app, world):
    groups = add_groups(app, "jiguan", SELECT_LIMIT + 10, "党小组")
    auth.login("secretary")
    page = client.get("/members/new").get_data(as_text=True)
    assert "data-unit-search" in page and "党小组25" not in page
    token = auth.token("/members/new")
    before = _persons(app)
    outside = new_person_form(world, unit_id=str(world["cujin"]), code="J200")
    response = client.post("/members/new", data={**outside, "csrf_token": token})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _persons(app) == before
    # A unit only the live search offers (no select lists it) is taken.
    found = new_person_form(world, unit_id=str(groups[25]), code="J201")
    assert client.post("/members/new", data={**found, "csrf_token": token}).status_code == 303
    assert _persons(app) == before + 1
    assert "J201" in members_of(app, groups[25], date(2026, 6, 1))


def test_a_move_among_many_units_is_checked_against_ones_scope(client, auth, app, world):
    groups = add_groups(app, "jiguan", SELECT_LIMIT + 10, "党小组")
    auth.login("secretary")
    url = f"/members/{world['member_person']}/move"
    with app.app_context():
        leaving = db.session.scalar(
            sa.select(Membership.id).where(Membership.person_id == world["member_person"])
        )
    page = client.get(url).get_data(as_text=True)
    assert "data-unit-search" in page and "党小组25" not in page
    data = {"from_membership_id": str(leaving), "role": "member", "on": "2024-09-01"}
    data["csrf_token"] = auth.token(url)
    response = client.post(url, data={**data, "unit_id": str(world["cujin"])})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert "J002" not in members_of(app, world["cujin"], date(2024, 9, 1))
    assert "J002" in members_of(app, world["jiguan"], date(2024, 9, 1))
    assert client.post(url, data={**data, "unit_id": str(groups[25])}).status_code == 303
    assert "J002" in members_of(app, groups[25], date(2024, 9, 1))


@pytest.mark.parametrize("who", ["admin", "secretary"])
def test_person_forms_load_the_same_statements_however_many_units(
    client, auth, app, world, queries, who
):
    auth.login(who)
    urls = ["/members/new", f"/members/{world['member_person']}/move"]
    add_groups(app, "jiguan", SELECT_LIMIT + 5, "党小组")
    with queries() as few:
        pages = [client.get(url) for url in urls]
    add_groups(app, "jiguan", 3 * SELECT_LIMIT, "Group ")
    with queries() as many:
        bodies = [client.get(url).get_data(as_text=True) for url in urls]
    assert [page.status_code for page in pages] == [200, 200]
    assert many.count == few.count
    assert unlimited_unit_loads(many.statements) == []
    for body in bodies:
        assert "Group 7" not in body and body.count("党小组") <= 1
