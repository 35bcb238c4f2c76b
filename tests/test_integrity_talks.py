"""Integrity talks 廉政谈话 with one person: recording one through the form, and who reads what —
the gist and files of a reminder, special or admonishment talk only for the admins and the
unit's secretaries, never for the person talked to (even a secretary, who may not edit it
either); the person talked to sees when, what kind and who talked."""

import io
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from activity_helpers import post
from PIL import Image
from werkzeug.datastructures import FileStorage

from app.activities.forms import to_utc
from app.audit.models import AuditLog
from app.auth.models import User
from app.evidence.models import Evidence
from app.evidence.services import attach
from app.extensions import db
from app.integrity.models import IntegrityActivity, IntegrityKind, IntegrityTalk, TalkKind
from app.integrity.talks import create_talk
from app.people.models import OrgUnit, Person
from app.types import local_today

GIST = "Approvals were waved through; told to follow the procedure."


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def make_talk(
    app,
    kind: TalkKind,
    subject: int,
    *,
    talker: int | None = None,
    minute_taker: int | None = None,
    by: str = "admin",
    unit: str = "jiguan",
    on: date | None = None,
) -> tuple[int, int]:
    """A talk of the unit recorded by ``by``, with one photo; (its id, the photo's id)."""
    with app.app_context():
        day = on or local_today() - timedelta(days=3)
        account = db.session.scalar(sa.select(User).where(User.username == by))
        talk = create_talk(
            {
                "unit": db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == unit)),
                "kind": kind,
                "held_at": to_utc(day, time(10)),
                "held_on": day,
                "place": "Secretary's office",
                "subject": db.session.get(Person, subject),
                "talker_id": talker,
                "talker_name": None if talker else "District commission",
                "minute_taker_id": minute_taker,
                "minute_taker_name": None,
                "gist": GIST,
            },
            account,
        )
        db.session.flush()
        scan = FileStorage(io.BytesIO(_png()), "record.png")
        photo = attach(scan, integrity_talk=talk, by=account)
        db.session.commit()
        return talk.id, photo.id


def _audit_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))


def test_a_secretary_records_a_talk_with_its_scan(app, client, auth, world):
    auth.login("secretary")
    before = _audit_rows(app)
    day = local_today() - timedelta(days=1)
    response = client.post(
        "/integrity/talks/new",
        data={
            "csrf_token": _token(client),
            "unit_id": world["jiguan"],
            "kind": "reminder",
            "day": day.isoformat(),
            "time": "15:30",
            "place": "Office 2",
            "subject": "Member J (J002)",
            "talker": "Secretary J (J001)",
            "minute_taker": "Aide from the district",
            "gist": GIST,
            "files": (io.BytesIO(_png()), "signed-record.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        talk = db.session.scalar(sa.select(IntegrityTalk))
        assert response.headers["Location"] == f"/integrity/talks/{talk.id}"
        assert (talk.kind, talk.held_on, talk.place) == (TalkKind.REMINDER, day, "Office 2")
        assert talk.held_at == to_utc(day, time(15, 30))
        assert (talk.subject_id, talk.talker_id) == (world["member_person"], world["sec_person"])
        assert (talk.minute_taker_id, talk.minute_taker_name) == (None, "Aide from the district")
        assert talk.unit_id == world["jiguan"] and talk.gist == GIST
        files = db.session.scalars(sa.select(Evidence).where(Evidence.integrity_talk_id == talk.id))
        assert [item.original_name for item in files] == ["signed-record.png"]
    assert _audit_rows(app) > before
    page = client.get(f"/integrity/talks/{talk.id}").get_data(as_text=True)
    assert GIST in page and "Reminder talk" in page and "signed-record.png" in page


def _token(client) -> str:
    from conftest import csrf_token

    return csrf_token(client, "/auth/password")


def test_recording_a_talk_with_oneself_is_refused_and_nothing_saved(app, client, auth, world):
    auth.login("secretary")
    before = _audit_rows(app)
    response = post(
        client,
        "/integrity/talks/new",
        {
            "unit_id": world["jiguan"],
            "kind": "routine",
            "day": local_today().isoformat(),
            "time": "09:00",
            "subject": "Secretary J (J001)",
            "talker": "District commission",
            "gist": GIST,
        },
    )
    assert response.status_code == 422
    assert "A talk with you is recorded by someone else" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IntegrityTalk)) == 0
    assert _audit_rows(app) == before


@pytest.mark.parametrize("kind", [TalkKind.REMINDER, TalkKind.SPECIAL, TalkKind.ADMONISHMENT])
def test_the_person_talked_to_sees_only_when_what_kind_and_who(app, client, auth, world, kind):
    talk, photo = make_talk(app, kind, world["member_person"], talker=world["sec_person"])
    auth.login("member")
    page = client.get(f"/integrity/talks/{talk}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert str(kind.label) in html and "Secretary J" in html
    assert GIST not in html and "Secretary&#39;s office" not in html and "record.png" not in html
    assert client.get(f"/evidence/{photo}").status_code == 404
    assert client.get(f"/evidence/{photo}/thumbnail").status_code == 404
    assert client.get(f"/integrity/talks/{talk}/edit").status_code == 403
    listed = client.get("/integrity/talks/").get_data(as_text=True)
    assert f"/integrity/talks/{talk}" in listed
    # Not on their own person page: talks appear there only for those who may read the gist.
    own = client.get(f"/members/{world['member_person']}").get_data(as_text=True)
    assert f"/integrity/talks/{talk}" not in own


def test_the_units_secretaries_and_the_admins_read_a_confidential_talk(app, client, auth, world):
    talk, photo = make_talk(app, TalkKind.ADMONISHMENT, world["member_person"])
    for username in ("secretary", "admin"):
        reader = auth.client_for(username)
        page = reader.get(f"/integrity/talks/{talk}").get_data(as_text=True)
        assert GIST in page and "record.png" in page and "District commission" in page, username
        assert reader.get(f"/evidence/{photo}").status_code == 200, username
        person = reader.get(f"/members/{world['member_person']}").get_data(as_text=True)
        assert f"/integrity/talks/{talk}" in person, username
    other = auth.client_for("secretary2")
    assert other.get(f"/integrity/talks/{talk}").status_code == 404
    assert other.get(f"/evidence/{photo}").status_code == 404
    assert f"/integrity/talks/{talk}" not in other.get("/integrity/talks/").get_data(as_text=True)


def test_a_secretary_talked_to_neither_reads_the_gist_nor_changes_the_talk(
    app, client, auth, world
):
    talk, photo = make_talk(app, TalkKind.SPECIAL, world["sec_person"])
    routine, _photo = make_talk(app, TalkKind.ROUTINE, world["sec_person"])
    auth.login("secretary")
    before = _audit_rows(app)
    html = client.get(f"/integrity/talks/{talk}").get_data(as_text=True)
    assert "Special talk" in html and GIST not in html
    assert client.get(f"/evidence/{photo}").status_code == 404
    for each in (talk, routine):
        assert client.get(f"/integrity/talks/{each}/edit").status_code == 403
        assert post(client, f"/integrity/talks/{each}/remove").status_code == 403
        assert post(client, f"/integrity/talks/{each}/edit", {"gist": "mine"}).status_code == 403
    assert post(client, f"/evidence/{photo}/delete").status_code == 404
    # A routine talk's gist is theirs to read, on the page and on their own person page.
    assert GIST in client.get(f"/integrity/talks/{routine}").get_data(as_text=True)
    own = client.get(f"/members/{world['sec_person']}").get_data(as_text=True)
    assert f"/integrity/talks/{routine}" in own and f"/integrity/talks/{talk}" not in own
    assert _audit_rows(app) == before
    with app.app_context():
        assert db.session.get(IntegrityTalk, talk).gist == GIST


def test_the_talker_and_minute_taker_read_a_routine_talk_but_not_a_confidential_one(
    app, client, auth, world
):
    routine, photo = make_talk(
        app, TalkKind.ROUTINE, world["grouped"], minute_taker=world["member_person"]
    )
    special, _photo = make_talk(
        app, TalkKind.SPECIAL, world["grouped"], talker=world["member_person"]
    )
    auth.login("member")
    assert GIST in client.get(f"/integrity/talks/{routine}").get_data(as_text=True)
    assert client.get(f"/evidence/{photo}").status_code == 200
    assert client.get(f"/integrity/talks/{special}").status_code == 404
    listed = client.get("/integrity/talks/").get_data(as_text=True)
    assert f"/integrity/talks/{routine}" in listed and f"/integrity/talks/{special}" not in listed


def test_a_keeper_edits_and_removes_a_talk(app, client, auth, world):
    talk, _photo = make_talk(app, TalkKind.ROUTINE, world["member_person"])
    auth.login("secretary")
    form = client.get(f"/integrity/talks/{talk}/edit").get_data(as_text=True)
    assert 'value="Member J"' in form and GIST in form
    changed = post(
        client,
        f"/integrity/talks/{talk}/edit",
        {
            "unit_id": world["jiguan"],
            "kind": "pre_appointment",
            "day": local_today().isoformat(),
            "time": "11:00",
            "subject": "Member J (J002)",
            "talker": "District commission",
            "gist": "Before the new post.",
        },
    )
    assert changed.status_code == 303
    with app.app_context():
        row = db.session.get(IntegrityTalk, talk)
        assert (row.kind, row.gist, row.held_on) == (
            TalkKind.PRE_APPOINTMENT,
            "Before the new post.",
            local_today(),
        )
    removed = post(client, f"/integrity/talks/{talk}/remove")
    assert removed.status_code == 303 and removed.headers["Location"] == "/integrity/talks/"
    assert client.get(f"/integrity/talks/{talk}").status_code == 404
    assert f"/integrity/talks/{talk}" not in client.get("/integrity/talks/").get_data(as_text=True)
    with app.app_context():
        row = db.session.get(IntegrityTalk, talk)
        assert row is not None and row.deleted_at is not None  # marked, never deleted
        audited = db.session.scalars(
            sa.select(AuditLog).where(AuditLog.record_type == "integrity_talk")
        ).all()
        assert len(audited) >= 3  # created (with its photo), changed, removed


def test_the_list_filters_by_kind_and_year(app, client, auth, world):
    this_year = local_today().year
    make_talk(app, TalkKind.ROUTINE, world["member_person"], on=date(this_year, 1, 5))
    last, _ = make_talk(
        app, TalkKind.ROUTINE, world["member_person"], on=date(this_year - 1, 12, 31)
    )
    reminder, _ = make_talk(app, TalkKind.REMINDER, world["grouped"], on=date(this_year, 1, 6))
    auth.login("secretary")
    html = client.get(f"/integrity/talks/?year={this_year - 1}").get_data(as_text=True)
    assert html.count('href="/integrity/talks/') - html.count("/integrity/talks/new") == 1
    assert f"/integrity/talks/{last}" in html
    html = client.get("/integrity/talks/?kind=reminder").get_data(as_text=True)
    assert f"/integrity/talks/{reminder}" in html and f"/integrity/talks/{last}" not in html
    html = client.get("/integrity/talks/?kind=nonsense&year=abc").get_data(as_text=True)
    assert f"/integrity/talks/{reminder}" in html and f"/integrity/talks/{last}" in html


def test_a_collective_talk_names_its_kind_and_may_not_be_confidential(app, client, auth, world):
    auth.login("secretary")
    fields = {
        "title": "Pre-holiday talk",
        "unit_id": world["jiguan"],
        "kind": IntegrityKind.TALK.value,
        "day": (local_today() + timedelta(days=2)).isoformat(),
        "start": "09:00",
        "end": "10:00",
    }
    missing = post(client, "/integrity/new", fields)
    assert missing.status_code == 422
    assert "Say which kind of talk was held with the group." in missing.get_data(as_text=True)
    confidential = post(client, "/integrity/new", {**fields, "talk_kind": "admonishment"})
    assert confidential.status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(IntegrityActivity)) == 0
    made = post(client, "/integrity/new", {**fields, "talk_kind": "routine"})
    assert made.status_code == 303
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Collective integrity talk · Routine talk" in page


def test_the_personal_record_lists_talks_without_their_gist(app, client, auth, world):
    """The person reads every talk with them as when, kind and talker; so does their secretary,
    who keeps them; nobody reads a gist on the record, printed for the member to sign."""
    from docx import Document

    year = local_today().year
    make_talk(app, TalkKind.REMINDER, world["member_person"])
    make_talk(app, TalkKind.ROUTINE, world["member_person"])
    url = f"/members/{world['member_person']}/record?year={year}"
    for username in ("member", "secretary"):
        reader = auth.client_for(username)
        page = reader.get(url).get_data(as_text=True)
        assert "Reminder talk" in page and "Routine talk" in page, username
        assert "District commission" in page and GIST not in page, username
        printed = reader.get(f"/members/{world['member_person']}/record.docx?year={year}")
        cells = [
            cell.text
            for table in Document(io.BytesIO(printed.data)).tables
            for row in table.rows
            for cell in row.cells
        ]
        assert "Reminder talk" in cells and "Routine talk" in cells and GIST not in cells
    # Grouped J's confidential talk is not on the record read by someone who may not read it:
    # the member account is no keeper (and reads only their own record anyway).
    other, _photo = make_talk(
        app, TalkKind.SPECIAL, world["grouped"], talker=world["member_person"]
    )
    with app.app_context():
        from app.integrity.personal_record import _talks
        from app.people.models import Person
        from app.reports.personal_record import build_record

        with app.test_request_context():
            from flask_login import current_user, login_user

            login_user(db.session.scalar(sa.select(User).where(User.username == "member")))
            record = build_record(db.session.get(Person, world["grouped"]), year)
            start, end = date(year, 1, 1), date(year + 1, 1, 1)
            assert [t.id for t in _talks(record, start, end, False, current_user)] == []
            login_user(db.session.scalar(sa.select(User).where(User.username == "secretary")))
            assert [t.id for t in _talks(record, start, end, False, current_user)] == [other]
