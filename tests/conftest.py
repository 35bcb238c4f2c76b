"""Fixtures: app (outside an app context), client, runner, auth, queries, people factories, and
``family`` / ``new_activity`` that run a test once for every registered activity family.

The suite runs against TEST_DATABASE_URL when set (PostgreSQL), else an SQLite file per test.
"""

import os
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache

from app import create_app, load_families
from app.activities.families import Family, registered
from app.activities.services import set_expected
from app.auth.models import Role, User
from app.extensions import db
from app.models import put_back_shipped
from app.people.models import (
    Department,
    Membership,
    MembershipRole,
    OrgUnit,
    PartyStatus,
    Person,
    UnitKind,
)
from app.types import utcnow
from bench.clients import Statements, counting

PASSWORD = "test-password-1"

# The registry is filled before collection, so tests can be parametrised over its families.
load_families()

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _reset_database() -> None:
    """Empty every table, then put back the rows the product ships in a new database (a
    table's ``info["shipped"]``); the schema is created once per database."""
    engine = db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        put_back_shipped(conn.execute)


_schema_ready: set[str] = set()


class SharedBytecode(BytecodeCache):
    """Compiled templates kept in memory for the whole run: each test's app would otherwise
    parse and compile every template it renders again (more than half of a typical test's
    time). A template whose source changed is compiled anew (the bucket checks its checksum)."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedBytecode()


def configured_app(url: str, folder: Path) -> Flask:
    """The app as the suite configures it, on the database ``url``, its uploads and instance
    folder in ``folder``."""
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": url,
            "DATABASE_URL": url,
            "SERVER_NAME": None,
            # A fast hash keeps the suite quick; production uses scrypt.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "UPLOAD_FOLDER": str(folder / "uploads"),
        }
    )
    application.instance_path = str(folder / "instance")
    os.makedirs(application.instance_path, exist_ok=True)
    application.jinja_env.bytecode_cache = TEMPLATES
    return application


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:
    url = PG_URL or f"sqlite:///{tmp_path / 'test.db'}"
    application = configured_app(url, tmp_path)
    with application.app_context():
        if url not in _schema_ready:
            db.create_all()
            if PG_URL:
                _schema_ready.add(url)
        _reset_database()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser that prefers English, so assertions read the message ids; tests of the
    default language send their own Accept-Language."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, url: str = "/auth/login") -> str:
    """The token the page at ``url`` carries (the real form's hidden field or the body header)."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        token = csrf_token(self.client, "/auth/login")
        return self.client.post(
            "/auth/login",
            data={"username": username, "password": password, "csrf_token": token},
        )

    def client_for(self, username: str) -> FlaskClient:
        """A second browser of the same app, already signed in as ``username``."""
        other = self.client.application.test_client()
        other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        signed_in = AuthActions(other).login(username)
        assert signed_in.status_code == 302, f"{username} could not sign in"
        return other

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/auth/logout", data={"csrf_token": token})

    def token(self, url: str = "/") -> str:
        return csrf_token(self.client, url)


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def queries(app: Flask) -> Callable[[], AbstractContextManager[Statements]]:
    """``with queries() as q: client.get(...)`` then ``q.count`` SQL statements were issued."""
    return partial(counting, app)


def sqlite_plan(statement: str) -> str | None:
    """SQLite's query plan of a statement as issued (its parameters unbound, hence NULL: the plan
    is the prepared one), its lines joined by " | "; None on another database. Inside an app
    context."""
    if db.engine.dialect.name != "sqlite":
        return None
    found = db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + statement, (None,) * statement.count("?")
    )
    return " | ".join(row[-1] for row in found)


UNIT_ROWS = re.compile(r"^\s*SELECT org_unit\.id, .*org_unit\.name.*\sFROM org_unit\b", re.S)


def unlimited_unit_loads(statements: list[str]) -> list[str]:
    """The statements that read units in full without a LIMIT: a page's units loaded whole."""
    return [q for q in statements if UNIT_ROWS.match(q) and "LIMIT" not in q]


def make_unit(
    code: str, kind: UnitKind, parent: OrgUnit | None = None, name: str | None = None
) -> OrgUnit:
    unit = OrgUnit(code=code, name=name or code, kind=kind, parent=parent)
    db.session.add(unit)
    db.session.flush()
    return unit


def make_person(
    code: str,
    name: str | None = None,
    unit: OrgUnit | None = None,
    role: MembershipRole = MembershipRole.MEMBER,
    status: PartyStatus = PartyStatus.FULL,
    start: date = date(2020, 1, 1),
    end: date | None = None,
    department: Department | None = None,
) -> Person:
    joined = date(2010, 7, 1) if status.is_party_member else None
    person = Person(
        code=code,
        name=name or f"Person {code}",
        party_status=status,
        joined_on=joined,
        regularised_on=date(2011, 7, 1) if status is PartyStatus.FULL else None,
        department=department,
    )
    db.session.add(person)
    if unit is not None:
        db.session.add(
            Membership(person=person, unit=unit, role=role, start_date=start, end_date=end)
        )
    db.session.flush()
    return person


def make_user(
    username: str,
    role: Role,
    person: Person | None = None,
    units: list[OrgUnit] | None = None,
    must_change: bool = False,
) -> User:
    user = User(
        username=username,
        role=role,
        person=person,
        must_change_password=must_change,
        units=units or [],
    )
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """The bureau in small: two branches, accounts for every role, a few people in each."""
    with app.app_context():
        bureau = make_unit("bureau", UnitKind.BUREAU, name="Bureau")
        dangzu = make_unit("dangzu", UnitKind.PARTY_GROUP, bureau, "Dangzu")
        jiguan = make_unit("jiguan", UnitKind.BRANCH, bureau, "Jiguan branch")
        cujin = make_unit("cujin", UnitKind.BRANCH, bureau, "Cujin branch")
        group = make_unit("jiguan-g1", UnitKind.GROUP, jiguan, "Jiguan group 1")
        office = Department(name="Office")
        db.session.add(office)
        sec_person = make_person(
            "J001", "Secretary J", jiguan, MembershipRole.SECRETARY, department=office
        )
        member_person = make_person("J002", "Member J", jiguan, department=office)
        grouped = make_person("J003", "Grouped J", group)
        other_sec_person = make_person("C001", "Secretary C", cujin, MembershipRole.SECRETARY)
        cujin_member = make_person("C002", "Member C", cujin)
        make_user("admin", Role.ADMIN)
        make_user("secretary", Role.SECRETARY, sec_person, [jiguan])
        make_user("secretary2", Role.SECRETARY, other_sec_person, [cujin])
        make_user("member", Role.MEMBER, member_person)
        db.session.commit()
        return {
            "bureau": bureau.id,
            "dangzu": dangzu.id,
            "jiguan": jiguan.id,
            "cujin": cujin.id,
            "group": group.id,
            "office": office.id,
            "sec_person": sec_person.id,
            "member_person": member_person.id,
            "grouped": grouped.id,
            "cujin_member": cujin_member.id,
            "other_sec_person": other_sec_person.id,
        }


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "needs(*flags): skip for a family whose capability flag (qr, make_up, …) is off"
    )


@pytest.fixture(params=registered(), ids=lambda family: family.key.value)
def family(request: pytest.FixtureRequest) -> Family:
    """Each registered activity family in turn; a test marked ``needs("qr")`` skips a family
    without QR check-in."""
    marker = request.node.get_closest_marker("needs")
    for flag in marker.args if marker else ():
        if not getattr(request.param, flag):
            pytest.skip(f"the {request.param.key.value} family has no {flag}")
    return request.param


# Who each branch of the world expects at a meeting: its Party members and its 党小组's.
_EXPECTED = {
    "jiguan": ("sec_person", "member_person", "grouped"),
    "cujin": ("other_sec_person", "cujin_member"),
}


@pytest.fixture
def new_activity(app: Flask, world: dict[str, Any], family: Family) -> Callable[..., int]:
    """``new_activity(start_in, hours=2, title=…, unit="jiguan")``: the id of a new activity of
    the test's family in that branch, starting ``start_in`` from now, created by the branch's
    secretary through the family's own ``create``, with the branch's Party members expected."""
    assert family.create is not None, f"the {family.key.value} family registers no create"
    create = family.create

    def make(
        start_in: timedelta, hours: float = 2, title: str = "Branch meeting", unit: str = "jiguan"
    ) -> int:
        with app.app_context():
            secretary = db.session.scalar(sa.select(User).where(User.username == "secretary"))
            start = utcnow() + start_in
            activity = create(
                {
                    "title": title,
                    "unit": db.session.get(OrgUnit, world[unit]),
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=hours),
                    "late_reason": "paper record",
                },
                secretary,
            )
            set_expected(activity, {world[key] for key in _EXPECTED[unit]})
            db.session.commit()
            return activity.id

    return make
