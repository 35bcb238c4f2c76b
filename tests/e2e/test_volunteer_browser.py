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
