"""Guests without a person record: a member's family (家属) names the member they belong to, any
other guest names nobody; family attendees are counted (never in 应到 or 实到), listed on the
record as 家属（某某） and printed on the sign-in sheet."""

from datetime import timedelta
from io import BytesIO

import sqlalchemy as sa
from activity_helpers import BOOSTED, HX, counts, post
from docx import Document
from flask_babel import force_locale
from test_study import new_session

from app.activities import sign_in_sheet
from app.activities.models import Activity, ActivityGuest, GuestKind
from app.activities.services import add_guest, remove_guest
from app.extensions import db
from app.people.models import Person
from app.people.picker import token_of
from app.reports import figures


def guests_of(app, session_id: int) -> list[tuple[str, GuestKind, int | None]]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(ActivityGuest)
            .where(ActivityGuest.activity_id == session_id)
            .order_by(ActivityGuest.id)
        )
        return [(guest.name, guest.kind, guest.person_id) for guest in rows]


def test_a_family_guest_names_the_member_and_is_listed_as_their_family(app, client, auth, world):
    session_id = new_session(app, timedelta(hours=-1))
    auth.login("secretary")
    url = f"/activities/{session_id}/guests"
    family = {"name": "Spouse S", "kind": "family", "member": "Member J (J002)"}
    fragment = post(client, url, family, HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.lstrip().startswith('<section id="attendance"')
    assert "Spouse S" in html and "Family of Member J" in html
    # The counts arrive out of band with the family attendees among them.
    counts_part = html[html.index('id="session-counts"') :]
    assert 'hx-swap-oob="true"' in counts_part[:200]
    assert '<div class="value">1</div><div class="label">Family attendees</div>' in counts_part
    assert guests_of(app, session_id) == [("Spouse S", GuestKind.FAMILY, world["member_person"])]

    with app.app_context():
        token = token_of(db.session.get(Person, world["grouped"]))
    chosen = {"name": "Child C", "kind": "family", "member": "Grouped J", "member-choice": token}
    plain = post(client, url, chosen)
    assert plain.status_code == 303 and plain.headers["Location"] == f"/study/{session_id}"
    boosted = post(client, url, {"name": "Aide A", "relation": "district committee"}, BOOSTED)
    assert boosted.status_code == 303 and boosted.headers["Location"] == f"/study/{session_id}"
    assert guests_of(app, session_id)[1:] == [
        ("Child C", GuestKind.FAMILY, world["grouped"]),
        ("Aide A", GuestKind.OTHER, None),
    ]

    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    assert "Family of Member J" in page and "Family of Grouped J" in page
    assert "Other guest" in page  # the aide's kind
    assert '<div class="value">2</div><div class="label">Family attendees</div>' in page
    # Guests count nowhere in the attendance figures.
    assert counts(app, session_id).expected == 3


def test_a_family_guest_without_a_member_is_refused_and_nothing_saved(app, client, auth, world):
    session_id = new_session(app, timedelta(hours=-1))
    auth.login("secretary")
    url = f"/activities/{session_id}/guests"
    fragment = post(client, url, {"name": "Spouse S", "kind": "family"}, HX)
    assert fragment.status_code == 422 and fragment.headers["HX-Reswap"] == "none"
    assert "Name the member this guest is family of." in fragment.get_data(as_text=True)
    plain = post(client, url, {"name": "Spouse S", "kind": "family", "member": ""})
    assert plain.status_code == 303 and plain.headers["Location"] == f"/study/{session_id}"
    page = client.get(plain.headers["Location"]).get_data(as_text=True)
    assert "Name the member this guest is family of." in page
    assert guests_of(app, session_id) == []


def test_a_member_outside_ones_units_or_for_another_guest_is_refused(app, client, auth, world):
    session_id = new_session(app, timedelta(hours=-1))
    auth.login("secretary")
    url = f"/activities/{session_id}/guests"
    # Another branch's member is not among the people the secretary's picker offers.
    outside = post(client, url, {"name": "Spouse S", "kind": "family", "member": "Member C"}, HX)
    assert outside.status_code == 422
    assert "Choose a person from the results." in outside.get_data(as_text=True)
    other = post(client, url, {"name": "Aide A", "kind": "other", "member": "Member J"}, HX)
    assert other.status_code == 422
    assert "Only a family guest belongs to a member" in other.get_data(as_text=True)
    unknown = post(client, url, {"name": "Aide A", "kind": "friend"}, HX)
    assert unknown.status_code == 422
    assert guests_of(app, session_id) == []
    # Without a name, the refusal says so as before.
    nameless = post(client, url, {"name": "", "kind": "family", "member": "Member J"}, HX)
    assert nameless.status_code == 422
    assert "Give the guest&#39;s name." in nameless.get_data(as_text=True)


def test_family_attendees_are_counted_per_activity_in_one_query(app, world):
    """By hand: A has 2 family guests, 1 other guest and a family guest removed → 2;
    B has only an other guest → 0; C has no guests → 0."""
    ids = [new_session(app, timedelta(hours=-1), title=title) for title in ("A", "B", "C")]
    with app.app_context():
        a, b = db.session.get(Activity, ids[0]), db.session.get(Activity, ids[1])
        member = db.session.get(Person, world["member_person"])
        grouped = db.session.get(Person, world["grouped"])
        add_guest(a, "Spouse S", None, GuestKind.FAMILY, member)
        add_guest(a, "Child C", "son", GuestKind.FAMILY, grouped)
        add_guest(a, "Aide A", "district committee")
        gone = add_guest(a, "Parent P", None, GuestKind.FAMILY, member)
        add_guest(b, "Aide B", None)
        db.session.flush()
        remove_guest(gone)
        db.session.commit()

        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            found = figures.family_guests(ids)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        assert found == {ids[0]: 2, ids[1]: 0, ids[2]: 0}
        assert len(statements) == 1
        assert figures.family_guests([]) == {}


def test_no_family_attendees_no_figure(app, client, auth, world):
    session_id = new_session(app, timedelta(hours=-1))
    auth.login("secretary")
    post(client, f"/activities/{session_id}/guests", {"name": "Aide A"}, HX)
    page = client.get(f"/study/{session_id}").get_data(as_text=True)
    assert "Aide A" in page and "Family attendees" not in page


def test_the_sign_in_sheet_names_whose_family_a_guest_is(app, world):
    session_id = new_session(app, timedelta(days=1))
    with app.app_context():
        session = db.session.get(Activity, session_id)
        member = db.session.get(Person, world["member_person"])
        add_guest(session, "王丽", None, GuestKind.FAMILY, member)
        add_guest(session, "李娜", "女儿", GuestKind.FAMILY, member)  # what was typed stays
        add_guest(session, "陈刚", None)
        db.session.commit()
    with app.test_request_context(), force_locale("zh_CN"):
        data = sign_in_sheet.build(db.session.get(Activity, session_id))
    guests = Document(BytesIO(data)).tables[-1]
    assert [row.cells[1].text for row in guests.rows[1:]] == ["王丽", "李娜", "陈刚"]
    assert [row.cells[2].text for row in guests.rows[1:]] == ["家属（Member J）", "女儿", ""]
