"""The app's clock: one source of "now", which tests and CI may start at a chosen instant."""

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app import types

TESTS = Path(__file__).parent

WALL_CLOCK_CALLS = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow")}


def wall_clock_calls(source: str) -> list[int]:
    """Line numbers of the calls ``WALL_CLOCK_CALLS`` names (owner, method) in ``source``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if (name, node.func.attr) in WALL_CLOCK_CALLS:
            lines.append(node.lineno)
    return lines


def test_the_detector_finds_every_wall_clock_call() -> None:
    # Written from parts, so this file holds no call of the kind it looks for.
    today, now, utcnow = "date.today", "datetime.now", "datetime.utcnow"
    source = (
        "import datetime as dt\nfrom datetime import date, datetime\n"
        f"a = {today}()\nb = {now}(UTC)\nc = dt.{utcnow}()\nd = dt.{today}()\n"
        f"e = '{today}()'\n"
    )
    assert wall_clock_calls(source) == [3, 4, 5, 6]


def test_no_test_reads_the_wall_clock() -> None:
    """Tests ask the app for "now", so the suite passes whatever the hour (and under FAKE_NOW)."""
    offenders = [
        f"{path.relative_to(TESTS)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in wall_clock_calls(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use app.types.utcnow() / local_today() instead"


def test_fake_now_starts_the_clock_and_it_keeps_running(monkeypatch: pytest.MonkeyPatch) -> None:
    # 00:30 in Shanghai is still the day before in UTC: the bureau's day is the 8th.
    monkeypatch.setattr(types, "CLOCK_OFFSET", types.clock_offset("2026-03-07T16:30:00+00:00"))
    first = types.utcnow()
    assert abs(first - datetime(2026, 3, 7, 16, 30, tzinfo=UTC)) < timedelta(seconds=5)
    assert types.local_today() == date(2026, 3, 8)
    assert types.utcnow() > first


def test_without_fake_now_the_clock_is_real() -> None:
    assert types.clock_offset(None) == timedelta(0)
    assert types.clock_offset("") == timedelta(0)


def test_fake_now_needs_an_offset() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        types.clock_offset("2026-03-08T00:30:00")
