"""Input that used to be accepted or to fail with a 500: dates that cannot be true, numbers that
are no numbers, and a request too large to read."""

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from test_people import new_person_form
from test_roster_io import row, upload, xlsx

from app import settings
from app.activities.models import Activity
from app.activities.rules import EARLIEST_RECORD, one_year_after
from app.extensions import db
from app.logs.models import MemberLog
from app.people.models import Person
from app.types import local_today

HX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def today(app) -> date:
    with app.app_context():
        return local_today()


def count(app, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def person_form(world, **changes: str) -> dict:
    return new_person_form(world, **{"joined_on": "2025-06-01", **changes})


def session_form(world, **changes: str) -> dict:
    data = {
        "title": "学习党章",
        "kind": "general_meeting",
        "day": "2026-01-05",
        "start": "09:00",
        "end": "10:00",
        "unit_id": str(world["jiguan"]),
        "late_reason": "Entered from the paper record",
    }
    data.update(changes)
    return data


def log_form(**changes: str) -> dict:
    data = {
        "kind": "training",
        "done_on": "2026-01-05",
        "hours": "1.5",
        "title": "Cadre online course",
        "text": "Finished the module.",
        "place": "",
        "beneficiary": "",
    }
    data.update(changes)
    return data


def post(client, url: str, data: dict, headers: dict | None = None, **kwargs):
    body = {**data, "csrf_token": csrf_token(client, "/auth/password")}
    return client.post(url, data=body, headers=headers or {}, **kwargs)


@pytest.mark.parametrize(
    ("birth", "joined", "message"),
    [
        ("1995-04-02", "1990-01-01", "cannot come before the date of birth"),
        ("1995-04-02", "2013-04-01", "before the 18th birthday"),
        ("2004-02-29", "2022-02-28", "before the 18th birthday"),
    ],
)
def test_joining_the_party_before_birth_or_18_is_refused(
    app, client, auth, world, birth, joined, message
):
    auth.login("secretary")
    before = count(app, Person)
    response = post(client, "/members/new", person_form(world, birth_date=birth, joined_on=joined))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, Person) == before


def test_joining_on_the_18th_birthday_is_accepted(app, client, auth, world):
    auth.login("secretary")
    response = post(
        client, "/members/new", person_form(world, birth_date="1995-04-02", joined_on="2013-04-02")
    )
    assert response.status_code == 303
    with app.app_context():
        added = db.session.scalar(sa.select(Person).where(Person.code == "J100"))
        assert added.joined_on == date(2013, 4, 2)


def test_editing_the_birth_date_after_the_joining_date_is_refused(app, client, auth, world):
    auth.login("secretary")
    url = f"/members/{world['member_person']}/edit"
    data = {
        "code": "J002",
        "name": "Member J",
        "birth_date": "2000-01-01",  # joined in 2010 (conftest): at ten
        "party_status": "full",
        "joined_on": "2010-07-01",
        "regularised_on": "2011-07-01",
        "department_id": str(world["office"]),
    }
    response = post(client, url, data)
    assert response.status_code == 422
    assert "before the 18th birthday" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Person, world["member_person"]).birth_date is None


def test_the_import_refuses_joining_before_birth_or_18(app, client, auth, world):
    auth.login("secretary")
    values = [
        {"code": "K1", "name": "Too young", "birth_date": "2000-05-01", "joined_on": "2018-04-30"},
        {"code": "K2", "name": "Unborn", "birth_date": "2000-05-01", "joined_on": "1999-01-01"},
        {"code": "K3", "name": "Right", "birth_date": "2000-05-01", "joined_on": "2018-05-01"},
        # Only the birth date is new: the recorded 2010 joining makes it impossible.
        {"code": "J002", "name": "Member J", "birth_date": "1995-01-01", "joined_on": None},
    ]
    rows = []
    for value in values:
        status = "正式党员" if value["code"] == "J002" else "预备党员"
        rows.append(row(party_status=status, unit="jiguan", **value))
    before = count(app, Person)
    response = upload(client, xlsx(rows))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    errors = page[page.index('id="import-errors"') :]
    assert errors.count("before the 18th birthday") == 2  # K1 and J002
    assert errors.count("cannot come before the date of birth") == 1  # K2
    assert "3 with errors" in page
    assert count(app, Person) == before


def test_sessions_before_the_earliest_date_or_a_year_ahead_are_refused(app, client, auth, world):
    auth.login("secretary")
    before = count(app, Activity)
    ahead = one_year_after(today(app)) + timedelta(days=1)
    for day, message in [
        ("1900-01-01", "Dates before January 1, 2000 cannot be entered"),
        ("1999-12-31", "Dates before January 1, 2000 cannot be entered"),
        (ahead.isoformat(), "more than a year ahead"),
    ]:
        response = post(client, "/study/new", session_form(world, day=day))
        assert response.status_code == 422, day
        assert message in response.get_data(as_text=True), day
    assert count(app, Activity) == before
    accepted = post(client, "/study/new", session_form(world, day="2000-01-01"))
    assert accepted.status_code in (204, 303)
    assert count(app, Activity) == before + 1


def test_the_earliest_date_is_a_setting(app, client, auth, world):
    with app.app_context():
        settings.put(EARLIEST_RECORD.key, date(2020, 1, 1))
        db.session.commit()
    auth.login("member")
    refused = post(client, "/logs/new", log_form(done_on="2019-12-31"))
    assert refused.status_code == 422
    assert "Dates before January 1, 2020 cannot be entered" in refused.get_data(as_text=True)
    assert count(app, MemberLog) == 0
    accepted = post(client, "/logs/new", log_form(done_on="2020-01-01"))
    assert accepted.status_code in (204, 303)
    assert count(app, MemberLog) == 1


def test_a_log_before_2000_is_refused_with_one_message(app, client, auth, world):
    auth.login("member")
    response = post(client, "/logs/new", log_form(done_on="1900-01-01"))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Dates before January 1, 2000 cannot be entered" in body
    assert "between 1900 and 2100" not in body
    assert count(app, MemberLog) == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2000-01-01", date(2000, 1, 1)), (" 1995-06-30 ", date(1995, 6, 30))],
)
def test_the_earliest_date_setting_parses(raw, expected):
    assert settings.parse(EARLIEST_RECORD, raw) == expected


@pytest.mark.parametrize("raw", ["2000-13-01", "1899-12-31", "yesterday", ""])
def test_the_earliest_date_setting_refuses_nonsense(raw):
    with pytest.raises(settings.SettingError):
        settings.parse(EARLIEST_RECORD, raw)


def test_the_admin_sets_the_earliest_date(app, client, auth, world):
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="records.earliest_date"' in page and "2000-01-01" in page
    with app.app_context():
        data = {key: str(value) for key, value in settings.all_values().items()}
    data = {key: value for key, value in data.items() if value not in ("True", "False")}
    response = post(client, "/admin/settings", {**data, "records.earliest_date": "1990-1-1"})
    assert response.status_code == 422  # not YYYY-MM-DD
    with app.app_context():
        assert settings.get(EARLIEST_RECORD.key) == date(2000, 1, 1)
    response = post(client, "/admin/settings", {**data, "records.earliest_date": "1990-01-01"})
    assert response.status_code in (204, 303)
    with app.app_context():
        assert settings.get(EARLIEST_RECORD.key) == date(1990, 1, 1)


@pytest.mark.parametrize("hours", ["NaN", "Infinity", "-Infinity", "sNaN", "1e999999999"])
def test_log_hours_that_are_no_number_are_a_form_error(app, client, auth, world, hours):
    auth.login("member")
    response = post(client, "/logs/new", log_form(hours=hours))
    assert response.status_code == 422
    assert "Enter a number." in response.get_data(as_text=True)
    assert count(app, MemberLog) == 0


@pytest.mark.parametrize("hours", ["NaN", "Infinity", "sNaN", "1e999999999"])
def test_study_hours_that_are_no_number_are_a_form_error(app, client, auth, world, hours):
    auth.login("secretary")
    before = count(app, Activity)
    response = post(client, "/study/new", session_form(world, study_hours=hours))
    assert response.status_code == 422
    assert "Enter a number." in response.get_data(as_text=True)
    assert count(app, Activity) == before


HUGE = "9" * 5000


@pytest.mark.parametrize(
    "url",
    [
        f"/members/?page={HUGE}",
        f"/members/?unit={HUGE}",
        f"/members/{{own}}/record?year={HUGE}",
        f"/study/?year={HUGE}&unit={HUGE}&page={HUGE}",
        f"/review/?unit={HUGE}",
        f"/audit/?actor={HUGE}",
    ],
)
def test_numbers_of_thousands_of_digits_are_ignored(client, auth, world, url):
    auth.login("admin")
    assert client.get(url.format(own=world["member_person"])).status_code == 200


def test_a_version_of_thousands_of_digits_is_a_bad_request(app, client, auth, world):
    from activity_helpers import row_of
    from test_study import new_session

    session_id = new_session(app, timedelta(hours=-1))
    row = row_of(app, session_id, "member")
    auth.login("secretary")
    response = post(
        client,
        f"/activities/{session_id}/attendance/{row.id}",
        {"status": "present", "version": HUGE},
        headers=HX,
    )
    assert response.status_code == 400
    assert row_of(app, session_id, "member").status == row.status  # nothing overwritten


@pytest.mark.parametrize("token", ["²1.abc", "1.²", "１２.abc", "1.ab\u00e9"])
def test_a_qr_code_with_other_digits_is_refused_not_a_server_error(app, client, auth, world, token):
    from test_study import new_session

    session_id = new_session(app, timedelta(minutes=-10))
    auth.login("member")
    response = client.get(f"/activities/{session_id}/scan", query_string={"t": token})
    assert response.status_code == 400


def test_file_inputs_carry_their_limit(client, auth, world):
    auth.login("member")
    page = client.get("/logs/new").get_data(as_text=True)
    assert f'data-max-bytes="{20 * 1024 * 1024}"' in page
    assert "larger than 20 MB, the most one file may be" in page
    assert 'name="chars-left"' in page and 'maxlength="200"' in page


@pytest.mark.parametrize("headers", [HX, BOOSTED], ids=["htmx", "boosted"])
def test_an_oversized_htmx_request_keeps_the_page(app, client, auth, world, headers):
    auth.login("member")
    token = csrf_token(client, "/logs/new")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = client.post(
        "/logs/new",
        data={
            **log_form(),
            "csrf_token": token,
            "files": (io.BytesIO(b"%PDF-1.4\n" + b"0" * (100 * 1024)), "big.pdf"),
        },
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.headers["HX-Reswap"] == "none"
    body = response.get_data(as_text=True)
    assert 'hx-swap-oob="true"' in body
    assert "each file may be up to 20 MB" in body
    assert "<form" not in body  # only the message: the page with the typed text stays
    assert count(app, MemberLog) == 0


def test_an_oversized_plain_request_gets_the_error_page(app, client, auth, world):
    auth.login("member")
    token = csrf_token(client, "/logs/new")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = client.post(
        "/logs/new",
        data={**log_form(), "csrf_token": token, "files": (io.BytesIO(b"0" * 100_000), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "each file may be up to 20 MB" in response.get_data(as_text=True)
    assert count(app, MemberLog) == 0
