"""The meeting record's attendance as a paper-first branch keeps it: make-ups only once a session
has been held, nobody grants themselves leave, reasons on 请假 and 缺席 rows wherever the rows are
shown, make-ups handed in on paper, cancelled sessions that show no counts, archiving that waits
for the start, QR rows marked on the grid, and a member's year whose parts add up."""

import re
from datetime import timedelta
from io import BytesIO

import sqlalchemy as sa
from activity_helpers import HX, counts, post, row_of
from conftest import csrf_token
from docx import Document
from test_study import new_session

from app.activities import checkin
from app.activities.models import (
    Activity,
    AttendanceStatus,
    MakeUpState,
    Participation,
)
from app.audit.models import AuditLog
from app.auth.models import User
from app.evidence.models import Evidence
from app.extensions import db
from app.people.models import Membership, Person
from app.types import local_today, utcnow


def today(app):
    with app.app_context():
        return local_today()


def set_row(app, row_id: int, **values) -> None:
    with app.app_context():
        row = db.session.get(Participation, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def flashed_after(client, response) -> str:
    assert response.status_code == 303, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


# --- item 2: make-up study once the session has been held ------------------------------------


def test_no_make_up_before_the_session_has_started(app, client, auth, world):
    session_id = new_session(app, timedelta(days=7))
    member = auth.client_for("member")
    post(member, f"/activities/{session_id}/leave", {"reason": "Business trip"}, HX)
    row = row_of(app, session_id, "member")
    auth.login("secretary")
    post(client, f"/activities/{session_id}/leave/{row.id}", {"decision": "approve"}, HX)
    assert row_of(app, session_id, "member").status is AttendanceStatus.LEAVE

    page = member.get(f"/study/{session_id}").get_data(as_text=True)
    assert "You owe a make-up study" not in page and "Submit make-up study" not in page
    refusal = "Make-up study is handed in once the session has taken place."
    assert refusal in flashed_after(member, member.get(f"/activities/{session_id}/make-up"))
    sent = post(member, f"/activities/{session_id}/make-up", {"note": "Read ahead."})
    assert refusal in flashed_after(member, sent)
    assert row_of(app, session_id, "member").make_up_state is None
    home = member.get("/").get_data(as_text=True)
    assert "Make-up study owed" not in home

    # One handed in early (before this rule) is not confirmed before the start either.
    set_row(app, row.id, make_up_state=MakeUpState.SUBMITTED, make_up_note="Read ahead.")
    url = f"/activities/{session_id}/make-up/{row.id}"
    answer = post(client, url, {"decision": "confirm"}, HX)
    assert answer.status_code == 422 and refusal in answer.get_data(as_text=True)
    assert row_of(app, session_id, "member").make_up_state is MakeUpState.SUBMITTED
    paper = client.get(f"/activities/{session_id}/make-up/{row.id}/paper")
    assert refusal in flashed_after(client, paper)

    # Once it has started, the make-up is owed and offered.
    with app.app_context():
        activity = db.session.get(Activity, session_id)
        activity.starts_at = utcnow() - timedelta(hours=2)
        activity.ends_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    assert "Make-up study owed" not in member.get("/").get_data(as_text=True)  # handed in
    assert post(client, url, {"decision": "return", "comment": "Write more"}, HX).status_code == 200
    assert "Submit make-up study" in member.get(f"/study/{session_id}").get_data(as_text=True)
    assert "Make-up study owed" in member.get("/").get_data(as_text=True)
    post(member, f"/activities/{session_id}/make-up", {"note": "Read and summarised."})
    assert post(client, url, {"decision": "confirm"}, HX).status_code == 200
    assert row_of(app, session_id, "member").make_up_state is MakeUpState.CONFIRMED


# --- item 3: nobody grants themselves leave -----------------------------------------------------


def test_a_secretary_does_not_mark_their_own_leave_or_absence(app, client, auth, world):
    session_id = new_session(app, timedelta(hours=-1))
    own = row_of(app, session_id, "secretary")
    auth.login("secretary")
    url = f"/activities/{session_id}/attendance/{own.id}"
    for status in ("leave", "absent"):
        refused = post(client, url, {"status": status}, HX)
        assert refused.status_code == 409, status
        assert "another secretary or an administrator" in refused.get_data(as_text=True)
        assert row_of(app, session_id, "secretary").status is AttendanceStatus.UNMARKED
    assert post(client, url, {"status": "present"}, HX).status_code == 200
    assert post(client, url, {"status": "late"}, HX).status_code == 200
    assert row_of(app, session_id, "secretary").status is AttendanceStatus.LATE
    # The grid offers the secretary's own row no reason to record either.
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    assert f'action="/activities/{session_id}/attendance/{own.id}/reason"' not in page

    admin = auth.client_for("admin")
    assert post(admin, url, {"status": "leave"}, HX).status_code == 200
    assert row_of(app, session_id, "secretary").status is AttendanceStatus.LEAVE


# --- item 4: reasons on 请假 and 缺席 rows ----------------------------------------------------


def test_a_reason_is_recorded_on_the_grid_and_shown_wherever_the_row_is(app, client, auth, world):
    session_id = new_session(app, timedelta(days=-3), title="Paper meeting")
    row = row_of(app, session_id, "member")
    auth.login("secretary")
    with app.app_context():
        grouped = db.session.scalar(
            sa.select(Participation).where(
                Participation.activity_id == session_id,
                Participation.person_id == world["grouped"],
            )
        )
        db.session.expunge(grouped)
    # Leave nobody asked for online, entered from the paper record afterwards.
    post(client, f"/activities/{session_id}/attendance/{row.id}", {"status": "leave"}, HX)
    post(client, f"/activities/{session_id}/attendance/{grouped.id}", {"status": "present"}, HX)
    reason_url = f"/activities/{session_id}/attendance/{row.id}/reason"
    answer = post(client, reason_url, {"reason": "Provincial training"}, HX)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and html.lstrip().startswith("<tr")
    assert "Reason: Provincial training" in html
    assert row_of(app, session_id, "member").absence_reason == "Provincial training"
    with app.app_context():
        trail = db.session.scalars(
            sa.select(AuditLog).where(
                AuditLog.record_type == "participation", AuditLog.record_id == str(row.id)
            )
        ).all()
        assert any(
            entry.changes.get("absence_reason") == [None, "Provincial training"] for entry in trail
        )

    # Not on a row that was present.
    refused = post(
        client, f"/activities/{session_id}/attendance/{grouped.id}/reason", {"reason": "x"}, HX
    )
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.get(Participation, grouped.id).absence_reason is None

    # The record is archived; the reason can still be corrected, and is shown on the page.
    post(client, f"/activities/{session_id}/archive")
    again = post(client, reason_url, {"reason": "Provincial Party school training"}, HX)
    assert again.status_code == 200
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    absentees = page[page.index('id="absentees"') :][:400]
    assert "Member J (On leave: Provincial Party school training)" in absentees
    assert "Secretary J (Absent)" in absentees  # unmarked at archiving, no reason given

    # The member reads it on the session page and in the personal record, page and Word.
    member = auth.client_for("member")
    assert "Reason: Provincial Party school training" in member.get(
        f"/study/{session_id}"
    ).get_data(as_text=True)
    with app.app_context():
        year = db.session.get(Activity, session_id).held_on.year
    record = member.get(f"/members/{world['member_person']}/record?year={year}")
    assert "Reason: Provincial Party school training" in record.get_data(as_text=True)
    doc = Document(
        BytesIO(member.get(f"/members/{world['member_person']}/record.docx?year={year}").data)
    )
    sessions = doc.tables[2]
    assert [r.cells[5].text for r in sessions.rows[1:]] == [
        "On leave (Provincial Party school training)"
    ]

    # The printed sign-in sheet carries it where the person would have signed.
    sheet = Document(BytesIO(client.get(f"/activities/{session_id}/sign-in-sheet.docx").data))
    signatures = {r.cells[1].text: r.cells[4].text for r in sheet.tables[0].rows[1:]}
    assert signatures == {
        "Member J": "On leave: Provincial Party school training",
        "Secretary J": "Absent",
        "Grouped J": "",
    }

    # Only those who keep the record write reasons; a member cannot.
    assert post(member, reason_url, {"reason": "mine"}, HX).status_code == 403
    assert row_of(app, session_id, "member").absence_reason == "Provincial Party school training"


def test_a_leave_request_reason_is_the_reason_until_the_secretary_records_another(
    app, client, auth, world
):
    session_id = new_session(app, timedelta(days=2))
    member = auth.client_for("member")
    post(member, f"/activities/{session_id}/leave", {"reason": "Hospital appointment"}, HX)
    row = row_of(app, session_id, "member")
    auth.login("secretary")
    html = post(
        client, f"/activities/{session_id}/leave/{row.id}", {"decision": "approve"}, HX
    ).get_data(as_text=True)
    assert html.count("Reason: Hospital appointment") == 1
    post(client, f"/activities/{session_id}/attendance/{row.id}/reason", {"reason": "Surgery"}, HX)
    shown = row_of(app, session_id, "member")
    assert shown.reason == "Surgery" and shown.leave_reason == "Hospital appointment"
    # Marked present after all: the reason goes with the leave.
    with app.app_context():
        activity = db.session.get(Activity, session_id)
        activity.starts_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    post(client, f"/activities/{session_id}/attendance/{row.id}", {"status": "present"}, HX)
    assert row_of(app, session_id, "member").absence_reason is None


# --- item 5: make-ups handed in on paper --------------------------------------------------------


def test_a_paper_make_up_is_recorded_and_confirmed_at_once(app, client, auth, world):
    from PIL import Image

    session_id = new_session(app, timedelta(days=-10))
    row = row_of(app, session_id, "member")
    auth.login("secretary")
    post(client, f"/activities/{session_id}/archive")  # the member was absent
    # The member has since been transferred out of the bureau.
    with app.app_context():
        person = db.session.get(Person, world["member_person"])
        person.transferred_out_on = local_today() - timedelta(days=2)
        for membership in db.session.scalars(
            sa.select(Membership).where(Membership.person_id == person.id)
        ):
            membership.end_date = local_today() - timedelta(days=2)
        db.session.commit()
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    url = f"/activities/{session_id}/make-up/{row.id}/paper"
    assert f'href="{url}"' in page
    assert client.get(url).status_code == 200

    too_early = (today(app) - timedelta(days=20)).isoformat()
    refused = post(client, url, {"handed_in_on": too_early, "note": "Notes on paper."})
    assert refused.status_code == 422
    assert "between the session and today" in refused.get_data(as_text=True)
    assert row_of(app, session_id, "member").make_up_state is None

    scan = BytesIO()
    Image.new("RGB", (80, 60), "white").save(scan, "JPEG")
    handed_in = (today(app) - timedelta(days=3)).isoformat()
    sent = client.post(
        url,
        data={
            "handed_in_on": handed_in,
            "note": "Handwritten notes on the session's materials.",
            "files": (BytesIO(scan.getvalue()), "scan.jpg"),
            "csrf_token": csrf_token(client, "/auth/password"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    saved = row_of(app, session_id, "member")
    assert saved.make_up_state is MakeUpState.CONFIRMED and saved.make_up_on_paper
    assert saved.make_up_handed_in_on.isoformat() == handed_in
    with app.app_context():
        secretary_id = db.session.scalar(sa.select(User.id).where(User.username == "secretary"))
        files = db.session.scalars(
            sa.select(Evidence).where(Evidence.participation_id == row.id)
        ).all()
    assert saved.make_up_reviewed_by_id == secretary_id
    assert [f.original_name for f in files] == ["scan.jpg"]
    assert counts(app, session_id).make_ups == 1
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    assert "On paper, handed in on" in page and f'href="{url}"' not in page
    again = post(client, url, {"handed_in_on": handed_in, "note": "twice"})
    assert again.status_code == 303  # said at once: already confirmed
    assert row_of(app, session_id, "member").make_up_note.startswith("Handwritten")


def test_a_secretarys_own_paper_make_up_is_recorded_by_someone_else(app, client, auth, world):
    session_id = new_session(app, timedelta(days=-2))
    own = row_of(app, session_id, "secretary")
    auth.login("secretary")
    post(client, f"/activities/{session_id}/archive")
    url = f"/activities/{session_id}/make-up/{own.id}/paper"
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    assert f'href="{url}"' not in page
    data = {"handed_in_on": today(app).isoformat(), "note": "My notes."}
    assert "another secretary or an administrator" in flashed_after(client, post(client, url, data))
    assert row_of(app, session_id, "secretary").make_up_state is None
    admin = auth.client_for("admin")
    assert post(admin, url, data).status_code == 303
    assert row_of(app, session_id, "secretary").make_up_state is MakeUpState.CONFIRMED
    # Someone outside the branch sees nothing of it.
    other = auth.client_for("secretary2")
    assert other.get(url).status_code == 404


# --- item 7: cancelled sessions show no counts ---------------------------------------------------


def test_a_cancelled_session_shows_its_reason_instead_of_counts(app, client, auth, world):
    session_id = new_session(app, timedelta(days=-1), title="Called off")
    auth.login("secretary")
    post(client, f"/activities/{session_id}/cancel", {"reason": "Flood warning"})
    listing = client.get("/study/").get_data(as_text=True)
    line = listing[listing.index("Called off") :]
    line = line[: line.index("</tr>")]
    assert "Cancelled · Flood warning" in line and 'colspan="3"' in line
    assert not re.search(r'data-label="Expected"', line)
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    figures = page[page.index('id="session-counts"') :]
    figures = figures[: figures.index("</section>")]
    assert "Flood warning" in figures and "Cancelled" in figures
    assert '<div class="label">Expected</div>' not in figures
    assert '<div class="label">Unmarked</div>' not in figures


# --- item 8: archiving waits for the start -------------------------------------------------------


def test_before_the_start_archiving_is_explained_and_no_quorum_is_judged(app, client, auth, world):
    session_id = new_session(app, timedelta(days=1))
    auth.login("secretary")
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    assert "Can be archived once the session has started" in page
    assert f'action="/activities/{session_id}/archive"' not in page
    assert "Quorum not reached" not in page and "Quorum reached" not in page
    held = new_session(app, timedelta(hours=-1))
    page = client.get(f"/study/{held}").get_data(as_text=True)
    assert "Can be archived once the session has started" not in page
    assert f'action="/activities/{held}/archive"' in page and "Quorum not reached" in page


def test_zh_cn_says_archiving_waits_for_the_start(app, client, auth, world):
    session_id = new_session(app, timedelta(days=1))
    auth.login("secretary")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert "可在活动开始后归档" in client.get(f"/study/{session_id}").get_data(as_text=True)


# --- item 9: a member's year adds up -----------------------------------------------------------


def year_card(html: str) -> dict[str, int]:
    card = html[html.index('id="year-heading"') :]
    card = card[: card.index("</section>")]
    return {
        label: int(value)
        for value, label in re.findall(
            r'<div class="value">(\d+)</div><div class="label">([^<]+)</div>', card
        )
    }


def test_the_home_card_shows_unmarked_and_pending_so_the_parts_add_up(app, client, auth, world):
    # Two sessions of today that have begun: unmarked at one, a button check-in at the other.
    new_session(app, timedelta(minutes=-10))
    checked_in = new_session(app, timedelta(minutes=-5))
    member = auth.client_for("member")
    assert post(member, f"/activities/{checked_in}/check-in", {}, HX).status_code == 200
    card = year_card(member.get("/").get_data(as_text=True))
    assert card["Expected"] == 2
    assert (card["Present"], card["On leave"], card["Absent"]) == (0, 0, 0)
    assert (card["Unmarked"], card["To confirm"]) == (1, 1)


# --- item 18 (part): rows that came from the QR code ---------------------------------------------


def test_rows_checked_in_by_qr_code_are_marked_on_the_grid(app, client, auth, world):
    session_id = new_session(app, timedelta(minutes=-5))
    row = row_of(app, session_id, "member")
    with app.app_context():
        token = checkin.token_for(session_id)
    member = auth.client_for("member")
    post(member, f"/activities/{session_id}/scan", {"t": token})
    auth.login("secretary")
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    grid_row = page[page.index(f'id="row-{row.id}"') :]
    grid_row = grid_row[: grid_row.index("</tr>")]
    assert 'data-recorded-via="qr"' in grid_row and "By QR code" in grid_row
    assert page.count('data-recorded-via="qr"') == 1
    assert re.search(r'<div class="value">1</div><div class="label">Checked in by QR code', page)
    # The secretary corrects it: no longer shown as a QR row.
    html = post(
        client, f"/activities/{session_id}/attendance/{row.id}", {"status": "absent"}, HX
    ).get_data(as_text=True)
    assert 'data-recorded-via="qr"' not in html and "Checked in by QR code" not in html
