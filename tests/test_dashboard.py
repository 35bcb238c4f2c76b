"""The dashboard `/` for each role: figures from the figures module, hand-counted fixtures, the
chart, the admin's table of units, and query counts that do not grow with the data.

Sessions are placed relative to now (the dashboard shows the current year and the last days), a
few hours back for the year's figures: run in the first hours of 1 January they would fall in
the year before.
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import make_person, make_unit

from app.activities import services
from app.activities.models import AttendanceStatus, ParticipantRole, Participation
from app.auth.models import User
from app.auth.policy import subtree_ids
from app.extensions import db
from app.logs import services as logs
from app.logs.models import LogKind
from app.people.models import Membership, MembershipRole, OrgUnit, Person, UnitKind
from app.people.tree import tree_order
from app.reports import figures
from app.study import figures as study_figures
from app.study.models import StudyKind, StudySession
from app.study.services import create_session
from app.types import local_today, utcnow


def sign_in(client, username: str) -> None:
    from conftest import PASSWORD, csrf_token

    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code in (302, 303)


def account(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def unit(code: str) -> OrgUnit:
    return db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))


def session_at(
    unit: OrgUnit,
    starts_in: timedelta,
    hours: float = 2,
    kind: StudyKind = StudyKind.GENERAL_MEETING,
    title: str | None = None,
) -> StudySession:
    """A session of the unit starting ``starts_in`` from now (negative: in the past), with its
    default expected list."""
    start = utcnow() + starts_in
    session = create_session(
        {
            "title": title or f"{unit.code} {kind.value} {start:%Y-%m-%d %H:%M}",
            "kind": kind,
            "unit": unit,
            "starts_at": start,
            "ends_at": start + timedelta(hours=hours),
            "late_reason": "Entered from the paper record.",
        },
        account("secretary"),
    )
    db.session.flush()
    return session


def row_of(session: StudySession, person_id: int) -> Participation:
    return next(r for r in session.participations if r.person_id == person_id)


def mark(session: StudySession, person_id: int, status: AttendanceStatus) -> None:
    services.mark(row_of(session, person_id), status, account("secretary"))


def page(client, url: str = "/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def member_year(app, world) -> dict[str, Any]:
    """Member J this year, by hand:

    A (2 h, four hours ago): present            → 2.0 session hours
    B (1.5 h, three hours ago): absent, make-up confirmed → 1.5 make-up hours
    C (1 h, two hours ago): on leave, make-up owed
    logs: training 4 h approved, volunteer 2 h approved, self-study 3 h returned
    upcoming: D in two days (ask for leave), E in ten minutes (check-in open), F in five days
    (leave asked and approved: news on the to-do list)

    应到 3 · 实到 1 · 请假 1 · 缺席 1 · make-ups 1
    出席率 1/3 = 33.3% · 参学率 2/3 = 66.7%
    study hours 2.0 + 1.5 + 4.0 = 7.5 of 32.0 (no committee post) · volunteer 2.0 apart
    """
    member = world["member_person"]
    with app.app_context():
        jiguan = unit("jiguan")
        secretary = account("secretary")
        a = session_at(jiguan, -timedelta(hours=4), 2, title="Session A")
        b = session_at(jiguan, -timedelta(hours=3), 1.5, StudyKind.THEMED_DAY, "Session B")
        c = session_at(jiguan, -timedelta(hours=2), 1, StudyKind.PARTY_LECTURE, "Session C")
        mark(a, member, AttendanceStatus.PRESENT)
        mark(b, member, AttendanceStatus.ABSENT)
        services.submit_make_up(row_of(b, member), "Read the materials.")
        services.review_make_up(row_of(b, member), True, None, secretary)
        mark(c, member, AttendanceStatus.LEAVE)
        d = session_at(jiguan, timedelta(days=2), title="Session D")
        e = session_at(jiguan, timedelta(minutes=10), title="Session E")
        f = session_at(jiguan, timedelta(days=5), title="Session F")
        services.request_leave(row_of(f, member), "Travelling")
        services.decide_leave(row_of(f, member), True, secretary)
        person = db.session.get(Person, member)
        today = local_today()
        for kind, hours, title, approve in (
            (LogKind.TRAINING, "4", "Training course", True),
            (LogKind.VOLUNTEER, "2", "Street cleaning", True),
            (LogKind.SELF_STUDY, "3", "Reading notes", False),
        ):
            log = logs.submit(
                person,
                {"kind": kind, "done_on": today, "hours": Decimal(hours), "title": title},
            )
            db.session.flush()
            logs.review(log, approve, None if approve else "Add what you read.", secretary)
        db.session.commit()
        ids = {"a": a.id, "b": b.id, "c": c.id, "d": d.id, "e": e.id, "f": f.id}
        return {**ids, "member": member}


def test_member_sees_sessions_debts_and_their_year(app, client, member_year):
    sign_in(client, "member")
    html = page(client)
    # upcoming: D with a leave form, E with the check-in button (its window is open)
    assert "Session D" in html and "Session E" in html
    assert f'action="/activities/{member_year["d"]}/leave"' in html
    assert f'action="/activities/{member_year["e"]}/check-in"' in html
    assert f'action="/activities/{member_year["d"]}/check-in"' not in html
    # owed: C's make-up (B's is confirmed), the returned log
    assert f'href="/activities/{member_year["c"]}/make-up"' in html
    assert f'href="/activities/{member_year["b"]}/make-up"' not in html
    assert "Reading notes" in html and "Add what you read." in html
    todo = _section(html, "todo-heading")
    assert "Leave approved" in todo and f'href="/study/{member_year["f"]}"' in todo
    # the year, as counted by hand and as the figures module counts it
    assert "33.3%" in html and "66.7%" in html
    assert "7.5 of 32.0 h" in html
    assert re.search(r"Volunteer hours: <span[^>]*>2\.0</span>", html)
    with app.app_context():
        year = local_today().year
        mine = figures.member_figures(
            [member_year["member"]], date(year, 1, 1), date(year + 1, 1, 1)
        )[member_year["member"]]
    assert (mine.expected, mine.present, mine.leave, mine.absent) == (3, 1, 1, 1)
    assert mine.attendance_rate == Decimal("33.3")
    assert mine.participation_rate == Decimal("66.7")
    assert mine.study_hours == Decimal("7.5")
    assert mine.volunteer_hours == Decimal("2.0")
    assert f"{mine.study_hours} of 32.0 h" in html
    # the bar: 7.5 of 32 is 23 % → drawn at 20 %, its length set by a class
    assert 'class="progress-bar w-20"' in html
    assert "style=" not in html


def test_committee_post_has_the_higher_target(app, client, world):
    sign_in(client, "secretary")  # Secretary J holds the 书记 post in jiguan
    assert "0.0 of 56.0 h" in page(client)


def test_member_checks_in_from_the_dashboard(app, client, member_year):
    from conftest import csrf_token

    sign_in(client, "member")
    token = csrf_token(client, "/")
    response = client.post(f"/activities/{member_year['e']}/check-in", data={"csrf_token": token})
    assert response.status_code == 303
    html = page(client)
    assert "waiting for the secretary" in html
    assert f'action="/activities/{member_year["e"]}/check-in"' not in html


def test_member_dismisses_a_leave_decision_in_place(app, client, member_year):
    from conftest import csrf_token

    sign_in(client, "member")
    todo = _section(page(client), "todo-heading")
    dismiss = re.search(r'hx-post="(/review/seen/\d+)"', todo)
    assert dismiss, "no way to dismiss the leave decision"
    response = client.post(
        dismiss.group(1),
        data={"csrf_token": csrf_token(client, "/")},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Leave approved" not in _section(page(client), "todo-heading")


@pytest.fixture
def branch_life(app, world) -> dict[str, Any]:
    """jiguan, by hand:

    Idle J   member since 2020; expected 30 days ago, absent; never present → inactive, grave
    Fading J member since 2020; present 100 days ago, absent 30 days ago → inactive, not grave
    Busy J   member since 2020; present 30 days ago → active
    New J    member for 60 days only; absent 30 days ago → not listed (membership too short)
    The session 30 days ago stays open (held, not archived); the one 100 days ago is archived.
    A cujin session 20 days ago stays open too: outside the jiguan secretary's scope.
    """
    with app.app_context():
        jiguan = unit("jiguan")
        idle = make_person("I001", "Idle J", jiguan)
        fading = make_person("F001", "Fading J", jiguan)
        busy = make_person("B001", "Busy J", jiguan)
        new = make_person("N001", "New J", jiguan, start=local_today() - timedelta(days=60))
        old = session_at(jiguan, -timedelta(days=100), title="Old meeting")
        mark(old, fading.id, AttendanceStatus.PRESENT)
        mark(old, busy.id, AttendanceStatus.PRESENT)
        services.archive(old, account("secretary"))
        recent = session_at(jiguan, -timedelta(days=30), title="Recent meeting")
        for person in (idle, fading, new):
            mark(recent, person.id, AttendanceStatus.ABSENT)
        mark(recent, busy.id, AttendanceStatus.PRESENT)
        elsewhere = session_at(unit("cujin"), -timedelta(days=20), title="Cujin meeting")
        db.session.commit()
        return {
            "idle": idle.id,
            "fading": fading.id,
            "busy": busy.id,
            "new": new.id,
            "old": old.id,
            "recent": recent.id,
            "elsewhere": elsewhere.id,
        }


def _section(html: str, heading_id: str) -> str:
    """The card whose heading has this id."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_secretary_sees_the_chart(app, client, branch_life):
    sign_in(client, "secretary")
    html = page(client)
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S)
    assert svg, "no chart"
    chart = svg.group(0)
    assert len(re.findall(r'class="chart-month"', chart)) == 12
    assert "<title" in chart and "<desc" in chart
    assert "style=" not in chart
    # this month's label is the last one; a month without sessions is a gap with a dash
    months = re.findall(r'class="chart-month"[^>]*>([^<]+)<', chart)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import format_date

        assert months[-1] == format_date(local_today(), "MMM")
    assert chart.count("<rect") < 12 and "—" in chart


def test_secretary_sees_inactive_members(app, client, branch_life):
    sign_in(client, "secretary")
    html = page(client)
    inactive = _section(html, "inactive-heading")
    assert "Idle J" in inactive and "Fading J" in inactive
    assert "Busy J" not in inactive and "New J" not in inactive
    assert "Never on record" in inactive
    assert "100 days ago" in inactive
    idle_row = inactive[inactive.index("Idle J") :].split("</tr>")[0]
    fading_row = inactive[inactive.index("Fading J") :].split("</tr>")[0]
    assert "text-bg-danger" in idle_row and "180+ days" in idle_row
    assert "text-bg-danger" not in fading_row
    with app.app_context():
        listed = {p.id for p, _last in figures.inactive_members(None, local_today(), 90)}
    assert {branch_life["idle"], branch_life["fading"]} <= listed
    assert branch_life["busy"] not in listed and branch_life["new"] not in listed


def test_secretary_sees_sessions_to_archive_in_scope_only(app, client, branch_life, auth):
    sign_in(client, "secretary")
    html = page(client)
    to_archive = _section(html, "unarchived-heading")
    assert f'href="/study/{branch_life["recent"]}"' in to_archive
    assert f'href="/study/{branch_life["old"]}"' not in to_archive  # archived
    assert f'href="/study/{branch_life["elsewhere"]}"' not in to_archive  # cujin's
    other = auth.client_for("secretary2")
    to_archive = _section(page(other), "unarchived-heading")
    assert f'href="/study/{branch_life["elsewhere"]}"' in to_archive
    assert f'href="/study/{branch_life["recent"]}"' not in to_archive


@pytest.fixture
def units_year(app, world) -> dict[str, Any]:
    """Three more branches with sessions this year, each member marked so that the rates differ:
    Alpha 1/2 = 50.0%, Beta 2/2 = 100.0%, Gamma 0/2 = 0.0%; jiguan and cujin hold no session
    (rate "—"). A member of jiguan also sits in the 党组."""
    with app.app_context():
        bureau = unit("bureau")
        made = {}
        for code, present in (("alpha", 1), ("beta", 2), ("gamma", 0)):
            branch = make_unit(code, UnitKind.BRANCH, bureau, code.capitalize())
            people = [make_person(f"{code}-{n}", f"{code} {n}", branch) for n in range(2)]
            session = session_at(branch, -timedelta(hours=3), title=f"{code} meeting")
            for n, person in enumerate(people):
                status = AttendanceStatus.PRESENT if n < present else AttendanceStatus.ABSENT
                mark(session, person.id, status)
            made[code] = branch.id
        db.session.commit()
        return made


def _unit_names(html: str) -> list[str]:
    table = html[html.index('id="unit-table"') :]
    table = table[: table.index("</table>")]
    return re.findall(r'<a href="/study/\?unit=\d+">([^<]+)</a>', table)


def test_admin_table_sorts_by_rate_both_ways(app, client, units_year):
    sign_in(client, "admin")
    ascending = _unit_names(page(client, "/?sort=rate&dir=asc"))
    descending = _unit_names(page(client, "/?sort=rate&dir=desc"))
    # Gamma 0.0 · Bureau 3/6 = 50.0 and Alpha 50.0 (equal: tree order, both ways) · Beta 100.0
    assert ascending[:4] == ["Gamma", "Bureau", "Alpha", "Beta"]
    assert descending[:4] == ["Beta", "Bureau", "Alpha", "Gamma"]
    # units without any session ("—") come last both ways
    unrated = {"Dangzu", "Jiguan branch", "Cujin branch", "Jiguan group 1"}
    assert set(ascending[4:]) == set(descending[4:]) == unrated


def test_admin_table_pages(app, client, units_year):
    app.config["PAGE_SIZE"] = 3
    sign_in(client, "admin")
    first = _unit_names(page(client, "/?sort=name"))
    second = _unit_names(page(client, "/?sort=name&page=2"))
    third = _unit_names(page(client, "/?sort=name&page=3"))
    assert len(first) == 3 and len(second) == 3 and len(third) == 2
    assert first + second + third == sorted(first + second + third)
    # the table alone for htmx (sorting and paging swap only the table)
    fragment = client.get("/?sort=name&page=2", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="unit-table"')
    assert _unit_names(body) == second


def _row_figures(row: figures.UnitRow) -> tuple:
    return (
        row.name,
        row.depth,
        row.parent_name,
        row.sessions,
        row.counts,
        row.inactive,
        row.unarchived,
    )


def test_a_page_of_the_table_figures_its_rows_as_the_whole_table_does(app, units_year):
    """The table in tree or name order reads only its page's units: each page's rows, their
    places and figures, are those of the whole table computed at once and sorted in Python."""
    with app.app_context():
        # siblings by position, then by pinyin, one name the start of another; a deactivated
        # branch whose group stays: the group keeps its depth and counts for the bureau
        bureau = unit("bureau")
        for code, name, position in (("z1", "Alp", 5), ("z2", "Al", 5), ("z3", "Zed", 6)):
            make_unit(code, UnitKind.BRANCH, bureau, name).sort_order = position
        gone = make_unit("gone", UnitKind.BRANCH, bureau, "Gone")
        kept = make_unit("gone-g", UnitKind.GROUP, gone, "Gone group")
        session_at(kept, -timedelta(hours=2), title="Kept group meeting")
        gone.deleted_at = utcnow()
        db.session.commit()
        today, now = local_today(), utcnow()
        year = (date(today.year, 1, 1), date(today.year + 1, 1, 1))
        whole = figures.unit_rows(*year, today, 90, now)
        in_python = [
            (row.unit.id, row.depth)
            for row in tree_order(db.session.scalars(sa.select(OrgUnit)))
            if row.unit.deleted_at is None
        ]
        assert [(row.unit_id, row.depth) for row in whole] == in_python
        names = [row.name for row in whole if row.depth == 1]
        assert names.index("Al") < names.index("Alp") < names.index("Zed")
        assert figures.unit_place_count() == len(whole)
        by_id = {row.unit_id: row for row in whole}
        assert by_id[kept.id].depth == 2 and by_id[kept.id].sessions == 1
        assert gone.id not in by_id
        orders = {
            (False, False): whole,
            (True, False): sorted(whole, key=lambda r: r.sort_key),
            (True, True): sorted(whole, key=lambda r: r.sort_key, reverse=True),
        }
        for (by_name, descending), expected in orders.items():
            paged = []
            for offset in range(0, len(whole), 4):
                places = figures.unit_places(by_name, descending, offset, 4)
                paged += figures.unit_rows(*year, today, 90, now, places)
            assert [_row_figures(r) for r in paged] == [_row_figures(r) for r in expected]


def test_units_caught_in_a_hand_edited_cycle_break_no_page(app, client, auth, world):
    """Two units made each other's parent outside the app: the tree page, read a page at a time
    from the roots, and the home's unit table still answer (the walk from the roots never
    reaches them, and the sums' walk down ends), and a search still finds them."""
    with app.app_context():
        first = make_unit("loop-a", UnitKind.BRANCH, None, "Loop A")
        second = make_unit("loop-b", UnitKind.BRANCH, first, "Loop B")
        session_at(second, -timedelta(hours=2), title="Loop meeting")
        db.session.commit()
        db.session.execute(
            sa.update(OrgUnit).where(OrgUnit.id == first.id).values(parent_id=second.id)
        )
        db.session.commit()
    auth.login("admin")
    tree = client.get("/admin/units/")
    assert tree.status_code == 200 and ">Bureau</a>" in tree.get_data(as_text=True)
    for url in ("/", "/?sort=rate", "/?sort=name&dir=desc"):
        home = client.get(url)
        assert home.status_code == 200 and "Loop A" not in home.get_data(as_text=True), url
    found = client.get("/admin/units/?q=Loop").get_data(as_text=True)
    assert ">Loop A</a>" in found and ">Loop B</a>" in found


def test_admin_rows_equal_the_figures_of_each_subtree(app, client, units_year, branch_life):
    """Each row sums its units in Python; it must equal the figures asked for the subtree."""
    with app.app_context():
        # a jiguan member who also sits in the 党组, present only there: inactive in jiguan,
        # active in the 党组 and in the bureau
        both = make_person("D001", "Dual J", unit("jiguan"))
        db.session.add(
            Membership(
                person=both,
                unit=unit("dangzu"),
                role=MembershipRole.MEMBER,
                start_date=date(2020, 1, 1),
            )
        )
        db.session.flush()
        recent = db.session.get(StudySession, branch_life["recent"])
        services.add_participant(recent, both, ParticipantRole.EXPECTED)
        db.session.flush()
        mark(recent, both.id, AttendanceStatus.ABSENT)
        dangzu_meeting = session_at(unit("dangzu"), -timedelta(days=10), title="Dangzu study")
        mark(dangzu_meeting, both.id, AttendanceStatus.PRESENT)
        db.session.commit()
        today = local_today()
        start, end = date(today.year, 1, 1), date(today.year + 1, 1, 1)
        rows = figures.unit_rows(start, end, today, 90)
        assert len(rows) == db.session.scalar(sa.select(sa.func.count(OrgUnit.id)))
        for row in rows:
            units = subtree_ids(sa.select(sa.literal(row.unit_id)))
            sessions = study_figures.study_sessions(start, end, units)
            assert row.sessions == figures.count(sessions), row.name
            assert row.counts.attendance_rate == figures.pooled(sessions).attendance_rate, row.name
            inactive = figures.inactive_members(units, today, 90)
            assert row.inactive == len(inactive), row.name
            assert row.unarchived == figures.count(figures.held_not_archived(units, today))
        by_name = {row.name: row for row in rows}
        dual = [
            p.id
            for p, _ in figures.inactive_members(
                subtree_ids(sa.select(sa.literal(by_name["Jiguan branch"].unit_id))), today, 90
            )
        ]
        assert both.id in dual


def test_every_dashboard_link_opens(app, client, member_year, branch_life, units_year, auth):
    """No dead links with every section filled: debts, news, sessions, inactive members, units."""
    for username in ("member", "secretary", "admin"):
        browser = auth.client_for(username)
        links = set(re.findall(r'href="(/[^"#]*)"', page(browser)))
        links = {link.replace("&amp;", "&") for link in links if not link.startswith("/static/")}
        for link in sorted(links):
            assert browser.get(link).status_code == 200, (username, link)


def _more_data(app, round_: int) -> None:
    """More of everything each dashboard shows: units, people, sessions past and coming,
    inactive members, debts, sessions to archive."""
    with app.app_context():
        bureau, jiguan = unit("bureau"), unit("jiguan")
        member = db.session.scalar(sa.select(User.person_id).where(User.username == "member"))
        for n in range(3):
            branch = make_unit(f"more-{round_}-{n}", UnitKind.BRANCH, bureau)
            make_unit(f"more-{round_}-{n}-g", UnitKind.GROUP, branch)
            people = [make_person(f"M{round_}{n}{k}", unit=branch) for k in range(3)]
            for days in (5, 40):
                session = session_at(branch, -timedelta(days=days))
                for k, person in enumerate(people):
                    status = AttendanceStatus.PRESENT if k else AttendanceStatus.ABSENT
                    mark(session, person.id, status)
        for days in (3, 12, 50):
            session = session_at(jiguan, -timedelta(days=days))
            mark(session, member, AttendanceStatus.ABSENT)
        for days in (4, 9):
            session_at(jiguan, timedelta(days=days))
        db.session.commit()


def _counts_as_data_grows(app, queries, get) -> tuple[list, list]:
    """Statements of ``get`` computing the admin's bureau figures after a change (each round
    of data is one) and taking them as kept, before and after two rounds of data."""
    get()  # the first request loads what every later one finds cached
    with queries() as kept:
        get()
    computed = []
    for round_ in (1, 2):
        _more_data(app, round_)
        with queries() as seen:
            get()
        computed.append(seen)
    with queries() as kept_again:
        get()
    return [computed[0].count, kept.count], [computed[1].count, kept_again.count]


@pytest.mark.parametrize("username", ["member", "secretary", "admin"])
def test_query_count_does_not_grow_with_data(
    app, client, queries, member_year, branch_life, username
):
    sign_in(client, username)
    before, after = _counts_as_data_grows(app, queries, lambda: page(client))
    assert after == before
    assert "style=" not in page(client)


def test_admin_table_query_count_does_not_grow_with_units(app, client, queries, units_year):
    sign_in(client, "admin")
    before, after = _counts_as_data_grows(
        app, queries, lambda: client.get("/?sort=rate&page=2", headers={"HX-Request": "true"})
    )
    assert after == before


def test_admin_inactive_counts_follow_role_changes_and_moves(app, units_year):
    """A role change (membership ended, a committee post begun the same day) and a move 10 days
    ago: the table counts, for every unit and the units below it, whom ``inactive_members``
    lists there — the role changer in jiguan; the mover in the bureau, in neither branch alone
    (no longer in jiguan, not yet 90 days in cujin)."""
    with app.app_context():
        today = local_today()
        changed = today - timedelta(days=10)
        jiguan, cujin = unit("jiguan"), unit("cujin")
        role = make_person("RC01", "Role C", jiguan, end=changed)
        mover = make_person("MV01", "Mover C", jiguan, end=changed)
        db.session.add_all(
            [
                Membership(
                    person=role, unit=jiguan, role=MembershipRole.COMMITTEE, start_date=changed
                ),
                Membership(
                    person=mover, unit=cujin, role=MembershipRole.MEMBER, start_date=changed
                ),
            ]
        )
        db.session.flush()
        for days in (60, 30):
            held = session_at(jiguan, -timedelta(days=days), title=f"Jiguan {days}")
            mark(held, role.id, AttendanceStatus.ABSENT)
            mark(held, mover.id, AttendanceStatus.ABSENT)
        mark(
            session_at(cujin, -timedelta(days=5), title="Cujin 5"),
            mover.id,
            AttendanceStatus.ABSENT,
        )
        db.session.commit()
        rows = figures.unit_rows(date(today.year, 1, 1), date(today.year + 1, 1, 1), today, 90)
        listed = {}
        for row in rows:
            units = subtree_ids(sa.select(sa.literal(row.unit_id)))
            people = {p.id for p, _last in figures.inactive_members(units, today, 90)}
            assert row.inactive == len(people), row.name
            listed[row.name] = people
        assert role.id in listed["Jiguan branch"] and role.id in listed["Bureau"]
        assert mover.id in listed["Bureau"]
        assert mover.id not in listed["Jiguan branch"] | listed["Cujin branch"]
        everywhere = {p.id for p, _last in figures.inactive_members(None, today, 90)}
        assert {role.id, mover.id} <= everywhere
