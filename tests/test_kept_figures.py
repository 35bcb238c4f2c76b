"""The bureau's figures kept between requests (``app.reports.kept``): the admin's home shows
what it would compute, a change of a record is seen by the next request, time alone expires
an entry at the next start of an activity or midnight, and an entry computed across a commit
is never taken."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from conftest import csrf_token
from test_dashboard import _section, branch_life, mark, page, session_at, sign_in, unit

from app import settings
from app.activities.models import AttendanceStatus
from app.extensions import db
from app.people.models import Person
from app.reports.kept import Kept, valid_until
from app.reports.models import FigureGeneration, KeptFigure
from app.reports.rules import INACTIVE_DAYS
from app.study.models import StudySession
from app.types import local_date, utcnow

__all__ = ["branch_life"]  # the fixture, used below by name

SECTIONS = ("inactive-heading", "chart-heading")


def _generation() -> int:
    return db.session.scalar(sa.select(FigureGeneration.value)) or 0


def _sections(html: str) -> dict[str, str]:
    """The bureau-wide parts of the admin's home: inactive members, chart, table of units."""
    parts = {heading: _section(html, heading) for heading in SECTIONS}
    start = html.index('id="unit-table"')
    parts["units"] = html[start : html.index("</table>", start)]
    start = html.index('class="row g-3 mb-3 dashboard-stats"')  # the month, unarchived, inactive
    parts["summary"] = html[start : html.index("</div>\n</div>", start)]
    return parts


def test_the_kept_page_is_the_computed_page(app, client, branch_life):
    sign_in(client, "admin")
    computed = _sections(page(client))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(KeptFigure)) == 5
    kept = _sections(page(client))
    assert kept == computed
    assert "Idle J" in kept["inactive-heading"] and "Fading J" in kept["inactive-heading"]


def test_a_change_of_a_record_is_seen_at_once(app, client, branch_life):
    sign_in(client, "admin")
    html = page(client)
    assert "Idle J" in _section(html, "inactive-heading")
    with app.app_context():
        before = _generation()
        recent = db.session.get(StudySession, branch_life["recent"])
        mark(recent, branch_life["idle"], AttendanceStatus.PRESENT)
        db.session.commit()
        assert _generation() == before + 1
    html = page(client)
    assert "Idle J" not in _section(html, "inactive-heading")
    assert "Fading J" in _section(html, "inactive-heading")
    # A setting is a record too: with a window of 20 days nobody is inactive any more.
    with app.app_context():
        settings.put(INACTIVE_DAYS.key, 20)
        db.session.commit()
    html = page(client)
    assert "Fading J" not in _section(html, "inactive-heading")


def test_only_a_committed_change_of_records_moves_the_generation(app, client, branch_life):
    with app.app_context():
        before = _generation()
    token = csrf_token(client, "/auth/login")
    refused = client.post(
        "/auth/login", data={"username": "admin", "password": "wrong", "csrf_token": token}
    )
    assert refused.status_code == 422
    with app.app_context():
        assert _generation() == before  # a failed sign-in is an event, no record changed
        person = db.session.get(Person, branch_life["idle"])
        person.name = "Renamed"
        db.session.flush()
        db.session.rollback()
        db.session.commit()  # nothing left to commit: the rolled-back change is forgotten
        assert _generation() == before
        person = db.session.get(Person, branch_life["idle"])
        person.name = "Renamed"
        db.session.commit()
        assert _generation() == before + 1


def _midnight_after(now: datetime, zone: str) -> datetime:
    tomorrow = local_date(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time(), ZoneInfo(zone)).astimezone(UTC)


def test_an_entry_expires_at_the_next_start_or_midnight(app, world):
    with app.app_context():
        now = utcnow()
        midnight = _midnight_after(now, app.config["TIMEZONE"])
        assert valid_until(now) == midnight
        soon = session_at(unit("jiguan"), timedelta(minutes=30))
        db.session.commit()
        assert valid_until(now) == min(soon.starts_at, midnight)
        until = valid_until(now)
        calls = []

        def compute() -> list[int]:
            calls.append(1)
            return [len(calls)]

        assert Kept(now).get("figure", compute) == [1]
        assert Kept(now).get("figure", compute) == [1] and len(calls) == 1
        assert Kept(until - timedelta(microseconds=1)).get("figure", compute) == [1]
        assert Kept(until).get("figure", compute) == [2]  # time alone changed it


def test_an_entry_computed_across_a_commit_is_never_taken(app, world):
    with app.app_context():
        now = utcnow()
        overlapping = Kept(now)
        assert overlapping.get("first", lambda: "first") == "first"  # generation read
        person = db.session.get(Person, world["member_person"])
        person.phone = "13800000000"
        db.session.commit()  # another request's change, committed meanwhile
        assert (
            overlapping.get("second", lambda: "from before the change") == "from before the change"
        )
        assert Kept(now).get("second", lambda: "fresh") == "fresh"
        assert Kept(now).get("second", lambda: "again") == "fresh"


def _month_grid(html: str) -> str:
    start = html.index('<div class="calendar">')
    return html[start : html.index("</main>", start) if "</main>" in html else None]


def test_the_admins_calendar_is_kept_and_follows_a_new_session(app, client, branch_life):
    """The bureau's month is kept like the home's figures: the kept grid is the computed one,
    and a session created after it was kept is on the next calendar."""
    sign_in(client, "admin")
    computed = _month_grid(page(client, "/study/calendar"))
    assert _month_grid(page(client, "/study/calendar")) == computed
    with app.app_context():
        calendars = sa.select(sa.func.count()).where(KeptFigure.key.like("calendar:%"))
        assert db.session.scalar(calendars) == 1
        added = session_at(unit("cujin"), timedelta(hours=1), title="Added after keeping")
        db.session.commit()
        month = local_date(added.starts_at).strftime("%Y-%m")
    assert "Added after keeping" in page(client, f"/study/calendar?month={month}")
    assert "Added after keeping" not in computed
