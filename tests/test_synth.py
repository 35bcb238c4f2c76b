"""flask synth: a small district that holds every invariant, the same for a seed, refused on a
non-empty database, and an invariant checker that catches each planted violation."""

import hashlib
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.activities.models import Activity, ActivityState, ActivityTally, Participation
from app.demo.invariants import check
from app.demo.people import DEMO_PASSWORD
from app.extensions import db
from app.people.models import Membership, OrgUnit, UnitKind
from tests.conftest import _reset_database, make_unit


def synth(runner, *extra: str):
    result = runner.invoke(args=["synth", "--members", "100", "--years", "1", *extra])
    assert result.exit_code == 0, result.output
    return result


def digest() -> str:
    """Every table's rows in id order; password hashes carry a random salt and are left out."""
    sha = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name != "password_hash"]
        order = list(table.primary_key.columns)
        for row in db.session.execute(sa.select(*columns).order_by(*order)):
            sha.update(repr(tuple(row)).encode())
    return sha.hexdigest()


def test_a_small_district_holds(runner, app):
    result = synth(runner, "--branch-sizes", "40")
    assert "participation" in result.output
    with app.app_context():
        assert check(db) == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Participation)) > 1000
        activities = sa.select(sa.func.count()).select_from(Activity.__table__)
        kept = sa.select(sa.func.count()).select_from(ActivityTally)
        assert db.session.scalar(kept) == db.session.scalar(activities) > 0
        groups = db.session.scalar(sa.select(sa.func.count()).where(OrgUnit.kind == "group"))
        assert groups >= 1
        states = set(db.session.scalars(sa.select(Activity.state).distinct()))
        assert {ActivityState.ARCHIVED, ActivityState.OPEN} <= states


def test_same_seed_same_data(runner, app):
    synth(runner, "--seed", "7")
    with app.app_context():
        first = digest()
        db.session.remove()
        _reset_database()
    synth(runner, "--seed", "7")
    with app.app_context():
        assert digest() == first


def test_non_empty_database_is_refused(runner, app):
    with app.app_context():
        make_unit("x", UnitKind.BUREAU)
        db.session.commit()
        before = digest()
    result = runner.invoke(args=["synth", "--members", "100", "--years", "1"])
    assert result.exit_code != 0
    assert "not empty" in result.output
    with app.app_context():
        assert digest() == before


def _drop_unique(connection: sa.Connection) -> None:
    """Let a duplicate participation in, as a database without the constraint would."""
    if connection.dialect.name == "postgresql":
        name = connection.scalar(
            sa.text(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'participation'::regclass "
                "AND contype = 'u'"
            )
        )
        connection.execute(sa.text(f'ALTER TABLE participation DROP CONSTRAINT "{name}"'))
        return
    ddl = connection.scalar(sa.text("SELECT sql FROM sqlite_master WHERE name = 'participation'"))
    ddl = re.sub(r",\s*CONSTRAINT \S+ UNIQUE \(activity_id, person_id\)", "", ddl)
    assert "UNIQUE (activity_id" not in ddl
    connection.execute(sa.text("PRAGMA foreign_keys=OFF"))
    connection.execute(sa.text("ALTER TABLE participation RENAME TO participation_old"))
    connection.execute(sa.text(ddl))
    connection.execute(sa.text("INSERT INTO participation SELECT * FROM participation_old"))
    connection.execute(sa.text("DROP TABLE participation_old"))


def _plant(kind: str) -> None:
    p = Participation
    row = db.session.execute(sa.select(p).where(p.role == "expected").limit(1)).scalar_one()
    if kind == "parts":
        # A status the figures do not know counts in no part, as a corrupt row would.
        db.session.execute(
            sa.text("UPDATE participation SET status = 'bogus' WHERE id = :id"), {"id": row.id}
        )
    elif kind == "duplicate":
        _drop_unique(db.session.connection())
        values = {c.name: getattr(row, c.key) for c in p.__table__.columns}
        values["id"] = 10**6
        db.session.execute(p.__table__.insert().values(**values))
    elif kind == "overlap":
        m = db.session.scalars(sa.select(Membership).limit(1)).one()
        db.session.execute(
            Membership.__table__.insert().values(
                person_id=m.person_id, unit_id=m.unit_id, role=m.role, start_date=m.start_date
            )
        )
    elif kind == "outsider":
        activity = db.session.get(Activity, row.activity_id)
        db.session.execute(
            sa.update(Membership)
            .where(Membership.person_id == row.person_id)
            .values(start_date=activity.held_on + timedelta(days=1), end_date=None)
        )
    elif kind == "archived":
        archived = sa.select(Activity.id).where(Activity.state == ActivityState.ARCHIVED)
        target = db.session.scalar(sa.select(p.id).where(p.activity_id.in_(archived)).limit(1))
        db.session.execute(sa.update(p).where(p.id == target).values(status="unmarked"))
    elif kind == "stale":
        # A bulk statement bypasses the session hook that keeps activity_tally.
        db.session.execute(sa.update(p).where(p.id == row.id).values(role="non_voting"))
    elif kind == "foreign":
        db.session.execute(sa.text("PRAGMA foreign_keys=OFF"))
        db.session.execute(sa.update(p).where(p.id == row.id).values(person_id=10**6))


PLANTED = {
    "parts": "parts do not sum",
    "duplicate": "several participations",
    "overlap": "overlapping memberships",
    "outsider": "expected without a membership",
    "archived": "archived with unmarked or pending",
    "foreign": "foreign key broken",
    "stale": "activity figures kept out of date",
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_each_planted_violation_is_caught(runner, app, kind):
    synth(runner)
    with app.app_context():
        if kind == "foreign" and db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL enforces foreign keys: none can be planted")
        assert check(db) == []
        _plant(kind)
        violations = check(db)
        db.session.rollback()
    assert any(PLANTED[kind] in v for v in violations), violations


@pytest.mark.parametrize("login", ["admin", "secretary", "member"])
def test_pages_load_on_synthetic_data(runner, app, client, auth, login):
    output = synth(runner).output
    username = next(line.split()[0] for line in output.splitlines() if line.strip().endswith(login))
    auth.login(username, DEMO_PASSWORD)
    assert client.get("/").status_code == 200
