"""Served requests per second: the app under gunicorn (the production settings, 2 workers) on the
large district beside the floor (bench/floor.py, same workers, the same bytes), one interleaved
run of a keep-alive load client. Every server runs in its own process group, killed at the end."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.clients import PASSWORD, TOKEN
from bench.databases import ROOT


@dataclass(frozen=True)
class Target:
    """One main page as a role sees it: its URL, the role's cookie and the recorded bytes."""

    key: str
    url: str
    cookie: str
    body: bytes


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_ready(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} did not start in {seconds:.0f} s")


@contextmanager
def gunicorn(args: list[str], env: dict[str, str]) -> Iterator[int]:
    """A gunicorn with 2 workers (gthread, 4 threads, as in production) on a free port."""
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "2"]
    command += ["-k", "gthread", "--threads", "4", "--log-level", "warning", *args]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    try:
        _wait_ready(port, process)
        yield port
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _cookies(answer: http.client.HTTPResponse, jar: SimpleCookie) -> None:
    for header in answer.headers.get_all("Set-Cookie") or []:
        jar.load(header)


def sign_in(port: int, username: str) -> str:
    """The Cookie header of a session signed in through the served login form."""
    jar: SimpleCookie = SimpleCookie()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/auth/login")
        answer = conn.getresponse()
        _cookies(answer, jar)
        match = TOKEN.search(answer.read().decode())
        if match is None:
            raise RuntimeError("the served login page carries no CSRF token")
        form = urlencode({"username": username, "password": PASSWORD, "csrf_token": match[1]})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": _header(jar)}
        conn.request("POST", "/auth/login", body=form, headers=headers)
        answer = conn.getresponse()
        answer.read()
        if answer.status != 302:
            raise RuntimeError(f"{username} could not sign in to gunicorn ({answer.status})")
        _cookies(answer, jar)
    finally:
        conn.close()
    return _header(jar)


def _header(jar: SimpleCookie) -> str:
    return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())


def fetch(port: int, url: str, cookie: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", url, headers={"Cookie": cookie, "Accept-Language": "zh-CN"})
        return conn.getresponse().read()
    finally:
        conn.close()


def _load(port: int, target: Target, stop_at: float, served: list[int]) -> None:
    """One keep-alive connection asking for the page until ``stop_at``."""
    headers = {"Cookie": target.cookie, "Accept-Language": "zh-CN", "X-Bench-Key": target.key}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    done = 0
    try:
        while time.monotonic() < stop_at:
            try:
                conn.request("GET", target.url, headers=headers)
                answer = conn.getresponse()
                answer.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            done += answer.status == 200
    finally:
        conn.close()
        served.append(done)


def requests_per_second(port: int, target: Target, concurrency: int, seconds: float) -> float:
    """Served answers per second over ``seconds``, after a short unmeasured warm-up that lets
    every worker thread open its connection and fill its caches."""
    _run(port, target, concurrency, min(0.5, seconds / 2))
    return _run(port, target, concurrency, seconds)


def _run(port: int, target: Target, concurrency: int, seconds: float) -> float:
    served: list[int] = []
    started = time.monotonic()
    threads = [
        threading.Thread(target=_load, args=(port, target, started + seconds, served))
        for _ in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(served) / (time.monotonic() - started)


def _targets(port: int, pages: list[tuple[str, str, str]]) -> list[Target]:
    """``pages`` as (key, url, username): each signed in once and fetched for its bytes."""
    cookies: dict[str, str] = {}
    targets = []
    for key, url, username in pages:
        cookie = cookies.setdefault(username, sign_in(port, username))
        targets.append(Target(key, url, cookie, fetch(port, url, cookie)))
    return targets


def served(
    url: str, pages: list[tuple[str, str, str]], concurrency: int, seconds: float
) -> dict[str, dict[str, float]]:
    """Requests per second of each page on the app and on the floor, interleaved page by page."""
    app_env = {"DATABASE_URL": url, "SECRET_KEY": "bench"}
    with gunicorn(["-c", "gunicorn.conf.py", "wsgi:app"], app_env) as app_port:
        targets = _targets(app_port, pages)
        with tempfile.TemporaryDirectory() as folder:
            recorded = os.path.join(folder, "floor.json")
            with open(recorded, "w", encoding="utf-8") as out:
                json.dump({t.key: t.body.decode("latin-1") for t in targets}, out)
            with gunicorn(["bench.floor:app"], {"BENCH_FLOOR_FILE": recorded}) as floor_port:
                return {
                    t.key: {
                        "app": requests_per_second(app_port, t, concurrency, seconds),
                        "floor": requests_per_second(floor_port, t, concurrency, seconds),
                    }
                    for t in targets
                }
