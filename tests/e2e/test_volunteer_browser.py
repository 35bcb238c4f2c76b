"""A project 为群众办实事 in a real browser, as the jiguan secretary runs one from 未启动 to 已销号:
recorded, pushed forward, completed, closed out with the acceptance and the survey — on a desk
and on a phone, in Chinese."""

import os
import re
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


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_a_project_is_taken_from_not_started_to_closed_out(
    open_page: Callable, screenshot_path: Callable, width: int, height: int
) -> None:
    today = local_today()
    with as_secretary(open_page, width, height) as watched:
        page = watched.page
        page.goto("/volunteer/new")
        page.fill("#name", "帮助园区企业修缮职工宿舍（测试）")
        page.select_option("#source", "enterprise")
        choose(page, "#person", "赵", "赵明")
        page.fill("#beneficiaries", "科技园区企业职工")
        page.fill("#beneficiaries_count", "86")
        page.fill("#planned_start", (today - timedelta(days=40)).isoformat())
        page.fill("#planned_end", (today + timedelta(days=20)).isoformat())
        page.locator("form[action='/volunteer/new'] button[type=submit]").click()
        year = (today - timedelta(days=40)).year  # a project is numbered in its start's year
        expect(page.locator(".alert-success")).to_contain_text(f"{year}-jiguan-")
        expect(page.locator("h1")).to_contain_text("帮助园区企业修缮职工宿舍（测试）")
        expect(page.locator("h1 + div")).to_contain_text("未启动")
        page.fill("#done_on", (today - timedelta(days=30)).isoformat())
        page.fill("#text", "走访企业，了解宿舍漏水情况")
        page.get_by_role("button", name="登记推进情况").click()
        expect(page.locator("#timeline")).to_contain_text("走访企业，了解宿舍漏水情况")
        expect(page.locator("h1 + div")).to_contain_text("推进中")
        page.fill("#completed_on", (today - timedelta(days=3)).isoformat())
        page.fill("#outcome", "完成宿舍屋面防水修缮")
        page.get_by_role("button", name="标记为已办结").click()
        expect(page.locator("h1 + div")).to_contain_text("已办结")
        page.get_by_role("link", name="销号").click()
        page.fill("#accepted_by", "园区企业代表")
        page.fill("#satisfied", "18")
        page.fill("#fairly_satisfied", "2")
        page.locator("form[action$='/close'] button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/volunteer/\d+$"))
        expect(page.locator("h1 + div")).to_contain_text("已销号")
        expect(page.locator("#satisfaction")).to_contain_text("100.0%")
        page.screenshot(path=screenshot_path(f"volunteer-closed-{width}"), full_page=True)
        page.goto("/volunteer/")
        expect(page.locator("#project-list")).to_contain_text("帮助园区企业修缮职工宿舍（测试）")
        page.screenshot(path=screenshot_path(f"volunteer-list-{width}"), full_page=True)
        watched.assert_clean()


def _volunteer_hours(page) -> float:
    """The member's volunteer hours on their home."""
    line = page.locator("p", has_text="志愿服务时长").first
    return float(re.search(r"(\d+\.\d)", line.inner_text()).group(1))


def test_a_service_day_of_a_project_credits_hours_the_member_sees(
    open_page: Callable, screenshot_path: Callable
) -> None:
    """The secretary opens a service day from a project in progress, marks 赵明 present, gives
    him his own 2.5 h of the day's 3.0 (he came late); his home shows 2.5 h more."""
    yesterday = local_today() - timedelta(days=1)
    with open_page(1280, 900) as watched:
        watched.sign_in("member")
        before = _volunteer_hours(watched.page)
    with as_secretary(open_page, 1280, 900) as watched:
        page = watched.page
        page.goto("/volunteer/?status=in_progress")
        page.locator("#project-list a[href^='/volunteer/']:not([href*='?'])").first.click()
        page.get_by_role("link", name="新建志愿服务日").click()
        page.fill("#title", "结对社区志愿服务（测试）")
        page.fill("#day", yesterday.isoformat())
        page.fill("#start", "09:00")
        page.fill("#end", "11:45")
        page.fill("#served", "35")
        page.locator("form[action^='/volunteer/service-days/new'] button[type=submit]").click()
        expect(page.locator("h1")).to_contain_text("结对社区志愿服务（测试）")
        expect(page.locator("#record-heading + dl")).to_contain_text("3.0")
        group = page.get_by_role("group", name="标记 赵明")
        group.get_by_role("button", name="出席").click()
        expect(group.get_by_role("button", name="出席")).to_have_attribute("aria-pressed", "true")
        page.reload()
        row = page.locator("#service-hours tr", has_text="赵明")
        row.locator("input[name=hours]").fill("2.5")
        row.get_by_role("button", name="保存").click()
        expect(page.locator("#service-hours tr", has_text="赵明")).to_contain_text("个人")
        page.screenshot(path=screenshot_path("service-day-1280"), full_page=True)
        watched.assert_clean()
    with open_page(390, 844) as watched:
        watched.sign_in("member")
        assert _volunteer_hours(watched.page) == before + 2.5
        watched.page.screenshot(path=screenshot_path("service-hours-home-390"), full_page=True)
        watched.assert_clean()
