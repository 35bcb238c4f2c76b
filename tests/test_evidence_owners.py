"""The evidence owner registry: the columns and the exactly-one-owner CHECK come from it, the
database really holds that CHECK (Alembic does not compare CHECK constraints, so this reflects it),
and the policy's evidence rules follow each owner's registration."""

import io

import pytest
import sqlalchemy as sa
from test_evidence import PDF, session_id  # noqa: F401 - the fixture
from test_logs import add_log
from werkzeug.datastructures import FileStorage

from app.activities.models import Activity
from app.auth.models import User
from app.auth.policy import can_remove_evidence, can_view_evidence
from app.evidence import owners, services
from app.evidence.constraint import normalised, one_owner_sql
from app.evidence.models import Evidence
from app.extensions import db
from app.refusals import Refused

# The CHECK the latest migration created (0031): a database upgraded to the head holds this one.
MIGRATED_CHECK = (
    "(CASE WHEN activity_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN participation_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN member_log_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN integrity_talk_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN signing_batch_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN volunteer_project_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN project_progress_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN project_acceptance_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN duty_entry_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def live_one_owner_check(bind: sa.engine.Engine | sa.engine.Connection) -> str:
    """The one-owner CHECK's text as the database gives it back."""
    checks = sa.inspect(bind).get_check_constraints("evidence")
    found = [check["sqltext"] for check in checks if check["name"] == "ck_evidence_one_owner"]
    assert len(found) == 1, checks
    return found[0]


def assert_matches_registry(bind: sa.engine.Engine | sa.engine.Connection) -> None:
    assert normalised(live_one_owner_check(bind)) == normalised(owners.check_sql())
    columns = {column["name"]: column for column in sa.inspect(bind).get_columns("evidence")}
    targets = {
        key["constrained_columns"][0]: key["referred_table"]
        for key in sa.inspect(bind).get_foreign_keys("evidence")
    }
    for owner in owners.registered():
        assert columns[owner.column]["nullable"], owner.name
        assert targets[owner.column] == owner.table, owner.name


def test_the_registry_names_todays_owners():
    assert [(o.name, o.column, o.table) for o in owners.registered()] == [
        ("activity", "activity_id", "activity"),
        ("participation", "participation_id", "participation"),
        ("member_log", "member_log_id", "member_log"),
        ("integrity_talk", "integrity_talk_id", "integrity_talk"),
        ("signing_batch", "signing_batch_id", "signing_batch"),
        ("volunteer_project", "volunteer_project_id", "volunteer_project"),
        ("project_progress", "project_progress_id", "project_progress"),
        ("project_acceptance", "project_acceptance_id", "project_acceptance"),
        ("duty_entry", "duty_entry_id", "duty_entry"),
    ]
    assert owners.check_sql() == MIGRATED_CHECK  # so no migration recreates it


def test_the_model_is_generated_from_the_registry():
    table = Evidence.__table__
    for owner in owners.registered():
        column = table.c[owner.column]
        assert column.nullable and column.index
        assert {key.column.table.name for key in column.foreign_keys} == {owner.table}
        assert column.info["label"] == owner.label  # the audit label
        assert getattr(Evidence, owner.name).property.mapper.local_table.name == owner.table
    (check,) = [c for c in table.constraints if isinstance(c, sa.CheckConstraint)]
    assert str(check.sqltext) == owners.check_sql()


def test_the_live_check_is_the_registrys(app):
    """On the test database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    with app.app_context():
        assert_matches_registry(db.engine)


def test_the_check_normalises_as_both_databases_answer():
    postgres = (
        "(((((((((CASE WHEN (activity_id IS NULL) THEN 0 ELSE 1 END + CASE WHEN (participation_id"
        " IS NULL) THEN 0 ELSE 1 END) + CASE WHEN (member_log_id IS NULL) THEN 0 ELSE 1 END)"
        " + CASE WHEN (integrity_talk_id IS NULL) THEN 0 ELSE 1 END)"
        " + CASE WHEN (signing_batch_id IS NULL) THEN 0 ELSE 1 END)"
        " + CASE WHEN (volunteer_project_id IS NULL) THEN 0 ELSE 1 END)"
        " + CASE WHEN (project_progress_id IS NULL) THEN 0 ELSE 1 END)"
        " + CASE WHEN (project_acceptance_id IS NULL) THEN 0 ELSE 1 END)"
        " + CASE WHEN (duty_entry_id IS NULL) THEN 0 ELSE 1 END) = 1)"
    )
    assert normalised(postgres) == normalised(MIGRATED_CHECK)
    assert normalised('(CASE WHEN "activity_id" IS NULL THEN 0 ELSE 1 END) = 1') == normalised(
        one_owner_sql(["activity_id"])
    )
    assert normalised(one_owner_sql(["activity_id"])) != normalised(MIGRATED_CHECK)


def test_the_database_refuses_evidence_with_two_owners_or_none(app, world, session_id):  # noqa: F811
    log = add_log(app)
    with app.app_context():
        for owners_given in ({"activity_id": session_id, "member_log_id": log}, {}):
            row = Evidence(
                kind="pdf",
                original_name="a.pdf",
                stored_name=f"x{len(owners_given)}.pdf",
                content_type="application/pdf",
                size=1,
                **owners_given,
            )
            db.session.add(row)
            with pytest.raises(sa.exc.IntegrityError):
                db.session.flush()
            db.session.rollback()


def test_an_owner_registered_after_the_model_is_refused():
    """It would have no column: registrations happen before ``Evidence`` is built."""
    late = owners.Owner(**{**owners.owner_named("activity").__dict__, "name": "late"})
    with pytest.raises(RuntimeError, match="after Evidence was built"):
        owners.register(late)
    assert "late" not in [owner.name for owner in owners.registered()]


def test_one_owner_is_named_by_its_registration():
    with pytest.raises(ValueError, match="exactly one owner"):
        owners.single({"activity": None, "member_log": None})
    with pytest.raises(ValueError, match="no evidence owner"):
        owners.single({"project": object()})
    record = object()
    owner, found = owners.single({"activity": None, "member_log": record})
    assert owner is owners.owner_named("member_log") and found is record


def test_the_policy_asks_the_owners_registration(app, world, session_id, monkeypatch):  # noqa: F811
    """No branch per owner: the rule registered for the owner decides."""
    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.username == "member"))
        activity = db.session.get(Activity, session_id)
        item = Evidence(activity=activity, kind="pdf", original_name="a.pdf")
        asked = []

        def rule(who: User, record: object) -> bool:
            asked.append((who, record))
            return True

        changed = {
            **owners._OWNERS,
            "activity": owners.Owner(
                **{**owners.owner_named("activity").__dict__, "may_view": rule, "may_change": rule}
            ),
        }
        monkeypatch.setattr(owners, "_OWNERS", changed)
        assert can_view_evidence(user, item) and can_remove_evidence(user, item)
        assert asked == [(user, activity), (user, activity)]


def test_attach_all_takes_every_file_or_names_the_one_refused(app, world, session_id):  # noqa: F811
    with app.test_request_context(headers={"Accept-Language": "en"}):
        user = db.session.scalar(sa.select(User).where(User.username == "secretary"))
        activity = db.session.get(Activity, session_id)
        good = [FileStorage(io.BytesIO(PDF), name) for name in ("a.pdf", "b.pdf")]
        assert len(services.attach_all(good, activity=activity, by=user)) == 2
        batch = [FileStorage(io.BytesIO(PDF), "c.pdf"), FileStorage(io.BytesIO(b"MZ"), "d.exe")]
        with pytest.raises(Refused) as refused:
            services.attach_all(batch, activity=activity, by=user)
        assert refused.value.status == 422
        assert str(refused.value.message).startswith("d.exe: ")
        assert "Nothing was uploaded" in str(refused.value.message)
        with pytest.raises(Refused) as alone:
            services.attach_all(
                [FileStorage(io.BytesIO(b"MZ"), "e.exe")], activity=activity, by=user
            )
        assert "e.exe" not in str(alone.value.message) and alone.value.status == 422
