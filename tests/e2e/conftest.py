"""Browser fixtures: the app with the demo bureau served on a real port, and a system Chromium.

Without a browser these tests skip, except under CI=true where a missing browser is a failure.
"""

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from conftest import PG_URL, configured_app
from flask import Flask
from werkzeug.serving import make_server

from app import demo
from app.extensions import db

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
DEMO_PASSWORD = demo.DEMO_PASSWORD


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Error as error:
            _unavailable(f"Chromium at {CHROMIUM} does not start: {error}")
        yield launched
        launched.close()


@dataclass(frozen=True)
class DemoCopy:
    """The demo bureau built once for the run: a database to copy (an SQLite file, or a
    PostgreSQL database to clone as a template) and the uploads its evidence wrote."""

    database: str
    uploads: Path


def _on_server(url: sa.URL, *statements: str) -> None:
    """``statements`` run in the ``postgres`` database of the server ``url`` names, outside
    transactions (CREATE and DROP DATABASE)."""
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        admin.dispose()


def _drop(url: sa.URL) -> str:
    return f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoCopy]:
    """Builds the demo once (it takes seconds; each test starts from a copy of it)."""
    folder = tmp_path_factory.mktemp("demo")
    if PG_URL:
        url = sa.make_url(PG_URL)
        template = url.set(database=f"{url.database}_demo")
        _clone(template, None)
        built = template.render_as_string(hide_password=False)
    else:
        built = f"sqlite:///{folder / 'demo.db'}"
    application = configured_app(built, folder)
    with application.app_context():
        db.create_all()
        demo.build()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    yield DemoCopy(
        str(template.database) if PG_URL else str(folder / "demo.db"), folder / "uploads"
    )
    if PG_URL:
        _on_server(template, _drop(template))


def _restore(app: Flask, copy: DemoCopy) -> None:
    """The app's database and uploads made the demo's: the database cloned from the template
    (PostgreSQL) or the file copied over (SQLite)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        url = db.engine.url
    if url.get_backend_name() == "postgresql":
        _clone(url, copy.database)
    else:
        shutil.copyfile(copy.database, str(url.database))
    if copy.uploads.exists():
        shutil.copytree(copy.uploads, app.config["UPLOAD_FOLDER"], dirs_exist_ok=True)


def _clone(url: sa.URL, template: str | None) -> None:
    """The database ``url`` names made anew, empty or as a copy of ``template``; like CI's, its
    commits do not wait for the disk (the suite's durability is not under test)."""
    copy = f' TEMPLATE "{template}"' if template else ""
    _on_server(
        url,
        _drop(url),
        f'CREATE DATABASE "{url.database}"{copy}',
        f'ALTER DATABASE "{url.database}" SET synchronous_commit = off',
    )


@pytest.fixture
def live_server(app: Flask, demo_copy: DemoCopy) -> Iterator[str]:
    """The demo bureau served by a threaded werkzeug server on a free port; yields the base URL."""
    _restore(app, demo_copy)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@dataclass
class WatchedPage:
    """A page that remembers CSP violations, script errors and requests leaving the machine."""

    page: "Page"
    base_url: str
    csp_violations: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        """Through the real form, as a person would."""
        page = self.page
        page.goto("/auth/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("form[action^='/auth/login'] button[type=submit]")
        assert urlsplit(page.url).path == "/", f"sign-in did not reach the dashboard: {page.url}"

    def assert_clean(self) -> None:
        assert not self.csp_violations, "CSP violations:\n" + "\n".join(self.csp_violations)
        assert not self.script_errors, "script errors:\n" + "\n".join(self.script_errors)
        assert not self.foreign_requests, "requests off this machine:\n" + "\n".join(
            self.foreign_requests
        )


def _watch(context: "BrowserContext", base_url: str) -> WatchedPage:
    page = context.new_page()
    watched = WatchedPage(page=page, base_url=base_url)

    def on_console(message: "ConsoleMessage") -> None:
        if "Content Security Policy" in message.text:
            watched.csp_violations.append(f"{page.url}: {message.text}")

    def on_request(request: "Request") -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "blob", "about"}:
            return
        if parts.hostname not in LOCAL_HOSTS:
            watched.foreign_requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.script_errors.append(f"{page.url}: {error}"))
    context.on("request", on_request)
    return watched


@contextmanager
def browser_page(
    browser: "Browser", base_url: str, width: int, height: int, bypass_csp: bool = False
) -> Iterator[WatchedPage]:
    """A fresh context (own cookies) in Chinese, as a phone below Bootstrap's md breakpoint.
    ``bypass_csp`` only for injecting test tools (axe): such a context sees no CSP violation."""
    context = browser.new_context(
        base_url=base_url,
        bypass_csp=bypass_csp,
        viewport={"width": width, "height": height},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=width < 768,
        has_touch=width < 768,
    )
    context.set_default_timeout(15_000)
    try:
        yield _watch(context, base_url)
    finally:
        context.close()


@pytest.fixture
def open_page(browser: "Browser", live_server: str) -> Callable[[int, int], Any]:
    """``with open_page(width, height) as watched:``, one browser context per call."""

    def opener(width: int, height: int, bypass_csp: bool = False) -> Any:
        return browser_page(browser, live_server, width, height, bypass_csp)

    return opener


@pytest.fixture
def screenshot_path() -> Callable[[str], Path]:
    """Where a screenshot named ``name`` goes: test-artifacts/screenshots/ in the repository."""

    def path_for(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")

    return path_for
