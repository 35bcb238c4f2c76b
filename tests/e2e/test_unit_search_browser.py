"""Unit searches in a real browser, where a district has too many units for a select: a
secretary filters the sessions by a 党小组 found by typing and chosen with the keyboard, then
plans a session for another one (with its chair from the person picker); an admin filters the
roster by a unit on a phone; axe finds no serious violation in the searches, results open.
Screenshots at desktop and phone widths, in Chinese."""

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from app.auth.models import User
from app.extensions import db
from app.people.models import OrgUnit, UnitKind
from app.people.unit_picker import SELECT_LIMIT
from app.study.models import StudySession

try:
    from playwright.sync_api import Locator, Page, expect
except ImportError:
    if os.environ.get("CI") == "true":
        pytest.fail("the playwright package is not installed (CI=true: browser tests must run)")
    pytest.skip("the playwright package is not installed", allow_module_level=True)

from e2e.test_accessibility_browser import violations
from e2e.test_study_browser import planned_times

if TYPE_CHECKING:
    from e2e.conftest import WatchedPage


def add_groups(app: Flask) -> dict[str, int]:
    """Enough 党小组 under both branches that every unit choice becomes a search; their ids."""
    with app.app_context():
        ids = {}
        for code in ("jiguan", "cujin"):
            branch = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))
            for n in range(1, SELECT_LIMIT + 2):
                group = OrgUnit(
                    code=f"{code}-z{n}", name=f"第{n}学习小组", kind=UnitKind.GROUP, parent=branch
                )
                db.session.add(group)
                db.session.flush()
                ids[group.code] = group.id
        db.session.commit()
        return ids


def search_unit(page: Page, field: str, typed: str) -> Locator:
    """Types into a unit search as a person would; its results, once the first is shown."""
    page.locator(field).press_sequentially(typed, delay=40)
    results = page.locator(f"{field}-results [data-unit-option]")
    expect(results.first).to_be_visible()
    return results


def search_unit_at(watched: "WatchedPage", role: str, url: str, field: str, typed: str) -> Locator:
    """Signed in as ``role`` at ``url``, whose unit choice is a search, not a select: the results
    of typing ``typed`` into it."""
    watched.sign_in(role)
    watched.page.goto(url)
    expect(watched.page.locator(f"select{field}")).to_have_count(0)
    return search_unit(watched.page, field, typed)


def test_a_secretary_filters_and_plans_by_a_searched_unit(
    app: Flask, open_page: Callable, screenshot_path: Callable
) -> None:
    ids = add_groups(app)
    with open_page(1280, 900) as watched:
        results = search_unit_at(watched, "secretary", "/study/", "#filter-unit", "第12学习")
        page = watched.page
        expect(results).to_have_count(1)  # the jiguan secretary never sees cujin's group
        expect(page.locator("#filter-unit-results")).to_contain_text("机关党支部")  # its path
        page.screenshot(path=screenshot_path("unit-search-filter-1280"))
        # Keyboard: down to the result, Enter chooses it and the filter applies itself.
        page.locator("#filter-unit").press("ArrowDown")
        expect(results.first).to_be_focused()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"[?&]unit=\d+"))
        assert parse_qs(urlsplit(page.url).query)["unit"] == [str(ids["jiguan-z12"])]
        expect(page.locator("#filter-unit")).to_have_value("第12学习小组")
        # A page loaded with the filter chosen names the unit, not the whole list.
        page.reload()
        expect(page.locator("#filter-unit")).to_have_value("第12学习小组")
        expect(page.locator("input[name=unit][data-unit-choice]")).to_have_value(
            str(ids["jiguan-z12"])
        )

        start, end = planned_times()
        page.goto("/study/new")
        page.fill("#title", "学习小组学习")
        page.select_option("#kind", "general_meeting")
        page.locator("#unit_id").fill("")
        search_unit(page, "#unit_id", "第3学")
        page.locator("#unit_id-results [data-unit-option][data-name='第3学习小组']").click()
        expect(page.locator("#unit_id")).to_have_value("第3学习小组")
        page.fill("#day", start.strftime("%Y-%m-%d"))
        page.fill("#start", start.strftime("%H:%M"))
        page.fill("#end", end.strftime("%H:%M"))
        page.locator("#chair").press_sequentially("刘志", delay=40)
        chair = page.locator("#chair-results [data-person-option][data-name='刘志强']")
        expect(chair).to_have_count(1)
        chair.focus()
        page.keyboard.press("Enter")
        expect(page.locator("#chair")).to_have_value("刘志强")
        page.screenshot(path=screenshot_path("unit-search-form-1280"), full_page=True)
        page.click("form[action='/study/new'] button[type=submit]")
        page.wait_for_url(re.compile(r"/study/\d+$"))
        session_id = int(urlsplit(page.url).path.rsplit("/", 1)[1])
        watched.assert_clean()
    with app.app_context():
        session = db.session.get(StudySession, session_id)
        assert session.unit_id == ids["jiguan-z3"] and session.chair.name == "刘志强"


def test_an_admin_filters_the_roster_by_a_searched_unit_on_a_phone(
    app: Flask, open_page: Callable, screenshot_path: Callable
) -> None:
    ids = add_groups(app)
    with open_page(390, 844) as watched:
        results = search_unit_at(watched, "admin", "/members/", "#roster-unit", "第7学习")
        page = watched.page
        expect(results).to_have_count(2)  # one in each branch, told apart by the path
        expect(results.nth(0)).to_contain_text("机关党支部")  # tree order: jiguan comes first
        expect(results.nth(1)).to_contain_text("生产力促进中心党支部")
        page.screenshot(path=screenshot_path("unit-search-roster-390"))
        box = page.locator("#roster-unit-results").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390  # within the screen
        results.nth(0).click()
        page.wait_for_url(re.compile(r"[?&]unit=\d+"))
        assert parse_qs(urlsplit(page.url).query)["unit"] == [str(ids["jiguan-z7"])]
        expect(page.locator("#roster-table")).to_contain_text("没有")  # an empty new group
        # Clearing the search shows every unit again.
        page.locator("#roster-unit").fill("")
        page.wait_for_url(lambda url: "unit" not in parse_qs(urlsplit(url).query))
        expect(page.locator("#roster-table")).to_contain_text("刘志强")
        watched.assert_clean()


def test_unit_searches_have_no_serious_accessibility_violations(
    app: Flask, open_page: Callable
) -> None:
    add_groups(app)
    problems: list[str] = []
    with open_page(1280, 900, bypass_csp=True) as watched:
        watched.sign_in("admin")
        page = watched.page
        for url, field in [
            ("/study/", "#filter-unit"),
            ("/study/new", "#unit_id"),
            ("/admin/accounts/new", "#units"),
            ("/members/import", "#import-unit-code"),
        ]:
            page.goto(url)
            folded = page.locator(f"details:has({field}) > summary")
            if folded.count():
                folded.click()  # the import page keeps the unit codes folded away
            page.locator(field).fill("")
            search_unit(page, field, "第1")
            problems += [f"{url} {v['id']}: {v['help']} {v['nodes']}" for v in violations(page)]
    assert not problems, "\n".join(problems)


def test_an_admin_places_a_unit_and_a_secretary_by_searched_units(
    app: Flask, open_page: Callable, screenshot_path: Callable
) -> None:
    ids = add_groups(app)
    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        kept = sorted(unit.id for unit in secretary.units)
        account_id = secretary.id
    with open_page(1280, 900) as watched:
        # A new 党小组 under a branch found by typing: the parent choice is a search.
        search_unit_at(watched, "admin", "/admin/units/new", "#parent_id", "生产力")
        page = watched.page
        page.fill("#name", "第九十九学习小组")
        page.fill("#code", "cujin-z99")
        page.select_option("#kind", "group")
        page.locator(
            "#parent_id-results [data-unit-option][data-name='生产力促进中心党支部']"
        ).click()
        expect(page.locator("#parent_id")).to_have_value("生产力促进中心党支部")
        page.click("form:has(#parent_id) button[type=submit]")
        page.wait_for_url(re.compile(r"/admin/units/\d+$"))
        # The secretary's account: their units ticked, one more added through the search.
        page.goto(f"/admin/accounts/{account_id}")
        ticked = page.locator("[data-unit-chosen=units] input[type=checkbox]:checked")
        expect(ticked).to_have_count(len(kept))
        page.locator("#units").press_sequentially("第5学", delay=40)
        found = page.locator("#units-results [data-unit-option]")
        expect(found).to_have_count(2)  # one in each branch
        found.nth(1).click()  # tree order: cujin's after jiguan's
        expect(ticked).to_have_count(len(kept) + 1)
        page.screenshot(path=screenshot_path("unit-search-account-1280"), full_page=True)
        page.click("form:has(#units) button[type=submit]")
        page.wait_for_url(re.compile(rf"/admin/accounts/{account_id}$"))
        expect(page.locator(".alert-success")).to_be_visible()
        watched.assert_clean()
    with app.app_context():
        unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "cujin-z99"))
        cujin = db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == "cujin"))
        assert unit is not None and unit.parent_id == cujin
        account = db.session.get(User, account_id)
        assert sorted(u.id for u in account.units) == sorted([*kept, ids["cujin-z5"]])
