"""Migrations build the models' schema on an empty database, and `flask demo` loads the demo on it.

Runs the real command line in a subprocess, on an SQLite file and, when TEST_DATABASE_URL points
at PostgreSQL, on a throwaway database created on that server.
"""

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from test_evidence_owners import assert_matches_registry

REPO_ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL.startswith("postgresql") else [])
DEMO_USERNAMES = ("admin", "secretary", "secretary2", "member")


UPLOADS = Path(tempfile.mkdtemp(prefix="partyledger-uploads-"))


def stored_files() -> int:
    return sum(1 for path in UPLOADS.rglob("*") if path.is_file())


def flask(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``flask --app wsgi ARGS`` from the repository root against ``database_url``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TEST_DATABASE_URL", "FLASK_APP"}
    }
    # A fixed key and an upload folder of its own keep the command from writing into instance/.
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="migration-test-key",
        UPLOAD_FOLDER=str(UPLOADS),
        PYTHONUTF8="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def _postgres_admin_url(url: str) -> str:
    """The same server's ``postgres`` database, as a libpq connection string for psycopg."""
    admin = make_url(url).set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False)


@pytest.fixture(scope="module", params=BACKENDS)
def upgraded_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database taken to the latest revision by ``flask db upgrade``, removed after.

    Shared by the tests of this module: each command is a fresh interpreter, which is slow.
    """
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'empty.db'}"
        upgrade(url)
        yield url
        return
    with throwaway_postgres() as url:
        upgrade(url)
        yield url


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A new, empty database on the TEST_DATABASE_URL server, dropped afterwards."""
    import psycopg

    name = f"partyledger_mig_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin_url(PG_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def upgrade(database_url: str) -> None:
    result = flask(database_url, "db", "upgrade")
    assert result.returncode == 0, output(result)
    assert "Running upgrade" in output(result), "the database was not empty"


def count_rows(database_url: str, table: str) -> int:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar_one()  # noqa: S608
    finally:
        engine.dispose()


def test_upgrade_on_an_empty_database_leaves_no_drift(upgraded_database: str):
    engine = sa.create_engine(upgraded_database)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"alembic_version", "org_unit", "person", "membership", "account"} <= tables

    check = flask(upgraded_database, "db", "check")
    assert check.returncode == 0, output(check)
    assert "No new upgrade operations detected" in output(check)


def test_the_migrated_one_owner_check_is_the_registrys(upgraded_database: str):
    """Alembic does not compare CHECK constraints (``db check`` stays silent when they differ):
    the evidence CHECK and owner columns the migrations built are compared with the registry."""
    engine = sa.create_engine(upgraded_database)
    try:
        assert_matches_registry(engine)
    finally:
        engine.dispose()


def test_demo_loads_once_and_resets_on_request(upgraded_database: str):
    files_before = stored_files()
    first = flask(upgraded_database, "demo")
    assert first.returncode == 0, output(first)
    assert "demo-password" in first.stdout
    logins = [line.split()[0] for line in first.stdout.splitlines() if line.startswith("  ")]
    assert logins == list(DEMO_USERNAMES)
    persons = count_rows(upgraded_database, "person")
    accounts = count_rows(upgraded_database, "account")
    assert persons >= 30
    assert accounts == len(DEMO_USERNAMES)
    demo_files = stored_files() - files_before
    assert demo_files > 0  # photos generated at demo time

    again = flask(upgraded_database, "demo")
    assert again.returncode != 0, output(again)
    assert "--reset" in output(again)
    assert count_rows(upgraded_database, "person") == persons

    if_empty = flask(upgraded_database, "demo", "--if-empty")
    assert if_empty.returncode == 0, output(if_empty)
    assert "Demo data loaded" not in if_empty.stdout
    assert count_rows(upgraded_database, "person") == persons

    reset = flask(upgraded_database, "demo", "--reset")
    assert reset.returncode == 0, output(reset)
    assert "Demo data loaded" in reset.stdout
    assert count_rows(upgraded_database, "person") == persons
    assert count_rows(upgraded_database, "account") == accounts
    assert stored_files() - files_before == demo_files  # the replaced photos were deleted


@contextmanager
def database_at(
    backend: str, tmp_path_factory: pytest.TempPathFactory, revision: str
) -> Iterator[str]:
    """An empty database of the backend, taken to ``revision`` (to write rows as they were)."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('old') / 'old.db'}"
        result = flask(url, "db", "upgrade", revision)
        assert result.returncode == 0, output(result)
        yield url
        return
    with throwaway_postgres() as url:
        result = flask(url, "db", "upgrade", revision)
        assert result.returncode == 0, output(result)
        yield url


@pytest.fixture(params=BACKENDS)
def database_at_0003(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Revision 0003, the last one without sort keys."""
    with database_at(request.param, tmp_path_factory, "0003") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_at_0007(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Revision 0007, the last one with chair, minute-taker and lecturer on the study session."""
    with database_at(request.param, tmp_path_factory, "0007") as url:
        yield url


def test_existing_people_and_units_get_their_sort_keys(database_at_0003: str):
    """Rows written before the sort key existed are given it by the migration, and list in
    pinyin order at once: 李 before 张, 单 read as the surname Shàn."""
    engine = sa.create_engine(database_at_0003)
    people = [("K1", "张三"), ("K2", "单雄信"), ("K3", "孙丽"), ("K4", "李四")]
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO org_unit (code, name, kind, sort_order, created_at) "
                    "VALUES ('zhang', '张村党支部', 'branch', 0, '2024-01-01'), "
                    "('li', '李村党支部', 'branch', 0, '2024-01-01')"
                )
            )
            for code, name in people:
                conn.execute(
                    sa.text(
                        "INSERT INTO person (code, name, party_status, created_at) "
                        "VALUES (:code, :name, 'full', '2024-01-01')"
                    ),
                    {"code": code, "name": name},
                )
        result = flask(database_at_0003, "db", "upgrade")
        assert result.returncode == 0, output(result)
        with engine.connect() as conn:
            names = conn.execute(sa.text("SELECT name FROM person ORDER BY sort_key")).scalars()
            units = conn.execute(sa.text("SELECT code FROM org_unit ORDER BY sort_key")).scalars()
            shan = conn.execute(sa.text("SELECT sort_key FROM person WHERE code = 'K2'"))
            assert list(names) == ["李四", "单雄信", "孙丽", "张三"]
            assert list(units) == ["li", "zhang"]
            assert shan.scalar_one() == "shan4xiong2xin4 单雄信 k2"
    finally:
        engine.dispose()
    check = flask(database_at_0003, "db", "check")
    assert "No new upgrade operations detected" in output(check)


def test_the_people_of_a_study_record_move_to_the_core_unchanged(database_at_0007: str):
    """A session's chair (a person), minute-taker (a free-text name) and lecturer (a person)
    are the activity's after the upgrade; a guest written before kinds existed is "other"."""
    engine = sa.create_engine(database_at_0007)
    rows = [
        "INSERT INTO org_unit (id, code, name, kind, sort_order, created_at, sort_key) "
        "VALUES (1, 'b1', '第一支部', 'branch', 0, '2024-01-01', 'b1')",
        "INSERT INTO person (id, code, name, party_status, created_at, sort_key) VALUES "
        "(1, 'P1', '王芳', 'full', '2024-01-01', 'wang'), "
        "(2, 'P2', '李强', 'full', '2024-01-01', 'li')",
        "INSERT INTO activity (id, family, unit_id, title, starts_at, ends_at, held_on, state, "
        "late_entry, created_at) VALUES "
        "(7, 'study', 1, '党员大会', '2024-03-01 01:00:00', '2024-03-01 03:00:00', "
        "'2024-03-01', 'open', false, '2024-03-01')",
        "INSERT INTO study_session (id, kind, study_hours, chair_id, chair_name, "
        "minute_taker_id, minute_taker_name, lecturer_id, lecturer_name) VALUES "
        "(7, 'general_meeting', 2.0, 1, NULL, NULL, '区委党校赵老师', 2, NULL)",
        "INSERT INTO activity_guest (id, activity_id, name, relation) "
        "VALUES (3, 7, '陈女士', '王芳的爱人')",
    ]
    try:
        with engine.begin() as conn:
            for statement in rows:
                conn.execute(sa.text(statement))
        result = flask(database_at_0007, "db", "upgrade")
        assert result.returncode == 0, output(result)
        with engine.connect() as conn:
            people = conn.execute(
                sa.text(
                    "SELECT chair_id, chair_name, minute_taker_id, minute_taker_name, "
                    "lecturer_id, lecturer_name FROM activity WHERE id = 7"
                )
            ).one()
            guest = conn.execute(
                sa.text("SELECT kind, person_id, name FROM activity_guest WHERE id = 3")
            ).one()
            left = {c["name"] for c in sa.inspect(conn).get_columns("study_session")}
        assert tuple(people) == (1, None, None, "区委党校赵老师", 2, None)
        assert tuple(guest) == ("other", None, "陈女士")
        assert not left & {"chair_id", "chair_name", "minute_taker_name", "lecturer_id"}
    finally:
        engine.dispose()
    check = flask(database_at_0007, "db", "check")
    assert "No new upgrade operations detected" in output(check)
