"""The person picker (people.pick) and the PersonField every person input uses: live search in
one's own units or, for 列席, across the bureau; opaque ids; paging; what may be chosen."""

import re
from datetime import date, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from conftest import PG_URL, csrf_token, make_person
from test_study import new_session

from app.activities.models import ParticipantRole, Participation
from app.extensions import db
from app.people.models import Department, Membership, OrgUnit, Person
from app.people.picker import SCOPED_FIELDS, _base, person_id_of
from app.study.models import StudySession
from app.types import local_today, utcnow

HX = {"HX-Request": "true"}
OPTION = re.compile(r'data-person-option="([^"]*)" data-name="([^"]*)"')


def pick(client, typed: str, mode: str = "", page: int | None = None) -> str:
    url = f"/members/pick?q={quote(typed)}"
    if mode:
        url += f"&mode={mode}"
    if page:
        url += f"&page={page}"
    response = client.get(url, headers=HX)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def names(body: str) -> list[str]:
    return [name for _token, name in OPTION.findall(body)]


def tokens(body: str) -> dict[str, str]:
    return {name: token for token, name in OPTION.findall(body)}


def unit(code: str) -> OrgUnit:
    return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))


def post(client, url: str, data: dict, headers: dict | None = None):
    payload = {"csrf_token": csrf_token(client, "/auth/password"), **data}
    return client.post(url, data=payload, headers=headers or {})


def test_scoped_search_finds_ones_people_by_name_code_and_department(client, auth, world):
    auth.login("secretary")  # keeps jiguan and the group below it
    assert sorted(names(pick(client, "Office"))) == ["Member J", "Secretary J"]
    assert names(pick(client, "J003")) == ["Grouped J"]
    assert names(pick(client, "member")) == ["Member J"]  # Member C is cujin's
    body = pick(client, "Member")
    assert "J002" in body and "Office" in body  # one's own people show their code
    auth.logout()
    auth.login("admin")
    assert names(pick(client, "Member")) == ["Member C", "Member J"]


def test_scoped_search_never_returns_people_outside_ones_units(app, client, auth, world):
    with app.app_context():
        jiguan = unit("jiguan")
        # Left jiguan last year, now in no unit; transferred out of the bureau.
        make_person("J050", "Former J", jiguan, end=date(2020, 6, 1))
        gone = make_person("J051", "Gone J", jiguan)
        gone.transferred_out_on = local_today() - timedelta(days=3)
        db.session.commit()
    auth.login("secretary2")  # keeps cujin only
    seen: set[str] = set()
    for typed in ("J", "j0", "Member", "Secretary", "Office", "0", "Grouped", "Former", "Gone"):
        seen.update(names(pick(client, typed)))
    assert seen == {"Member C", "Secretary C"}
    auth.logout()
    auth.login("secretary")
    assert names(pick(client, "Former")) == [] and names(pick(client, "Gone")) == []


def test_wildcards_in_what_was_typed_are_literal(client, auth, world):
    auth.login("admin")
    for typed in ("%", "_", "J00_", "\\"):
        assert names(pick(client, typed)) == [], typed


def test_scoped_search_is_paged(app, client, auth, world):
    with app.app_context():
        for n in range(25):
            make_person(f"P{n:03d}", f"Paged {n:02d}", unit("jiguan"))
        db.session.commit()
    auth.login("secretary")
    pages = [names(pick(client, "Paged", page=page)) for page in (1, 2, 3)]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [name for page in pages for name in page] == [
        f"Paged {n:02d}" for n in range(25)
    ]  # by name, no overlap
    first = pick(client, "Paged")
    assert "25 in all, page 1 of 3" in first and "page=2" in first
    assert names(pick(client, "Paged", page=9)) == []


def test_a_search_past_its_count_limit_pages_by_more(app, client, auth, world, monkeypatch):
    """Past ``SEARCH_COUNT_LIMIT`` (20 here, 100 in use) the matches are not counted: each page
    says "page N · more" while another follows, and every match is still reached."""
    monkeypatch.setattr("app.people.picker.SEARCH_COUNT_LIMIT", 20)
    with app.app_context():
        for n in range(25):
            make_person(f"P{n:03d}", f"Paged {n:02d}", unit("jiguan"))
        db.session.commit()
    auth.login("secretary")
    first, second, third = (pick(client, "Paged", page=page) for page in (1, 2, 3))
    assert "in all" not in first and "Page 1 · more" in first and "page=2" in first
    assert "Page 2 · more" in second and "page=3" in second
    assert "Page 3" in third and "Page 3 · more" not in third and "page=2" in third
    found = [name for page in (first, second, third) for name in names(page)]
    assert found == [f"Paged {n:02d}" for n in range(25)]


def test_search_costs_the_same_queries_for_few_or_many_results(app, client, auth, queries, world):
    with app.app_context():
        office = db.session.get(Department, world["office"])
        for n in range(12):
            make_person(f"Q{n:03d}", f"Many {n:02d}", unit("jiguan"), department=office)
        db.session.commit()
    auth.login("secretary")
    pick(client, "Many")  # warm up what the first request loads once
    counted = {}
    for typed, mode in (("Member J", ""), ("Many", ""), ("Member J", "bureau"), ("Many", "bureau")):
        with queries() as q:
            body = pick(client, typed, mode)
        counted[(typed, mode)] = q.count
        assert names(body)
    assert counted[("Member J", "")] == counted[("Many", "")]
    assert counted[("Member J", "bureau")] == counted[("Many", "bureau")]


def test_bureau_wide_search_shows_an_opaque_id_the_name_and_the_department_only(
    app, client, auth, world
):
    with app.app_context():
        other = Department(name="生产力促进中心")
        db.session.add(other)
        person = db.session.get(Person, world["cujin_member"])
        person.department = other
        person.phone = "13800000000"
        person.post = "Engineer"
        db.session.commit()
    auth.login("secretary")  # jiguan: Member C is another unit's
    body = pick(client, "Member", "bureau")
    found = tokens(body)
    assert sorted(found) == ["Member C", "Member J"]
    options = re.findall(r"<button[^>]*data-person-option.*?</button>", body, re.S)
    member_c = next(o for o in options if "Member C" in o)
    text = re.sub(r"<[^>]+>", " ", member_c).split()
    assert text == ["Member", "C", "生产力促进中心"]  # name and department, nothing else
    for secret in ("C002", "J002", "13800000000", "Engineer", "Full member"):
        assert secret not in body
    with app.app_context():
        assert person_id_of(found["Member C"]) == world["cujin_member"]
    # The id is not the row id in disguise: no digits of it, and unlike from person to person.
    assert not re.search(rf"\b{world['cujin_member']}\b", found["Member C"])
    assert found["Member C"] != found["Member J"]
    # A code is not searched bureau-wide: it would tell which codes exist.
    assert names(pick(client, "C002", "bureau")) == []


def test_bureau_wide_search_needs_a_chinese_character_or_two_letters(app, client, auth, world):
    with app.app_context():
        make_person("C090", "张伟", unit("cujin"))
        db.session.commit()
    auth.login("secretary")
    assert names(pick(client, "M", "bureau")) == []
    assert "Type at least one Chinese character or two letters." in pick(client, "M", "bureau")
    assert names(pick(client, "12", "bureau")) == []
    assert names(pick(client, "Me", "bureau")) == ["Member C", "Member J"]
    assert names(pick(client, "张", "bureau")) == ["张伟"]


def test_bureau_wide_search_returns_at_most_20_and_skips_transferred_out_people(
    app, client, auth, world
):
    with app.app_context():
        for n in range(24):
            make_person(f"C1{n:02d}", f"Visitor {n:02d}", unit("cujin"))
        gone = make_person("C200", "Visitor gone", unit("cujin"))
        gone.transferred_out_on = local_today() - timedelta(days=1)
        db.session.commit()
    auth.login("secretary")
    body = pick(client, "Visitor", "bureau")
    assert names(body) == [f"Visitor {n:02d}" for n in range(20)]
    assert "More than 20 people match" in body
    assert "page=2" not in body  # no paging through the bureau
    assert names(pick(client, "Visitor gone", "bureau")) == []


def test_members_may_not_search(client, auth, world):
    auth.login("member")
    for mode in ("", "bureau"):
        assert client.get(f"/members/pick?q=Member&mode={mode}", headers=HX).status_code == 403


def rows(app, session_id: int) -> dict[str, ParticipantRole]:
    with app.app_context():
        found = db.session.scalars(
            sa.select(Participation).where(Participation.activity_id == session_id)
        )
        return {row.person.name: row.role for row in found}


def test_a_non_voting_attendee_comes_from_anywhere_in_the_bureau(app, client, auth, world):
    session_id = new_session(app, timedelta(hours=-1))
    auth.login("secretary")
    token = tokens(pick(client, "Member C", "bureau"))["Member C"]
    url = f"/activities/{session_id}/participants"
    # An expected participant stays limited to one's units, even with the bureau's id.
    refused = post(client, url, {"person": "Member C", "person-choice": token, "role": "expected"})
    assert refused.status_code in (303, 422)
    assert "Member C" not in rows(app, session_id)
    added = post(
        client, url, {"person": "Member C", "person-choice": token, "role": "non_voting"}, HX
    )
    assert added.status_code == 200
    assert rows(app, session_id)["Member C"] is ParticipantRole.NON_VOTING
    # The grid names the attendee, and shows no more of them than the picker did.
    assert "C002" not in added.get_data(as_text=True)


def test_a_made_up_or_stale_id_chooses_nobody(app, client, auth, world):
    session_id = new_session(app, timedelta(hours=-1))
    with app.app_context():
        make_person("C300", "Gone C", unit("cujin"))
        db.session.commit()
    auth.login("secretary")
    token = tokens(pick(client, "Gone C", "bureau"))["Gone C"]
    with app.app_context():
        db.session.get(Person, person_id_of(token)).transferred_out_on = local_today()
        db.session.commit()
    url = f"/activities/{session_id}/participants"
    for choice in (token, "0" * 16, "f" * 16, str(world["cujin_member"]), "x"):
        response = post(
            client, url, {"person": "Gone C", "person-choice": choice, "role": "non_voting"}, HX
        )
        assert response.status_code == 422, choice
    assert "Gone C" not in rows(app, session_id) and "Member C" not in rows(app, session_id)


def test_the_chair_is_chosen_by_the_pickers_id(app, client, auth, world):
    auth.login("secretary")
    token = tokens(pick(client, "Member J"))["Member J"]
    data = {
        "title": "学习党章",
        "kind": "general_meeting",
        "unit_id": str(world["jiguan"]),
        "day": (utcnow() + timedelta(days=2)).date().isoformat(),
        "start": "09:00",
        "end": "10:00",
        "chair": "Member J",
        "chair-choice": token,
        "lecturer": "An outside expert",
    }
    response = post(client, "/study/new", data)
    assert response.status_code == 303
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        session = db.session.get(StudySession, session_id)
        assert session.chair_id == world["member_person"]
        assert session.lecturer_id is None and session.lecturer_name == "An outside expert"
    page = client.get(f"/study/{session_id}/edit").get_data(as_text=True)
    assert f'name="chair-choice" value="{token}"' in page and 'value="Member J"' in page
    # Another unit's person is no chair of one's own: their bureau id is refused.
    other = tokens(pick(client, "Member C", "bureau"))["Member C"]
    edit = post(
        client, f"/study/{session_id}/edit", {**data, "chair": "Member C", "chair-choice": other}
    )
    assert edit.status_code == 422
    with app.app_context():
        assert db.session.get(StudySession, session_id).chair_id == world["member_person"]


def test_an_admin_adds_a_membership_with_the_picker(app, client, auth, world):
    with app.app_context():
        make_person("N001", "Newcomer", None)
        db.session.commit()
    auth.login("admin")
    token = tokens(pick(client, "Newcomer"))["Newcomer"]
    response = post(
        client,
        f"/admin/units/{world['jiguan']}/memberships",
        {
            "person_code": "Newcomer",
            "person_code-choice": token,
            "role": "member",
            "start_date": "2024-01-01",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        person_id = person_id_of(token)
        assert (
            db.session.scalar(
                sa.select(Membership.unit_id).where(Membership.person_id == person_id)
            )
            == world["jiguan"]
        )


def test_every_person_input_is_a_live_picker(app, client, auth, world):
    session_id = new_session(app, timedelta(hours=-1))
    auth.login("admin")
    pages = {
        "/study/new": ("chair", "minute_taker", "lecturer"),
        f"/study/{session_id}": ("person",),
        f"/admin/units/{world['jiguan']}": ("person_code",),
        "/admin/accounts/new": ("person_code",),
    }
    for url, fields in pages.items():
        html = client.get(url).get_data(as_text=True)
        assert "<datalist" not in html, url
        for name in fields:
            assert re.search(rf'name="{name}"[^>]*data-person-search', html, re.S), (url, name)
            assert f'name="{name}-choice"' in html, (url, name)
        if url == f"/study/{session_id}":
            assert "/members/pick?mode=bureau" in html  # 列席 searches the bureau


@pytest.mark.skipif(PG_URL is not None, reason="SQLite's plan (PostgreSQL's: bench --explain)")
@pytest.mark.parametrize("typed", ["Me", "Member"])
def test_a_search_walks_one_piece_of_the_index_in_name_order(app, world, typed):
    """The search reads the index rows of what was typed (its first two characters) in name
    order, so it stops once a page is found instead of reading and sorting every person."""
    with app.test_request_context():
        stmt = _base(typed, SCOPED_FIELDS).limit(11)
        compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = [row[-1] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}"))]
    assert plan[0].startswith("SEARCH person_gram USING "), plan
    assert "(gram=?)" in plan[0], plan
    assert not any("TEMP B-TREE FOR ORDER BY" in step for step in plan), plan
