"""The roster in a real browser: live search and filters swap the table in place, pages render
in Chinese at desktop and phone widths, nothing breaks the CSP or leaves the machine."""

import os
import re
from urllib.parse import parse_qs, urlsplit

import pytest

try:
    from playwright.sync_api import Page, Response, expect
except ImportError:
    if os.environ.get("CI") == "true":
        pytest.fail("the playwright package is not installed (CI=true: browser tests must run)")
    pytest.skip("the playwright package is not installed", allow_module_level=True)

CJK_FONT = re.compile(
    r"CJK|Han Sans|Han Serif|PingFang|YaHei|Hei|Song|Ming|Kai|WenQuanYi|Droid Sans Fallback", re.I
)


def roster_update(params: dict[str, str]):
    """Matches the htmx (not boosted) request for the roster table carrying ``params``."""

    def matches(response: Response) -> bool:
        parts = urlsplit(response.url)
        if parts.path != "/members/" or response.request.headers.get("hx-request") != "true":
            return False
        query = parse_qs(parts.query, keep_blank_values=True)
        return all(query.get(key) == [value] for key, value in params.items())

    return matches


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def roster_names(page: Page) -> set[str]:
    return set(page.locator("#roster-table tbody tr td:nth-child(2) a").all_inner_texts())


def test_live_search_swaps_the_table_without_a_page_load(open_page):
    with open_page(1280, 800) as watched:
        page = watched.page
        watched.sign_in("secretary")
        page.goto("/members/")
        rows = page.locator("#roster-table tbody tr")
        expect(rows.first).to_be_visible()
        before = roster_names(page)
        assert {"赵明", "陈静", "刘志强"} <= before
        assert "陈晓红" not in before, "the secretary of jiguan sees the other branch's people"

        page.evaluate("window.__marker = 1")
        with page.expect_response(roster_update({"q": "赵明"})) as answer:
            page.fill("#roster-q", "赵明")
        response = answer.value
        assert response.status == 200
        assert response.request.headers.get("hx-boosted") is None
        assert "<nav" not in response.text(), "a live search should return only the table"

        expect(rows).to_have_count(1)
        expect(page.locator("#roster-table").get_by_role("link", name="赵明")).to_be_visible()
        assert roster_names(page) == {"赵明"}
        page.wait_for_function("() => new URLSearchParams(location.search).get('q') === '赵明'")
        assert query_of(page)["q"] == ["赵明"]
        assert page.evaluate("window.__marker") == 1, "the page was reloaded"
        expect(page.locator("#roster-q")).to_be_focused()

        with page.expect_response(roster_update({"q": "没有这个人"})):
            page.fill("#roster-q", "没有这个人")
        expect(rows).to_have_count(0)
        expect(page.locator("#roster-table a[href='/members/']")).to_be_visible()
        assert page.evaluate("window.__marker") == 1
        watched.assert_clean()


def test_filter_select_swaps_the_table(open_page):
    with open_page(1280, 800) as watched:
        page = watched.page
        watched.sign_in("secretary")
        page.goto("/members/")
        expect(page.locator("#roster-table tbody tr").first).to_be_visible()
        assert {"赵明", "吴晓梅", "朱婷"} <= roster_names(page)

        page.evaluate("window.__marker = 1")
        with page.expect_response(roster_update({"status": "probationary"})):
            page.select_option("#roster-status", "probationary")
        expect(page.locator("#roster-table").get_by_role("link", name="赵明")).to_have_count(0)
        expect(page.locator("#roster-table").get_by_role("link", name="吴晓梅")).to_be_visible()
        assert roster_names(page) == {"吴晓梅", "朱婷"}
        statuses = page.locator("#roster-table tbody tr td:nth-child(3)").all_inner_texts()
        assert len(set(statuses)) == 1, statuses
        page.wait_for_function(
            "() => new URLSearchParams(location.search).get('status') === 'probationary'"
        )

        with page.expect_response(roster_update({"state": "former", "status": "probationary"})):
            page.select_option("#roster-state", "former")
        expect(page.locator("#roster-table tbody tr")).to_have_count(0)

        with page.expect_response(roster_update({"state": "former", "status": ""})):
            page.select_option("#roster-status", "")
        expect(page.locator("#roster-table").get_by_role("link", name="曾庆华")).to_be_visible()
        assert "赵明" not in roster_names(page)
        assert page.evaluate("window.__marker") == 1, "the page was reloaded"
        watched.assert_clean()


def rendered_fonts(page: Page, selector: str) -> list[str]:
    """The platform fonts Chromium used to draw the text of ``selector``."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return [font["familyName"] for font in fonts]


def settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)], ids=["1280", "390"])
def test_pages_render_in_chinese_at_desktop_and_phone_widths(
    open_page, screenshot_path, width, height
):
    with open_page(width, height) as watched:
        page = watched.page
        watched.sign_in("secretary")
        settle(page)
        assert page.get_attribute("html", "lang") == "zh-CN"
        heading = page.locator("main h1").inner_text()
        assert re.search(r"[\u4e00-\u9fff]", heading), f"no Chinese on the dashboard: {heading}"
        fonts = rendered_fonts(page, "main h1")
        assert any(CJK_FONT.search(name) for name in fonts), f"no CJK font drew {heading}: {fonts}"
        page.screenshot(path=screenshot_path(f"dashboard_zh-CN_{width}px"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.goto("/members/")
        settle(page)
        expect(page.locator("#roster-table tbody tr").first).to_be_visible()
        head = page.locator("#roster-table thead")
        if width < 768:
            expect(head).to_be_hidden()  # the table collapses to one card per person
            expect(page.locator("nav .navbar-toggler")).to_be_visible()
        else:
            expect(head).to_be_visible()
        page.screenshot(path=screenshot_path(f"roster_zh-CN_{width}px"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (
            "the roster scrolls sideways"
        )

        with page.expect_response(roster_update({"q": "科员"})):
            page.fill("#roster-q", "科员")
        expect(page.locator("#roster-table").get_by_role("link", name="赵明")).to_be_visible()
        page.screenshot(path=screenshot_path(f"roster-search_zh-CN_{width}px"), full_page=True)
        watched.assert_clean()


def test_the_interface_speaks_chinese_by_default(open_page):
    with open_page(1280, 800) as watched:
        page = watched.page
        page.goto("/auth/login")
        assert page.get_attribute("html", "lang") == "zh-CN"
        button = page.locator("form[action^='/auth/login'] button[type=submit]").inner_text()
        assert re.search(r"[\u4e00-\u9fff]", button), f"the sign-in button reads {button!r}"
