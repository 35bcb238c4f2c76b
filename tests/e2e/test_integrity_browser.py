"""A family integrity forum in a real browser, as the jiguan secretary records one: the form,
two cadres on the list, their spouses as family guests, attendance, and the list's years in a
row — on a desk and on a phone, in Chinese."""

import os
from collections.abc import Callable
from datetime import timedelta

import pytest

from app.types import local_today
from e2e.test_pickers_browser import as_secretary, choose

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("CI") == "true":
        pytest.fail("the playwright package is not installed (CI=true: browser tests must run)")
    pytest.skip("the playwright package is not installed", allow_module_level=True)


def _add_cadre(page, typed: str, name: str) -> None:
    choose(page, "#participant-person", typed, name)
    page.locator("#participant-person").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    expect(page.locator("#attendance")).to_contain_text(name)


def _add_spouse(page, guest: str, typed: str, member: str) -> None:
    page.fill("#guest-name", guest)
    page.fill("#guest-relation", "配偶")
    page.select_option("#guest-kind", "family")
    choose(page, "#guest-member", typed, member)
    page.locator("#guest-member").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    expect(page.locator("#attendance")).to_contain_text(f"家属（{member}）")


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_a_forum_with_two_family_guests_is_recorded_and_the_streak_read(
    open_page: Callable, screenshot_path: Callable, width: int, height: int
) -> None:
    yesterday = local_today() - timedelta(days=1)
    with as_secretary(open_page, width, height) as watched:
        page = watched.page
        # The demo's branch has held a forum every year for eight years, this year's included.
        page.goto("/integrity/")
        expect(page.locator("#streaks")).to_contain_text("家属廉政座谈会 已连续开展 8 年")
        page.goto("/integrity/new")
        page.fill("#title", "家属廉政座谈会（补充场次）")
        page.select_option("#kind", "family_forum")
        page.fill("#day", yesterday.isoformat())
        page.fill("#start", "15:00")
        page.fill("#end", "16:30")
        page.fill("#content", "家属代表发言，签订家庭助廉承诺书")
        page.locator("form[action='/integrity/new'] button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text("应到 0 人")
        _add_cadre(page, "刘志", "刘志强")
        _add_cadre(page, "陈静", "陈静")
        _add_spouse(page, "林秀英", "刘志", "刘志强")
        _add_spouse(page, "何淑芬", "陈静", "陈静")
        page.get_by_role("button", name="未标记人员全部记为出席").click()
        counts = page.locator("#session-counts")
        expect(counts).to_contain_text("家属人数")
        expect(counts.locator(".count").nth(0)).to_contain_text("2")  # 应到: the cadres only
        expect(counts.locator(".count").nth(1)).to_contain_text("2")  # 实到
        page.screenshot(path=screenshot_path(f"integrity-forum-{width}"), full_page=True)
        page.goto("/integrity/?kind=family_forum")
        expect(page.locator("#integrity-list")).to_contain_text("家属廉政座谈会（补充场次）")
        expect(page.locator("#streaks")).to_contain_text("已连续开展 8 年")
        page.screenshot(path=screenshot_path(f"integrity-list-{width}"), full_page=True)
        watched.assert_clean()
