"""The review queue over HTTP: what each keeper sees, oldest first; filters; approving and
returning in place one by one and in bulk; outdated clicks; one's own items; the badge for every
role, on pages and out of band with fragments; a constant number of queries."""

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import csrf_token

from app.activities import services as core
from app.activities.models import (
    AttendanceStatus,
    LeaveState,
    MakeUpState,
    Participation,
    RecordedVia,
)
from app.auth.models import User
from app.extensions import db
from app.logs import services as logs
from app.logs.models import LogKind, LogState, MemberLog
from app.people.models import OrgUnit, Person
from app.review import services as review
from app.study.models import StudyKind
from app.study.services import create_session
from app.types import local_today, utcnow

HX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def account(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _session(unit: str, start_in: timedelta, title: str):
    start = utcnow() + start_in
    return create_session(
        {
            "title": title,
            "kind": StudyKind.GENERAL_MEETING,
            "unit": db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == unit)),
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "late_reason": "paper record",
        },
        account("secretary"),
    )


def _row(session, person_id: int) -> Participation:
    return next(r for r in session.participations if r.person_id == person_id)


def populate(app, world, hours_ago: int = 0) -> dict[str, int]:
    """One item of each kind waiting in 机关, made by its members through the services: a make-up
    on an archived session, a log, a leave request, a self check-in (oldest to newest); the
    secretary's own leave request; and a leave request in 促进 (cujin)."""
    now = utcnow() - timedelta(hours=hours_ago)
    with app.app_context():
        secretary, member = account("secretary"), account("member")
        past = _session("jiguan", timedelta(days=-3), "Past meeting")
        db.session.flush()
        core.archive(past, secretary)  # everyone unmarked is absent and owes a make-up study
        make_up = _row(past, world["grouped"])
        core.submit_make_up(make_up, "Read the materials and wrote notes.")
        make_up.make_up_submitted_at = now - timedelta(hours=5)

        log = logs.submit(
            db.session.get(Person, world["grouped"]),
            {
                "kind": LogKind.SELF_STUDY,
                "done_on": local_today() - timedelta(days=1),
                "hours": Decimal("2"),
                "title": "Read the work report",
                "text": "Notes on the second chapter.",
            },
        )
        log.submitted_at = now - timedelta(hours=4)

        coming = _session("jiguan", timedelta(days=2), "Coming meeting")
        db.session.flush()
        leave = _row(coming, world["grouped"])
        core.request_leave(leave, "On a business trip")
        leave.leave_requested_at = now - timedelta(hours=3)
        own = _row(coming, world["sec_person"])
        core.request_leave(own, "Training course")

        running = _session("jiguan", timedelta(minutes=-30), "Meeting under way")
        db.session.flush()
        check_in = _row(running, world["member_person"])
        core.check_in(check_in, RecordedVia.BUTTON, member)
        check_in.recorded_at = now - timedelta(minutes=20)

        elsewhere = _session("cujin", timedelta(days=2), "Cujin meeting")
        db.session.flush()
        cujin = _row(elsewhere, world["cujin_member"])
        core.request_leave(cujin, "Sick")
        db.session.commit()
        return {
            "make_up": make_up.id,
            "log": log.id,
            "leave": leave.id,
            "check_in": check_in.id,
            "own": own.id,
            "cujin": cujin.id,
        }


def post(client, url: str, data: dict | None = None, headers: dict | None = None):
    payload = {"csrf_token": csrf_token(client, "/auth/password"), **(data or {})}
    return client.post(url, data=payload, headers=headers or {})


def queue(html: str) -> list[tuple[str, int]]:
    """The items a page or fragment lists, in order, as (kind, id)."""
    return [(kind, int(i)) for kind, i in re.findall(r'<tr id="item-([a-z_]+)-(\d+)"', html)]


def badge(html: str) -> int:
    match = re.search(r'<span id="nav-badge"[^>]*>(\d+)<', html)
    assert match, "no badge"
    return int(match.group(1))


def oob_badge(html: str) -> int:
    match = re.search(r'<span id="nav-badge"[^>]*hx-swap-oob="true"[^>]*>(\d+)<', html)
    assert match, "no badge out of band"
    return int(match.group(1))


def version(app, kind: str, item_id: int) -> int:
    with app.app_context():
        model = MemberLog if kind == "log" else Participation
        return db.session.get(model, item_id).version


def participation(app, row_id: int) -> Participation:
    with app.app_context():
        row = db.session.get(Participation, row_id)
        db.session.expunge(row)
        return row


def member_log(app, log_id: int) -> MemberLog:
    with app.app_context():
        log = db.session.get(MemberLog, log_id)
        db.session.expunge(log)
        return log


# --- who sees what ---------------------------------------------------------------------------


def test_each_keeper_sees_what_waits_in_their_units_oldest_first(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    page = client.get("/review/").get_data(as_text=True)
    jiguan = [
        ("make_up", ids["make_up"]),
        ("log", ids["log"]),
        ("leave", ids["leave"]),
        ("check_in", ids["check_in"]),
    ]
    assert queue(page) == jiguan  # not the secretary's own request, nothing of cujin
    assert badge(page) == 4
    assert "On a business trip" in page and "Notes on the second chapter." in page
    assert "Read the materials and wrote notes." in page and f'href="/logs/{ids["log"]}"' in page
    auth.logout()

    auth.login("secretary2")
    page = client.get("/review/").get_data(as_text=True)
    assert queue(page) == [("leave", ids["cujin"])] and badge(page) == 1
    auth.logout()

    auth.login("admin")  # everything, the secretary's own request included
    page = client.get("/review/").get_data(as_text=True)
    assert set(queue(page)) == {*jiguan, ("leave", ids["own"]), ("leave", ids["cujin"])}
    assert badge(page) == len(queue(page)) == 6
    assert badge(client.get("/study/").get_data(as_text=True)) == 6  # on every page


def test_a_long_queue_is_counted_up_to_the_limit(app, client, auth, world, monkeypatch):
    """Past ``BADGE_LIMIT`` (2 here, 99 in use) the badge and the home's card say "2+" and the
    whole queue, whose count is the badge's, pages by "page N · more", a row read past the page
    saying whether another follows; a filtered queue counts up to ``COUNT_LIMIT``."""
    populate(app, world)
    monkeypatch.setattr("app.review.services.BADGE_LIMIT", 2)
    monkeypatch.setitem(app.config, "PAGE_SIZE", 4)
    auth.login("admin")  # six waiting
    first = client.get("/review/").get_data(as_text=True)
    assert re.search(r'<span id="nav-badge"[^>]*>2\+<', first)
    assert len(queue(first)) == 4 and "Page 1 · more" in first and "in all" not in first
    second = client.get("/review/?page=2").get_data(as_text=True)
    assert len(queue(second)) == 2 and "Page 2" in second and "Page 2 · more" not in second
    assert set(queue(first)).isdisjoint(queue(second))
    past = client.get("/review/?page=3").get_data(as_text=True)
    assert queue(past) == [] and "There is no page 3." in past
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<p class="stat-value mb-1">2\+</p>', home)
    leave = client.get("/review/?kind=leave").get_data(as_text=True)  # three: counted
    assert len(queue(leave)) == 3 and "3 in all" in leave
    monkeypatch.setattr("app.review.services.COUNT_LIMIT", 2)
    leave = client.get("/review/?kind=leave").get_data(as_text=True)
    assert len(queue(leave)) == 3 and "in all" not in leave and "Page 1 · more" not in leave


def test_members_have_no_queue(app, client, auth, world):
    ids = populate(app, world)
    auth.login("member")
    assert client.get("/review/").status_code == 403
    response = post(client, f"/review/leave/{ids['leave']}", {"decision": "approve"}, HX)
    assert response.status_code == 403
    assert participation(app, ids["leave"]).leave_state is LeaveState.REQUESTED


def test_filters_by_kind_and_unit_in_three_modes(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    plain = client.get("/review/?kind=log").get_data(as_text=True)
    assert "<html" in plain and queue(plain) == [("log", ids["log"])]
    fragment = client.get("/review/?kind=leave", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="review-queue"') and "<html" not in fragment
    assert queue(fragment) == [("leave", ids["leave"])]
    assert oob_badge(fragment) == 4  # the badge counts everything waiting, whatever the filter
    boosted = client.get("/review/?kind=make_up", headers=BOOSTED).get_data(as_text=True)
    assert "<html" in boosted and queue(boosted) == [("make_up", ids["make_up"])]
    # The 党小组 holds only the log's author; the branch covers its groups.
    in_group = client.get(f"/review/?unit={world['group']}").get_data(as_text=True)
    assert queue(in_group) == [("log", ids["log"])]
    assert len(queue(client.get(f"/review/?unit={world['jiguan']}").get_data(as_text=True))) == 4
    assert queue(client.get(f"/review/?unit={world['cujin']}").get_data(as_text=True)) == []
    empty = client.get("/review/?kind=log&unit=" + str(world["cujin"])).get_data(as_text=True)
    assert "Nothing waiting matches these filters." in empty


# --- deciding one by one ------------------------------------------------------------------------


def test_approving_each_kind_in_place(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    left = 4
    for kind in ("check_in", "leave", "make_up", "log"):
        data = {"decision": "approve", "version": version(app, kind, ids[kind])}
        response = post(client, f"/review/{kind}/{ids[kind]}", data, HX)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, kind
        # The row is replaced in place by the done row; flash and badge out of band.
        assert html.lstrip().startswith(f'<tr id="item-{kind}-{ids[kind]}"'), kind
        assert 'name="decision"' not in html and 'id="flashes"' in html
        left -= 1
        assert oob_badge(html) == left
    check_in = participation(app, ids["check_in"])
    assert check_in.confirmed and check_in.status is AttendanceStatus.PRESENT
    leave = participation(app, ids["leave"])
    assert leave.leave_state is LeaveState.APPROVED and leave.status is AttendanceStatus.LEAVE
    assert participation(app, ids["make_up"]).make_up_state is MakeUpState.CONFIRMED
    assert member_log(app, ids["log"]).state is LogState.APPROVED
    page = client.get("/review/").get_data(as_text=True)
    assert "Nothing is waiting — all reviewed." in page and badge(page) == 0


def test_a_plain_form_is_sent_back_to_the_queue(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    response = post(client, f"/review/log/{ids['log']}?kind=log", {"decision": "approve"})
    assert response.status_code == 303 and response.headers["Location"] == "/review/?kind=log"
    assert member_log(app, ids["log"]).state is LogState.APPROVED
    assert "The log of Grouped J is approved." in client.get("/review/").get_data(as_text=True)


def test_returning_needs_a_comment(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    for kind in ("check_in", "leave", "make_up", "log"):
        refused = post(client, f"/review/{kind}/{ids[kind]}", {"decision": "return"}, HX)
        assert refused.status_code == 422, kind
        assert refused.headers["HX-Reswap"] == "none"
        assert "a comment is needed" in refused.get_data(as_text=True)
    assert not participation(app, ids["check_in"]).confirmed
    assert participation(app, ids["leave"]).leave_state is LeaveState.REQUESTED
    assert participation(app, ids["make_up"]).make_up_state is MakeUpState.SUBMITTED
    assert member_log(app, ids["log"]).state is LogState.PENDING

    for kind in ("check_in", "leave", "make_up", "log"):
        data = {"decision": "return", "comment": f"Why {kind}"}
        returned = post(client, f"/review/{kind}/{ids[kind]}", data, HX)
        assert returned.status_code == 200, kind
        assert f"Why {kind}" in returned.get_data(as_text=True)
    check_in = participation(app, ids["check_in"])
    assert (
        check_in.status is AttendanceStatus.UNMARKED and check_in.check_in_comment == "Why check_in"
    )
    leave = participation(app, ids["leave"])
    assert leave.leave_state is LeaveState.REFUSED and leave.leave_comment == "Why leave"
    assert not leave.leave_decision_seen
    make_up = participation(app, ids["make_up"])
    assert make_up.make_up_state is MakeUpState.RETURNED
    log = member_log(app, ids["log"])
    assert log.state is LogState.RETURNED and log.review_comment == "Why log"


def test_an_outdated_click_changes_nothing(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    shown = version(app, "log", ids["log"])
    with app.app_context():  # the author corrects the log after the queue was shown
        log = db.session.get(MemberLog, ids["log"])
        logs.change(
            log,
            {
                "kind": LogKind.SELF_STUDY,
                "done_on": log.done_on,
                "hours": Decimal("3"),
                "title": "Read the whole work report",
            },
        )
        db.session.commit()
    data = {"decision": "approve", "version": shown}
    response = post(client, f"/review/log/{ids['log']}", data, HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert html.lstrip().startswith(f'<tr id="item-log-{ids["log"]}"')
    assert "Read the whole work report" in html and "changed meanwhile" in html
    assert member_log(app, ids["log"]).state is LogState.PENDING
    # Decided by someone else meanwhile: the row shows what it became.
    with app.app_context():
        core.decide_leave(db.session.get(Participation, ids["leave"]), True, account("admin"))
        db.session.commit()
    late = post(client, f"/review/leave/{ids['leave']}", {"decision": "approve"}, HX)
    assert late.status_code == 409 and "Leave approved" in late.get_data(as_text=True)


def test_own_items_are_not_the_secretarys_to_decide(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    assert ("leave", ids["own"]) not in queue(client.get("/review/").get_data(as_text=True))
    own = post(client, f"/review/leave/{ids['own']}", {"decision": "approve"}, HX)
    assert own.status_code == 403
    assert participation(app, ids["own"]).leave_state is LeaveState.REQUESTED
    auth.logout()
    auth.login("admin")
    assert (
        post(client, f"/review/leave/{ids['own']}", {"decision": "approve"}, HX).status_code == 200
    )
    assert participation(app, ids["own"]).leave_state is LeaveState.APPROVED


def test_items_outside_ones_units_are_not_found(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary2")
    for kind in ("check_in", "leave", "make_up", "log"):
        response = post(client, f"/review/{kind}/{ids[kind]}", {"decision": "approve"}, HX)
        assert response.status_code == 404, kind
    bulk = {"decision": "approve", "item": [f"leave:{ids['cujin']}", f"log:{ids['log']}"]}
    assert post(client, "/review/bulk", bulk, HX).status_code == 404
    # Nothing at all was decided, the item in scope included.
    assert participation(app, ids["cujin"]).leave_state is LeaveState.REQUESTED
    assert member_log(app, ids["log"]).state is LogState.PENDING
    assert post(client, "/review/log/2147483648", {"decision": "approve"}).status_code == 404


# --- in bulk -------------------------------------------------------------------------------------


def test_bulk_approval_of_several_kinds(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    page = client.get("/review/").get_data(as_text=True)
    ticked = re.findall(r'name="item" value="([^"]+)" form="bulk-form"', page)
    assert len(ticked) == 4
    no_comment = post(client, "/review/bulk", {"decision": "return", "item": ticked}, HX)
    assert no_comment.status_code == 422
    assert member_log(app, ids["log"]).state is LogState.PENDING
    nothing = post(client, "/review/bulk", {"decision": "approve"}, HX)
    assert nothing.status_code == 422

    chosen = [key for key in ticked if not key.startswith("check_in:")]
    response = post(client, "/review/bulk?kind=", {"decision": "approve", "item": chosen}, HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="review-queue"')
    assert queue(html) == [("check_in", ids["check_in"])]
    assert "3 items approved." in html and oob_badge(html) == 1
    assert participation(app, ids["leave"]).leave_state is LeaveState.APPROVED
    assert participation(app, ids["make_up"]).make_up_state is MakeUpState.CONFIRMED
    assert member_log(app, ids["log"]).state is LogState.APPROVED
    assert not participation(app, ids["check_in"]).confirmed

    # The same ticks again: all decided already, nothing changes, and the page says so.
    again = post(client, "/review/bulk", {"decision": "approve", "item": chosen}, HX)
    assert again.status_code == 409 and "left as they are" in again.get_data(as_text=True)


def test_bulk_return_with_one_comment(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    data = {
        "decision": "return",
        "comment": "Please add the missing details",
        "item": [f"make_up:{ids['make_up']}", f"log:{ids['log']}"],
    }
    response = post(client, "/review/bulk", data, HX)
    assert response.status_code == 200 and "2 items returned." in response.get_data(as_text=True)
    assert participation(app, ids["make_up"]).make_up_comment == "Please add the missing details"
    assert member_log(app, ids["log"]).review_comment == "Please add the missing details"


def test_bulk_leaves_an_outdated_item_alone(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    stale = version(app, "check_in", ids["check_in"]) + 5
    data = {
        "decision": "approve",
        "item": [f"check_in:{ids['check_in']}:{stale}", f"log:{ids['log']}"],
    }
    response = post(client, "/review/bulk", data, HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 item approved." in html and "1 item had changed meanwhile" in html
    assert not participation(app, ids["check_in"]).confirmed
    assert member_log(app, ids["log"]).state is LogState.APPROVED


# --- the badge --------------------------------------------------------------------------------


def test_every_fragment_carries_the_badge_after_the_fragment(app, client, auth, world):
    ids = populate(app, world)
    auth.login("secretary")
    with app.app_context():
        session_id = db.session.get(Participation, ids["check_in"]).activity_id
    # Confirmed on the session's grid, not in the queue: the badge follows all the same.
    url = f"/activities/{session_id}/attendance/{ids['check_in']}/confirm"
    html = post(client, url, {}, HX).get_data(as_text=True)
    assert html.lstrip().startswith("<tr") and oob_badge(html) == 3
    assert html.index('id="nav-badge"') > html.index("</tr>")


def test_a_members_badge_counts_what_needs_their_own_action(app, client, auth, world):
    with app.app_context():
        secretary, member = account("secretary"), account("member")
        person = db.session.get(Person, world["member_person"])
        log = logs.submit(
            person,
            {
                "kind": LogKind.TRAINING,
                "done_on": local_today() - timedelta(days=3),
                "hours": Decimal("1.5"),
                "title": "Online course",
            },
        )
        db.session.flush()
        logs.review(log, False, "Add the certificate", secretary)
        past = _session("jiguan", timedelta(days=-4), "Missed meeting")
        db.session.flush()
        core.archive(past, secretary)  # absent: a make-up study owed
        coming = _session("jiguan", timedelta(days=3), "Next meeting")
        db.session.flush()
        decided = _row(coming, member.person_id)
        core.request_leave(decided, "Travelling")
        # Not seen yet; the make-up it brings is owed only once the session has taken place.
        core.decide_leave(decided, True, secretary, "Fine")
        # Someone else's items do not count.
        other = logs.submit(
            db.session.get(Person, world["grouped"]),
            {"kind": LogKind.OTHER, "done_on": local_today(), "title": "Visited a family"},
        )
        db.session.flush()
        logs.review(other, False, "Say more", secretary)
        db.session.commit()
        todo = review.todo_items(member)
        kinds = sorted(item.kind.value for item in todo)
        assert kinds == ["leave_decided", "make_up_owed", "returned_log"]
        assert review.todo_count(member) == 3
        decided_id = decided.id

    auth.login("member")
    page = client.get("/study/").get_data(as_text=True)
    assert badge(page) == 3 and 'href="/">To do' in page
    seen = post(client, f"/review/seen/{decided_id}", {}, HX)
    assert seen.status_code == 200 and oob_badge(seen.get_data(as_text=True)) == 2
    assert participation(app, decided_id).leave_decision_seen
    plain = post(client, f"/review/seen/{decided_id}", {})
    assert plain.status_code == 303 and plain.headers["Location"] == "/"
    auth.logout()

    auth.login("secretary")  # not their row, though they keep its unit
    assert post(client, f"/review/seen/{decided_id}", {}).status_code == 404
    page = client.get("/study/").get_data(as_text=True)
    assert badge(page) == len(queue(client.get("/review/").get_data(as_text=True))) == 0


# --- cost -----------------------------------------------------------------------------------------


def test_the_queue_costs_the_same_number_of_queries_however_long(app, client, auth, world, queries):
    populate(app, world)
    auth.login("secretary")
    client.get("/review/")
    with queries() as few:
        small = client.get("/review/").get_data(as_text=True)
    for hours_ago in (1, 2, 3):
        populate(app, world, hours_ago)
    with queries() as many:
        large = client.get("/review/").get_data(as_text=True)
    assert (len(queue(small)), len(queue(large))) == (4, 16)
    assert badge(large) == 16
    assert many.count == few.count, "\n---\n".join(many.statements)
    assert sum("UNION ALL" in statement for statement in many.statements) == 1


def _counts(statements: list[str]) -> int:
    return sum("count(*)" in statement for statement in statements)


def test_the_unfiltered_queue_is_counted_once_with_the_badge(app, auth, world, queries):
    populate(app, world)
    for username in ("secretary", "admin"):
        browser = auth.client_for(username)
        with queries() as whole:
            page = browser.get("/review/").get_data(as_text=True)
        assert badge(page) == len(queue(page)) > 0
        assert _counts(whole.statements) == 1, "\n---\n".join(whole.statements)
        with queries() as filtered:  # the badge and the filtered list: two counts
            browser.get("/review/?kind=leave")
        assert _counts(filtered.statements) == 2


def _badge_statement(app, client, path: str) -> tuple[str, Any]:
    """The badge's statement as a page sends it, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def before(_conn, _cursor, statement, parameters, *_args) -> None:
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    (counted,) = [(s, p) for s, p in seen if "count(*)" in s and "participation" in s]
    return counted


WAITS = ("check_in_waits", "leave_waits", "make_up_waits")


def test_the_badge_reads_the_waiting_rows_partial_indexes(app, auth, world):
    """The badge of a secretary and of an admin names each kind's partial index and reads
    neither all of participation nor each waiting row's activity."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's plan; PostgreSQL's depends on its statistics")
    populate(app, world)
    for username in ("secretary", "admin"):
        statement, parameters = _badge_statement(app, auth.client_for(username), "/logs/")
        with app.app_context():
            connection = db.session.connection().connection.driver_connection
            explained = connection.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plan = [row[3] for row in explained]
        text = "\n".join(plan)
        assert all(f"INDEX ix_participation_{name}" in text for name in WAITS), text
        assert not any(
            line.startswith("SCAN participation") and "INDEX" not in line for line in plan
        )
        assert "SEARCH activity USING INTEGER PRIMARY KEY" not in text, text
        assert "SCAN activity" not in text, text
