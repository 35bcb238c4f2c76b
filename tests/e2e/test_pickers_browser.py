"""Person pickers and the navigation badge in a real browser: typing into a person field shows
live results and choosing one fills it (the chair of a new session; a non-voting attendee from
another branch, found bureau-wide, on a phone); on a phone the badge shows beside the menu button
without opening the menu."""

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.activities.models import ActivityState
from app.extensions import db
from app.people.models import OrgUnit
from app.study.models import StudySession
from app.types import utcnow

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI") == "true":
        pytest.fail("the playwright package is not installed (CI=true: browser tests must run)")
    pytest.skip("the playwright package is not installed", allow_module_level=True)

OTHER_BRANCH_MEMBER = "梁思雨"  # SCL003, of the cujin branch: not the jiguan secretary's


def open_jiguan_session(app: Flask) -> int:
    """A planned jiguan session: open, its list still editable."""
    with app.app_context():
        jiguan = db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == "jiguan"))
        session_id = db.session.scalar(
            sa.select(StudySession.id)
            .where(
                StudySession.unit_id == jiguan,
                StudySession.starts_at > utcnow() + timedelta(hours=1),
                StudySession.state == ActivityState.OPEN,
            )
            .order_by(StudySession.starts_at)
            .limit(1)
        )
    assert session_id, "the demo bureau has a planned jiguan session"
    return session_id


@contextmanager
def as_secretary(open_page: Callable, width: int, height: int) -> Iterator[Any]:
    """A fresh browser context at that size, signed in as the jiguan secretary."""
    with open_page(width, height) as watched:
        watched.sign_in("secretary")
        yield watched


def choose(page: Page, field: str, typed: str, name: str) -> None:
    """Type into a person field, wait for the live results, choose ``name``."""
    page.locator(field).press_sequentially(typed, delay=40)
    option = page.locator(f"{field}-results [data-person-option][data-name='{name}']")
    expect(option).to_be_visible()
    option.click()
    expect(page.locator(field)).to_have_value(name)
    expect(page.locator(f"{field}-results [data-person-option]")).to_have_count(0)


def test_typing_in_a_picker_shows_live_results_and_choosing_fills_the_field(
    open_page: Callable, screenshot_path: Callable
) -> None:
    with as_secretary(open_page, 1280, 900) as watched:
        page = watched.page
        page.goto("/study/new")
        page.locator("#chair").press_sequentially("办公室", delay=40)  # by department
        results = page.locator("#chair-results [data-person-option]")
        expect(results.first).to_be_visible()
        expect(page.locator("#chair-results")).to_contain_text("刘志强")
        expect(page.locator("#chair-results")).to_contain_text("KGX004")  # one's own: the code
        page.screenshot(path=screenshot_path("picker-results-1280"))
        page.locator("#chair").fill("")
        choose(page, "#chair", "刘志", "刘志强")
        choice = page.locator("input[name='chair-choice']")
        assert re.fullmatch(r"[0-9a-f]{16}", choice.input_value())
        # Typing again forgets the choice: the text is then an outsider's name.
        page.locator("#chair").press("End")
        page.locator("#chair").press_sequentially("x")
        expect(choice).to_have_value("")
        watched.assert_clean()


def test_a_non_voting_attendee_is_found_across_the_bureau_on_a_phone(
    app: Flask, open_page: Callable, screenshot_path: Callable
) -> None:
    session_id = open_jiguan_session(app)
    with as_secretary(open_page, 390, 844) as watched:
        page = watched.page
        page.goto(f"/study/{session_id}")
        # One's own units only for the expected list: another branch's member is not offered.
        page.locator("#participant-person").press_sequentially(OTHER_BRANCH_MEMBER, delay=40)
        expect(page.locator("#participant-person-results")).to_contain_text("没有")
        # 列席: the whole bureau, by name and department only.
        choose(page, "#non-voting-person", "梁思", OTHER_BRANCH_MEMBER)
        page.screenshot(path=screenshot_path("picker-non-voting-390"), full_page=True)
        form = page.locator("form:has(#non-voting-person)")
        with page.expect_response(lambda r: r.url.endswith("/participants")):
            form.locator("button[type=submit]").click()
        expect(page.locator("#attendance")).to_contain_text(OTHER_BRANCH_MEMBER)
        expect(page.locator("#non-voting-person")).to_have_value("")
        watched.assert_clean()


def test_the_badge_shows_on_a_phone_without_opening_the_menu(
    open_page: Callable, screenshot_path: Callable
) -> None:
    with as_secretary(open_page, 390, 844) as watched:
        page = watched.page
        expect(page.locator("#main-nav")).to_be_hidden()  # the menu is collapsed
        badge = page.locator("#nav-badge-phone")
        expect(badge).to_be_visible()
        waiting = page.locator("#nav-badge").text_content() or ""
        shown = badge.inner_text().strip()
        assert shown and shown.split()[0] == waiting.split()[0] != "0"
        box = badge.bounding_box()
        toggler = page.locator(".navbar-toggler").bounding_box()
        assert box and toggler and box["y"] < toggler["y"] + toggler["height"]  # same bar
        page.screenshot(path=screenshot_path("badge-phone-390"))
        badge.click()
        page.wait_for_url(re.compile(r"/review/$"))
        watched.assert_clean()
    with as_secretary(open_page, 1280, 900) as watched:
        # On a wide screen the menu is open and the badge sits beside its link only.
        expect(watched.page.locator("#nav-badge-phone")).to_be_hidden()
        expect(watched.page.locator("#nav-badge")).to_be_visible()
