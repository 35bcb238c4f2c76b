"""flask users create and the demo command."""

import sqlalchemy as sa

from app.auth.models import Role, User
from app.extensions import db
from app.people.models import Membership, OrgUnit, Person


def test_users_create_for_existing_person(runner, app, world, client, auth):
    result = runner.invoke(
        args=[
            "users", "create", "--username", "Newsec", "--role", "secretary",
            "--unit", "cujin", "--person-code", "C002", "--password", "initial-pass-1",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "newsec"))
        assert user.role is Role.SECRETARY
        assert [u.code for u in user.units] == ["cujin"]
        assert user.person.code == "C002"
        assert user.must_change_password
    response = auth.login("newsec", "initial-pass-1")
    assert response.headers["Location"] == "/auth/password"


def test_users_create_new_person_prompts_for_password(runner, app, world):
    result = runner.invoke(
        args=["users", "create", "--username", "office", "--role", "admin", "--name", "办公室"],
        input="a-secret-pass\na-secret-pass\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "office"))
        assert user.person.name == "办公室"
        assert user.check_password("a-secret-pass")


def test_users_create_refuses_bad_input(runner, app, world):
    cases = [
        ["--username", "x1", "--role", "secretary", "--password", "long-enough-1"],
        ["--username", "x2", "--role", "member", "--password", "long-enough-1"],
        [
            "--username",
            "x3",
            "--role",
            "member",
            "--person-code",
            "NOPE",
            "--password",
            "long-enough-1",
        ],
        [
            "--username",
            "x4",
            "--role",
            "secretary",
            "--unit",
            "nope",
            "--password",
            "long-enough-1",
        ],
        ["--username", "x5", "--role", "member", "--person-code", "C002", "--password", "short"],
        ["--username", "admin", "--role", "admin", "--password", "long-enough-1"],
        [
            "--username",
            "x6",
            "--role",
            "member",
            "--person-code",
            "J002",
            "--password",
            "long-enough-1",
        ],
    ]
    for args in cases:
        result = runner.invoke(args=["users", "create", *args])
        assert result.exit_code != 0, args
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 4


def test_demo_builds_the_seed_bureau(runner, app, auth, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for login in ("admin", "secretary", "secretary2", "member"):
        assert login in result.output
    with app.app_context():
        codes = set(db.session.scalars(sa.select(OrgUnit.code)))
        assert {"bureau", "dangzu", "jiguan", "cujin"} <= codes
        bureau = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == "bureau"))
        assert bureau.parent_id is None
        for code in ("dangzu", "jiguan", "cujin"):
            unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))
            assert unit.parent_id == bureau.id  # the 党组 and the branches are siblings
        assert 25 <= db.session.scalar(sa.select(sa.func.count()).select_from(Person)) <= 40
        leaders = db.session.scalars(
            sa.select(Person.post).join(Membership).join(OrgUnit).where(OrgUnit.code == "dangzu")
        ).all()
        assert len(leaders) == 3
        users = {u.username: u for u in db.session.scalars(sa.select(User))}
        assert not any(u.must_change_password for u in users.values())
        assert [u.code for u in users["secretary"].units] == ["jiguan"]
        assert [u.code for u in users["secretary2"].units] == ["cujin"]
    for login in ("admin", "secretary", "secretary2", "member"):
        assert auth.login(login, "demo-password").headers["Location"] == "/"
        assert client.get("/").status_code == 200
        auth.logout()
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0
    assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0
    assert runner.invoke(args=["demo", "--reset"]).exit_code == 0
