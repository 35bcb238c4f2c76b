"""谈心谈话 is not attendance: a talk session's figures are talks (the chair with each person
present), and recording one changes no rate, no member figure and no hours (DOMAIN.md)."""

from dataclasses import asdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.activities.models import AttendanceStatus, Participation
from app.auth.models import User
from app.extensions import db
from app.people.models import OrgUnit, Person
from app.reports import figures
from app.study import figures as study_figures
from app.study.models import StudyKind, StudySession
from app.study.services import create_session
from app.types import local_today


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def snapshot(app, world) -> dict:
    """Every attendance figure the talk could touch: the branch's pooled figures, its month,
    its row in the admin's table, each member's figures and hours, the inactive members."""
    with app.app_context():
        today = local_today()
        start, end = today.replace(day=1) - timedelta(days=40), today + timedelta(days=1)
        units = sa.select(OrgUnit.id).where(OrgUnit.id.in_([world["jiguan"], world["group"]]))
        people = [world["sec_person"], world["member_person"], world["grouped"]]
        rows = figures.unit_rows(start, end, today, 90)
        return {
            "pooled": asdict(figures.pooled(study_figures.study_sessions(start, end, units))),
            "monthly": [
                (day, asdict(c)) for day, c in figures.monthly(units, today.replace(day=1), 1)
            ],
            "unit": [
                asdict(r.counts) | {"s": r.sessions} for r in rows if r.name == "Jiguan branch"
            ],
            "members": {
                pid: asdict(f) for pid, f in figures.member_figures(people, start, end).items()
            },
            "inactive": [p.id for p, _last in figures.inactive_members(units, today, 90)],
        }


def test_recording_a_talk_changes_no_rate_and_no_hours(app, client, auth, world):
    yesterday = local_today() - timedelta(days=1)
    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        meeting = create_session(
            {
                "title": "General meeting",
                "kind": StudyKind.GENERAL_MEETING,
                "unit": db.session.get(OrgUnit, world["jiguan"]),
                "starts_at": at(yesterday, 9),
                "ends_at": at(yesterday, 11),
            },
            secretary,
        )
        db.session.flush()
        rows = {row.person_id: row for row in meeting.participations}
        assert set(rows) == {world["sec_person"], world["member_person"], world["grouped"]}
        rows[world["sec_person"]].status = AttendanceStatus.PRESENT
        rows[world["member_person"]].status = AttendanceStatus.PRESENT
        rows[world["grouped"]].status = AttendanceStatus.ABSENT
        db.session.commit()

    before = snapshot(app, world)
    # By hand: 3 expected, 2 present (66.7 %); 2 hours each for the two present; the absent
    # member has been present nowhere, so is inactive.
    assert before["pooled"]["expected"] == 3 and before["pooled"]["present"] == 2
    assert figures.rate(2, 3) == Decimal("66.7")
    hours = {pid: f["session_hours"] for pid, f in before["members"].items()}
    assert hours == {
        world["sec_person"]: Decimal("2.0"),
        world["member_person"]: Decimal("2.0"),
        world["grouped"]: Decimal("0.0"),
    }
    assert before["inactive"] == [world["grouped"]]

    # The secretary records a heart-to-heart talk with two members, as on the pages.
    auth.login("secretary")
    token = auth.token("/study/new")
    form = {
        "csrf_token": token,
        "title": "谈心谈话",
        "kind": "heart_talk",
        "unit_id": str(world["jiguan"]),
        "day": yesterday.isoformat(),
        "start": "14:00",
        "end": "15:00",
        "chair": "",
    }
    refused = client.post("/study/new", data=form)
    assert refused.status_code == 422 and "Name the talker as the chair" in refused.text
    form["chair"] = "Secretary J (J001)"
    assert client.post("/study/new", data=form).status_code in (200, 303)
    with app.app_context():
        talk_id = db.session.scalar(
            sa.select(StudySession.id).where(StudySession.kind == StudyKind.HEART_TALK)
        )
    for person in ("Secretary J (J001)", "Member J (J002)", "Grouped J (J003)"):
        added = client.post(
            f"/activities/{talk_id}/participants",
            data={"csrf_token": token, "person": person, "role": "expected"},
        )
        assert added.status_code in (200, 303), person
    with app.app_context():
        row_ids = db.session.scalars(
            sa.select(Participation.id).where(Participation.activity_id == talk_id)
        ).all()
    assert len(row_ids) == 3
    for row_id in row_ids:
        marked = client.post(
            f"/activities/{talk_id}/attendance/{row_id}",
            data={"csrf_token": token, "status": "present"},
        )
        assert marked.status_code in (200, 303)

    after = snapshot(app, world)
    assert after == before  # no rate, no member figure, no hour, no inactive member changed

    with app.app_context():
        today = local_today()
        found = study_figures.talks(study_figures.talk_sessions(today - timedelta(days=7), today))
        # Two talks, the chair with each member present; the chair on the list is no talk.
        assert [(t.talker_id, t.person_id, t.held_on) for t in found] == [
            (world["sec_person"], world["member_person"], yesterday),
            (world["sec_person"], world["grouped"], yesterday),
        ]
        assert db.session.get(Person, found[0].talker_id).name == "Secretary J"

    page = client.get(f"/study/{talk_id}").text
    assert '>2</div><div class="label">Talks</div>' in page
    assert "in no attendance rate or study hours" in page
    assert (
        "Attendance rate</div>" not in page.split('id="session-counts"')[1].split("</section>")[0]
    )
    listing = client.get("/study/").text
    assert "Counted as talks" in listing
