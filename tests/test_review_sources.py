"""The review queue's source registry: the four sources each list exactly their own items, and a
source registered from outside shows in the queue, its filter and the badge, and is decided
through its own rules."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from test_review import HX, account, badge, oob_badge, populate, post, queue

from app.activities.models import Activity, Participation
from app.auth.models import User
from app.auth.policy import may_decide_clause
from app.extensions import db
from app.review import attendance, services, sources


def test_the_four_sources_are_registered_in_queue_order():
    assert [source.kind for source in sources.all_sources()] == [
        "check_in",
        "leave",
        "make_up",
        "log",
    ]
    assert all(sources.get(source.kind) is source for source in sources.all_sources())
    assert sources.get("nothing") is None and sources.get(None) is None


def test_each_source_lists_exactly_its_own_items(app, world):
    ids = populate(app, world)
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
