"""Unit filters and unit fields beyond a few units: a live search (people.pick_unit) instead of a
select listing every unit, so a page's bytes do not grow with the district; the search keeps to
one's scope, is limited, and a chosen unit round-trips through the same field as the select."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from conftest import csrf_token, make_unit
from test_study import form_data, new_session

from app.auth.models import User
from app.extensions import db
from app.people.models import OrgUnit, UnitKind
from app.people.unit_picker import RESULT_LIMIT, SELECT_LIMIT
from app.study.models import StudySession

HX = {"HX-Request": "true"}
OPTION = re.compile(r'data-unit-option="(\d+)" data-name="([^"]*)"')
PATH = re.compile(r'class="small text-secondary unit-path">([^<]*)<')
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)" data-unit-choice>')
SEARCH_VALUE = re.compile(r'<input type="search" id="([\w-]+)" value="([^"]*)"')

PAGES = [
    "/study/",
    "/review/",
    "/members/",
    "/study/new",
    "/members/new",
    "/members/import",
    "/admin/units/new",
    "/admin/accounts/new",
]


def add_groups(app, parent_code: str, count: int, prefix: str) -> list[int]:
    """``count`` 党小组 under the unit ``parent_code``, named ``prefix`` and a number."""
    with app.app_context():
        parent = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == parent_code))
        ids = [
            make_unit(f"{parent_code}-{prefix}{n}", UnitKind.GROUP, parent, f"{prefix}{n}").id
            for n in range(count)
        ]
        db.session.commit()
        return ids


def add_branches(app, count: int, start: int = 0) -> None:
    with app.app_context():
        bureau = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "bureau"))
        for n in range(start, start + count):
            make_unit(f"x{n:03d}", UnitKind.BRANCH, bureau, f"Branch {n:03d}")
        db.session.commit()


def pick(client, typed: str) -> str:
    response = client.get(f"/members/pick-unit?q={quote(typed)}", headers=HX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def found(body: str) -> list[str]:
    return [name for _id, name in OPTION.findall(body)]


def unit_options(body: str) -> int:
    """How many <option>s a page offers in all (few come from anything but units here)."""
    return body.count("<option")


def sizes(client) -> dict[str, int]:
    sizes = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = len(response.data)
    return sizes


def test_pages_bytes_do_not_grow_with_the_number_of_units(app, client, auth, world):
    auth.login("admin")
    small = sizes(client)  # the world's 5 units: selects
    add_branches(app, 35)  # 40 units: live searches
    at_40 = sizes(client)
    add_branches(app, 80, start=35)  # 120 units
    at_120 = sizes(client)
    for url in PAGES:
        assert abs(at_40[url] - small[url]) < 3000, url
        assert abs(at_120[url] - at_40[url]) < 40, url
        assert unit_options(client.get(url).get_data(as_text=True)) < SELECT_LIMIT, url


def test_few_units_keep_the_select(app, client, auth, world):
    auth.login("secretary")  # jiguan and its group
    body = client.get("/study/").get_data(as_text=True)
    assert '<select class="form-select" id="filter-unit" name="unit">' in body
    assert "data-unit-search" not in body
    body = client.get("/study/new").get_data(as_text=True)
    assert re.search(r'<select class="form-select" id="unit_id" name="unit_id"', body)
    assert "Jiguan group 1</option>" in body
    add_groups(app, "jiguan", SELECT_LIMIT - 2, "Group ")  # 30 units in all: still a select
    assert "data-unit-search" not in client.get("/study/new").get_data(as_text=True)
    add_groups(app, "jiguan", 1, "One more ")
    body = client.get("/study/new").get_data(as_text=True)
    assert "data-unit-search" in body and "Jiguan group 1</option>" not in body


def test_search_keeps_to_ones_scope(app, client, auth, world):
    add_groups(app, "jiguan", 40, "党小组")
    add_groups(app, "cujin", 40, "党小组")
    auth.login("secretary")  # jiguan and everything below it
    seen: set[int] = set()
    for typed in ("党小组", "Cujin", "cujin", "branch", "bureau", "dangzu", "x", "1", "g"):
        body = pick(client, typed)
        seen.update(int(unit_id) for unit_id, _name in OPTION.findall(body))
        assert "Cujin branch" not in PATH.findall(body)
    with app.app_context():
        mine = set(db.session.scalars(sa.select(OrgUnit.id).where(OrgUnit.code.like("jiguan%"))))
    assert len(seen) >= RESULT_LIMIT and seen <= mine
    assert found(pick(client, "Cujin")) == [] and found(pick(client, "Bureau")) == []


def test_a_member_may_not_search_units(app, client, auth, world):
    auth.login("member")
    assert client.get("/members/pick-unit?q=j", headers=HX).status_code == 403
    auth.logout()
    assert client.get("/members/pick-unit?q=j").status_code == 302  # to the sign-in


def test_results_are_limited_in_tree_order_with_paths(app, client, auth, world):
    add_groups(app, "jiguan", 15, "党小组")
    add_groups(app, "cujin", 15, "党小组")
    auth.login("admin")
    body = pick(client, "党小组")
    names = found(body)
    assert len(names) == RESULT_LIMIT
    assert "More than 20 units match" in body
    # Tree order: cujin's groups come before jiguan's (the branches in pinyin order), each with
    # its branch as the path, so same-named groups are told apart.
    paths = PATH.findall(body)
    assert paths == ["Cujin branch"] * 15 + ["Jiguan branch"] * 5
    assert names[:3] == ["党小组0", "党小组1", "党小组10"]
    assert found(pick(client, "党小组14")) == ["党小组14", "党小组14"]
    assert PATH.findall(pick(client, "党小组14")) == ["Cujin branch", "Jiguan branch"]
    assert found(pick(client, "jiguan-党小组3")) == ["党小组3"]  # by code
    assert found(pick(client, "")) == [] and "<ul" not in pick(client, "  ")


def test_search_and_filter_statements_do_not_grow(app, client, auth, world, queries):
    auth.login("secretary")
    add_groups(app, "jiguan", 5, "q")
    with queries() as few:
        pick(client, "q")
    with queries() as few_filter:
        client.get("/study/")
    add_groups(app, "jiguan", 60, "r")
    with queries() as many:
        pick(client, "q")
    with queries() as many_filter:
        client.get("/study/")
    assert many.count == few.count and many_filter.count == few_filter.count
    # The filter loads at most one more unit than a select would show, whatever the district.
    units = [q for q in many_filter.statements if "FROM org_unit" in q and "LIMIT" in q]
    assert units, many_filter.statements


def test_a_chosen_filter_unit_round_trips(app, client, auth, world):
    groups = add_groups(app, "jiguan", 40, "党小组")
    chosen = groups[7]
    with app.app_context():
        in_group = new_session(app, timedelta(days=3), title="In the group")
        db.session.get(StudySession, in_group).unit_id = chosen
        db.session.commit()
    new_session(app, timedelta(days=4), title="In the branch")
    auth.login("secretary")
    body = client.get(f"/study/?unit={chosen}").get_data(as_text=True)
    assert ("unit", str(chosen)) in HIDDEN.findall(body)
    assert ("filter-unit", "党小组7") in SEARCH_VALUE.findall(body)
    assert "In the group" in body and "In the branch" not in body
    body = client.get(f"/members/?unit={chosen}").get_data(as_text=True)
    assert ("roster-unit", "党小组7") in SEARCH_VALUE.findall(body)
    body = client.get(f"/review/?unit={chosen}").get_data(as_text=True)
    assert ("filter-unit", "党小组7") in SEARCH_VALUE.findall(body)
    assert ("unit", str(chosen)) in HIDDEN.findall(body)
    # Another branch's unit is never named, even when asked for.
    cujin = world["cujin"]
    body = client.get(f"/study/?unit={cujin}").get_data(as_text=True)
    assert ("unit", "") in HIDDEN.findall(body) and "Cujin branch" not in body


def test_a_chosen_form_unit_round_trips_and_is_checked(app, client, auth, world):
    groups = add_groups(app, "jiguan", 40, "党小组")
    auth.login("secretary")
    body = client.get(f"/study/new?unit={groups[3]}").get_data(as_text=True)
    assert ("unit_id", str(groups[3])) in HIDDEN.findall(body)
    assert ("unit_id", "党小组3") in SEARCH_VALUE.findall(body)
    token = csrf_token(client, "/study/new")
    data = {**form_data(), "unit_id": str(groups[3]), "csrf_token": token}
    response = client.post("/study/new", data=data)
    assert response.status_code in (302, 303)
    with app.app_context():
        session = db.session.scalar(sa.select(StudySession).order_by(StudySession.id.desc()))
        assert session.unit_id == groups[3]
    # Outside one's scope: refused with the field's message, the form shown again.
    response = client.post("/study/new", data={**data, "unit_id": str(world["cujin"])})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_accounts_keep_several_units_through_the_search(app, client, auth, world):
    add_branches(app, 40)
    auth.login("admin")
    with app.app_context():
        ids = list(
            db.session.scalars(sa.select(OrgUnit.id).where(OrgUnit.code.in_(["x003", "x017"])))
        )
    token = csrf_token(client, "/admin/accounts/new")
    response = client.post(
        "/admin/accounts/new",
        data={
            "csrf_token": token,
            "username": "many-units",
            "role": "secretary",
            "units": [str(i) for i in ids],
            "person_code": "",
            "password": "a-long-password-1",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    with app.app_context():
        account = db.session.scalar(sa.select(User).where(User.username == "many-units"))
        assert sorted(u.id for u in account.units) == sorted(ids)
        account_id = account.id
    body = client.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    ticked = re.findall(r'type="checkbox" name="units" value="(\d+)"[^>]* checked', body)
    assert sorted(map(int, ticked)) == sorted(ids)
    assert "Branch 003" in body and "Branch 020" not in body


@pytest.mark.parametrize("url", ["/study/new", "/members/new"])
def test_forms_with_many_units_offer_none_of_them(app, client, auth, world, url):
    add_groups(app, "jiguan", 40, "党小组")
    auth.login("secretary")
    body = client.get(url).get_data(as_text=True)
    assert body.count("党小组") <= 1  # at most the unit chosen by default
    assert 'hx-get="/members/pick-unit"' in body


def test_exactly_a_page_of_matches_offers_no_more(app, client, auth, world):
    add_groups(app, "jiguan", RESULT_LIMIT, "党小组")
    auth.login("admin")
    body = pick(client, "党小组")
    assert len(found(body)) == RESULT_LIMIT and "More than" not in body
    add_groups(app, "cujin", 1, "党小组")
    assert "More than 20 units match" in pick(client, "党小组")
