"""The shared core over HTTP, for every registered activity family: the attendance grid in place,
check-in by button and by QR code, leave, make-up study, reflections, the list of people,
archiving, reopening, cancelling and the sign-in sheet, as the people who use them do it. Each test
runs once per family (``new_activity`` makes one of the test's family); what a family does not
offer (``qr``, ``make_up``, ``reflections``) skips the tests of it."""

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from activity_helpers import BOOSTED, HX, counts, page_of, post, row_of
from conftest import PASSWORD, csrf_token, make_person

from app.activities import checkin
from app.activities.models import (
    Activity,
    AttendanceStatus,
    LeaveState,
    MakeUpState,
    Participation,
    RecordedVia,
)
from app.audit.models import AuditLog
from app.audit.trail import record_type
from app.auth.models import User
from app.extensions import db
from app.people.models import OrgUnit
from app.reports import figures
from app.types import utcnow


def _scan_signed_out(app, client, activity_id: int) -> str:
    """A phone not signed in scans the code on the screen: sent to sign in, the scan kept."""
    with app.app_context():
        token = checkin.token_for(activity_id)
    response = client.get(f"/activities/{activity_id}/scan?t={token}")
    assert response.status_code == 302
    login = response.headers["Location"]
    assert login == f"/auth/login?next=/activities/{activity_id}/scan"
    return login


def _sign_in_at(client, login: str, username: str = "member"):
    return client.post(
        login,
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client, login)},
    )


def add_activist(app, world) -> None:
    """An activist on the branch's roster: in the secretary's units, expected at no Party
    meeting, invited as a non-voting attendee."""
    from app.people.models import MembershipRole, PartyStatus

    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        make_person("J010", "Activist J", jiguan, MembershipRole.STAFF, PartyStatus.ACTIVIST)
        db.session.commit()


def test_attendance_cell_in_three_modes_with_counts_out_of_band(
    app, client, auth, world, new_activity
):
    activity_id = new_activity(timedelta(hours=-1))
    row = row_of(app, activity_id, "member")
    auth.login("secretary")
    url = f"/activities/{activity_id}/attendance/{row.id}"
    fragment = post(client, url, {"status": "late"}, HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert html.lstrip().startswith("<tr") and f'id="row-{row.id}"' in html
    counts_part = html[html.index('id="session-counts"') :]
    assert 'hx-swap-oob="true"' in counts_part[:200]
    assert re.search(r'<div class="value text-success">1</div>', counts_part)
    assert counts(app, activity_id).present == 1
    plain = post(client, url, {"status": "absent"})
    assert plain.status_code == 303 and plain.headers["Location"] == page_of(app, activity_id)
    boosted = post(client, url, {"status": "leave"}, BOOSTED)
    assert boosted.status_code == 303
    after = counts(app, activity_id)
    assert (after.present, after.leave, after.absent, after.unmarked) == (0, 1, 0, 2)
    bad = post(client, url, {"status": "maybe"}, HX)
    assert bad.status_code == 422 and bad.headers["HX-Reswap"] == "none"
    assert counts(app, activity_id).leave == 1


def test_all_present_marks_only_the_unmarked(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(hours=-1))
    row = row_of(app, activity_id, "member")
    auth.login("secretary")
    post(client, f"/activities/{activity_id}/attendance/{row.id}", {"status": "absent"}, HX)
    response = post(client, f"/activities/{activity_id}/attendance/all-present", {}, HX)
    assert response.status_code == 200 and 'id="attendance"' in response.get_data(as_text=True)
    result = counts(app, activity_id)
    assert (result.present, result.absent, result.unmarked) == (2, 1, 0)


def test_member_cannot_mark_anyone(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(hours=-1))
    row = row_of(app, activity_id, "member")
    auth.login("member")
    response = post(client, f"/activities/{activity_id}/attendance/{row.id}", {"status": "present"})
    assert response.status_code == 403
    assert counts(app, activity_id).present == 0


def test_other_branch_secretary_sees_nothing_of_the_session(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(hours=-1))
    row = row_of(app, activity_id, "member")
    auth.login("secretary2")
    for url in (
        page_of(app, activity_id),
        f"/activities/{activity_id}/qr",
        f"/activities/{activity_id}/sign-in-sheet.docx",
    ):
        assert client.get(url).status_code == 404, url
        assert client.get(url, headers=HX).status_code == 404, url
    response = post(
        client, f"/activities/{activity_id}/attendance/{row.id}", {"status": "present"}, HX
    )
    assert response.status_code == 404
    assert counts(app, activity_id).present == 0


def test_button_check_in_waits_for_the_secretary(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(minutes=10))  # the window opened 20 minutes ago
    auth.login("member")
    response = post(client, f"/activities/{activity_id}/check-in", {}, HX)
    assert response.status_code == 200
    assert "waiting for the secretary" in response.get_data(as_text=True)
    result = counts(app, activity_id)
    assert (result.present, result.pending) == (0, 1)
    again = post(client, f"/activities/{activity_id}/check-in", {}, HX)  # a no-op that says so
    assert again.status_code == 200 and "already checked in" in again.get_data(as_text=True)
    assert "alert-info" in again.get_data(as_text=True)
    row = row_of(app, activity_id, "member")
    auth.logout()
    auth.login("secretary")
    grid = client.get(page_of(app, activity_id)).get_data(as_text=True)
    assert "Confirm check-in" in grid
    confirmed = post(client, f"/activities/{activity_id}/attendance/{row.id}/confirm", {}, HX)
    assert confirmed.status_code == 200
    result = counts(app, activity_id)
    assert (result.present, result.pending) == (1, 0)


@pytest.mark.parametrize("start_in", [timedelta(minutes=45), timedelta(hours=-3)])
def test_button_check_in_outside_the_window_is_refused(
    app, client, auth, world, start_in, new_activity
):
    activity_id = new_activity(start_in)  # opens in 15 minutes / ended an hour ago
    auth.login("member")
    response = post(client, f"/activities/{activity_id}/check-in", {}, HX)
    assert response.status_code == 409
    assert row_of(app, activity_id, "member").status is AttendanceStatus.UNMARKED


@pytest.mark.parametrize("minutes", [1, 2, 5])
@pytest.mark.needs("qr")
def test_qr_code_checks_in_at_once_inside_the_configured_window_only(
    app, client, auth, world, minutes, new_activity
):
    """The window runs from the end of the 60-second slot in which the screen last showed the
    code; 2 minutes unless the setting says otherwise."""
    from app import settings
    from app.activities.rules import QR_WINDOW

    activity_id = new_activity(timedelta(minutes=-10))
    with app.app_context():
        if minutes != QR_WINDOW.default:
            settings.put(QR_WINDOW.key, minutes)
            db.session.commit()
        now, window = utcnow(), timedelta(minutes=minutes)
        # Slots end within a minute after these instants: 5 s inside, 5 s outside the window.
        inside = checkin.token_for(activity_id, now - window + timedelta(seconds=5))
        outside = checkin.token_for(activity_id, now - window - timedelta(seconds=65))
    auth.login("member")
    refused = post(client, f"/activities/{activity_id}/scan", {"t": outside})
    assert refused.status_code == 400 and "expired" in refused.get_data(as_text=True)
    assert row_of(app, activity_id, "member").status is AttendanceStatus.UNMARKED
    page = client.get(f"/activities/{activity_id}/scan?t={inside}")
    assert page.status_code == 200 and "data-autosubmit" in page.get_data(as_text=True)
    response = post(client, f"/activities/{activity_id}/scan", {"t": inside})
    assert response.status_code == 303
    row = row_of(app, activity_id, "member")
    assert row.status is AttendanceStatus.PRESENT and row.confirmed
    assert row.recorded_via is RecordedVia.QR
    assert counts(app, activity_id).present == 1
    again = post(client, f"/activities/{activity_id}/scan", {"t": inside})
    assert again.status_code == 303
    assert "already checked in" in client.get(again.headers["Location"]).get_data(as_text=True)


@pytest.mark.needs("qr")
def test_a_code_scanned_before_signing_in_checks_in_once_signed_in(
    app, client, world, new_activity
):
    activity_id = new_activity(timedelta(minutes=-5))
    login = _scan_signed_out(app, client, activity_id)
    assert "Sign in to finish checking in." in client.get(login).get_data(as_text=True)
    assert row_of(app, activity_id, "member").status is AttendanceStatus.UNMARKED
    signed_in = _sign_in_at(client, login)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == f"/activities/{activity_id}/scan"
    page = client.get(signed_in.headers["Location"])  # the code itself is not needed again
    assert page.status_code == 200 and "data-autosubmit" in page.get_data(as_text=True)
    response = post(client, f"/activities/{activity_id}/scan", {"t": ""})
    assert response.status_code == 303
    assert "You have checked in." in client.get(response.headers["Location"]).get_data(as_text=True)
    row = row_of(app, activity_id, "member")
    assert row.status is AttendanceStatus.PRESENT and row.recorded_via is RecordedVia.QR
    # The kept scan is used up: it checks nobody in a second time, nor another session.
    other = new_activity(timedelta(minutes=-5), title="Another")
    for target in (activity_id, other):
        assert post(client, f"/activities/{target}/scan", {"t": ""}).status_code == 400
    assert row_of(app, other, "member").status is AttendanceStatus.UNMARKED


@pytest.mark.needs("qr")
def test_a_scan_kept_while_signing_in_lapses_five_minutes_after_the_scan(
    app, client, world, new_activity
):
    from flask.sessions import SecureCookieSessionInterface

    activity_id = new_activity(timedelta(minutes=-5))
    login = _scan_signed_out(app, client, activity_id)
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)

    def scanned_seconds_ago(seconds: int) -> int:
        data = serializer.loads(client.get_cookie("session").value)
        data["pending_scan"][1] -= seconds
        client.set_cookie("session", serializer.dumps(data))
        return data["pending_scan"][1]

    # A minute later, coming back to the page without the code does not renew the scan.
    scanned_at = scanned_seconds_ago(60)
    assert client.get(f"/activities/{activity_id}/scan").status_code == 302
    assert serializer.loads(client.get_cookie("session").value)["pending_scan"][1] == scanned_at
    scanned_seconds_ago(4 * 60 + 10)  # now 5 min 10 s ago
    assert _sign_in_at(client, login).status_code == 302
    response = client.get(f"/activities/{activity_id}/scan")
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert post(client, f"/activities/{activity_id}/scan", {"t": ""}).status_code == 400
    assert row_of(app, activity_id, "member").status is AttendanceStatus.UNMARKED


@pytest.mark.needs("qr")
def test_a_first_sign_in_chooses_a_password_then_finishes_the_check_in(
    app, client, world, new_activity
):
    activity_id = new_activity(timedelta(minutes=-5))
    with app.app_context():
        member = db.session.scalar(sa.select(User).where(User.username == "member"))
        member.must_change_password = True
        db.session.commit()
    login = _scan_signed_out(app, client, activity_id)
    signed_in = _sign_in_at(client, login)
    password_page = signed_in.headers["Location"]
    assert password_page.startswith("/auth/password")
    changed = client.post(
        password_page,
        data={
            "current": PASSWORD,
            "new": "brand-new-pass-9",
            "confirm": "brand-new-pass-9",
            "csrf_token": csrf_token(client, password_page),
        },
    )
    assert changed.headers["Location"] == f"/activities/{activity_id}/scan"
    assert post(client, f"/activities/{activity_id}/scan", {"t": ""}).status_code == 303
    assert row_of(app, activity_id, "member").status is AttendanceStatus.PRESENT


@pytest.mark.needs("qr")
def test_expired_and_forged_codes_are_refused(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(minutes=-10))
    other = new_activity(timedelta(minutes=-10), title="Another")
    with app.app_context():
        old = checkin.token_for(activity_id, utcnow() - timedelta(minutes=6))
        elsewhere = checkin.token_for(other)
    auth.login("member")
    expired = post(client, f"/activities/{activity_id}/scan", {"t": old})
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)
    slot = old.split(".")[0]
    for forged in (f"{slot}.{'0' * 32}", elsewhere, "garbage", ""):
        response = post(client, f"/activities/{activity_id}/scan", {"t": forged})
        assert response.status_code == 400, forged
        assert "not valid" in response.get_data(as_text=True)
    assert row_of(app, activity_id, "member").status is AttendanceStatus.UNMARKED


@pytest.mark.needs("qr")
def test_qr_page_rotates_through_htmx(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(minutes=-5))
    auth.login("secretary")
    page = client.get(f"/activities/{activity_id}/qr").get_data(as_text=True)
    assert "<svg" in page and f"/activities/{activity_id}/qr" in page and "hx-trigger" in page
    fragment = client.get(f"/activities/{activity_id}/qr", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="qr-code"' in fragment and "<svg" in fragment


@pytest.mark.needs("qr")
def test_two_simultaneous_check_ins_make_one_change(app, auth, world, monkeypatch, new_activity):
    """Both requests load the row before either writes: the version counter lets one win and
    tells the other it is already checked in; one change, one audit row."""
    from app.activities import services as core

    activity_id = new_activity(timedelta(minutes=-5))
    row = row_of(app, activity_id, "member")
    with app.app_context():
        token = checkin.token_for(activity_id)
    barrier = threading.Barrier(2, timeout=10)
    original = core.check_in

    def check_in_together(*args, **kwargs):
        original(*args, **kwargs)
        barrier.wait()  # both have changed their copy of the row; now both commit

    monkeypatch.setattr(core, "check_in", check_in_together)
    results: list[str] = []

    def scan() -> None:
        client = auth.client_for("member")
        response = client.post(
            f"/activities/{activity_id}/scan",
            data={"t": token, "csrf_token": csrf_token(client, "/auth/password")},
        )
        results.append(client.get(response.headers["Location"]).get_data(as_text=True))

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 2
    assert sum("You have checked in." in page for page in results) == 1
    assert sum("already checked in" in page for page in results) == 1
    with app.app_context():
        stored = db.session.get(Participation, row.id)
        assert stored.status is AttendanceStatus.PRESENT and stored.version == 2
        changes = db.session.scalars(
            sa.select(AuditLog).where(
                AuditLog.record_type == "participation",
                AuditLog.record_id == str(row.id),
                AuditLog.action == "update",
            )
        ).all()
        assert len(changes) == 1


def test_leave_is_asked_before_and_decided_in_place(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(days=1))
    auth.login("member")
    empty = post(client, f"/activities/{activity_id}/leave", {"reason": ""}, HX)
    assert empty.status_code == 422
    asked = post(client, f"/activities/{activity_id}/leave", {"reason": "On a business trip"}, HX)
    assert asked.status_code == 200 and "waiting for the secretary" in asked.get_data(as_text=True)
    assert counts(app, activity_id).pending == 1
    row = row_of(app, activity_id, "member")
    auth.logout()
    auth.login("secretary")
    refused = post(client, f"/activities/{activity_id}/leave/{row.id}", {"decision": "refuse"}, HX)
    assert refused.status_code == 200
    row = row_of(app, activity_id, "member")
    assert row.leave_state is LeaveState.REFUSED and row.status is AttendanceStatus.UNMARKED
    auth.logout()
    auth.login("member")
    post(client, f"/activities/{activity_id}/leave", {"reason": "Really away"}, HX)
    auth.logout()
    auth.login("secretary")
    post(client, f"/activities/{activity_id}/leave/{row.id}", {"decision": "approve"}, HX)
    row = row_of(app, activity_id, "member")
    assert row.leave_state is LeaveState.APPROVED and row.status is AttendanceStatus.LEAVE
    result = counts(app, activity_id)
    assert (result.leave, result.pending, result.present) == (1, 0, 0)


def test_leave_after_the_start_is_refused(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(minutes=-1))
    auth.login("member")
    response = post(client, f"/activities/{activity_id}/leave", {"reason": "late notice"}, HX)
    assert response.status_code == 409
    assert row_of(app, activity_id, "member").leave_state is None


@pytest.mark.needs("make_up")
def test_make_up_submitted_returned_and_confirmed(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(hours=-3))
    row = row_of(app, activity_id, "member")
    auth.login("secretary")
    post(client, f"/activities/{activity_id}/attendance/{row.id}", {"status": "absent"}, HX)
    auth.logout()
    auth.login("member")
    assert "You owe a make-up study" in client.get(page_of(app, activity_id)).get_data(as_text=True)
    own_page = client.get(f"/members/{world['member_person']}").get_data(as_text=True)
    assert f'href="{page_of(app, activity_id)}">Branch meeting</a>' in own_page  # what is owed
    sent = post(client, f"/activities/{activity_id}/make-up", {"note": "Read the materials."})
    assert sent.status_code == 303
    auth.logout()
    auth.login("secretary")
    url = f"/activities/{activity_id}/make-up/{row.id}"
    no_comment = post(client, url, {"decision": "return", "comment": ""}, HX)
    assert no_comment.status_code == 422 and "Say why" in no_comment.get_data(as_text=True)
    assert row_of(app, activity_id, "member").make_up_state is MakeUpState.SUBMITTED
    post(client, url, {"decision": "return", "comment": "Too short"}, HX)
    assert row_of(app, activity_id, "member").make_up_state is MakeUpState.RETURNED
    auth.logout()
    auth.login("member")
    assert "Too short" in client.get(page_of(app, activity_id)).get_data(as_text=True)
    post(
        client, f"/activities/{activity_id}/make-up", {"note": "Read and summarised the materials."}
    )
    auth.logout()
    auth.login("secretary")
    before = counts(app, activity_id)
    assert post(client, url, {"decision": "confirm"}, HX).status_code == 200
    after = counts(app, activity_id)
    assert (before.make_ups, after.make_ups) == (0, 1)
    own_page = client.get(f"/members/{world['member_person']}").get_data(as_text=True)
    assert f'href="{page_of(app, activity_id)}">Branch meeting</a>' not in own_page
    assert "Nothing owed." in own_page
    assert after.participation_rate > after.attendance_rate


@pytest.mark.needs("reflections")
def test_reflections_are_read_by_the_secretary_and_their_author_only(
    app, client, auth, world, new_activity
):
    activity_id = new_activity(timedelta(hours=-3))
    auth.login("secretary")
    post(client, f"/activities/{activity_id}/attendance/all-present", {}, HX)
    auth.logout()
    auth.login("member")
    text = "This session helped me understand the rules on integrity."
    assert post(client, f"/activities/{activity_id}/reflection", {"text": text}).status_code == 303
    assert text in client.get(page_of(app, activity_id)).get_data(as_text=True)
    auth.logout()
    # Another member of the branch, also on the list, does not read it.
    with app.app_context():
        from conftest import make_user

        from app.auth.models import Role

        grouped = db.session.get(
            __import__("app.people.models", fromlist=["Person"]).Person, world["grouped"]
        )
        make_user("grouped", Role.MEMBER, grouped)
        db.session.commit()
    auth.login("grouped")
    assert text not in client.get(page_of(app, activity_id)).get_data(as_text=True)
    auth.logout()
    auth.login("secretary")
    assert text in client.get(page_of(app, activity_id)).get_data(as_text=True)


def test_archiving_freezes_the_record_and_admin_reopens_with_a_reason(
    app, client, auth, world, family, new_activity
):
    """The family's own fields freezing too is the family's spec (test_study for study)."""
    activity_id = new_activity(timedelta(minutes=-20))
    auth.login("member")
    post(client, f"/activities/{activity_id}/check-in", {}, HX)
    auth.logout()
    auth.login("secretary")
    refused = post(client, f"/activities/{activity_id}/archive", {}, HX)
    assert refused.status_code == 409 and "pending" in refused.get_data(as_text=True)
    row = row_of(app, activity_id, "member")
    post(client, f"/activities/{activity_id}/attendance/{row.id}/confirm", {}, HX)
    assert post(client, f"/activities/{activity_id}/archive").status_code == 303
    result = counts(app, activity_id)
    assert (result.present, result.absent, result.unmarked) == (1, 2, 0)
    frozen = post(
        client, f"/activities/{activity_id}/attendance/{row.id}", {"status": "absent"}, HX
    )
    assert frozen.status_code == 409 and "archived" in frozen.get_data(as_text=True)
    assert post(client, f"/activities/{activity_id}/reopen", {"reason": "typo"}).status_code == 403
    auth.logout()
    auth.login("admin")
    assert post(client, f"/activities/{activity_id}/reopen", {"reason": ""}).status_code == 303
    with app.app_context():
        assert db.session.get(Activity, activity_id).is_archived
    assert (
        post(
            client, f"/activities/{activity_id}/reopen", {"reason": "Wrong status for J002"}
        ).status_code
        == 303
    )
    with app.app_context():
        assert db.session.get(Activity, activity_id).is_open
        event = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "reopen"))
        assert event.record_id == str(activity_id)
        assert event.changes["reason"][1] == "Wrong status for J002"
        archived = db.session.scalars(
            sa.select(AuditLog).where(
                AuditLog.record_type == record_type(family.model),
                AuditLog.record_id == str(activity_id),
            )
        ).all()
        assert any("state" in entry.changes for entry in archived)


@pytest.mark.needs("make_up")
def test_make_ups_and_reflections_arrive_after_archiving(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(hours=-3))
    auth.login("secretary")
    post(client, f"/activities/{activity_id}/archive")  # everyone unmarked becomes absent
    auth.logout()
    auth.login("member")
    assert (
        post(client, f"/activities/{activity_id}/make-up", {"note": "Studied at home."}).status_code
        == 303
    )
    assert row_of(app, activity_id, "member").make_up_state is MakeUpState.SUBMITTED


def test_a_cancelled_session_counts_nowhere(app, client, auth, world, new_activity):
    held = new_activity(timedelta(days=-2))
    cancelled = new_activity(timedelta(days=-1))
    auth.login("secretary")
    post(client, f"/activities/{held}/attendance/all-present", {}, HX)
    no_reason = post(client, f"/activities/{cancelled}/cancel", {"reason": ""})
    assert no_reason.status_code == 303
    with app.app_context():
        assert db.session.get(Activity, cancelled).is_open
    assert (
        post(client, f"/activities/{cancelled}/cancel", {"reason": "Postponed"}).status_code == 303
    )
    with app.app_context():
        total = figures.pooled(figures.counting(sa.select(Activity.id)))
        assert (total.activities, total.expected, total.present) == (1, 3, 3)
    refused = post(client, f"/activities/{held}/cancel", {"reason": "oops"}, HX)
    assert refused.status_code == 409


def test_sign_in_sheet_downloads(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(days=1))
    auth.login("secretary")
    response = client.get(f"/activities/{activity_id}/sign-in-sheet.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    auth.logout()
    auth.login("member")
    assert client.get(f"/activities/{activity_id}/sign-in-sheet.docx").status_code == 403


def test_the_open_grid_shows_new_check_ins_without_a_reload(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(minutes=10))
    auth.login("secretary")
    page = client.get(page_of(app, activity_id)).get_data(as_text=True)
    poll = re.search(
        r'hx-get="(/activities/\d+/attendance\?v=[0-9a-f]+)"\s+hx-trigger="every 10s"', page
    )
    assert poll, "the open grid polls"
    url = poll.group(1)
    assert client.get(url, headers=HX).status_code == 204  # nothing changed: nothing sent
    member = auth.client_for("member")
    post(member, f"/activities/{activity_id}/check-in", {}, HX)
    changed = client.get(url, headers=HX)
    html = changed.get_data(as_text=True)
    assert changed.status_code == 200 and "<html" not in html
    assert (
        "Confirm check-in" in html and 'id="session-counts" class="mb-3" hx-swap-oob="true"' in html
    )


@pytest.mark.needs("qr")
def test_a_click_on_an_outdated_grid_overwrites_nothing(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(minutes=-5))
    row = row_of(app, activity_id, "member")
    with app.app_context():
        token = checkin.token_for(activity_id)
    member = auth.client_for("member")
    post(
        member, f"/activities/{activity_id}/scan", {"t": token}
    )  # checked in after the grid loaded
    auth.login("secretary")
    url = f"/activities/{activity_id}/attendance/{row.id}"
    response = post(client, url, {"status": "absent", "version": str(row.version)}, HX)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert f'id="row-{row.id}"' in html and "changed meanwhile" in html
    assert row_of(app, activity_id, "member").status is AttendanceStatus.PRESENT


def test_a_secretary_does_not_approve_their_own_leave(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(days=1))
    auth.login("secretary")
    post(client, f"/activities/{activity_id}/leave", {"reason": "Meeting in the district"}, HX)
    own = row_of(app, activity_id, "secretary")
    response = post(
        client, f"/activities/{activity_id}/leave/{own.id}", {"decision": "approve"}, HX
    )
    assert response.status_code == 403
    assert row_of(app, activity_id, "secretary").leave_state is LeaveState.REQUESTED
    auth.logout()
    auth.login("admin")
    response = post(
        client, f"/activities/{activity_id}/leave/{own.id}", {"decision": "approve"}, HX
    )
    assert response.status_code == 200
    assert row_of(app, activity_id, "secretary").status is AttendanceStatus.LEAVE


def test_marking_absent_over_a_leave_request_refuses_it(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(minutes=20))  # check-in open, leave still possible
    auth.login("member")
    post(client, f"/activities/{activity_id}/leave", {"reason": "Trip"}, HX)
    row = row_of(app, activity_id, "member")
    auth.logout()
    auth.login("secretary")
    post(client, f"/activities/{activity_id}/attendance/{row.id}", {"status": "absent"}, HX)
    assert row_of(app, activity_id, "member").leave_state is LeaveState.REFUSED


def test_all_present_leaves_non_voting_attendees_alone(app, client, auth, world, new_activity):
    add_activist(app, world)
    activity_id = new_activity(timedelta(hours=-1))
    auth.login("secretary")
    post(
        client,
        f"/activities/{activity_id}/participants",
        {"person": "Activist J (J010)", "role": "non_voting"},
        HX,
    )
    post(client, f"/activities/{activity_id}/attendance/all-present", {}, HX)
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Participation).where(Participation.activity_id == activity_id)
        ).all()
        statuses = {row.person.code: row.status for row in rows}
    assert statuses["J010"] is AttendanceStatus.UNMARKED
    assert statuses["J002"] is AttendanceStatus.PRESENT


def test_adding_someone_outside_ones_units_is_refused(app, client, auth, world, new_activity):
    add_activist(app, world)
    activity_id = new_activity(timedelta(hours=-1))
    auth.login("secretary2")
    # secretary2 keeps cujin: a jiguan session is not theirs at all.
    response = post(
        client,
        f"/activities/{activity_id}/participants",
        {"person": "Member C (C002)", "role": "expected"},
        HX,
    )
    assert response.status_code == 404
    auth.logout()
    auth.login("secretary")
    # Another branch's member is not the jiguan secretary's to name (invite them as a guest).
    other = post(
        client,
        f"/activities/{activity_id}/participants",
        {"person": "Member C (C002)", "role": "non_voting"},
        HX,
    )
    assert other.status_code == 422
    twice = [
        post(
            client,
            f"/activities/{activity_id}/participants",
            {"person": "Activist J (J010)", "role": "non_voting"},
            HX,
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in twice] == [200, 409]
    assert counts(app, activity_id).non_voting == 1


def test_attendance_waits_for_the_session_to_begin(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(days=2))
    row = row_of(app, activity_id, "member")
    auth.login("secretary")
    early = post(
        client, f"/activities/{activity_id}/attendance/{row.id}", {"status": "present"}, HX
    )
    assert early.status_code == 409 and "once the session begins" in early.get_data(as_text=True)
    assert (
        post(client, f"/activities/{activity_id}/attendance/all-present", {}, HX).status_code == 409
    )
    leave = post(client, f"/activities/{activity_id}/attendance/{row.id}", {"status": "leave"}, HX)
    assert leave.status_code == 200  # leave may be granted beforehand
    cleared = post(
        client, f"/activities/{activity_id}/attendance/{row.id}", {"status": "unmarked"}, HX
    )
    assert cleared.status_code == 200
    assert row_of(app, activity_id, "member").status is AttendanceStatus.UNMARKED
    # With nobody present the planned session can still be cancelled.
    assert (
        post(client, f"/activities/{activity_id}/cancel", {"reason": "Postponed"}).status_code
        == 303
    )


@pytest.mark.needs("qr")
def test_the_qr_code_works_only_inside_the_check_in_window(app, client, auth, world, new_activity):
    old = new_activity(timedelta(days=-20))  # a late entry: the meeting is long over
    with app.app_context():
        token = checkin.token_for(old)
    auth.login("member")
    response = post(client, f"/activities/{old}/scan", {"t": token})
    assert "Check-in has closed." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert row_of(app, old, "member").status is AttendanceStatus.UNMARKED
    auth.logout()
    auth.login("secretary")
    post(client, f"/activities/{old}/archive")
    assert client.get(f"/activities/{old}/qr").status_code == 303  # no code for an archived record


@pytest.mark.needs("make_up")
def test_the_secretary_sees_the_files_of_a_make_up(app, client, auth, world, new_activity):
    from io import BytesIO

    from PIL import Image

    activity_id = new_activity(timedelta(hours=-3))
    row = row_of(app, activity_id, "member")
    auth.login("secretary")
    post(client, f"/activities/{activity_id}/attendance/{row.id}", {"status": "absent"}, HX)
    auth.logout()
    auth.login("member")
    photo = BytesIO()
    Image.new("RGB", (60, 40), "blue").save(photo, "JPEG")
    sent = client.post(
        f"/activities/{activity_id}/make-up",
        data={
            "note": "Read the materials.",
            "files": (BytesIO(photo.getvalue()), "notes.jpg"),
            "csrf_token": csrf_token(client, "/auth/password"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    auth.logout()
    auth.login("secretary")
    page = client.get(page_of(app, activity_id)).get_data(as_text=True)
    assert "notes.jpg" in page and "/evidence/" in page


def test_the_secretarys_own_card_follows_their_row(app, client, auth, world, family, new_activity):
    activity_id = new_activity(timedelta(minutes=-5))
    own = row_of(app, activity_id, "secretary")
    auth.login("secretary")
    html = post(
        client, f"/activities/{activity_id}/attendance/{own.id}", {"status": "present"}, HX
    ).get_data(as_text=True)
    assert (
        'id="my-participation" class="card mb-3" aria-labelledby="mine-heading" hx-swap-oob="true"'
        in html
    )
    # Present now, they may write a reflection, where the family takes them.
    assert ("Write a reflection" in html) is family.reflections


@pytest.mark.needs("reflections")
def test_forms_that_cannot_be_used_say_so_at_once(app, client, auth, world, new_activity):
    activity_id = new_activity(timedelta(hours=-3))
    auth.login("member")
    response = client.get(f"/activities/{activity_id}/reflection")
    assert response.status_code == 303
    assert "Reflections are written on sessions you attended." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_a_secretary_does_not_decide_their_own_request_through_the_grid(
    app, client, auth, world, new_activity
):
    activity_id = new_activity(timedelta(minutes=20))
    auth.login("secretary")
    post(client, f"/activities/{activity_id}/leave", {"reason": "District meeting"}, HX)
    own = row_of(app, activity_id, "secretary")
    response = post(
        client, f"/activities/{activity_id}/attendance/{own.id}", {"status": "leave"}, HX
    )
    assert response.status_code == 403
    assert row_of(app, activity_id, "secretary").leave_state is LeaveState.REQUESTED
    member = row_of(app, activity_id, "member")
    auth.logout()
    auth.login("member")
    post(client, f"/activities/{activity_id}/leave", {"reason": "Trip"}, HX)
    auth.logout()
    auth.login("secretary")
    post(client, f"/activities/{activity_id}/attendance/{member.id}", {"status": "leave"}, HX)
    decided = row_of(app, activity_id, "member")
    assert decided.leave_state is LeaveState.APPROVED and not decided.leave_decision_seen


def test_the_family_makes_activities_the_registry_knows_as_its_own(
    app, world, family, new_activity
):
    from app.activities.families import family_of

    activity_id = new_activity(timedelta(days=1))
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        assert isinstance(activity, family.model) and family_of(activity) == family
        expected = {row.person_id for row in activity.participations}
        assert expected == {world["sec_person"], world["member_person"], world["grouped"]}


def test_a_family_without_make_up_reflections_or_qr_offers_none(
    app, client, auth, world, monkeypatch, family, new_activity
):
    from dataclasses import replace

    from app.activities import families

    plain = replace(family, make_up=False, reflections=False, qr=False)
    monkeypatch.setitem(families._families, family.key, plain)
    activity_id = new_activity(timedelta(hours=-3))
    absent, present = row_of(app, activity_id, "member"), row_of(app, activity_id, "secretary")
    auth.login("admin")
    post(client, f"/activities/{activity_id}/attendance/{absent.id}", {"status": "absent"}, HX)
    post(client, f"/activities/{activity_id}/attendance/{present.id}", {"status": "present"}, HX)
    page = client.get(page_of(app, activity_id)).get_data(as_text=True)
    assert "Record a make-up handed in on paper" not in page
    assert f"/activities/{activity_id}/qr" not in page
    assert client.get(f"/activities/{activity_id}/qr").status_code == 404
    assert client.get(f"/activities/{activity_id}/make-up/{absent.id}/paper").status_code == 404
    auth.logout()
    auth.login("member")
    page = client.get(page_of(app, activity_id)).get_data(as_text=True)
    assert "Submit make-up study" not in page
    assert client.get(f"/activities/{activity_id}/make-up").status_code == 404
    auth.logout()
    auth.login("secretary")
    page = client.get(page_of(app, activity_id)).get_data(as_text=True)
    assert "Write a reflection" not in page
    assert client.get(f"/activities/{activity_id}/reflection").status_code == 404
