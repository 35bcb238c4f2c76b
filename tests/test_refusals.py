"""One answer for a refused or outdated change, whatever view raises it: nothing saved, the
user's message shown, a fragment request keeping its page, a page request going back."""

import sqlalchemy as sa
from flask import Flask, Response, url_for
from flask.testing import FlaskClient
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import csrf, db
from app.htmx import commit, on_refusal, only_flashes, set_back
from app.people.models import Department
from app.refusals import AlreadyDone, Refused

FRAGMENT = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def _routes(app: Flask) -> None:
    """Views that save a department and then refuse, the way a service refuses mid-change."""

    def refuse_after_writing() -> Response:
        db.session.add(Department(name="Half-saved"))
        db.session.flush()
        set_back("/people/")
        raise Refused("Not allowed here.", status=422)

    def already_done() -> Response:
        raise AlreadyDone("You have already checked in.")

    def outdated() -> Response:
        db.session.add(Department(name="Written before the conflict"))
        db.session.flush()
        raise StaleDataError("row changed")

    def with_part() -> Response:
        on_refusal(lambda status: Response(f"<div id='part'>now {status}</div>", status))
        raise Refused("Changed meanwhile.")

    def no_back() -> Response:
        raise Refused("Nowhere set.")

    def decided_meanwhile() -> Response:
        db.session.add(Department(name="Lost to the other request"))
        commit("Someone decided this first.", "warning")
        return Response("saved")

    for name, view in [
        ("refuse", refuse_after_writing),
        ("done", already_done),
        ("outdated", outdated),
        ("part", with_part),
        ("no-back", no_back),
        ("meanwhile", decided_meanwhile),
    ]:
        app.add_url_rule(
            f"/_test/{name}", name.replace("-", "_"), csrf.exempt(view), methods=["POST"]
        )


def _departments(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Department.name)))


def test_a_page_request_goes_back_to_the_record_with_the_message(app: Flask, client: FlaskClient):
    _routes(app)
    response = client.post("/_test/refuse")
    assert response.status_code == 303
    assert response.headers["Location"] == "/people/"
    assert _departments(app) == []
    with client.session_transaction() as session:
        assert session["_flashes"] == [("danger", "Not allowed here.")]


def test_a_boosted_request_is_a_page_request(app: Flask, client: FlaskClient):
    _routes(app)
    response = client.post("/_test/refuse", headers=BOOSTED)
    assert response.status_code == 303
    assert response.headers["Location"] == "/people/"


def test_a_fragment_request_keeps_its_page_with_the_status(app: Flask, client: FlaskClient):
    _routes(app)
    response = client.post("/_test/refuse", headers=FRAGMENT)
    assert response.status_code == 422
    assert response.headers["HX-Reswap"] == "none"
    assert 'hx-swap-oob="true"' in response.text
    assert "Not allowed here." in response.text
    assert _departments(app) == []


def test_nothing_to_do_is_an_info_answer(app: Flask, client: FlaskClient):
    _routes(app)
    response = client.post("/_test/done", headers=FRAGMENT)
    assert response.status_code == 200
    assert "You have already checked in." in response.text
    assert "alert-info" in response.text
    assert "alert-danger" not in response.text


def test_an_outdated_write_saves_nothing_and_says_so(app: Flask, client: FlaskClient):
    _routes(app)
    response = client.post("/_test/outdated", headers=FRAGMENT)
    assert response.status_code == 409
    assert "Someone else changed this at the same time." in response.text
    assert _departments(app) == []


def test_a_view_may_answer_a_fragment_refusal_with_what_is_recorded_now(
    app: Flask, client: FlaskClient
):
    _routes(app)
    response = client.post("/_test/part", headers=FRAGMENT)
    assert response.status_code == 409
    assert response.text == "<div id='part'>now 409</div>"


def test_without_a_record_a_page_request_returns_where_it_came_from_on_this_site(
    app: Flask, client: FlaskClient
):
    _routes(app)
    here = client.post("/_test/no-back", headers={"Referer": "/logs/?state=pending"})
    assert here.headers["Location"] == "/logs/?state=pending"
    elsewhere = client.post("/_test/no-back", headers={"Referer": "https://evil.example/"})
    with app.test_request_context():
        assert elsewhere.headers["Location"] == url_for("main.index")


def test_only_flashes_is_the_fragment_answer(app: Flask):
    with app.test_request_context():
        assert only_flashes(409).headers["HX-Reswap"] == "none"


def test_a_conflict_at_commit_is_refused_in_the_colour_the_view_chose(
    app: Flask, client: FlaskClient, monkeypatch
):
    """Another request's decision reached the row first: nothing saved, the news in amber."""
    _routes(app)

    def conflicting_commit() -> None:
        raise StaleDataError("row changed")

    monkeypatch.setattr(db.session, "commit", conflicting_commit)
    response = client.post("/_test/meanwhile", headers=FRAGMENT)
    monkeypatch.undo()
    assert response.status_code == 409
    assert "Someone decided this first." in response.text
    assert "alert-warning" in response.text and "alert-danger" not in response.text
    assert _departments(app) == []
