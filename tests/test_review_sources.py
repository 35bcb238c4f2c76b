"""The review queue's source registry: the four sources each list exactly their own items, and a
source registered from outside shows in the queue, its filter and the badge, and is decided
through its own rules."""

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from test_review import HX, account, badge, oob_badge, populate, post, queue

from app.activities.models import Activity, Participation
from app.auth.models import User
from app.auth.policy import may_decide_clause
from app.extensions import db
from app.logs.models import MemberLog
from app.review import attendance, services, sources


def test_the_sources_are_registered_in_queue_order():
    assert [source.kind for source in sources.all_sources()] == [
        "check_in",
        "leave",
        "make_up",
        "log",
        "pledge",
    ]
    assert all(sources.get(source.kind) is source for source in sources.all_sources())
    assert sources.get("nothing") is None and sources.get(None) is None


def _pledge(app) -> int:
    """A member's own pledge waiting in 机关, proposed by Member J."""
    from datetime import date

    from app.people.models import OrgUnit
    from app.volunteer.models import ProjectCategory, ProjectSource, Urgency
    from app.volunteer.projects import propose

    with app.app_context():
        values = {
            "name": "Help a neighbour",
            "category_id": db.session.scalar(sa.select(sa.func.min(ProjectCategory.id))),
            "source": ProjectSource.PUBLIC_REQUEST,
            "urgency": Urgency.IMMEDIATE,
            "beneficiaries": "A neighbour",
            "beneficiaries_count": 1,
            "beneficiary_visits": None,
            "planned_start": date(2026, 6, 1),
            "planned_end": date(2026, 6, 30),
            "description": None,
        }
        jiguan = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "jiguan"))
        pledge = propose(values, jiguan, account("member"))
        db.session.commit()
        return pledge.id


def test_each_source_lists_exactly_its_own_items(app, world):
    ids = populate(app, world) | {"pledge": _pledge(app)}
    with app.app_context():
        secretary, admin = account("secretary"), account("admin")
        for source in sources.all_sources():
            listed = db.session.execute(source.select(secretary, sources.unit_limits(secretary)))
            assert [(row.kind, row.item_id) for row in listed] == [(source.kind, ids[source.kind])]
        # An admin decides their own too: the secretary's own leave request is listed for them.
        leave = sources.get("leave")
        listed = {row.item_id for row in db.session.execute(leave.select(admin, []))}
        assert listed == {ids["leave"], ids["own"], ids["cujin"]}


def test_nobody_decides_their_own_in_sql_as_in_python(app, world):
    with app.app_context():
        secretary, admin = account("secretary"), account("admin")
        column = Participation.person_id
        assert str(may_decide_clause(admin, column)) == "true"
        assert str(may_decide_clause(secretary, column)) == str(column != secretary.person_id)


class Reflections(attendance.ParticipationSource):
    """A source from outside the four: reflections written, waiting to be read."""

    kind = "reflection"
    label = _l("Reflection")
    partial = "review/_item_activity.html"
    waits_since = "reflection_at"
    comment_on = "reflection"
    approved_message = "Read the reflection of %(name)s."
    returned_message = "Returned the reflection of %(name)s."
    read: list[int] = []

    def _waiting(self) -> list[sa.ColumnElement[bool]]:
        return [Participation.reflection.is_not(None)]

    def _states(self) -> list[sa.ColumnElement[bool]]:
        return [Activity.id.is_not(None)]

    def waiting(self, obj: Participation) -> bool:
        return obj.id not in self.read

    def outcome(self, obj: Participation) -> tuple[str, str]:
        return "Read", "text-bg-success"

    def decide(self, obj: Participation, approve: bool, comment: str | None, by: User) -> None:
        self.read.append(obj.id)


def test_a_registered_source_shows_in_the_queue_and_the_badge(app, client, auth, world):
    ids = populate(app, world)
    with app.app_context():
        row = db.session.get(Participation, ids["leave"])
        row.reflection = "What the meeting taught me."
        db.session.commit()
    source = sources.register(Reflections())
    try:
        auth.login("secretary")
        page = client.get("/review/").get_data(as_text=True)
        assert ("reflection", ids["leave"]) in queue(page) and badge(page) == 5
        assert '<option value="reflection">Reflection</option>' in page
        only = client.get("/review/?kind=reflection").get_data(as_text=True)
        assert queue(only) == [("reflection", ids["leave"])]
        with app.app_context():
            (item,) = services.items_for_review(account("secretary"), [(source, ids["leave"])])
            assert item.person.id == world["grouped"]
        done = post(client, f"/review/reflection/{ids['leave']}", {"decision": "approve"}, HX)
        html = done.get_data(as_text=True)
        assert done.status_code == 200 and source.read == [ids["leave"]]
        assert "Read the reflection of Grouped J." in html and oob_badge(html) == 5
    finally:
        sources.unregister("reflection")
    assert (
        post(client, f"/review/reflection/{ids['leave']}", {"decision": "approve"}).status_code
        == 404
    )


def test_the_queue_is_in_order_across_kinds_and_parts_page_by_page(app, world):
    """Ties on since are broken by kind, then id, across the sources and across a kind's rows
    with a timestamp and those without one (waiting since their session's start)."""
    ids = populate(app, world)
    with app.app_context():
        rows = {kind: db.session.get(Participation, ids[kind]) for kind in ("make_up", "leave")}
        rows |= {k: db.session.get(Participation, ids[k]) for k in ("check_in", "cujin")}
        tie = rows["make_up"].make_up_submitted_at
        rows["check_in"].recorded_at = tie
        db.session.get(MemberLog, ids["log"]).submitted_at = tie
        rows["leave"].leave_requested_at = None  # since its session's start
        rows["cujin"].leave_requested_at = rows["leave"].activity.starts_at
        db.session.commit()
        admin = account("admin")
        limits = sources.unit_limits(admin)
        listed = [
            row
            for s in sources.all_sources()
            for row in db.session.execute(s.select(admin, limits))
        ]
        expected = [
            (r.kind, r.item_id) for r in sorted(listed, key=lambda r: (r.since, r.kind, r.item_id))
        ]
        assert expected == [
            ("check_in", ids["check_in"]),
            ("log", ids["log"]),
            ("make_up", ids["make_up"]),
            ("leave", ids["own"]),
            ("leave", ids["leave"]),
            ("leave", ids["cujin"]),
        ]
        for kind in (None, "leave"):
            filters = services.QueueFilters(kind=sources.get(kind))
            paged = [
                (item.source.kind, item.id)
                for number in (1, 2, 3)
                for item in services.queue_page(admin, filters, number, 2).items
            ]
            assert paged == [key for key in expected if kind in (None, key[0])]


def test_a_page_reads_each_kind_oldest_first_from_an_index_not_all_that_wait(app, world):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the plan checked is SQLite's")
        stmt = services.queue_statement(account("admin"), services.QueueFilters(), 20)
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = list(db.session.execute(sa.text("EXPLAIN QUERY PLAN " + sql)))
    # Each part is limited to the rows asked for. The rows with a timestamp are read over a range
    # of their kind's index, and the logs over theirs, in the order asked for: none of those parts
    # sorts (a temporary B-tree beside its read).
    assert sql.count("LIMIT") == 2 * 3 + 2
    ordered = ("ix_member_log_state_since", "ix_volunteer_project_review")
    reads = [
        row
        for row in plan
        if any(index in row[3] for index in ordered) or ("_since (" in row[3] and ">?" in row[3])
    ]
    indexes = [f"ix_participation_{kind}_since" for kind in ("check_in", "leave", "make_up")]
    assert [row[3].split()[4] for row in reads] == [*indexes, *ordered]
    for read in reads:
        beside = [row[3] for row in plan if row[1] == read[1]]
        assert not any("TEMP B-TREE" in detail for detail in beside), beside
