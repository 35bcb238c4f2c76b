"""A responsibility list in a real browser, as the 党组's office builds one: a leader's list with
their post and areas, a manual item completed only once a 履责记实 entry names it, and a countable
item whose count the branch's sessions give — on a desk and on a phone, in Chinese."""

import os
import re
from collections.abc import Callable

import pytest

from app.types import local_today
from e2e.test_pickers_browser import choose

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("CI") == "true":
        pytest.fail("the playwright package is not installed (CI=true: browser tests must run)")
    pytest.skip("the playwright package is not installed", allow_module_level=True)


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_an_admin_builds_a_leaders_list_and_completes_an_item_with_a_record(
    open_page: Callable, width: int, height: int
) -> None:
    year = local_today().year
    with open_page(width, height) as watched:
        watched.sign_in("admin")
        page = watched.page
        page.goto(f"/duties/new?year={year}")
        page.fill("#title", f"{year}年杨帆同志责任清单（测试）")
        choose(page, "#person", "杨", "杨帆")
        page.fill("#post", "科技股股长")
        page.fill("#areas", "科技\n信访")
        page.locator("form[action='/duties/new'] button[type=submit]").click()
        expect(page.locator("h1")).to_contain_text("杨帆同志责任清单（测试）")
        expect(page.locator("#duties-heading + dl")).to_contain_text("信访")
        page.get_by_role("link", name="新建责任事项").click()
        expect(page.locator("h1")).to_have_text("新建责任事项")
        page.fill("#text", "走访科技型企业（测试）")
        page.locator("form button[type=submit]", has_text="保存").click()
        row = page.locator("#items tr", has_text="走访科技型企业（测试）")
        expect(row).to_contain_text("正常推进")
        row.locator("select[name=status]").select_option("done")
        row.get_by_role("button", name="保存").click()
        expect(page.locator(".alert-danger, .alert-warning").first).to_contain_text("履责记实")
        page.fill("#title", "走访三家科技型企业")
        page.fill("#text", "了解研发投入情况，宣讲惠企政策")
        page.locator("#items-1, select[name=items]").first.select_option(
            label="走访科技型企业（测试）"
        )
        page.get_by_role("button", name="保存记录").click()
        expect(page.locator("#entries-heading").locator("..")).to_contain_text("走访三家科技型企业")
        row = page.locator("#items tr", has_text="走访科技型企业（测试）")
        row.locator("select[name=status]").select_option("done")
        row.get_by_role("button", name="保存").click()
        expect(page.locator("#items tr", has_text="走访科技型企业（测试）")).to_contain_text("完成")
        expect(page).to_have_url(re.compile(r"/duties/\d+$"))
        watched.assert_clean()
