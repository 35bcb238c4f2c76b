"""Member logs and the review queue in a real browser: a member records outside training with a
photo of the certificate on a phone, the secretary approves it from the queue in place, and the
member's study hours grow by the log's hours; the dashboards of the three demo accounts, the queue
and the member's logs render in Chinese at desktop and phone widths."""

import io
import os
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw

from app.types import utcnow

try:
    from playwright.sync_api import ConsoleMessage, Page, Response, expect
except ImportError:
    if os.environ.get("CI") == "true":
        pytest.fail("the playwright package is not installed (CI=true: browser tests must run)")
    pytest.skip("the playwright package is not installed", allow_module_level=True)

BUREAU_ZONE = ZoneInfo("Asia/Shanghai")  # the log's date is the bureau's local day
MEMBER_NAME = "赵明"  # the demo account `member`, a full member of the jiguan branch
STUDY_HOURS = re.compile(r"^([\d.]+) / ([\d.]+) 学时$")  # "%(hours)s of %(target)s h" in Chinese
EVIDENCE_NAME = "培训结业证书.png"
MIN_CHART_TEXT = 8.5  # px: the axis and year labels come out at about 8.8px on a 390px phone


def bureau_today() -> date:
    """Today where the bureau is: a log of this day counts toward this year's hours."""
    return utcnow().astimezone(BUREAU_ZONE).date()


def certificate_png() -> bytes:
    """A photo-sized PNG standing in for a picture of a training certificate."""
    image = Image.new("RGB", (800, 600), "#fdf6e3")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 760, 560), outline="#b71c1c", width=12)
    draw.ellipse((560, 380, 700, 520), outline="#b71c1c", width=8)
    for top in range(160, 360, 50):
        draw.line((120, top, 680, top), fill="#6c757d", width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def study_hours(page: Page) -> tuple[Decimal, Decimal]:
    """The member dashboard's study hours this year and the target, as shown."""
    shown = page.locator("#study-hours").inner_text().strip()
    match = STUDY_HOURS.match(shown)
    assert match, f"the study hours read {shown!r}"
    return Decimal(match[1]), Decimal(match[2])


def badge_count(page: Page) -> int:
    """The number in the navigation badge (its text goes on with a hidden "项待处理")."""
    shown = page.locator("#nav-badge").inner_text()
    match = re.match(r"\s*(\d+)", shown)
    assert match, f"the badge reads {shown!r}"
    return int(match[1])


def collect_console_errors(page: Page) -> list[str]:
    """Every console error (a failed request, a script error, a CSP report) on ``page``."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return errors


def posted(path: str, *, htmx: bool) -> Callable[[Response], bool]:
    """Matches the POST to ``path``: an htmx fragment request, or a boosted form."""

    def matches(response: Response) -> bool:
        request = response.request
        if request.method != "POST" or urlsplit(response.url).path != path:
            return False
        boosted = request.headers.get("hx-boosted") == "true"
        return request.headers.get("hx-request") == "true" and boosted is not htmx

    return matches


def settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")


def assert_fits(page: Page, width: int) -> None:
    """Neither the page nor a table wrapper scrolls sideways."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px > {width}px"
    wide = page.evaluate(
        """() => [...document.querySelectorAll('[class*="table-responsive"]')]
            .filter(el => el.scrollWidth > el.clientWidth + 1)
            .map(el => `${el.firstElementChild?.id || el.className}: ${el.scrollWidth}px`)"""
    )
    assert not wide, f"{page.url}: tables scroll sideways inside their box: {wide}"


def assert_cards_on_phone(page: Page, width: int) -> None:
    """Below Bootstrap's md breakpoint every card table hides its head: one card per row."""
    heads = page.locator("table.table-cards thead")
    for index in range(heads.count()):
        head = heads.nth(index)
        if width < 768:
            expect(head).to_be_hidden()
        elif head.locator("xpath=ancestor::details[not(@open)]").count() == 0:
            expect(head).to_be_visible()


def check_dashboard(page: Page, account: str, width: int) -> None:
    if account == "member":
        hours, target = study_hours(page)
        assert hours >= 0 and target > 0
        expect(page.locator(".hours-progress .progress-bar")).to_be_visible()
        return
    chart = page.locator(".chart-box svg.chart")
    expect(chart).to_be_visible()
    # The drawing fills its card and shrinks with it; on a phone to about half its size, where
    # larger text keeps the labels readable (the values above the bars are hidden there).
    drawing = page.evaluate(
        """() => {
            const svg = document.querySelector('.chart-box svg.chart');
            const box = svg.parentElement.getBoundingClientRect();
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            const sizes = {};
            for (const text of svg.querySelectorAll('text[class]')) {
                const style = getComputedStyle(text);
                if (style.display === 'none') continue;
                const size = parseFloat(style.fontSize) * scale;
                const name = text.classList[0];
                sizes[name] = Math.min(sizes[name] ?? size, size);
            }
            return {fill: svg.getBoundingClientRect().width / box.width, sizes};
        }"""
    )
    assert drawing["fill"] > 0.85, f"the chart fills {drawing['fill']:.0%} of its card at {width}px"
    small = {
        name: round(size, 1) for name, size in drawing["sizes"].items() if size < MIN_CHART_TEXT
    }
    assert not small, f"chart text drawn below {MIN_CHART_TEXT}px at {width}px: {small}"


def test_member_log_is_approved_in_place_and_adds_to_study_hours(open_page, screenshot_path):
    title = "区委党校专题培训（审核测试）"
    today = bureau_today()
    with open_page(390, 844) as member, open_page(1280, 900) as secretary:
        phone, desk = member.page, secretary.page
        phone_errors = collect_console_errors(phone)
        desk_errors = collect_console_errors(desk)

        member.sign_in("member")
        hours_before, target = study_hours(phone)

        # My logs → new log, through the phone's collapsed menu.
        phone.locator("nav .navbar-toggler").click()
        phone.locator("#main-nav").get_by_role("link", name="我的活动记录").click()
        phone.wait_for_url(re.compile(r"/logs/$"))
        phone.locator("main").get_by_role("link", name="新建记录").click()
        phone.wait_for_url(re.compile(r"/logs/new$"))
        phone.select_option("#kind", "training")
        phone.fill("#done_on", today.isoformat())
        phone.fill("#hours", "3")
        phone.fill("#title", title)
        phone.fill("#text", "参加区委党校组织的党纪学习教育专题培训，听取专题辅导并参加分组讨论。")
        phone.set_input_files(
            "#log-files",
            files=[{"name": EVIDENCE_NAME, "mimeType": "image/png", "buffer": certificate_png()}],
        )
        with phone.expect_response(posted("/logs/new", htmx=False)) as answer:
            phone.get_by_role("button", name="提交审核").click()
        assert answer.value.status == 204  # HX-Redirect: a full load brings a fresh page
        assert answer.value.headers.get("hx-redirect") == "/logs/"
        phone.wait_for_url(re.compile(r"/logs/$"))
        expect(phone.locator("#flashes")).to_contain_text("记录已提交书记审核。")
        mine = phone.locator("#log-list tbody tr", has=phone.get_by_role("link", name=title))
        expect(mine).to_have_count(1)
        expect(mine.locator("td[data-label='状态'] .badge.text-bg-warning")).to_have_text("待审核")
        expect(mine.locator("td[data-label='类型']")).to_have_text("外出培训")
        expect(mine.locator("td[data-label='时长']")).to_have_text("3 小时")
        expect(mine.locator("td[data-label='文件']")).to_have_text("1")
        log_id = int(
            (mine.get_by_role("link", name=title).get_attribute("href") or "").rsplit("/", 1)[1]
        )

        # The secretary decides from the queue; the page itself is never loaded again.
        secretary.sign_in("secretary")
        desk.goto("/review/")
        item = desk.locator(f"#item-log-{log_id}")
        expect(item.get_by_role("link", name=title)).to_be_visible()
        expect(item).to_contain_text(MEMBER_NAME)
        expect(item).to_contain_text("外出培训 · 3 小时")
        expect(item.get_by_role("link", name=EVIDENCE_NAME)).to_be_visible()
        waiting = badge_count(desk)
        assert waiting >= 2, "the demo bureau keeps several items waiting for the secretary"

        desk.evaluate("window.__marker = 1")
        navigations: list[str] = []
        desk.on(
            "framenavigated",
            lambda frame: navigations.append(frame.url) if frame == desk.main_frame else None,
        )
        approve = item.get_by_role("button", name="通过", exact=True)
        with desk.expect_response(posted(f"/review/log/{log_id}", htmx=True)) as answer:
            approve.click()
        response = answer.value
        assert response.status == 200
        fragment = response.text()
        assert "<nav" not in fragment, "the decision should return only the item"
        assert 'id="nav-badge"' in fragment and "hx-swap-oob" in fragment

        expect(approve).to_have_count(0)
        expect(item.locator(".review-decision .badge.text-bg-success")).to_have_text("已通过")
        expect(item.locator("input[name=item]")).to_have_count(0)
        expect(desk.locator("#nav-badge")).to_have_text(re.compile(rf"^\s*{waiting - 1}\D"))
        expect(desk.locator("#flashes")).to_contain_text(f"已通过 {MEMBER_NAME} 的记录。")
        # Swapped in place, not removed: the queue still holds every item it showed.
        expect(desk.locator("#review-queue tbody tr")).to_have_count(waiting)
        assert desk.evaluate("window.__marker") == 1, "the secretary's page was reloaded"
        assert navigations == [], f"full page loads on the secretary's page: {navigations}"
        assert urlsplit(desk.url).path == "/review/"
        settle(desk)
        # The viewport, not the full page: the sticky message stays over the decided item.
        desk.screenshot(path=screenshot_path("review-approved_zh-CN_1280px"))
        assert_fits(desk, 1280)

        # The member's year counts the approved hours.
        phone.goto("/")
        hours_after, target_after = study_hours(phone)
        assert (hours_after - hours_before, target_after) == (Decimal(3), target), (
            f"study hours went from {hours_before} to {hours_after} (target {target_after})"
        )
        phone.goto("/logs/")
        expect(mine.locator("td[data-label='状态'] .badge.text-bg-success")).to_have_text("已通过")
        expect(mine.get_by_role("link", name="编辑")).to_have_count(0)
        settle(phone)
        assert_cards_on_phone(phone, 390)
        phone.screenshot(path=screenshot_path("logs-approved_zh-CN_390px"), full_page=True)
        assert_fits(phone, 390)

        member.assert_clean()
        secretary.assert_clean()
        assert not phone_errors, "console errors:\n" + "\n".join(phone_errors)
        assert not desk_errors, "console errors:\n" + "\n".join(desk_errors)


def test_dashboards_queue_and_logs_render_in_chinese_at_desktop_and_phone_widths(
    open_page, screenshot_path
):
    # One live server for every page: building the demo bureau is the slow part.
    pages = {
        "member": [("/", "dashboard-member"), ("/logs/", "logs")],
        "secretary": [("/", "dashboard-secretary"), ("/review/", "review")],
        "admin": [("/", "dashboard-admin")],
    }
    for width, height in ((1280, 800), (390, 844)):
        for account, paths in pages.items():
            with open_page(width, height) as watched:
                page = watched.page
                console_errors = collect_console_errors(page)
                watched.sign_in(account)
                for path, name in paths:
                    if urlsplit(page.url).path != path:
                        page.goto(path)
                    settle(page)
                    assert page.get_attribute("html", "lang") == "zh-CN"
                    heading = page.locator("main h1").inner_text()
                    assert re.search(r"[\u4e00-\u9fff]", heading), f"{path} reads {heading!r}"
                    if path == "/":
                        check_dashboard(page, account, width)
                    else:
                        expect(page.locator("main tbody tr").first).to_be_visible()
                    assert_cards_on_phone(page, width)
                    page.screenshot(path=screenshot_path(f"{name}_zh-CN_{width}px"), full_page=True)
                    assert_fits(page, width)
                watched.assert_clean()
                assert not console_errors, "console errors:\n" + "\n".join(console_errors)
