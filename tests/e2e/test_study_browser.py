"""Study sessions in a real browser: a secretary plans a session through the form, a member checks
in on a phone, the secretary's open page picks the check-in up by polling and confirms it in place;
the session, list and calendar pages render in Chinese at desktop and phone widths."""

import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from app.types import utcnow

try:
    from playwright.sync_api import ConsoleMessage, Locator, Page, Response, expect
except ImportError:
    if os.environ.get("CI") == "true":
        pytest.fail("the playwright package is not installed (CI=true: browser tests must run)")
    pytest.skip("the playwright package is not installed", allow_module_level=True)

BUREAU_ZONE = ZoneInfo("Asia/Shanghai")  # the form's date and times are the bureau's local time
MEMBER_NAME = "赵明"  # the demo account `member` (KGX007), a full member of the jiguan branch
POLL_SECONDS = 10  # hx-trigger="every 10s": the open grid asks for changes


def planned_times(lead: timedelta = timedelta(minutes=5)) -> tuple[datetime, datetime]:
    """A session starting a few minutes from now, local time: the member's check-in window (from
    30 minutes before the start) is open. Near midnight it still starts and ends on one day."""
    start = (utcnow().astimezone(BUREAU_ZONE) + lead).replace(second=0, microsecond=0)
    if start.hour == 23 and start.minute >= 50:
        start = (start + timedelta(days=1)).replace(hour=0, minute=5)
    end = min(start + timedelta(hours=1), start.replace(hour=23, minute=59))
    return start, end


def create_session(page: Page, title: str) -> tuple[int, datetime]:
    """Fill /study/new as a secretary does; returns the new session's id and its local start."""
    start, end = planned_times()
    page.goto("/study/new")
    page.fill("#title", title)
    page.select_option("#kind", "general_meeting")
    page.select_option("#unit_id", label="机关党支部")
    page.fill("#day", start.strftime("%Y-%m-%d"))
    page.fill("#start", start.strftime("%H:%M"))
    page.fill("#end", end.strftime("%H:%M"))
    page.fill("#place", "三楼会议室")
    # The chair is chosen from the live results of the person picker.
    page.locator("#chair").press_sequentially("刘志", delay=40)
    chair = page.locator("#chair-results [data-person-option][data-name='刘志强']")
    expect(chair).to_have_count(1)
    chair.click()
    expect(page.locator("#chair")).to_have_value("刘志强")
    page.fill("#minute_taker", "王老师")
    page.fill("#topics", "学习党的二十届三中全会精神")
    page.click("form[action='/study/new'] button[type=submit]")
    page.wait_for_url(re.compile(r"/study/\d+$"))
    expect(page.locator("main h1")).to_have_text(title)
    return int(urlsplit(page.url).path.rsplit("/", 1)[1]), start


def collect_console_errors(page: Page) -> list[str]:
    """Every console error (a failed request, a script error, a CSP report) on ``page``."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return errors


def count_value(page: Page, label: str) -> Locator:
    """The figure above ``label`` in #session-counts."""
    tile = page.locator(
        "#session-counts .count", has=page.locator(".label", has_text=re.compile(f"^{label}$"))
    )
    return tile.locator(".value")


def posted(path: str) -> Callable[[Response], bool]:
    """Matches the htmx (not boosted) POST to ``path``."""

    def matches(response: Response) -> bool:
        request = response.request
        return (
            request.method == "POST"
            and urlsplit(response.url).path == path
            and request.headers.get("hx-request") == "true"
            and request.headers.get("hx-boosted") is None
        )

    return matches


def settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")


def assert_fits(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways: {scroll_width}px > {width}px"


def test_member_check_in_reaches_the_open_grid_and_is_confirmed_in_place(
    open_page, screenshot_path
):
    with open_page(1280, 900) as secretary, open_page(390, 844) as member:
        desk, phone = secretary.page, member.page
        console_errors = collect_console_errors(desk)
        phone_errors = collect_console_errors(phone)
        secretary.sign_in("secretary")
        member.sign_in("member")

        session_id, _ = create_session(desk, "支部党员大会（签到测试）")
        base = f"/study/{session_id}"
        actions = f"/activities/{session_id}"
        rows = desk.locator("#attendance tbody tr[id^=row-]")
        expect(rows.first).to_be_visible()
        mine_row = rows.filter(has_text=MEMBER_NAME)
        expect(mine_row).to_have_count(1)
        expect(mine_row).to_contain_text("未标记")
        expect(desk.locator(f"[hx-trigger='every {POLL_SECONDS}s']")).to_have_count(1)
        expect(count_value(desk, "实到（含迟到）")).to_have_text("0")
        expect(count_value(desk, "待确认")).to_have_text("0")
        expected = int(count_value(desk, "应到").inner_text())
        assert expected >= 2, "the jiguan branch should expect several members"

        # From here on the secretary's page is never loaded again.
        desk.evaluate("window.__marker = 1")
        navigations: list[str] = []
        desk.on(
            "framenavigated",
            lambda frame: navigations.append(frame.url) if frame == desk.main_frame else None,
        )
        polls: list[Response] = []
        desk.on(
            "response",
            lambda response: polls.append(response)
            if urlsplit(response.url).path == f"{actions}/attendance"
            else None,
        )

        # Half-typed input on the secretary's page must survive the grid's polling.
        desk.fill("#guest-name", "区委宣讲团成员")

        phone.goto(base)
        panel = phone.locator("#my-participation")
        check_in = panel.get_by_role("button", name="签到", exact=True)
        expect(check_in).to_be_visible()
        phone.evaluate("window.__marker = 1")
        with phone.expect_response(posted(f"{actions}/check-in")) as answer:
            check_in.click()
        assert answer.value.status == 200
        expect(panel).to_contain_text("已签到 — 等待书记确认。")
        expect(panel).to_contain_text("待确认")
        expect(check_in).to_have_count(0)
        expect(phone.locator("#flashes")).to_contain_text("签到成功，等待书记确认。")
        assert phone.evaluate("window.__marker") == 1, "the member's page was reloaded"
        settle(phone)
        phone.screenshot(path=screenshot_path("study-session-member_zh-CN_390px"), full_page=True)
        assert_fits(phone, 390)

        # The secretary's grid shows the pending check-in after at most one polling round.
        confirm = mine_row.get_by_role("button", name="确认签到")
        expect(confirm).to_be_visible(timeout=(POLL_SECONDS + 2) * 1000)
        expect(mine_row).to_contain_text("待确认")
        expect(count_value(desk, "待确认")).to_have_text("1")
        expect(count_value(desk, "实到（含迟到）")).to_have_text("0")  # counted once confirmed
        grids = [poll for poll in polls if poll.status == 200]
        assert grids, "the grid changed but no poll brought it"
        assert all(poll.status in (200, 204) for poll in polls), [p.status for p in polls]
        assert all(poll.request.headers.get("hx-request") == "true" for poll in polls)
        assert "<nav" not in grids[-1].text(), "a poll should return only the grid"
        expect(desk.locator("#guest-name")).to_have_value("区委宣讲团成员")
        desk.fill("#guest-name", "")

        row_id = (mine_row.get_attribute("id") or "").removeprefix("row-")
        with desk.expect_response(posted(f"{actions}/attendance/{row_id}/confirm")) as answer:
            confirm.click()
        assert answer.value.status == 200
        expect(confirm).to_have_count(0)
        expect(mine_row).not_to_contain_text("待确认")
        expect(mine_row.locator(".badge.text-bg-success")).to_have_text("出席")
        expect(mine_row.get_by_role("button", name="出席", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(count_value(desk, "实到（含迟到）")).to_have_text("1")
        expect(count_value(desk, "待确认")).to_have_text("0")

        # Another person marked absent with the grid's buttons: the row and the figures change.
        other_row = rows.filter(has_not_text=MEMBER_NAME).first
        other_id = other_row.get_attribute("id")
        assert other_id is not None
        other_row = desk.locator(f"#{other_id}")
        expect(count_value(desk, "缺席")).to_have_text("0")
        unmarked = int(count_value(desk, "未标记").inner_text())
        with desk.expect_response(posted(f"{actions}/attendance/{other_id.removeprefix('row-')}")):
            other_row.get_by_role("button", name="缺席", exact=True).click()
        expect(other_row.locator(".badge.text-bg-danger")).to_have_text("缺席")
        expect(other_row.get_by_role("button", name="缺席", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(count_value(desk, "缺席")).to_have_text("1")
        expect(count_value(desk, "缺席")).to_have_class(re.compile(r"\btext-danger\b"))
        expect(count_value(desk, "未标记")).to_have_text(str(unmarked - 1))
        expect(count_value(desk, "应到")).to_have_text(str(expected))
        expect(count_value(desk, "实到（含迟到）")).to_have_text("1")

        assert desk.evaluate("window.__marker") == 1, "the secretary's page was reloaded"
        assert navigations == [], f"full page loads on the secretary's page: {navigations}"
        assert urlsplit(desk.url).path == base
        settle(desk)
        desk.screenshot(
            path=screenshot_path("study-session-confirmed_zh-CN_1280px"), full_page=True
        )
        assert_fits(desk, 1280)

        # The member sees the confirmation on the next visit.
        phone.reload()
        expect(panel).not_to_contain_text("待确认")
        expect(panel.locator(".badge.text-bg-success")).to_have_text("出席")

        secretary.assert_clean()
        member.assert_clean()
        assert not console_errors, "console errors:\n" + "\n".join(console_errors)
        assert not phone_errors, "console errors:\n" + "\n".join(phone_errors)


def test_session_list_and_calendar_render_in_chinese_at_desktop_and_phone_widths(
    open_page, screenshot_path
):
    # One live server for both widths: building the demo bureau is the slow part.
    for width, height in ((1280, 800), (390, 844)):
        with open_page(width, height) as secretary:
            page = secretary.page
            console_errors = collect_console_errors(page)
            secretary.sign_in("secretary")
            title = f"理论学习（版面检查 {width}）"
            session_id, start = create_session(page, title)

            settle(page)
            assert page.get_attribute("html", "lang") == "zh-CN"
            expect(page.locator("#record-heading")).to_have_text("会议记录")
            expect(page.locator("#attendance-heading")).to_have_text("考勤")
            row = page.locator("#attendance tbody tr[id^=row-]").first
            for label in ("出席", "迟到", "请假", "缺席"):
                expect(row.get_by_role("button", name=label, exact=True)).to_be_visible()
            if width < 768:
                expect(page.locator("#attendance thead")).to_be_hidden()  # rows become cards
            page.screenshot(path=screenshot_path(f"study-session_zh-CN_{width}px"), full_page=True)
            assert_fits(page, width)

            page.goto("/study/")  # newest first: a session of today is on the first page
            settle(page)
            expect(page.locator("#session-list").get_by_role("link", name=title)).to_be_visible()
            page.screenshot(path=screenshot_path(f"study-list_zh-CN_{width}px"), full_page=True)
            assert_fits(page, width)

            page.goto(f"/study/calendar?month={start:%Y-%m}")
            settle(page)
            expect(page.locator("main h1")).to_have_text(f"{start.year}年{start.month}月")
            item = page.locator(f".calendar-item[href='/study/{session_id}']")
            expect(item).to_be_visible()
            expect(item).to_contain_text(f"{start:%H:%M}")
            page.screenshot(path=screenshot_path(f"study-calendar_zh-CN_{width}px"), full_page=True)
            assert_fits(page, width)

            secretary.assert_clean()
            assert not console_errors, "console errors:\n" + "\n".join(console_errors)
