"""Sign-in, throttling, forced password change, CSRF, cookies, headers and the language choice."""

from datetime import timedelta

import sqlalchemy as sa
from conftest import PASSWORD, csrf_token, make_user

from app.audit.models import AuditLog
from app.auth.models import LoginAttempt, Role, User
from app.extensions import db
from app.people.models import Person


def audit_actions(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.action == action)
        )


def test_login_with_right_password_reaches_dashboard(client, auth, world):
    response = auth.login("member")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Member J" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_and_audited(client, auth, app, world):
    response = auth.login("member", "wrong-password")
    assert response.status_code == 422
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert audit_actions(app, "login_failed") == 1
    assert client.get("/").status_code == 302  # still anonymous


def test_unknown_username_fails_like_a_wrong_password(client, auth, app, world):
    response = auth.login("nobody", "whatever-1")
    assert response.status_code == 422
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert audit_actions(app, "login_failed") == 1


def test_five_failures_lock_the_account_for_fifteen_minutes(client, auth, app, world):
    for _ in range(4):
        assert auth.login("member", "wrong-password").status_code == 422
    fifth = auth.login("member", "wrong-password")
    assert fifth.status_code == 429
    assert "locked" in fifth.get_data(as_text=True)
    # Even the right password is refused while the lock holds.
    refused = auth.login("member", PASSWORD)
    assert refused.status_code == 429
    assert client.get("/").status_code == 302
    assert audit_actions(app, "login_failed") == 5
    assert audit_actions(app, "login_locked") == 1
    assert audit_actions(app, "login_refused") == 1
    # Other accounts are not affected.
    assert auth.login("secretary").status_code == 302


def test_lock_expires_after_fifteen_minutes(client, auth, app, world):
    for _ in range(5):
        auth.login("member", "wrong-password")
    with app.app_context():
        # Age every attempt by 16 minutes, as if the time had passed.
        for attempt in db.session.scalars(sa.select(LoginAttempt)):
            attempt.at = attempt.at - timedelta(minutes=16)
        db.session.commit()
    assert auth.login("member").status_code == 302


def test_lock_is_kept_in_the_database_across_processes(app, world, tmp_path):
    """A second app (another worker process) sees the lock the first one recorded."""
    from app import create_app

    second = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        }
    )
    first_client, second_client = app.test_client(), second.test_client()
    for _ in range(5):
        token = csrf_token(first_client)
        first_client.post(
            "/auth/login",
            data={"username": "member", "password": "nope-nope", "csrf_token": token},
        )
    token = csrf_token(second_client)
    response = second_client.post(
        "/auth/login", data={"username": "member", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    with second.app_context():
        db.engine.dispose()


def test_initial_password_must_be_changed_first(client, auth, app, world):
    with app.app_context():
        person = db.session.scalar(sa.select(Person).where(Person.code == "J003"))
        make_user("fresh", Role.MEMBER, person, must_change=True)
        db.session.commit()
    response = auth.login("fresh")
    assert response.headers["Location"] == "/auth/password"
    # Every other page sends the user back to the password form.
    assert client.get("/").headers["Location"] == "/auth/password"
    assert client.get(f"/members/{world['grouped']}").headers["Location"] == "/auth/password"
    htmx = client.get("/", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/auth/password"
    token = auth.token("/auth/password")
    same = client.post(
        "/auth/password",
        data={"current": PASSWORD, "new": PASSWORD, "confirm": PASSWORD, "csrf_token": token},
    )
    assert same.status_code == 422
    changed = client.post(
        "/auth/password",
        data={
            "current": PASSWORD,
            "new": "a-better-one-7",
            "confirm": "a-better-one-7",
            "csrf_token": token,
        },
    )
    assert changed.status_code == 303
    assert client.get("/").status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "fresh"))
        assert not user.must_change_password
        assert user.check_password("a-better-one-7")
        # The audit row notes the change without the hash.
        rows = db.session.scalars(
            sa.select(AuditLog).where(
                AuditLog.record_type == "account", AuditLog.action == "update"
            )
        ).all()
        changed_rows = [r for r in rows if "password_hash" in r.changes]
        assert len(changed_rows) == 1
        assert changed_rows[0].changes["password_hash"] == ["******", "******"]
        assert changed_rows[0].changes["must_change_password"] == [True, False]


def test_password_change_checks_current_password(client, auth, world):
    auth.login("member")
    token = auth.token("/auth/password")
    response = client.post(
        "/auth/password",
        data={
            "current": "wrong",
            "new": "new-pass-123",
            "confirm": "new-pass-123",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "current password is wrong" in response.get_data(as_text=True)


def test_logout_clears_the_session(client, auth, world):
    auth.login("member")
    assert client.get("/").status_code == 200
    response = auth.logout()
    assert response.status_code == 303
    assert client.get("/").status_code == 302


def test_logout_needs_post_with_csrf(client, auth, world):
    auth.login("member")
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_session_cookie_flags(client, world):
    token = csrf_token(client)
    response = client.post(
        "/auth/login", data={"username": "member", "password": PASSWORD, "csrf_token": token}
    )
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookie_when_configured(tmp_path, app):
    from app import create_app

    secure = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SESSION_COOKIE_SECURE": True,
        }
    )
    client = secure.test_client()
    client.get("/auth/login")
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    assert secure.config["REMEMBER_COOKIE_SECURE"] is True


def test_login_form_without_csrf_is_refused(client, world):
    response = client.post("/auth/login", data={"username": "member", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_htmx_post_needs_the_csrf_header(client, auth, app, world):
    auth.login("member")
    token = auth.token("/")
    headers = {"HX-Request": "true"}
    refused = client.post("/auth/language/en", headers=headers)
    assert refused.status_code == 400
    assert refused.headers["HX-Reswap"] == "none"
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale).where(User.username == "member")) is None
    accepted = client.post("/auth/language/en", headers={**headers, "X-CSRFToken": token})
    assert accepted.status_code == 204
    with app.app_context():
        assert db.session.scalar(sa.select(User.locale).where(User.username == "member")) == "en"


def test_language_choice_is_remembered_per_user(client, auth, world):
    auth.login("member")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page  # zh_CN is the default
    assert "退出登录" in page
    client.post("/auth/language/en", data={"csrf_token": auth.token("/"), "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign out" in page
    auth.logout()
    auth.login("member")  # a new session: the choice comes from the account
    assert "Sign out" in client.get("/").get_data(as_text=True)


def test_language_redirect_stays_on_site(client, auth, world):
    auth.login("member")
    response = client.post(
        "/auth/language/en", data={"csrf_token": auth.token("/"), "next": "//evil.example/x"}
    )
    assert response.headers["Location"] == "/"


def test_login_next_parameter_cannot_leave_the_site(client, world):
    token = csrf_token(client)
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={"username": "member", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


def test_pages_carry_no_inline_script_or_style(client, auth, world):
    auth.login("admin")
    for url in ("/", "/members/", f"/members/{world['member_person']}", "/auth/password"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html
        assert " style=" not in html
        assert "hx-on" not in html
        assert "://cdn" not in html


def test_deactivated_account_cannot_sign_in(client, auth, app, world):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "member"))
        user.active = False
        db.session.commit()
    assert auth.login("member").status_code == 422


def test_secret_key_is_generated_into_the_instance_folder(tmp_path, monkeypatch):
    import os
    import stat

    from app.config import ensure_secret_key

    key = ensure_secret_key(str(tmp_path))
    path = tmp_path / "secret_key"
    assert len(key) >= 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ensure_secret_key(str(tmp_path)) == key
