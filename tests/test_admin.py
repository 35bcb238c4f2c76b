"""The admin area through HTTP: org units, memberships, accounts, settings, and who may use it."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from app import settings
from app.admin import services
from app.auth.models import Role, User
from app.auth.services import generate_password
from app.extensions import db
from app.people import memberships
from app.people.models import Membership, MembershipRole, OrgUnit, PartyStatus, UnitKind
from app.people.unit_picker import SELECT_LIMIT
from app.types import utcnow
from tests.conftest import PASSWORD, make_person, make_unit, unlimited_unit_loads

HTMX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in English whatever the default locale's catalog holds."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def post(client, auth, url, data=None, headers=None):
    return client.post(
        url,
        data={**(data or {}), "csrf_token": auth.token("/admin/")},
        headers=headers or {},
    )


def unit_data(code, name, kind, parent_id=0, sort_order=0):
    return {
        "code": code,
        "name": name,
        "kind": kind.value,
        "parent_id": str(parent_id),
        "sort_order": str(sort_order),
    }


def units_count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(OrgUnit.id)))


def test_index_links_every_section_with_counts(client, auth, world):
    auth.login("admin")
    page = client.get("/admin/").get_data(as_text=True)
    for url in ("/admin/units/", "/admin/accounts/", "/admin/settings", "/audit/"):
        assert f'href="{url}"' in page
    assert ">5</span>" in page  # active units
    assert ">4</span>" in page  # active accounts


def test_tree_is_shown_in_tree_order_with_member_counts(client, auth, world):
    auth.login("admin")
    response = client.get("/admin/units/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    order = ["Bureau", "Cujin branch", "Dangzu", "Jiguan branch", "Jiguan group 1"]
    positions = [page.index(f">{name}</a>") for name in order]
    assert positions == sorted(positions)
    group_row = re.search(rf'<tr id="unit-{world["group"]}".*?</tr>', page, re.S).group(0)
    assert "tree-indent-2" in group_row
    jiguan_row = re.search(rf'<tr id="unit-{world["jiguan"]}".*?</tr>', page, re.S).group(0)
    assert "tree-indent-1" in jiguan_row
    assert re.search(r'data-label="Members"[^>]*>2</td>', jiguan_row)
    # On a phone each cell is labelled with its column's heading.
    headings = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', page)
    labels = re.findall(r'data-label="([^"]+)"', jiguan_row)
    assert labels and set(labels) <= set(headings)


def test_tree_loads_in_a_constant_number_of_queries(app, client, auth, world, queries):
    auth.login("admin")
    with queries() as few:
        client.get("/admin/units/")
    with app.app_context():
        bureau = db.session.get(OrgUnit, world["bureau"])
        for n in range(10):
            branch = make_unit(f"b{n}", UnitKind.BRANCH, bureau)
            make_unit(f"b{n}-g", UnitKind.GROUP, branch)
            make_person(f"P{n:03d}", unit=branch)
        db.session.commit()
    with queries() as many:
        client.get("/admin/units/")
    assert many.count == few.count


def test_create_party_group_under_a_branch(app, client, auth, world):
    auth.login("admin")
    assert client.get(f"/admin/units/new?parent={world['cujin']}").status_code == 200
    response = post(
        client,
        auth,
        "/admin/units/new",
        unit_data("cujin-g1", "Cujin group 1", UnitKind.GROUP, world["cujin"]),
    )
    assert response.status_code == 303
    with app.app_context():
        unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "cujin-g1"))
        assert unit is not None
        assert unit.parent_id == world["cujin"]
        assert unit.kind is UnitKind.GROUP
    assert response.headers["Location"].endswith(f"/admin/units/{unit.id}")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            unit_data("b2", "Branch under a branch", UnitKind.BRANCH, "jiguan"),
            "sits under a Bureau, not under a Party branch",
        ),
        (unit_data("root2", "Second root", UnitKind.BUREAU), "There is already a root unit"),
        (unit_data("jiguan", "Duplicate code", UnitKind.BRANCH, "bureau"), "already has this code"),
        (unit_data("orphan", "No parent", UnitKind.BRANCH), "Choose the unit this one sits under"),
        (unit_data("g9", "Group under the bureau", UnitKind.GROUP, "bureau"), "not under a Bureau"),
    ],
)
def test_invalid_units_are_refused_and_nothing_is_saved(app, client, auth, world, data, message):
    auth.login("admin")
    before = units_count(app)
    if data["parent_id"] in world:
        data = {**data, "parent_id": str(world[data["parent_id"]])}
    response = post(client, auth, "/admin/units/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert units_count(app) == before


def test_a_unit_cannot_be_moved_under_its_own_sub_unit(app, client, auth, world):
    auth.login("admin")
    data = unit_data("jiguan", "Jiguan branch", UnitKind.BRANCH, world["group"])
    response = post(client, auth, f"/admin/units/{world['jiguan']}/edit", data)
    assert response.status_code == 422
    assert "cannot sit under itself or under one of its sub-units" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(OrgUnit, world["jiguan"]).parent_id == world["bureau"]


def test_kind_change_that_would_strand_sub_units_is_refused(app, client, auth, world):
    auth.login("admin")
    data = unit_data("jiguan", "Jiguan branch", UnitKind.PARTY_GROUP, world["bureau"])
    response = post(client, auth, f"/admin/units/{world['jiguan']}/edit", data)
    assert response.status_code == 422
    assert "Jiguan group 1 sits under this unit" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OrgUnit, world["jiguan"]).kind is UnitKind.BRANCH


def test_edit_saves_name_code_and_position(app, client, auth, world):
    auth.login("admin")
    page = client.get(f"/admin/units/{world['cujin']}/edit").get_data(as_text=True)
    assert 'value="cujin"' in page
    data = unit_data("cujin2", "Renamed", UnitKind.BRANCH, world["bureau"], sort_order=5)
    response = post(client, auth, f"/admin/units/{world['cujin']}/edit", data)
    assert response.status_code == 303
    with app.app_context():
        unit = db.session.get(OrgUnit, world["cujin"])
        assert (unit.code, unit.name, unit.sort_order) == ("cujin2", "Renamed", 5)


def test_deactivation_is_refused_while_the_unit_has_members_or_sub_units(app, client, auth, world):
    auth.login("admin")
    response = post(client, auth, f"/admin/units/{world['cujin']}/deactivate")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "still has 2 current or upcoming memberships" in page
    response = post(
        client, auth, f"/admin/units/{world['bureau']}/deactivate", {"from": "tree"}, HTMX
    )
    assert response.status_code == 409
    assert response.headers["HX-Reswap"] == "none"
    assert "still has sub-units" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OrgUnit, world["cujin"]).deleted_at is None
        assert db.session.get(OrgUnit, world["bureau"]).deleted_at is None


def test_a_unit_whose_memberships_ended_can_be_deactivated_and_restored(app, client, auth, world):
    with app.app_context():
        for membership in db.session.scalars(
            sa.select(Membership).where(Membership.unit_id == world["group"])
        ):
            membership.end_date = date(2024, 1, 1)
        db.session.commit()
    auth.login("admin")
    url = f"/admin/units/{world['group']}/deactivate"
    response = post(client, auth, url, {"from": "tree"}, HTMX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<tr id="unit-{world["group"]}"')
    assert "Deactivated" in body
    assert 'hx-swap-oob="true"' in body and "has been deactivated" in body
    with app.app_context():
        assert db.session.get(OrgUnit, world["group"]).deleted_at is not None
    # The branch above now has no active sub-unit and its people could leave; the row stays.
    assert "Jiguan group 1" in client.get("/admin/units/").get_data(as_text=True)

    response = post(client, auth, f"/admin/units/{world['group']}/restore")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(OrgUnit, world["group"]).deleted_at is None


def test_unit_row_action_answers_three_ways(app, client, auth, world):
    with app.app_context():
        empty = make_unit("empty", UnitKind.BRANCH, db.session.get(OrgUnit, world["bureau"]))
        db.session.commit()
        empty_id = empty.id
    auth.login("admin")
    plain = post(client, auth, f"/admin/units/{empty_id}/deactivate", {"from": "tree"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/admin/units/")
    htmx = post(client, auth, f"/admin/units/{empty_id}/restore", {"from": "tree"}, HTMX)
    assert htmx.status_code == 200 and "<html" not in htmx.get_data(as_text=True)
    assert "HX-Request" in htmx.headers["Vary"]
    boosted = post(client, auth, f"/admin/units/{empty_id}/deactivate", {"from": "tree"}, BOOSTED)
    assert boosted.status_code == 303
    assert "<html" in client.get(boosted.headers["Location"], headers=BOOSTED).get_data(
        as_text=True
    )


def test_restore_is_refused_under_a_deactivated_parent(app, client, auth, world):
    with app.app_context():
        branch = make_unit("lone", UnitKind.BRANCH, db.session.get(OrgUnit, world["bureau"]))
        group = make_unit("lone-g", UnitKind.GROUP, branch)
        db.session.commit()
        branch_id, group_id = branch.id, group.id
    auth.login("admin")
    assert post(client, auth, f"/admin/units/{group_id}/deactivate").status_code == 303
    assert post(client, auth, f"/admin/units/{branch_id}/deactivate").status_code == 303
    response = post(client, auth, f"/admin/units/{group_id}/restore", headers=HTMX)
    assert response.status_code == 409
    assert "Restore it first" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OrgUnit, group_id).deleted_at is not None


def test_nothing_is_ever_hard_deleted(app, client, auth, world):
    auth.login("admin")
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("admin.", "audit.")):
            assert "DELETE" not in rule.methods


@pytest.fixture
def newcomer(app, world):
    """A full Party member who belongs to no unit yet, and a non-Party colleague."""
    with app.app_context():
        make_person("N001", "Newcomer")
        make_person("N002", "Colleague", status=PartyStatus.MASSES)
        db.session.commit()
    return world


def membership_rows(app, person_code, unit_id):
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(Membership)
                .join(Membership.person)
                .where(Membership.unit_id == unit_id)
                .where(Membership.person.has(code=person_code))
            )
        )


def add(client, auth, unit_id, code, role="member", start="2024-03-01", end="", headers=None):
    return post(
        client,
        auth,
        f"/admin/units/{unit_id}/memberships",
        {"person_code": code, "role": role, "start_date": start, "end_date": end},
        headers,
    )


def test_unit_page_lists_current_memberships_first(app, client, auth, world):
    with app.app_context():
        cujin = db.session.get(OrgUnit, world["cujin"])
        make_person("C009", "Former C", cujin, start=date(2015, 1, 1), end=date(2019, 1, 1))
        db.session.commit()
    auth.login("admin")
    page = client.get(f"/admin/units/{world['cujin']}").get_data(as_text=True)
    # The secretary comes before the plain member, both before the former member.
    assert page.index("Secretary C") < page.index("Member C") < page.index("Former C")
    assert "Ended" in page and "Current" in page
    fragment = client.get(f"/admin/units/{world['cujin']}?page=1", headers=HTMX)
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="memberships"')


def test_add_a_membership(app, client, auth, newcomer):
    auth.login("admin")
    response = add(client, auth, newcomer["cujin"], "N001", start="2024-03-01")
    assert response.status_code == 303
    rows = membership_rows(app, "N001", newcomer["cujin"])
    assert [(m.role, m.start_date, m.end_date) for m in rows] == [
        (MembershipRole.MEMBER, date(2024, 3, 1), None)
    ]
    htmx = add(client, auth, newcomer["jiguan"], "N002", role="staff", headers=HTMX)
    assert htmx.status_code == 204
    assert htmx.headers["HX-Redirect"].endswith(f"/admin/units/{newcomer['jiguan']}")


def test_overlapping_membership_is_refused(app, client, auth, newcomer):
    auth.login("admin")
    assert add(client, auth, newcomer["cujin"], "N001", start="2024-01-01", end="2024-07-01")
    response = add(client, auth, newcomer["cujin"], "N001", start="2024-06-01", headers=HTMX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<form id="membership-form"')
    assert "from January 1, 2024 until July 1, 2024; the dates overlap" in body
    # Touching is not overlapping: the end date is the first day out.
    assert add(client, auth, newcomer["cujin"], "N001", start="2024-07-01").status_code == 303
    assert len(membership_rows(app, "N001", newcomer["cujin"])) == 2


@pytest.mark.parametrize(
    ("code", "role", "start", "end", "message"),
    [
        ("N001", "staff", "2024-01-01", "", "choose a Party role, not staff"),
        ("N002", "member", "2024-01-01", "", "only the staff role fits"),
        ("N001", "member", "2024-05-01", "2024-04-01", "it must come after the start date"),
        ("N001", "member", "2024-05-01", "2024-05-01", "it must come after the start date"),
        ("NOPE", "member", "2024-05-01", "", "No person has this personnel code"),
    ],
)
def test_invalid_memberships_are_refused(
    app, client, auth, newcomer, code, role, start, end, message
):
    auth.login("admin")
    response = add(client, auth, newcomer["cujin"], code, role=role, start=start, end=end)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "<html" in response.get_data(as_text=True)
    assert membership_rows(app, code, newcomer["cujin"]) == []


def test_no_membership_is_added_to_a_deactivated_unit(app, client, auth, newcomer):
    with app.app_context():
        db.session.get(OrgUnit, newcomer["dangzu"]).deleted_at = utcnow()
        db.session.commit()
    auth.login("admin")
    response = add(client, auth, newcomer["dangzu"], "N001", headers=HTMX)
    assert response.status_code == 409
    assert membership_rows(app, "N001", newcomer["dangzu"]) == []


def test_end_a_membership_and_the_past_still_answers(app, client, auth, world):
    (membership,) = membership_rows(app, "C002", world["cujin"])
    auth.login("admin")
    url = f"/admin/memberships/{membership.id}/end"
    assert client.get(url).status_code == 200
    response = post(client, auth, url, {"end_date": "2025-06-01"}, HTMX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<tr id="membership-{membership.id}"')
    assert "until June 1, 2025" in body  # the out-of-band flash, the date in words
    with app.app_context():
        ended = db.session.get(Membership, membership.id)
        assert ended.end_date == date(2025, 6, 1)
        assert ended.covers(date(2025, 5, 31)) and not ended.covers(date(2025, 6, 1))

        def members_on(day):
            return set(
                db.session.scalars(
                    sa.select(Membership.person_id).where(
                        Membership.unit_id == world["cujin"], Membership.on_date(day)
                    )
                )
            )

        assert world["cujin_member"] in members_on(date(2021, 1, 1))
        assert world["cujin_member"] in members_on(date(2025, 5, 31))
        assert world["cujin_member"] not in members_on(date(2025, 6, 1))
        assert world["other_sec_person"] in members_on(date(2025, 6, 1))


def test_end_before_start_is_refused_in_place(app, client, auth, world):
    (membership,) = membership_rows(app, "C002", world["cujin"])
    auth.login("admin")
    url = f"/admin/memberships/{membership.id}/end"
    htmx = post(client, auth, url, {"end_date": "2019-12-31"}, HTMX)
    assert htmx.status_code == 422
    body = htmx.get_data(as_text=True)
    assert body.lstrip().startswith("<tr") and "cannot end before that" in body
    plain = post(client, auth, url, {"end_date": "2019-12-31"})
    assert plain.status_code == 422 and "<html" in plain.get_data(as_text=True)
    # Ending on the first day is allowed: the membership then covers no day at all.
    assert post(client, auth, url, {"end_date": "2020-01-01"}).status_code == 303
    with app.app_context():
        assert db.session.get(Membership, membership.id).end_date == date(2020, 1, 1)


def test_an_ended_membership_cannot_be_ended_again(app, client, auth, world):
    (membership,) = membership_rows(app, "C002", world["cujin"])
    auth.login("admin")
    url = f"/admin/memberships/{membership.id}/end"
    assert post(client, auth, url, {"end_date": "2024-01-01"}).status_code == 303
    response = post(client, auth, url, {"end_date": "2025-01-01"}, HTMX)
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Membership, membership.id).end_date == date(2024, 1, 1)


def test_remove_a_wrong_membership_softly_and_restore_it(app, client, auth, world):
    (membership,) = membership_rows(app, "C002", world["cujin"])
    auth.login("admin")
    response = post(client, auth, f"/admin/memberships/{membership.id}/remove", headers=HTMX)
    assert response.status_code == 200
    assert "Removed" in response.get_data(as_text=True)
    with app.app_context():
        removed = db.session.get(Membership, membership.id)
        assert removed is not None and removed.deleted_at is not None
        assert not removed.covers(date(2021, 1, 1))
        in_force = db.session.scalar(
            sa.select(sa.func.count()).where(
                Membership.id == membership.id, Membership.on_date(date(2021, 1, 1))
            )
        )
        assert in_force == 0
    page = client.get(f"/admin/units/{world['cujin']}").get_data(as_text=True)
    assert "Member C" not in page and "Removed entries (1)" in page
    assert "Member C" in client.get(f"/admin/units/{world['cujin']}?removed=1").get_data(
        as_text=True
    )
    response = post(client, auth, f"/admin/memberships/{membership.id}/restore")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Membership, membership.id).covers(date(2021, 1, 1))


def test_restore_is_refused_when_it_would_overlap(app, client, auth, newcomer):
    auth.login("admin")
    add(client, auth, newcomer["cujin"], "N001", start="2024-01-01")
    (first,) = membership_rows(app, "N001", newcomer["cujin"])
    post(client, auth, f"/admin/memberships/{first.id}/remove")
    assert add(client, auth, newcomer["cujin"], "N001", start="2024-02-01").status_code == 303
    response = post(client, auth, f"/admin/memberships/{first.id}/restore", headers=HTMX)
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Membership, first.id).deleted_at is not None


def test_dates_in_messages_follow_the_language(app, client, auth, world):
    (membership,) = membership_rows(app, "C002", world["cujin"])
    auth.login("admin")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    url = f"/admin/memberships/{membership.id}/end"
    response = post(client, auth, url, {"end_date": "2019-12-31"}, HTMX)
    assert response.status_code == 422
    assert "始于2020年1月1日，不能早于此日期结束" in response.get_data(as_text=True)
    response = post(client, auth, url, {"end_date": "2025-06-01"}, HTMX)
    assert "自2025年6月1日起不再属于" in response.get_data(as_text=True)  # the flash


def transferred_out(app, world, membership_end=None, removed=False):
    """C005 left the bureau on 2024-06-30; their membership as the data had it before."""
    with app.app_context():
        person = make_person("C005", "Leaver C", db.session.get(OrgUnit, world["cujin"]))
        (membership,) = person.memberships
        membership.end_date = membership_end
        if removed:
            memberships.remove_membership(membership)
        # Set by hand, as old or imported data may have it: open memberships are not ended.
        person.transferred_out_on = date(2024, 6, 30)
        db.session.commit()
        return membership.id


def test_a_membership_is_not_restored_past_a_transfer_out(app, client, auth, world):
    membership_id = transferred_out(app, world, removed=True)
    auth.login("admin")
    response = post(client, auth, f"/admin/memberships/{membership_id}/restore", headers=HTMX)
    assert response.status_code == 409
    assert "was transferred out on June 30, 2024" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Membership, membership_id).deleted_at is not None


def test_a_membership_that_ended_by_the_transfer_out_is_restored(app, client, auth, world):
    membership_id = transferred_out(app, world, membership_end=date(2024, 6, 30), removed=True)
    auth.login("admin")
    response = post(client, auth, f"/admin/memberships/{membership_id}/restore")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Membership, membership_id).deleted_at is None


def test_a_membership_does_not_end_after_a_transfer_out(app, client, auth, world):
    membership_id = transferred_out(app, world)
    auth.login("admin")
    url = f"/admin/memberships/{membership_id}/end"
    response = post(client, auth, url, {"end_date": "2025-01-01"}, HTMX)
    assert response.status_code == 422
    assert "must end by then" in response.get_data(as_text=True)
    assert post(client, auth, url, {"end_date": "2024-06-30"}).status_code == 303
    # Messages carry dates in the reader's language: the check runs within a request.
    with app.test_request_context():
        membership = db.session.get(Membership, membership_id)
        assert membership.end_date == date(2024, 6, 30)
        # Nor is an ended membership extended past that day.
        membership.end_date = date(2024, 6, 1)
        assert "end_date" in memberships.check_end(membership, date(2024, 7, 1))
        assert memberships.check_end(membership, date(2024, 6, 30)) == {}


def test_membership_rules_and_passwords_have_one_home():
    from app.admin.views import accounts as admin_accounts
    from app.people import services as people_services
    from app.people.roster import importer as roster_import

    for name in (
        "overlapping",
        "role_problem",
        "check_new_membership",
        "check_end",
        "restore_membership_problem",
        "add_membership",
        "end_membership",
        "remove_membership",
        "restore_membership",
        "generate_password",
    ):
        assert not hasattr(services, name), name
    assert people_services.add_membership is memberships.add_membership
    assert roster_import.add_membership is memberships.add_membership
    assert roster_import.role_problem is memberships.role_problem
    assert roster_import.generate_password is generate_password
    assert admin_accounts.generate_password is generate_password


def test_generated_passwords_are_easy_to_read_out():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert re.fullmatch(r"[A-HJ-NP-Za-km-z2-9]{4}(-[A-HJ-NP-Za-km-z2-9]{4}){2}", password)
        assert not set(password) & set("0O1lIo")


def account_data(username, role, units=(), person_code="", password=""):
    return {
        "username": username,
        "role": role,
        "units": [str(u) for u in units],
        "person_code": person_code,
        "password": password,
    }


def get_user(app, username):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


def test_account_list_searches_and_filters(client, auth, world):
    auth.login("admin")
    page = client.get("/admin/accounts/").get_data(as_text=True)
    for username in ("admin", "secretary", "secretary2", "member"):
        assert f">{username}</a>" in page
    assert "password_hash" not in page and "scrypt" not in page and "pbkdf2" not in page
    found = client.get("/admin/accounts/?q=Secretary+C", headers=HTMX).get_data(as_text=True)
    assert found.lstrip().startswith('<div id="accounts-table"')
    assert ">secretary2</a>" in found and ">member</a>" not in found
    by_role = client.get("/admin/accounts/?role=member").get_data(as_text=True)
    assert ">member</a>" in by_role and ">admin</a>" not in by_role


def test_secretary_without_units_is_refused(app, client, auth, world):
    auth.login("admin")
    response = post(client, auth, "/admin/accounts/new", account_data("sec3", "secretary"))
    assert response.status_code == 422
    assert "Choose at least one unit" in response.get_data(as_text=True)
    assert get_user(app, "sec3") is None


def test_create_secretary_with_units(app, client, auth, world):
    auth.login("admin")
    data = account_data("Sec3", "secretary", [world["jiguan"], world["cujin"]], "J003", "x" * 10)
    response = post(client, auth, "/admin/accounts/new", data)
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "sec3"))
        assert {unit.code for unit in user.units} == {"jiguan", "cujin"}
        assert user.person.code == "J003"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (account_data("m2", "member"), "A member account belongs to a person"),
        (account_data("m2", "member", person_code="J002"), "already has an account"),
        (account_data("m2", "member", person_code="ZZZ"), "No person has this personnel code"),
        (account_data("member", "admin"), "This username is taken"),
        (account_data("m2", "admin", [1]), "Only secretaries keep units"),
        (account_data("m2", "admin", password="short"), "at least 8 characters"),
        (account_data("bad name", "admin"), "Use lower-case letters"),
    ],
)
def test_invalid_accounts_are_refused(app, client, auth, world, data, message):
    auth.login("admin")
    if data["units"]:
        data = {**data, "units": [str(world["jiguan"])]}
    response = post(client, auth, "/admin/accounts/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 4


def test_member_with_initial_password_must_change_it_first(app, client, auth, world):
    auth.login("admin")
    data = account_data("NewMember", "member", person_code="C002", password="initial-pass-1")
    response = post(client, auth, "/admin/accounts/new", data)
    assert response.status_code == 303
    user = get_user(app, "newmember")
    assert user.role is Role.MEMBER and user.must_change_password and user.active
    assert "initial-pass-1" not in client.get(f"/admin/accounts/{user.id}").get_data(as_text=True)
    auth.logout()
    response = auth.login("newmember", "initial-pass-1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/password")


def test_generated_password_is_shown_once_and_works(app, client, auth, world):
    auth.login("admin")
    data = account_data("gen", "member", person_code="C002")
    response = post(client, auth, "/admin/accounts/new", data)
    assert response.status_code == 200
    password = re.search(r'id="initial-password">([^<]+)<', response.get_data(as_text=True))[1]
    assert len(password) >= 12
    user = get_user(app, "gen")
    assert password not in client.get(f"/admin/accounts/{user.id}").get_data(as_text=True)
    auth.logout()
    response = auth.login("gen", password)
    assert response.headers["Location"].endswith("/auth/password")


def test_reset_password(app, client, auth, world):
    auth.login("admin")
    member = get_user(app, "member")
    assert client.get(f"/admin/accounts/{member.id}/password").status_code == 200
    response = post(client, auth, f"/admin/accounts/{member.id}/password")
    assert response.status_code == 200
    password = re.search(r'id="initial-password">([^<]+)<', response.get_data(as_text=True))[1]
    assert get_user(app, "member").must_change_password
    auth.logout()
    assert auth.login("member", PASSWORD).status_code == 422
    response = auth.login("member", password)
    assert response.headers["Location"].endswith("/auth/password")


def test_admin_cannot_reset_own_password_here(app, client, auth, world):
    auth.login("admin")
    admin = get_user(app, "admin")
    response = post(client, auth, f"/admin/accounts/{admin.id}/password", headers=HTMX)
    assert response.status_code == 409
    assert not get_user(app, "admin").must_change_password


def edit_data(role, units=(), person_code="", active=True):
    data = {"role": role, "units": [str(u) for u in units], "person_code": person_code}
    if active:
        data["active"] = "y"
    return data


def test_deactivated_account_cannot_sign_in_and_loses_its_session(app, client, auth, world):
    member = get_user(app, "member")
    other = auth.client_for("member")
    assert other.get("/").status_code == 200
    auth.login("admin")
    assert client.get(f"/admin/accounts/{member.id}").status_code == 200
    response = post(
        client, auth, f"/admin/accounts/{member.id}", edit_data("member", (), "J002", False)
    )
    assert response.status_code == 303
    assert get_user(app, "member").active is False
    assert other.get("/").status_code == 302
    auth.logout()
    response = auth.login("member")
    assert response.status_code == 422
    assert "Wrong username or password" in response.get_data(as_text=True)


def test_edit_changes_role_units_and_person(app, client, auth, world):
    auth.login("admin")
    member = get_user(app, "member")
    data = edit_data("secretary", [world["cujin"]], "J002")
    assert post(client, auth, f"/admin/accounts/{member.id}", data).status_code == 303
    with app.app_context():
        user = db.session.get(User, member.id)
        assert user.role is Role.SECRETARY and [u.code for u in user.units] == ["cujin"]
    data = edit_data("member", [world["cujin"]], "J002")
    response = post(client, auth, f"/admin/accounts/{member.id}", data)
    assert response.status_code == 422


def test_admin_cannot_deactivate_or_demote_self(app, client, auth, world):
    auth.login("admin")
    admin = get_user(app, "admin")
    response = post(client, auth, f"/admin/accounts/{admin.id}", edit_data("admin", active=False))
    assert response.status_code == 422
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    response = post(
        client,
        auth,
        f"/admin/accounts/{admin.id}",
        edit_data("secretary", [world["jiguan"]]),
    )
    assert response.status_code == 422
    assert "administrator role from your own account" in response.get_data(as_text=True)
    user = get_user(app, "admin")
    assert user.active and user.role is Role.ADMIN


def settings_data(**changes):
    data = {
        "org.name": "科工信局",
        "hours.target_member": "32",
        "hours.target_committee": "56",
        "activity.late_entry_days": "7",
        "members.inactive_days": "90",
    }
    data.update({key.replace("__", "."): value for key, value in changes.items()})
    return data


def test_settings_page_lists_every_key(client, auth, world):
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    for key, definition in settings.REGISTRY.items():
        assert f'name="{key}"' in page
        assert str(definition.label) in page
    assert "Study hours" in page and "Default: 32" in page


def test_valid_settings_are_saved(app, client, auth, world):
    auth.login("admin")
    data = settings_data(
        org__name="新的名称",
        hours__target_member="40",
        hours__target_committee="60.5",
        members__inactive_days="120",
    )
    response = post(client, auth, "/admin/settings", data)
    assert response.status_code == 303
    with app.app_context():
        assert settings.get("org.name") == "新的名称"
        assert settings.get("hours.target_member") == 40.0
        assert settings.get("hours.target_committee") == 60.5
        assert settings.get("members.inactive_days") == 120
        assert settings.get("activity.late_entry_days") == 7
    assert 'value="60.5"' in client.get("/admin/settings").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours__target_member": "lots"}, "Enter a number"),
        ({"activity__late_entry_days": "2.5"}, "Enter a whole number"),
        ({"members__inactive_days": "10"}, "Must be at least 30"),
        ({"hours__target_committee": "501"}, "Must be at most 500"),
        ({"org__name": "  "}, "This value is required"),
    ],
)
def test_invalid_settings_save_nothing(app, client, auth, world, changes, message):
    auth.login("admin")
    data = settings_data(**{"hours__target_member": "44", **changes})
    response = post(client, auth, "/admin/settings", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(settings.Setting)) == 0
        assert settings.get("hours.target_member") == 32.0


def admin_and_audit_urls(app):
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("admin.", "audit.")):
            continue
        url = re.sub(r"<(?:int:)?\w+>", "1", rule.rule)
        method = "GET" if "GET" in rule.methods else "POST"
        urls.append((method, url))
    return sorted(set(urls))


def test_every_admin_url_is_listed(app):
    urls = admin_and_audit_urls(app)
    assert ("GET", "/admin/") in urls and ("GET", "/audit/") in urls
    assert ("POST", "/admin/memberships/1/remove") in urls
    assert len(urls) >= 18


@pytest.mark.parametrize("username", ["member", "secretary", "secretary2"])
def test_non_admins_get_403_everywhere(app, client, auth, world, username):
    auth.login(username)
    token = auth.token("/")
    for method, url in admin_and_audit_urls(app):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 403, (method, url)
        if method == "POST":
            response = client.post(url, data={"csrf_token": token}, headers=HTMX)
            assert response.status_code == 403, (method, url)


def test_anonymous_is_sent_to_sign_in(app, client, world):
    for method, url in admin_and_audit_urls(app):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 302, url
            assert "/auth/login" in response.headers["Location"]


def test_admin_pages_render(app, client, auth, world):
    auth.login("admin")
    member = get_user(app, "member")
    for url in (
        "/admin/",
        "/admin/units/",
        "/admin/units/new",
        f"/admin/units/{world['jiguan']}",
        f"/admin/units/{world['jiguan']}/edit",
        "/admin/accounts/",
        "/admin/accounts/new",
        f"/admin/accounts/{member.id}",
        "/admin/settings",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert "style=" not in body and "hx-on" not in body, url
        assert "<script>" not in body, url
        assert "HX-Request, HX-Boosted" in response.headers["Vary"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/?page=99999999999999999999",
        "/admin/accounts/?page=%C2%B2",
        "/admin/accounts/?q=%25_%5C",
        "/admin/units/new?parent=99999999999999999999",
        "/admin/units/new?parent=%C2%B2",
        "/admin/accounts/new?person=99999999999999999999",
        "/admin/accounts/new?person=-1",
        "/admin/units/{jiguan}?page=99999999999999999999",
        "/admin/units/{jiguan}?removed=1&page=99999999999999999999",
        "/members/pick?q=" + "9" * 100,
        "/members/pick?mode=bureau&q=" + "张" * 100,
        "/members/pick?q=J&page=99999999999999999999",
    ],
)
def test_out_of_range_query_arguments_never_fail(client, auth, world, url):
    auth.login("admin")
    for headers in ({}, HTMX):
        response = client.get(url.format(**world), headers=headers)
        assert response.status_code == 200, url


def test_out_of_range_ids_in_urls_are_not_found(client, auth, world):
    auth.login("admin")
    for url in ("/admin/units/99999999999999999999", "/admin/accounts/99999999999999999999"):
        assert client.get(url).status_code == 404, url


def test_out_of_range_dates_are_form_errors(app, client, auth, newcomer):
    auth.login("admin")
    response = add(client, auth, newcomer["cujin"], "N001", start="9999-12-31")
    assert response.status_code == 422
    assert "Enter a date between 1900 and 2100" in response.get_data(as_text=True)
    (membership,) = membership_rows(app, "C002", newcomer["cujin"])
    url = f"/admin/memberships/{membership.id}/end"
    response = post(client, auth, url, {"end_date": "9999-12-31"})
    assert response.status_code == 422
    assert "Enter a date between 1900 and 2100" in response.get_data(as_text=True)


def test_a_code_taken_between_check_and_commit_is_a_form_error(
    app, client, auth, world, monkeypatch
):
    monkeypatch.setattr(services, "check_unit", lambda *args: {})
    auth.login("admin")
    before = units_count(app)
    data = unit_data("jiguan", "Twin", UnitKind.BRANCH, world["bureau"])
    response = post(client, auth, "/admin/units/new", data)
    assert response.status_code == 422
    assert "Another unit already has this code" in response.get_data(as_text=True)
    assert units_count(app) == before


def _add_branches(app, world, count: int, prefix: str = "b") -> None:
    with app.app_context():
        bureau = db.session.get(OrgUnit, world["bureau"])
        for n in range(count):
            make_unit(f"{prefix}{n:02d}", UnitKind.BRANCH, bureau)
        db.session.commit()


def test_tree_is_paged_so_its_bytes_do_not_grow_with_the_units(app, client, auth, world, queries):
    auth.login("admin")
    _add_branches(app, world, 15)  # 20 units: one full page
    with queries() as few:
        small = len(client.get("/admin/units/").data)
    _add_branches(app, world, 20, prefix="c")  # 40 units
    with queries() as many:
        large = client.get("/admin/units/").get_data(as_text=True)
    assert many.count == few.count
    assert abs(len(large) - small) < 1000  # the page links, not twenty more rows
    assert large.count('<tr id="unit-') == app.config["PAGE_SIZE"]
    second = client.get("/admin/units/?page=2").get_data(as_text=True)
    assert second.count('<tr id="unit-') == app.config["PAGE_SIZE"]


def test_tree_search_finds_units_by_name_or_code(app, client, auth, world):
    auth.login("admin")
    _add_branches(app, world, 30)
    page = client.get("/admin/units/?q=jiguan").get_data(as_text=True)
    assert ">Jiguan branch</a>" in page and ">Jiguan group 1</a>" in page
    assert ">Cujin branch</a>" not in page
    by_code = client.get("/admin/units/?q=b07").get_data(as_text=True)
    assert by_code.count('<tr id="unit-') == 1
    none = client.get("/admin/units/?q=nothing-like-it").get_data(as_text=True)
    assert "No unit&#39;s name or code holds" in none or "No unit's name or code holds" in none


def _unit_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == code))


def _deactivate(app, *codes: str) -> None:
    with app.app_context():
        for unit in db.session.scalars(sa.select(OrgUnit).where(OrgUnit.code.in_(codes))):
            unit.deleted_at = utcnow()
        db.session.commit()


HIDDEN_PARENT = re.compile(r'<input type="hidden" name="parent_id" value="(\d*)" data-unit-choice>')


def test_a_parent_among_many_units_is_checked_and_kept(app, client, auth, world):
    _add_branches(app, world, SELECT_LIMIT + 5)
    b07 = _unit_id(app, "b07")
    with app.app_context():
        group = make_unit("b07-g1", UnitKind.GROUP, db.session.get(OrgUnit, b07), "b07's").id
        db.session.commit()
    _deactivate(app, "b05", "b07", "b07-g1")
    auth.login("admin")
    before = units_count(app)
    # A branch only the live search offers is taken; a deactivated one is not.
    data = unit_data("b25-g1", "Group of b25", UnitKind.GROUP, _unit_id(app, "b25"))
    assert post(client, auth, "/admin/units/new", data).status_code == 303
    with app.app_context():
        saved = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "b25-g1"))
        assert saved.parent_id == _unit_id(app, "b25")
    data = unit_data("b05-g1", "Group of b05", UnitKind.GROUP, _unit_id(app, "b05"))
    response = post(client, auth, "/admin/units/new", data)
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)
    assert units_count(app) == before + 1
    # A deactivated unit keeps its deactivated parent on its edit page, and through a save.
    page = client.get(f"/admin/units/{group}/edit").get_data(as_text=True)
    assert HIDDEN_PARENT.findall(page) == [str(b07)]
    assert 'value="b07 (b07) · deactivated"' in page and "b25" not in page
    data = unit_data("b07-g1", "Renamed group", UnitKind.GROUP, b07)
    assert post(client, auth, f"/admin/units/{group}/edit", data).status_code == 303
    with app.app_context():
        kept = db.session.get(OrgUnit, group)
        assert (kept.name, kept.parent_id) == ("Renamed group", b07)
    # Nor does a unit sit under itself.
    b10 = _unit_id(app, "b10")
    data = unit_data("b10", "b10", UnitKind.BRANCH, b10)
    assert post(client, auth, f"/admin/units/{b10}/edit", data).status_code == 422
    with app.app_context():
        assert db.session.get(OrgUnit, b10).parent_id == world["bureau"]


def test_an_account_among_many_units_keeps_its_deactivated_unit(app, client, auth, world):
    _add_branches(app, world, SELECT_LIMIT + 5)
    _deactivate(app, "b05")
    b05, b25 = _unit_id(app, "b05"), _unit_id(app, "b25")
    with app.app_context():
        account = db.session.scalar(sa.select(User).where(User.username == "secretary2"))
        account.units = [db.session.get(OrgUnit, world["cujin"]), db.session.get(OrgUnit, b05)]
        db.session.commit()
        account_id = account.id
    auth.login("admin")
    page = client.get(f"/admin/accounts/{account_id}").get_data(as_text=True)
    ticked = re.findall(r'type="checkbox" name="units" value="(\d+)"[^>]* checked', page)
    assert sorted(map(int, ticked)) == sorted([world["cujin"], b05])
    assert "b05 (b05) · deactivated" in page and "b25" not in page
    data = edit_data("secretary", [world["cujin"], b05, b25], "C001")
    assert post(client, auth, f"/admin/accounts/{account_id}", data).status_code == 303
    with app.app_context():
        kept = db.session.get(User, account_id)
        assert sorted(u.id for u in kept.units) == sorted([world["cujin"], b05, b25])
        accounts = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    # A new account may not take the deactivated unit.
    data = account_data("sec9", "secretary", [b25, b05], password="x" * 10)
    response = post(client, auth, "/admin/accounts/new", data)
    assert response.status_code == 422
    assert f"&#39;{b05}&#39; is not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == accounts


def test_unit_and_account_forms_load_the_same_statements_however_many_units(
    app, client, auth, world, queries
):
    auth.login("admin")
    secretary = get_user(app, "secretary")
    urls = [
        "/admin/units/new",
        f"/admin/units/{world['group']}/edit",
        "/admin/accounts/new",
        f"/admin/accounts/{secretary.id}",
    ]
    _add_branches(app, world, SELECT_LIMIT + 5)
    with queries() as few:
        assert [client.get(url).status_code for url in urls] == [200] * 4
    _add_branches(app, world, 3 * SELECT_LIMIT, prefix="c")
    with queries() as many:
        bodies = [client.get(url).get_data(as_text=True) for url in urls]
    assert many.count == few.count
    assert unlimited_unit_loads(many.statements) == []
    for body in bodies:
        assert "(b20)" not in body and "(c50)" not in body
        assert 'hx-get="/members/pick-unit"' in body
    assert "Jiguan branch (jiguan)" in bodies[1] and "Jiguan branch (jiguan)" in bodies[3]
