"""The audit trail: what is recorded, and the admin's page with its filters."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.activities import services
from app.activities.models import AttendanceStatus
from app.audit.fields import audited_fields, audited_models, name_column
from app.audit.models import AuditLog
from app.auth.models import User
from app.extensions import db
from app.logs import services as log_services
from app.logs.models import LogKind, MemberLog
from app.people.models import OrgUnit, Person, UnitKind
from app.study.models import StudyKind, StudySession
from app.study.services import create_session
from app.types import local_today, utcnow
from tests.conftest import make_unit

HTMX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


@pytest.fixture(autouse=True)
def english(client):
    """Messages are asserted in English whatever the default locale's catalog holds."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def user_id(app, username):
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.username == username))


def entries(app, record_type, record_id=None):
    with app.app_context():
        stmt = sa.select(AuditLog).where(AuditLog.record_type == record_type)
        if record_id is not None:
            stmt = stmt.where(AuditLog.record_id == str(record_id))
        rows = list(db.session.scalars(stmt.order_by(AuditLog.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_person_edit_is_recorded_once_with_before_and_after(app, client, auth, world):
    person_id = world["member_person"]
    auth.login("secretary")
    before = entries(app, "person", person_id)
    url = f"/members/{person_id}/edit"
    response = client.post(
        url,
        data={
            "csrf_token": auth.token(url),
            "code": "J002",
            "name": "Member J renamed",
            "gender": "",
            "birth_date": "",
            "party_status": "full",
            "joined_on": "2010-07-01",
            "regularised_on": "2011-07-01",
            "department_id": str(world["office"]),
            "post": "Clerk",
            "phone": "13800000000",
        },
    )
    assert response.status_code == 303
    after = entries(app, "person", person_id)
    assert len(after) == len(before) + 1
    entry = after[-1]
    assert entry.action == "update"
    assert entry.actor_id == user_id(app, "secretary")
    assert entry.changes == {
        "name": ["Member J", "Member J renamed"],
        "post": [None, "Clerk"],
        "phone": [None, "13800000000"],
    }
    assert entry.summary == "Member J renamed"

    auth.logout()
    auth.login("admin")
    page = client.get(f"/audit/?record_type=person&record_id={person_id}").get_data(as_text=True)
    assert "<del>Member J</del> → <ins>Member J renamed</ins>" in page
    assert '<del><span class="text-secondary">—</span></del> → <ins>Clerk</ins>' in page
    assert f'href="/members/{person_id}"' in page
    assert "Secretary J" in page  # the actor's display name


def test_soft_delete_of_a_unit_is_recorded_as_delete(app, client, auth, world):
    with app.app_context():
        unit = make_unit("spare", UnitKind.BRANCH, db.session.get(OrgUnit, world["bureau"]))
        db.session.commit()
        unit_id = unit.id
    auth.login("admin")
    response = client.post(
        f"/admin/units/{unit_id}/deactivate", data={"csrf_token": auth.token("/admin/units/")}
    )
    assert response.status_code == 303
    (entry,) = [e for e in entries(app, "org_unit", unit_id) if e.action != "create"]
    assert entry.action == "delete"
    assert entry.actor_id == user_id(app, "admin")
    before, after = entry.changes["deleted_at"]
    assert before is None and after is not None
    assert set(entry.changes) == {"deleted_at"}

    client.post(f"/admin/units/{unit_id}/restore", data={"csrf_token": auth.token("/admin/units/")})
    restored = entries(app, "org_unit", unit_id)[-1]
    assert restored.action == "restore"
    assert restored.changes["deleted_at"][1] is None
    page = client.get(f"/audit/?record_type=org_unit&record_id={unit_id}").get_data(as_text=True)
    assert "Deleted" in page and "Restored" in page
    assert f'href="/admin/units/{unit_id}"' in page


def test_settings_and_accounts_are_recorded_without_secrets(app, client, auth, world):
    auth.login("admin")
    token = auth.token("/admin/settings")
    client.post(
        "/admin/settings",
        data={
            "csrf_token": token,
            "org.name": "科工信局",
            "hours.target_member": "40",
            "hours.target_committee": "56",
            "activity.late_entry_days": "7",
            "members.inactive_days": "90",
        },
    )
    (setting,) = entries(app, "setting")  # only the value that changed
    assert setting.record_id == "hours.target_member"
    # The first change of a setting starts from its default (32 hours), not from nothing.
    assert setting.action == "update"
    assert setting.changes["value"] == ["32.0", "40.0"]
    member_id = user_id(app, "member")
    client.post(f"/admin/accounts/{member_id}/password", data={"csrf_token": token})
    (reset,) = [
        e
        for e in entries(app, "account", member_id)
        if e.action == "update" and "password_hash" in e.changes
    ]
    assert reset.changes["password_hash"] == ["******", "******"]
    page = client.get(f"/audit/?record_type=account&record_id={member_id}").get_data(as_text=True)
    assert "scrypt" not in page and "pbkdf2" not in page
    page = client.get("/audit/?record_type=setting").get_data(as_text=True)
    assert ">Value</span>:" in page
    assert "<del>32.0</del> → <ins>40.0</ins>" in page


@pytest.fixture
def marked(app, world):
    """Three entries at chosen instants around midnight in Asia/Shanghai (UTC+8)."""
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        db.session.add_all(
            [
                # 2025-03-02 00:30 in Shanghai
                AuditLog(
                    at=datetime(2025, 3, 1, 16, 30, tzinfo=UTC),
                    actor_id=admin.id,
                    action="update",
                    record_type="person",
                    record_id=str(world["member_person"]),
                    summary="Marker-A",
                    changes={"phone": [None, "1"]},
                ),
                # 2025-03-01 23:30 in Shanghai
                AuditLog(
                    at=datetime(2025, 3, 1, 15, 30, tzinfo=UTC),
                    actor_id=None,
                    action="create",
                    record_type="org_unit",
                    record_id=str(world["cujin"]),
                    summary="Marker-B",
                    changes={"name": [None, "Cujin branch"]},
                ),
                # 2025-03-05 10:00 in Shanghai
                AuditLog(
                    at=datetime(2025, 3, 5, 2, 0, tzinfo=UTC),
                    actor_id=secretary.id,
                    action="login_failed",
                    record_type="account",
                    record_id=str(secretary.id),
                    summary="Marker-C",
                ),
            ]
        )
        db.session.commit()
        return {"admin": admin.id, "secretary": secretary.id}


def markers(client, query, headers=None):
    response = client.get("/audit/" + query, headers=headers or {})
    assert response.status_code == 200
    return set(re.findall(r"Marker-[ABC]", response.get_data(as_text=True)))


def test_filter_by_user(client, auth, marked):
    auth.login("admin")
    # Sign-ins and the fixture's own rows are newer; keep to 2025 so the markers are on page 1.
    year = "date_from=2025-01-01&date_to=2025-12-31"
    assert markers(client, f"?{year}") == {"Marker-A", "Marker-B", "Marker-C"}
    # The links of an account's page still work, and so does the system's old value.
    assert markers(client, f"?{year}&actor={marked['admin']}") == {"Marker-A"}
    assert markers(client, f"?{year}&actor={marked['secretary']}") == {"Marker-C"}
    assert markers(client, f"?{year}&actor=system") == {"Marker-B"}
    assert markers(client, f"?{year}&user=admin") == {"Marker-A"}
    assert markers(client, f"?{year}&user=ADMIN") == {"Marker-A"}
    assert markers(client, f"?{year}&user=secre") == {"Marker-C"}
    assert markers(client, f"?{year}&user=Secretary+J") == {"Marker-C"}  # the person's name
    assert markers(client, f"?{year}&user=nobody") == set()
    assert markers(client, f"?{year}&system=y") == {"Marker-B"}


def test_an_exact_username_wins_over_similar_ones(app, client, auth, marked):
    with app.app_context():
        secretary2 = db.session.scalar(sa.select(User.id).where(User.username == "secretary2"))
        db.session.add(
            AuditLog(
                at=datetime(2025, 3, 6, 2, 0, tzinfo=UTC),
                actor_id=secretary2,
                action="update",
                record_type="person",
                record_id="1",
                summary="Marker-D",
            )
        )
        db.session.commit()
    auth.login("admin")
    year = "?date_from=2025-01-01&date_to=2025-12-31"

    def found(query):
        page = client.get("/audit/" + year + query).get_data(as_text=True)
        return set(re.findall(r"Marker-[A-D]", page))

    assert found("&user=secretary") == {"Marker-C"}
    assert found("&user=secretary2") == {"Marker-D"}
    assert found("&user=secret") == {"Marker-C", "Marker-D"}


def test_user_filter_lists_no_accounts(client, auth, marked):
    """Thousands of members may have changed something: the filter is typed, not picked."""
    auth.login("admin")
    page = client.get("/audit/").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="user"', page)
    assert re.search(r'<input[^>]*name="system"[^>]*type="checkbox"', page)
    assert 'name="actor"' not in page
    assert "Secretary J (secretary)" not in page
    assert "Only the system" in page and "part of a username" in page  # the help text


def test_a_user_and_the_system_together_are_explained(client, auth, marked):
    auth.login("admin")
    response = client.get("/audit/?user=admin&system=y")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "either a user or the system" in body
    assert not re.findall(r"Marker-[ABC]", body)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?page=99999999999999999999", None),
        ("?page=-1", None),
        ("?actor=99999999999999999999", "No account has this id"),
        ("?actor=%C2%B2", "No account has this id"),
        ("?actor=99999", "No account has this id"),
        ("?date_to=9999-12-31", "Enter a date between 1900 and 2100"),
        ("?date_from=0001-01-01", "Enter a date between 1900 and 2100"),
        ("?date_from=9999-12-31&date_to=9999-12-31", "Enter a date between 1900 and 2100"),
        ("?record_id=" + "9" * 100, "Field cannot be longer than 64 characters"),
        ("?user=" + "x" * 100, "Field cannot be longer than 60 characters"),
        ("?user=%00admin", None),
        ("?action=" + "x" * 100, None),
    ],
)
def test_out_of_range_filters_are_explained_not_failed(client, auth, marked, query, message):
    auth.login("admin")
    for headers in ({}, HTMX):
        response = client.get("/audit/" + query, headers=headers)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        if message is not None:
            assert message in body
            assert not re.findall(r"Marker-[ABC]", body)


def test_values_are_shown_with_labels_and_names(app, client, auth, world):
    with app.app_context():
        db.session.add_all(
            [
                AuditLog(
                    action="update",
                    record_type="person",
                    record_id=str(world["member_person"]),
                    changes={
                        "party_status": ["probationary", "full"],
                        "gender": [None, "female"],
                        "department_id": [None, world["office"]],
                    },
                ),
                AuditLog(
                    action="update",
                    record_type="org_unit",
                    record_id=str(world["group"]),
                    changes={
                        "kind": ["group", "branch"],
                        "parent_id": [world["jiguan"], world["bureau"]],
                    },
                ),
                AuditLog(
                    action="create",
                    record_type="membership",
                    record_id="1",
                    changes={
                        "role": [None, "deputy_secretary"],
                        "person_id": [None, world["cujin_member"]],
                        "unit_id": [None, world["cujin"]],
                    },
                ),
                AuditLog(
                    action="update",
                    record_type="account",
                    record_id="1",
                    changes={
                        "role": ["member", "admin"],
                        "units": [[world["jiguan"]], [world["jiguan"], 999999]],
                        "person_id": [world["member_person"], None],
                    },
                ),
                AuditLog(
                    action="update",
                    record_type="person",
                    record_id="2",
                    changes={"party_status": ["full", "no-longer-an-option"]},
                ),
            ]
        )
        db.session.commit()
    auth.login("admin")
    page = client.get("/audit/?date_from=2000-01-01").get_data(as_text=True)
    for shown in [
        "<del>Probationary member</del> → <ins>Full member</ins>",
        "<ins>Female</ins>",
        "<ins>Office</ins>",
        "<del>Party group (cell)</del> → <ins>Party branch</ins>",
        "<del>Jiguan branch</del> → <ins>Bureau</ins>",
        "<ins>Deputy secretary</ins>",
        "<ins>Member C</ins>",
        "<ins>Cujin branch</ins>",
        "<del>Member</del> → <ins>Administrator</ins>",
        "<del>Jiguan branch</del> → <ins>Jiguan branch, #999999</ins>",
        "<del>Member J</del>",
        "<ins>no-longer-an-option</ins>",
    ]:
        assert shown in page, shown


def jiguan_meeting(world, title: str, start: datetime, **values) -> tuple[StudySession, User]:
    """A general meeting of the Jiguan branch entered by its secretary (inside an app context)."""
    secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
    data = {
        "title": title,
        "kind": StudyKind.GENERAL_MEETING,
        "unit": db.session.get(OrgUnit, world["jiguan"]),
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        **values,
    }
    session = create_session(data, secretary)
    db.session.flush()
    return session, secretary


def test_activity_records_are_shown_with_labels_and_names(app, client, auth, world):
    with app.app_context():
        start = utcnow() - timedelta(minutes=20)
        session, secretary = jiguan_meeting(
            world, "Audited meeting", start, chair_id=world["sec_person"]
        )
        (row,) = [p for p in session.participations if p.person_id == world["member_person"]]
        services.mark(row, AttendanceStatus.PRESENT, secretary)
        db.session.commit()
        services.archive(session, secretary)
        db.session.commit()
        services.reopen(session, "Wrong status for J002")
        db.session.commit()
    auth.login("admin")
    page = client.get("/audit/").get_data(as_text=True)
    assert '<option value="study_session">Study session</option>' in page
    assert '<option value="participation">Attendance</option>' in page
    for shown in [
        ">Reopened</span>",
        "<ins>Wrong status for J002</ins>",
        "<ins>Branch general meeting</ins>",  # the session's kind
        "<ins>Jiguan branch</ins>",  # its unit
        "<ins>Secretary J</ins>",  # its chair
        "<del>Open</del> → <ins>Archived</ins>",
        "<del>Archived</del> → <ins>Open</ins>",
        "<ins>Member J</ins>",  # a participation's person
        "<ins>Audited meeting</ins>",  # ... and its activity
        "<ins>Expected</ins>",
        "<del>Unmarked</del> → <ins>Present</ins>",
        "<ins>Marked by the secretary</ins>",
    ]:
        assert shown in page, shown
    for label in [
        "Status",
        "Recorded by",
        "Reason",
        "Chair",
        "Title",
        "Study hours",
        "Archived by",
    ]:
        assert f">{label}</span>:" in page, label
    for raw in ["present", "archived", "general_meeting", str(world["member_person"])]:
        assert f"<ins>{raw}</ins>" not in page, raw
    assert ">study_session<" not in page and ">reopen<" not in page
    only = client.get("/audit/?record_type=participation").get_data(as_text=True)
    assert "<del>Unmarked</del> → <ins>Present</ins>" in only and ">Reopened</span>" not in only


def test_filter_by_record_type_and_action(client, auth, marked):
    auth.login("admin")
    page = client.get("/audit/").get_data(as_text=True)
    for value, label in [("org_unit", "Org unit"), ("person", "Person"), ("account", "Account")]:
        assert f'<option value="{value}">{label}</option>' in page
    assert markers(client, "?record_type=org_unit") == {"Marker-B"}
    assert markers(client, "?record_type=person&action=update") == {"Marker-A"}
    assert markers(client, "?action=login_failed") == {"Marker-C"}
    assert "Failed sign-in" in client.get("/audit/?action=login_failed").get_data(as_text=True)


def test_filter_by_day_in_the_configured_time_zone(client, auth, marked):
    auth.login("admin")
    assert markers(client, "?date_from=2025-03-02&date_to=2025-03-02") == {"Marker-A"}
    assert markers(client, "?date_from=2025-03-01&date_to=2025-03-01") == {"Marker-B"}
    assert markers(client, "?date_from=2025-03-02&date_to=2025-12-31") == {"Marker-A", "Marker-C"}
    assert markers(client, "?date_to=2025-03-04") == {"Marker-A", "Marker-B"}


def test_the_day_bounds_follow_the_timezone_setting(app, client, auth, marked):
    app.config["TIMEZONE"] = "UTC"
    auth.login("admin")
    assert markers(client, "?date_from=2025-03-01&date_to=2025-03-01") == {
        "Marker-A",
        "Marker-B",
    }


def test_inverted_or_invalid_range_is_explained(client, auth, marked):
    auth.login("admin")
    response = client.get("/audit/?date_from=2025-03-05&date_to=2025-03-01", headers=HTMX)
    body = response.get_data(as_text=True)
    assert "comes before its start" in body
    assert not re.findall(r"Marker-[ABC]", body)
    response = client.get("/audit/?date_from=not-a-date&actor=99999")
    assert response.status_code == 200
    assert "Not a valid date value" in response.get_data(as_text=True)


def test_filters_answer_three_ways(client, auth, marked):
    auth.login("admin")
    query = f"?actor={marked['admin']}&record_type=person"
    fragment = client.get("/audit/" + query, headers=HTMX)
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="audit-table"')
    assert "<html" not in body and 'id="audit-filters"' not in body
    assert 'hx-swap-oob="true"' in body
    assert "HX-Request" in fragment.headers["Vary"]
    for headers in ({}, BOOSTED):
        page = client.get("/audit/" + query, headers=headers).get_data(as_text=True)
        assert "<html" in page and 'id="audit-filters"' in page and "Marker-A" in page
    linked = client.get("/audit/" + query).get_data(as_text=True)
    # The link's account shows in the user field, so changing another filter keeps it.
    assert re.search(r'<input[^>]*name="user"[^>]*value="admin"', linked)


def test_newest_first_and_paginated(app, client, auth, world):
    with app.app_context():
        start = datetime(2025, 1, 1, tzinfo=UTC)
        db.session.add_all(
            AuditLog(
                at=start + timedelta(minutes=n),
                action="update",
                record_type="department",
                record_id="1",
                summary=f"Row-{n:02d}",
            )
            for n in range(25)
        )
        db.session.commit()
    auth.login("admin")
    page = client.get("/audit/?record_type=department").get_data(as_text=True)
    assert page.index("Row-24") < page.index("Row-23")
    assert "Row-04" not in page
    second = client.get("/audit/?record_type=department&page=2").get_data(as_text=True)
    assert "Row-04" in second and "Row-24" not in second


def _add_entries(app, world, count):
    """Entries of three kinds, each pointing at other records by id."""
    with app.app_context():
        actors = list(db.session.scalars(sa.select(User.id)))
        units = [world["bureau"], world["jiguan"], world["cujin"], world["group"]]
        people = [world["member_person"], world["cujin_member"], world["grouped"]]
        changes = [
            lambda n: {
                "phone": [None, str(n)],
                "party_status": ["probationary", "full"],
                "department_id": [None, world["office"]],
            },
            lambda n: {
                "role": [None, "member"],
                "person_id": [None, people[n % len(people)]],
                "unit_id": [None, units[n % len(units)]],
            },
            lambda n: {"kind": [None, "branch"], "parent_id": [None, units[n % len(units)]]},
        ]
        db.session.add_all(
            AuditLog(
                at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=n),
                actor_id=actors[n % len(actors)] if n % 5 else None,
                action="update",
                record_type=["person", "membership", "org_unit"][n % 3],
                record_id=str(n),
                summary=f"Bulk {n}",
                changes=changes[n % 3](n),
            )
            for n in range(count)
        )
        db.session.commit()


def test_query_count_does_not_grow_with_rows(app, client, auth, world, queries):
    auth.login("admin")
    _add_entries(app, world, 5)
    client.get("/audit/")
    with queries() as few:
        client.get("/audit/")
    _add_entries(app, world, 55)
    client.get("/audit/")
    with queries() as many:
        response = client.get("/audit/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<ins>Office</ins>" in page and "<ins>Full member</ins>" in page
    assert "<ins>Member C</ins>" in page or "<ins>Member J</ins>" in page
    assert many.count == few.count
    # The names of departments, units and people referred to cost one query together.
    assert sum("UNION ALL" in statement for statement in many.statements) == 1
    assert many.count <= 7  # 6 for the page, 1 for the navigation badge


def test_every_audited_column_has_a_label(app):
    """A column added to an audited model without a label (``info={"label": _l(...)}``) fails
    here, by name."""
    with app.app_context():
        models = audited_models()
        assert {"person", "org_unit", "account", "participation", "member_log"} <= set(models)
        missing = [
            f"{cls.__name__}.{key} (table {cls.__tablename__}): declare "
            f'info={{"label": _l(...)}} on its mapped_column'
            for cls in models.values()
            for key, found in audited_fields(cls).items()
            if found.label is None
        ]
        assert not missing, "\n".join(missing)
        unlabelled = [
            cls.__name__ for cls in models.values() if "__audit_label__" not in cls.__dict__
        ]
        assert not unlabelled, f"audited models without __audit_label__: {unlabelled}"
        unnamed = sorted(
            {
                f"{found.refers_to.__name__} (referred to by {cls.__name__}.{key})"
                for cls in models.values()
                for key, found in audited_fields(cls).items()
                if found.refers_to is not None and name_column(found.refers_to) is None
            }
        )
        assert not unnamed, f"mark the column that names these records: {unnamed}"


def test_the_trail_speaks_the_users_language(app, client, auth, world, queries):
    """A log approved and a leave decided, read back on the audit page: record types, fields
    and values with their labels, accounts by their person's name, nothing raw."""
    with app.app_context():
        session, _secretary = jiguan_meeting(
            world, "Quarterly meeting", utcnow() + timedelta(days=2)
        )
        db.session.commit()
        session_id = session.id
        (row_id,) = [p.id for p in session.participations if p.person_id == world["member_person"]]
    auth.login("member")
    day = (local_today() - timedelta(days=1)).isoformat()
    sent = client.post(
        "/logs/new",
        data={
            "csrf_token": auth.token("/logs/"),
            "kind": "training",
            "done_on": day,
            "hours": "1.5",
            "title": "Cadre online course",
            "text": "Finished the module on the new regulations.",
            "place": "",
            "beneficiary": "",
        },
    )
    assert sent.status_code == 303
    token = auth.token(f"/study/{session_id}")
    asked = client.post(
        f"/activities/{session_id}/leave", data={"csrf_token": token, "reason": "Trip"}
    )
    assert asked.status_code in (200, 303)
    auth.logout()
    auth.login("secretary")
    with app.app_context():
        log_id = db.session.scalar(sa.select(MemberLog.id))
    token = auth.token("/review/")
    approved = client.post(
        f"/review/log/{log_id}", data={"csrf_token": token, "decision": "approve"}
    )
    assert approved.status_code == 303
    decided = client.post(
        f"/activities/{session_id}/leave/{row_id}",
        data={"csrf_token": token, "decision": "approve"},
    )
    assert decided.status_code in (200, 303)
    auth.logout()
    auth.login("admin")

    logs = client.get("/audit/?record_type=member_log").get_data(as_text=True)
    assert '<option selected value="member_log">Member log</option>' in logs
    for shown in [
        "\n          Member log\n",  # the record column
        ">Reviewed by</span>:",
        "<ins>Secretary J</ins>",  # the reviewer's account, by the person's name
        "<del>Waiting for review</del> → <ins>Approved</ins>",
        ">Kind</span>:",
        "<ins>Outside training</ins>",
        ">Person</span>:",
        "<ins>Member J</ins>",
    ]:
        assert shown in logs, shown
    assert f"<ins>{day}</ins>" not in logs  # a date reads as a date, not as ISO text
    leave = client.get("/audit/?record_type=participation").get_data(as_text=True)
    for shown in [
        ">Leave decision seen by the member</span>:",
        ">Leave decided by</span>:",
        "<ins>Secretary J</ins>",
        "<del>Leave requested</del> → <ins>Leave approved</ins>",
        "<ins>Quarterly meeting</ins>",
    ]:
        assert shown in leave, shown
    for page in (logs, leave):
        for raw in ["member_log", "reviewed_by_id", "leave_decision_seen", "pending", "approved"]:
            assert f">{raw}<" not in page and f'"{raw}"' not in page.split("<tbody>")[1], raw
        assert "<ins>secretary</ins>" not in page  # no username where a name belongs

    # In Chinese an org unit's name is its 组织名称, a person's name their 姓名.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    unit = client.get(f"/audit/?record_type=org_unit&record_id={world['jiguan']}")
    unit_page = unit.get_data(as_text=True)
    assert "组织名称</span>:" in unit_page and "姓名</span>:" not in unit_page
    assert "<ins>Bureau</ins>" in unit_page  # the parent unit, by name
    person = client.get(f"/audit/?record_type=person&record_id={world['member_person']}")
    assert "姓名</span>:" in person.get_data(as_text=True)

    # The names cost one query for the page, whatever the number of entries.
    with queries() as few:
        client.get("/audit/")
    with app.app_context():
        reviewer = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        for n in range(12):
            log = log_services.submit(
                db.session.get(Person, world["member_person"]),
                {
                    "kind": LogKind.SELF_STUDY,
                    "done_on": local_today() - timedelta(days=1),
                    "hours": Decimal("1"),
                    "title": f"Study {n}",
                    "text": "Read the materials",
                    "place": None,
                    "beneficiary": None,
                },
            )
            db.session.flush()
            log_services.review(log, True, None, reviewer)
        db.session.commit()
    with queries() as many:
        client.get("/audit/")
    assert many.count == few.count
    assert sum("UNION ALL" in statement for statement in many.statements) == 1


def _add_rows(app, count, *, at_every=3):
    """``count`` department entries ``Entry-0000``…, ``at_every`` of them at each instant (so
    pages end inside runs of equal timestamps); every fourth one a creation."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with app.app_context():
        db.session.execute(
            AuditLog.__table__.insert(),
            [
                {
                    "at": start + timedelta(minutes=n // at_every),
                    "action": "create" if n % 4 == 0 else "update",
                    "record_type": "department",
                    "record_id": str(n),
                    "summary": f"Entry-{n:04d}",
                    "changes": {},
                }
                for n in range(count)
            ],
        )
        db.session.commit()


def _entries_on(page):
    return [int(found) for found in re.findall(r"Entry-(\d{4})", page)]


def _walk(client, query, pages):
    """Every entry of every page of ``query``, following the pager's Next link."""
    seen, url = [], f"/audit/?{query}"
    for _ in range(pages):
        page = client.get(url).get_data(as_text=True)
        seen.extend(_entries_on(page))
        following = re.search(r'<a class="page-link" href="([^"#]+)"\s*[^>]*>Next</a>', page)
        if following is None:
            return seen, page
        url = following.group(1).replace("&amp;", "&")
    raise AssertionError("more pages than expected")


def test_a_long_trail_shows_page_and_more_without_counting_it(app, client, auth, world, queries):
    """Beyond 1,000 rows the pager says "page N · more": no statement counts the whole trail
    (the count stops at 1,001 rows) and none reads its record types off it."""
    _add_rows(app, 1005)
    auth.login("admin")
    with queries() as issued:
        page = client.get("/audit/?record_type=department").get_data(as_text=True)
    assert "Page 1 · more" in page and "in all" not in page
    assert _entries_on(page)[:2] == [1004, 1003]
    counts = [s for s in issued.statements if "count(" in s.lower() and "audit_log" in s]
    assert counts and all("LIMIT" in s for s in counts)
    assert not [s for s in issued.statements if "DISTINCT" in s.upper()]
    zh = client.get("/audit/?page=2", headers={"Accept-Language": "zh-CN"})
    assert "第 2 页 · 更多" in zh.get_data(as_text=True)


def test_a_short_list_keeps_its_page_count(app, client, auth, world):
    app.config["PAGE_SIZE"] = 5
    _add_rows(app, 12)
    auth.login("admin")
    page = client.get("/audit/?record_type=department").get_data(as_text=True)
    total = len(entries(app, "department"))  # the world's department, and the twelve
    assert total >= 12
    assert f"{total} in all, page 1 of {-(-total // 5)}" in page and "· more" not in page


@pytest.mark.parametrize("query", ["record_type=department", "action=update"])
def test_paging_past_the_count_skips_and_repeats_no_entry(app, client, auth, world, query):
    """Walked with Next to the end, a list longer than it counts shows each of its entries once,
    newest first and, at equal instants, the later entry first — also across the pages that
    end inside a run of equal timestamps; the last page says there is no more."""
    app.config["PAGE_SIZE"] = 100
    _add_rows(app, 1400)
    auth.login("admin")
    seen, last = _walk(client, query, 20)
    wanted = [n for n in range(1400) if query != "action=update" or n % 4]
    assert seen == sorted(wanted, reverse=True)
    column, value = query.split("=")
    with app.app_context():
        total = db.session.scalar(
            sa.select(sa.func.count()).where(getattr(AuditLog, column) == value)
        )
    assert f"Page {-(-total // 100)}</span>" in last and "· more" not in last


def test_the_record_types_come_from_the_registry(app, client, auth, world):
    """Every audited model can be chosen, whether or not the trail holds one yet; a type the
    registry does not know stays choosable when a link asks for it."""
    auth.login("admin")
    page = client.get("/audit/").get_data(as_text=True)
    assert '<option value="activity_guest">' in page  # no guest has been recorded
    assert '<option value="study_session">' in page
    linked = client.get("/audit/?record_type=retired_kind").get_data(as_text=True)
    assert '<option selected value="retired_kind">' in linked


def test_a_page_past_the_end_says_so(app, client, auth, world):
    _add_rows(app, 1005)
    auth.login("admin")
    page = client.get("/audit/?page=999").get_data(as_text=True)
    assert "There is no page 999." in page and "Go to the first page" in page
    assert "Nothing has been recorded yet" not in page
