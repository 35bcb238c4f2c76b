"""Member logs over HTTP: recording with evidence, the checks that refuse a log, the list with
states and the reviewer's comments, fixing a returned log, withdrawing, and who may read what."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import csrf_token, make_person, make_user
from PIL import Image
from werkzeug.datastructures import FileStorage

from app.auth.models import Role, User
from app.evidence import services as files
from app.evidence.models import Evidence
from app.extensions import db
from app.logs import services
from app.logs.models import LogKind, LogState, MemberLog
from app.people.models import OrgUnit, Person
from app.types import local_today

HX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


def form_data(**changes) -> dict:
    values = {
        "kind": "training",
        "done_on": (local_today() - timedelta(days=2)).isoformat(),
        "hours": "1.5",
        "title": "Cadre online course",
        "text": "Finished the module on the new regulations.",
        "place": "",
        "beneficiary": "",
    }
    values.update(changes)
    return values


def post(client, url: str, data: dict, headers: dict | None = None, files_sent=()):
    body = {**data, "csrf_token": csrf_token(client, "/logs/")}
    if files_sent:
        body["files"] = [(io.BytesIO(content), name) for name, content in files_sent]
    return client.post(url, data=body, headers=headers, content_type="multipart/form-data")


def account(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def add_log(app, username: str = "member", title: str = "Self-study", photo: bool = False) -> int:
    """A pending log of ``username``'s person, recorded directly (optionally with a photo)."""
    with app.app_context():
        user = account(username)
        log = services.submit(
            user.person,
            {
                "kind": LogKind.SELF_STUDY,
                "done_on": local_today() - timedelta(days=1),
                "hours": Decimal("2"),
                "title": title,
                "text": "学习强国 weekly study",
                "place": None,
                "beneficiary": None,
            },
        )
        if photo:
            upload = FileStorage(io.BytesIO(png_bytes()), "certificate.png")
            files.attach(upload, member_log=log, by=user)
        db.session.commit()
        return log.id


def review(app, log_id: int, approve: bool, comment: str | None) -> None:
    """What the secretary does in the review queue."""
    with app.app_context():
        services.review(db.session.get(MemberLog, log_id), approve, comment, account("secretary"))
        db.session.commit()


def get_log(app, log_id: int) -> MemberLog:
    with app.app_context():
        return db.session.get(MemberLog, log_id)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def log_file_id(app, log_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Evidence.id).where(Evidence.member_log_id == log_id))


@pytest.fixture
def member2(app, world) -> None:
    """Another member of the same branch, with an account."""
    with app.app_context():
        jiguan = db.session.get(OrgUnit, world["jiguan"])
        make_user("member2", Role.MEMBER, make_person("J010", "Member Two", jiguan))
        db.session.commit()


# --- recording --------------------------------------------------------------------------------


def test_member_records_a_log_with_a_photo(app, client, auth, world):
    auth.login("member")
    page = client.get("/logs/new")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    response = post(client, "/logs/new", form_data(), files_sent=[("certificate.png", png_bytes())])
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/logs/")
    with app.app_context():
        log = db.session.scalar(sa.select(MemberLog))
        assert log.person_id == world["member_person"]
        assert log.state is LogState.PENDING and log.hours == Decimal("1.5")
        evidence = db.session.scalar(sa.select(Evidence))
        assert evidence.member_log_id == log.id and evidence.activity_id is None
        log_id, evidence_id = log.id, evidence.id
    listing = client.get("/logs/").get_data(as_text=True)
    assert "Your log has been sent to the secretary for review." in listing
    assert "Cadre online course" in listing and "Waiting for review" in listing
    assert "Withdraw" in listing
    shown = client.get(f"/logs/{log_id}").get_data(as_text=True)
    assert f"/evidence/{evidence_id}" in shown
    assert client.get(f"/evidence/{evidence_id}").status_code == 200
    assert client.get(f"/evidence/{evidence_id}/thumbnail").status_code == 200
    # Nothing here lets anyone decide on the log.
    assert "Approve" not in shown


def test_htmx_submission_leaves_with_hx_redirect(app, client, auth, world):
    auth.login("member")
    response = post(client, "/logs/new", form_data(), BOOSTED)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/logs/"


def test_volunteer_service_keeps_where_and_for_whom(app, client, auth, world):
    auth.login("member")
    data = form_data(kind="volunteer", place="Riverside community", beneficiary="Elderly residents")
    assert post(client, "/logs/new", data).status_code == 303
    log = get_log(app, 1)
    assert (log.place, log.beneficiary, log.hours) == (
        "Riverside community",
        "Elderly residents",
        Decimal("1.5"),
    )


def test_other_activity_counts_no_hours(app, client, auth, world):
    auth.login("member")
    assert post(client, "/logs/new", form_data(kind="other", hours="")).status_code == 303
    typed = post(client, "/logs/new", form_data(kind="other", hours="3"))
    assert typed.status_code == 422  # said, not silently dropped
    assert "leave the hours empty" in typed.get_data(as_text=True)
    with app.app_context():
        assert list(db.session.scalars(sa.select(MemberLog.hours))) == [None]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"done_on": (local_today() + timedelta(days=3)).isoformat()}, "cannot be in the future"),
        ({"hours": ""}, "Give the hours spent."),
        ({"kind": "self_study", "hours": "0"}, "Hours must be more than 0 and at most 200."),
        ({"hours": "250"}, "Hours must be more than 0 and at most 200."),
        ({"hours": "1.2"}, "Hours are counted in half hours."),
        ({"hours": "two"}, "Not a valid decimal value."),
        ({"done_on": "yesterday"}, "This field is required."),
        ({"title": ""}, "This field is required."),
        ({"kind": "volunteer"}, "Say where the service took place."),
        ({"kind": "volunteer", "place": "Park"}, "Say whom the service was for."),
        ({"kind": "approved"}, "Not a valid choice"),
    ],
)
def test_refused_logs_save_nothing(app, client, auth, world, changes, message):
    auth.login("member")
    response = post(client, "/logs/new", form_data(**changes), files_sent=[("a.png", png_bytes())])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'id="log-files-error"' not in html  # beside the field, not the files
    assert count(app, MemberLog) == 0 and count(app, Evidence) == 0


def test_a_refused_file_refuses_the_whole_log(app, client, auth, world, tmp_path):
    auth.login("member")
    sent = [("good.png", png_bytes()), ("notes.txt", b"just text")]
    response = post(client, "/logs/new", form_data(), BOOSTED, files_sent=sent)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "notes.txt: This file type is not accepted" in html and "Nothing was uploaded." in html
    assert 'value="Cadre online course"' in html  # what was typed is kept
    assert count(app, MemberLog) == 0 and count(app, Evidence) == 0
    uploads = Path(tmp_path / "uploads")
    assert not uploads.exists() or not [p for p in uploads.rglob("*") if p.is_file()]


def test_an_account_without_a_person_keeps_no_logs(client, auth, world):
    auth.login("admin")
    page = client.get("/logs/")
    assert page.status_code == 200
    assert "Your account is not linked to a person" in page.get_data(as_text=True)
    assert "/logs/new" not in page.get_data(as_text=True)
    assert client.get("/logs/new").status_code == 403


# --- the list -------------------------------------------------------------------------------


def test_list_shows_states_and_the_reviewers_comments(app, client, auth, world):
    approved = add_log(app, title="Approved study")
    returned = add_log(app, title="Returned study")
    add_log(app, title="Pending study")
    add_log(app, username="secretary", title="The secretary's own study")
    review(app, approved, True, "Well documented")
    review(app, returned, False, "Add the certificate")
    auth.login("member")
    html = client.get("/logs/").get_data(as_text=True)
    assert "Approved study" in html and "Returned study" in html and "Pending study" in html
    assert "The secretary's own study" not in html  # one's own logs only
    assert "Well documented" in html and "Add the certificate" in html
    assert "text-bg-success" in html and "text-bg-danger" in html and "text-bg-warning" in html
    assert f"/logs/{returned}/edit" in html and "Fix and send again" in html
    assert f"/logs/{approved}/edit" not in html


def test_list_filter_in_three_modes(app, client, auth, world):
    returned = add_log(app, title="Returned study")
    add_log(app, title="Pending study")
    review(app, returned, False, "Add the certificate")
    auth.login("member")
    url = "/logs/?state=returned"
    plain = client.get(url).get_data(as_text=True)
    assert "<html" in plain and "Returned study" in plain and "Pending study" not in plain
    fragment = client.get(url, headers=HX)
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and 'id="log-list"' in html and "Returned study" in html
    assert "Pending study" not in html and 'id="flashes"' in html and "hx-swap-oob" in html
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get(url, headers=BOOSTED).get_data(as_text=True)
    assert "<html" in boosted and "Returned study" in boosted
    empty = client.get("/logs/?state=approved", headers=HX).get_data(as_text=True)
    assert "No log has this status." in empty


def test_empty_list_says_what_to_do(client, auth, world):
    auth.login("member")
    html = client.get("/logs/").get_data(as_text=True)
    assert "No logs yet" in html and 'href="/logs/new"' in html


def test_list_queries_do_not_grow(app, client, auth, world, queries):
    for n in range(3):
        add_log(app, title=f"Study {n}", photo=True)
    auth.login("member")
    client.get("/logs/")
    with queries() as few:
        assert client.get("/logs/").status_code == 200
    for n in range(22):
        add_log(app, title=f"More study {n}", photo=n % 2 == 0)
    with queries() as many:
        html = client.get("/logs/").get_data(as_text=True)
    assert "More study 21" in html
    assert many.count == few.count


# --- changing, fixing, withdrawing ----------------------------------------------------------


def test_a_returned_log_is_fixed_and_sent_again(app, client, auth, world):
    log_id = add_log(app)
    review(app, log_id, False, "Add the certificate")
    sent_first = get_log(app, log_id).submitted_at
    auth.login("member")
    page = client.get(f"/logs/{log_id}/edit").get_data(as_text=True)
    assert "Returned: Add the certificate" in page and "Send again for review" in page
    data = form_data(kind="self_study", hours="2", title="Self-study with certificate")
    response = post(client, f"/logs/{log_id}/edit", data, files_sent=[("cert.png", png_bytes())])
    assert response.status_code == 303
    log = get_log(app, log_id)
    assert log.state is LogState.PENDING and log.title == "Self-study with certificate"
    assert log.submitted_at > sent_first
    assert log_file_id(app, log_id) is not None
    assert "Your log has been sent again for review." in client.get(f"/logs/{log_id}").get_data(
        as_text=True
    )


def test_a_pending_log_is_edited_and_stays_pending(app, client, auth, world):
    log_id = add_log(app)
    auth.login("member")
    response = post(client, f"/logs/{log_id}/edit", form_data(hours="3"), BOOSTED)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/logs/{log_id}"
    log = get_log(app, log_id)
    assert (
        log.state is LogState.PENDING and log.hours == Decimal("3") and log.kind is LogKind.TRAINING
    )


def test_an_invalid_edit_changes_nothing(app, client, auth, world):
    log_id = add_log(app)
    auth.login("member")
    response = post(client, f"/logs/{log_id}/edit", form_data(hours="0", title="Changed"))
    assert response.status_code == 422
    assert get_log(app, log_id).title == "Self-study"


def test_an_approved_log_cannot_be_changed(app, client, auth, world):
    log_id = add_log(app, photo=True)
    review(app, log_id, True, None)
    auth.login("member")
    response = client.get(f"/logs/{log_id}/edit")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/logs/{log_id}")
    response = post(client, f"/logs/{log_id}/edit", form_data(title="Changed"))
    assert response.status_code == 303
    refused = post(client, f"/logs/{log_id}/edit", form_data(title="Changed"), HX)
    assert refused.status_code == 409 and refused.headers["HX-Reswap"] == "none"
    assert "Only a log waiting for review or returned can be changed." in refused.get_data(
        as_text=True
    )
    withdraw = post(client, f"/logs/{log_id}/withdraw", {}, HX)
    assert withdraw.status_code == 409
    evidence_id = log_file_id(app, log_id)
    assert post(client, f"/logs/{log_id}/files/{evidence_id}/remove", {}).status_code == 403
    log = get_log(app, log_id)
    assert log.state is LogState.APPROVED and log.title == "Self-study"
    shown = client.get(f"/logs/{log_id}").get_data(as_text=True)
    assert f"/logs/{log_id}/edit" not in shown and "Withdraw" not in shown


def test_withdraw_a_pending_log(app, client, auth, world):
    log_id = add_log(app)
    auth.login("member")
    response = post(client, f"/logs/{log_id}/withdraw", {"next": "/logs/?state=pending"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/logs/?state=pending"
    assert get_log(app, log_id).state is LogState.WITHDRAWN
    html = client.get("/logs/").get_data(as_text=True)
    assert "Withdrawn" in html and "text-bg-secondary" in html
    # A returned log is fixed, not withdrawn.
    returned = add_log(app)
    review(app, returned, False, "Wrong date")
    assert post(client, f"/logs/{returned}/withdraw", {}).status_code == 303
    assert get_log(app, returned).state is LogState.RETURNED


def test_withdraw_refuses_an_outside_next(app, client, auth, world):
    log_id = add_log(app)
    auth.login("member")
    response = post(client, f"/logs/{log_id}/withdraw", {"next": "//evil.example/"})
    assert response.headers["Location"] == "/logs/"


def test_the_author_removes_a_file_while_the_log_may_change(app, client, auth, world):
    log_id = add_log(app, photo=True)
    evidence_id = log_file_id(app, log_id)
    auth.login("member")
    assert f"/logs/{log_id}/files/{evidence_id}/remove" in client.get(
        f"/logs/{log_id}/edit"
    ).get_data(as_text=True)
    response = post(client, f"/logs/{log_id}/files/{evidence_id}/remove", {})
    assert response.status_code == 303 and response.headers["Location"].endswith("/edit")
    assert client.get(f"/evidence/{evidence_id}").status_code == 404
    with app.app_context():
        assert db.session.get(Evidence, evidence_id).deleted_at is not None


# --- who may read and change a log ----------------------------------------------------------


def test_another_member_sees_neither_the_log_nor_its_file(app, client, auth, world, member2):
    log_id = add_log(app, photo=True)
    evidence_id = log_file_id(app, log_id)
    auth.login("member2")
    assert client.get(f"/logs/{log_id}").status_code == 404
    assert client.get(f"/logs/{log_id}/edit").status_code == 404
    assert client.get(f"/evidence/{evidence_id}").status_code == 404
    assert client.get(f"/evidence/{evidence_id}/thumbnail").status_code == 404
    assert post(client, f"/logs/{log_id}/withdraw", {}).status_code == 404
    assert post(client, f"/logs/{log_id}/edit", form_data(title="Mine now")).status_code == 404
    assert "Self-study" not in client.get("/logs/").get_data(as_text=True)
    assert get_log(app, log_id).state is LogState.PENDING


def test_the_units_secretary_reads_the_log_and_its_file(app, client, auth, world):
    log_id = add_log(app, photo=True)
    evidence_id = log_file_id(app, log_id)
    auth.login("secretary")
    shown = client.get(f"/logs/{log_id}")
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "Member J" in html and f"/logs/{log_id}/edit" not in html and "Withdraw" not in html
    assert client.get(f"/evidence/{evidence_id}").status_code == 200
    # Reading is not changing: the author's actions are refused.
    assert client.get(f"/logs/{log_id}/edit").status_code == 403
    assert post(client, f"/logs/{log_id}/withdraw", {}).status_code == 403
    assert post(client, f"/logs/{log_id}/files/{evidence_id}/remove", {}).status_code == 403
    assert get_log(app, log_id).state is LogState.PENDING


def test_another_branchs_secretary_gets_404(app, client, auth, world):
    log_id = add_log(app, photo=True)
    evidence_id = log_file_id(app, log_id)
    auth.login("secretary2")
    assert client.get(f"/logs/{log_id}").status_code == 404
    assert client.get(f"/evidence/{evidence_id}").status_code == 404
    assert client.get(f"/evidence/{evidence_id}/thumbnail").status_code == 404


def test_admin_reads_every_log(app, client, auth, world):
    log_id = add_log(app, photo=True)
    auth.login("admin")
    assert client.get(f"/logs/{log_id}").status_code == 200
    assert client.get(f"/evidence/{log_file_id(app, log_id)}").status_code == 200
    assert client.get(f"/logs/{log_id}/edit").status_code == 403


def test_a_log_file_belongs_to_its_log(app, client, auth, world):
    """A file id of another log in the URL finds nothing."""
    mine = add_log(app, photo=True)
    other = add_log(app, username="secretary", photo=True)
    auth.login("member")
    other_file = log_file_id(app, other)
    assert post(client, f"/logs/{mine}/files/{other_file}/remove", {}).status_code == 404
    with app.app_context():
        assert db.session.get(Evidence, other_file).deleted_at is None
        assert db.session.get(Person, world["sec_person"]) is not None


def test_anonymous_is_sent_to_sign_in(app, client, world):
    log_id = add_log(app)
    for url in ("/logs/", "/logs/new", f"/logs/{log_id}", f"/logs/{log_id}/edit"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_log_sent_again_shows_its_earlier_returns_and_comments(app, client, auth, world):
    log_id = add_log(app)

    def give_back(comment: str) -> None:
        auth.login("secretary")
        data = {"decision": "return", "comment": comment}
        assert post(client, f"/review/log/{log_id}", data, HX).status_code == 200
        auth.logout()

    def send_again(title: str) -> str:
        auth.login("member")
        data = form_data(kind="self_study", hours="2", title=title)
        assert post(client, f"/logs/{log_id}/edit", data).status_code == 303
        page = client.get(f"/logs/{log_id}").get_data(as_text=True)
        auth.logout()
        return page

    give_back("Add the certificate")
    page = send_again("With the certificate")
    assert get_log(app, log_id).state is LogState.PENDING
    assert "Returned before" in page and "Add the certificate" in page
    assert "by Secretary J" in page  # the reviewer by name
    give_back("The date is wrong")
    auth.login("member")
    returned = client.get(f"/logs/{log_id}").get_data(as_text=True)
    # The latest return is the page's message; the earlier one is listed below it.
    assert returned.count("The date is wrong") == 1 and "Add the certificate" in returned
    auth.logout()
    page = send_again("With the right date")
    assert page.index("Add the certificate") < page.index("The date is wrong")
    # The secretary reading the log sees the same history; approval keeps it.
    review(app, log_id, True, None)
    auth.login("secretary")
    page = client.get(f"/logs/{log_id}").get_data(as_text=True)
    assert "Add the certificate" in page and "The date is wrong" in page


def test_a_log_never_returned_shows_no_earlier_returns(app, client, auth, world):
    log_id = add_log(app)
    review(app, log_id, True, "Well done")
    auth.login("member")
    assert "Returned before" not in client.get(f"/logs/{log_id}").get_data(as_text=True)


def test_a_log_entered_as_returned_shows_that_return_once_sent_again(app, client, auth, world):
    """Logs loaded already returned (demo data, an import) keep their return and reviewer."""
    with app.app_context():
        log = MemberLog(
            person_id=world["member_person"],
            kind=LogKind.SELF_STUDY,
            done_on=local_today() - timedelta(days=3),
            hours=Decimal("1"),
            title="Loaded returned",
            state=LogState.RETURNED,
            review_comment="Upload the notice",
            reviewed_at=datetime(2026, 3, 8, 6, 30, tzinfo=UTC),
            reviewed_by_id=account("secretary").id,
        )
        db.session.add(log)
        db.session.commit()
        log_id = log.id
    auth.login("member")
    data = form_data(kind="self_study", hours="1", title="Loaded and fixed")
    assert post(client, f"/logs/{log_id}/edit", data).status_code == 303
    page = client.get(f"/logs/{log_id}").get_data(as_text=True)
    assert "Upload the notice" in page and "by Secretary J" in page and "March 8, 2026" in page


def test_the_log_page_and_form_show_the_sessions_gallery(app, client, auth, world):
    """One gallery partial for every owner: the log's page shows it without buttons, the form
    with a Remove button per file that goes to the log's own route, and no upload form."""
    log_id = add_log(app, photo=True)
    evidence_id = log_file_id(app, log_id)
    auth.login("member")
    shown = client.get(f"/logs/{log_id}").get_data(as_text=True)
    assert 'id="evidence-gallery"' in shown and 'class="evidence-thumb"' in shown
    assert f"/evidence/{evidence_id}/thumbnail" in shown
    assert "/remove" not in shown and "/delete" not in shown
    form = client.get(f"/logs/{log_id}/edit").get_data(as_text=True)
    assert 'id="evidence-gallery"' in form
    assert form.count(f'action="/logs/{log_id}/files/{evidence_id}/remove"') == 1
    assert f"/evidence/{evidence_id}/delete" not in form
    assert 'id="evidence-files"' not in form  # the form's own file field adds files
    empty = add_log(app, title="No files")
    page = client.get(f"/logs/{empty}").get_data(as_text=True)
    assert "No files attached — add a certificate or a screenshot by editing the log." in page
