"""A family guest in a real browser: the secretary names the member they belong to through the
live picker, the list says 家属（某某） and the counts show the family attendees, on a desk and on a
phone; the session form draws the core's fields and study's own in their order."""

import os
from collections.abc import Callable

import pytest
from flask import Flask

from e2e.test_pickers_browser import as_secretary, choose, open_jiguan_session

try:
    from playwright.sync_api import expect
except ImportError:
    if os.environ.get("CI") == "true":
        pytest.fail("the playwright package is not installed (CI=true: browser tests must run)")
    pytest.skip("the playwright package is not installed", allow_module_level=True)


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_a_family_guest_is_added_with_the_member_they_belong_to(
    app: Flask, open_page: Callable, screenshot_path: Callable, width: int, height: int
) -> None:
    session_id = open_jiguan_session(app)
    with as_secretary(open_page, width, height) as watched:
        page = watched.page
        page.goto(f"/study/{session_id}")
        page.fill("#guest-name", "王丽")
        page.select_option("#guest-kind", "family")
        choose(page, "#guest-member", "刘志", "刘志强")
        page.locator("#guest-member").locator("xpath=ancestor::form").locator(
            "button[type=submit]"
        ).click()
        expect(page.locator("#attendance")).to_contain_text("王丽")
        expect(page.locator("#attendance")).to_contain_text("家属（刘志强）")
        expect(page.locator("#session-counts")).to_contain_text("家属人数")
        # The form was reset for the next guest, the member chosen before forgotten with it.
        expect(page.locator("#guest-name")).to_have_value("")
        expect(page.locator("#guest-kind")).to_have_value("other")
        page.fill("#guest-name", "陈刚")
        page.locator("#guest-member").locator("xpath=ancestor::form").locator(
            "button[type=submit]"
        ).click()
        expect(page.locator("#attendance")).to_contain_text("陈刚")
        expect(page.locator("#attendance")).to_contain_text("其他来宾")
        page.locator("#guest-heading").scroll_into_view_if_needed()
        page.screenshot(path=screenshot_path(f"guests-{width}"), full_page=True)
        watched.assert_clean()


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_session_form_shows_core_and_study_fields_in_order(
    open_page: Callable, screenshot_path: Callable, width: int, height: int
) -> None:
    with as_secretary(open_page, width, height) as watched:
        page = watched.page
        page.goto("/study/new")
        names = page.locator("form[action='/study/new'] [name]").evaluate_all(
            "nodes => nodes.map(n => n.name)"
            ".filter(n => n !== 'csrf_token' && !n.endsWith('-choice'))"
        )
        assert names == [
            "title",
            "kind",
            "unit_id",
            "day",
            "start",
            "end",
            "place",
            "study_hours",
            "chair",
            "minute_taker",
            "lecturer",
            "topics",
            "minutes",
            "resolutions",
            "late_reason",
        ]
        page.screenshot(path=screenshot_path(f"session-form-{width}"), full_page=True)
        watched.assert_clean()
