"""axe-core over the main pages of every role, at desktop and phone widths: no serious or critical
violation. axe (vendored from the npm registry under tests/e2e/vendor/, never shipped with the
app) is injected into a browser context of its own that bypasses the CSP, so the other browser
tests still see every CSP violation. ``label-content-name-mismatch`` (a button whose accessible
name does not contain its visible text) is experimental in axe, so it is enabled explicitly."""

import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.activities.models import ActivityState
from app.extensions import db
from app.logs.models import MemberLog
from app.people.models import OrgUnit
from app.study.models import StudySession
from app.types import utcnow

try:
    from playwright.sync_api import Page
except ImportError:
    if os.environ.get("CI") == "true":
        pytest.fail("the playwright package is not installed (CI=true: browser tests must run)")
    pytest.skip("the playwright package is not installed", allow_module_level=True)

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js"
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    resultTypes: ["violations"],
    rules: {"label-content-name-mismatch": {enabled: true}},
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " — " + n.failureSummary),
  }));
}"""


def demo_ids(app: Flask) -> dict[str, int]:
    """A held (archived) and a planned jiguan session, and a log of the demo member."""
    with app.app_context():
        jiguan = db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == "jiguan"))
        sessions = sa.select(StudySession.id).where(StudySession.unit_id == jiguan)
        planned = db.session.scalar(
            sessions.where(
                StudySession.state == ActivityState.OPEN,
                StudySession.starts_at > utcnow() + timedelta(hours=1),
            ).order_by(StudySession.starts_at)
        )
        held = db.session.scalar(
            sessions.where(StudySession.state == ActivityState.ARCHIVED).order_by(
                StudySession.starts_at.desc()
            )
        )
        log = db.session.scalar(sa.select(MemberLog.id).order_by(MemberLog.id))
        return {"planned": planned, "held": held, "log": log, "jiguan": jiguan}


PAGES = {
    "secretary": [
        "/",
        "/study/",
        "/study/calendar",
        "/study/new",
        "/study/{planned}",  # the grid, with its 删除 buttons, and the person pickers
        "/study/{held}",
        "/review/",
        "/members/",
        "/logs/{log}",
    ],
    "member": ["/", "/study/", "/logs/", "/logs/new"],
    "admin": ["/", "/admin/", "/admin/units/{jiguan}", "/admin/accounts/new", "/audit/"],
}


def violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE)
    return [v for v in found if v["impact"] in BLOCKING]


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_main_pages_have_no_serious_accessibility_violations(
    app: Flask, open_page: Callable, width: int, height: int
) -> None:
    ids = demo_ids(app)
    problems: list[str] = []
    for username, urls in PAGES.items():
        with open_page(width, height, bypass_csp=True) as watched:
            watched.sign_in(username)
            for url in urls:
                watched.page.goto(url.format(**ids))
                for v in violations(watched.page):
                    problems.append(
                        f"{username} {url} [{v['impact']}] {v['id']}: {v['help']}\n    "
                        + "\n    ".join(v["nodes"])
                    )
    assert not problems, "\n".join(problems)


def test_the_check_finds_what_it_is_meant_to_find(open_page: Callable) -> None:
    """The check itself works: a low-contrast text and a button whose name hides its text."""
    with open_page(1280, 900, bypass_csp=True) as watched:
        watched.page.goto("/auth/login")
        watched.page.evaluate(
            """() => {
              const main = document.querySelector("main");
              main.insertAdjacentHTML("beforeend",
                '<p style="color:#e88;background:#fff">淡色文字</p>' +
                '<button type="button" aria-label="将张三移出名单">删除</button>');
            }"""
        )
        found = {v["id"] for v in violations(watched.page)}
        assert {"color-contrast", "label-content-name-mismatch"} <= found
