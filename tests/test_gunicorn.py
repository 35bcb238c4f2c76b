"""The production server configuration (gunicorn.conf.py: threads, one photo decode at a time per
process) keeps answering /healthz while four of the costliest accepted photos are being cleaned."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from big_images import write_png
from conftest import PASSWORD
from test_evidence import session_id

from app.evidence.models import Evidence
from app.extensions import db

__all__ = ["session_id"]  # the fixture, shared with test_evidence

PROJECT = Path(__file__).resolve().parent.parent
UPLOADS = 4
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A signed-in client of the real server: cookies, the CSRF token, multipart posts."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, timeout: float = 30) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(
        self, path: str, body: bytes, content_type: str, headers: dict | None = None
    ) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310 - the test's own server on 127.0.0.1
            self.base + path,
            data=body,
            headers={"Content-Type": content_type, **(headers or {})},
            method="POST",
        )
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, username: str) -> None:
        _, page = self.get("/auth/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrf_token": token}
        ).encode()
        self.post("/auth/login", form, "application/x-www-form-urlencoded")
        _, home = self.get("/")
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)

    def upload(self, path: str, name: str, content: bytes) -> int:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f"{self.token}\r\n--{boundary}\r\n"
                f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n'
                "Content-Type: image/png\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, _ = self.post(
            path,
            body,
            f"multipart/form-data; boundary={boundary}",
            {"HX-Request": "true", "X-CSRFToken": self.token},
        )
        return status


@pytest.fixture
def server(app, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "gunicorn-test-key",
        "UPLOAD_FOLDER": str(tmp_path / "served-uploads"),
    }
    process = subprocess.Popen(
        [*GUNICORN, "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("gunicorn did not start: " + process.stderr.read().decode()[-2000:])
        time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_health_answers_while_four_costliest_photos_are_cleaned(
    app, world, session_id, server, tmp_path
):
    # The costliest PNG accepted (see test_image_cost): 32 MP with transparency, turned by EXIF.
    photo = write_png(tmp_path / "worst.png", 5656, 5656, orientation=6).read_bytes()
    browsers = []
    for _ in range(UPLOADS):
        browser = Browser(server)
        browser.sign_in("secretary")
        browsers.append(browser)
    statuses: list[int] = []

    def upload(browser: Browser, number: int) -> None:
        statuses.append(
            browser.upload(f"/activities/{session_id}/evidence", f"{number}.png", photo)
        )

    threads = [threading.Thread(target=upload, args=(b, n)) for n, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    probe = Browser(server)
    answers: list[tuple[int, float]] = []
    while any(thread.is_alive() for thread in threads):
        started = time.monotonic()
        status, body = probe.get("/healthz", timeout=45)
        answers.append((status, time.monotonic() - started))
        assert status == 200 and '"ok"' in body
        time.sleep(0.3)
    for thread in threads:
        thread.join()

    assert statuses == [200] * UPLOADS
    # Health was asked, and answered, several times while the photos were being cleaned, and
    # never waited anywhere near the worker timeout (60 s).
    assert len(answers) >= 3
    assert max(seconds for _, seconds in answers) < 30
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Evidence.id))) == UPLOADS
