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
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")  # no preference: zh_CN is the default
    auth.login("member")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page  # zh_CN is the default
    assert "退出登录" in page
    client.post("/auth/language/en", data={"csrf_token": auth.token("/"), "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign out" in page
    auth.logout()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    auth.login("member")  # a new session: the choice comes from the account, not the browser
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


def test_browser_language_is_used_before_a_choice(client, world):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9,en;q=0.8"
    assert "登录" in client.get("/auth/login").get_data(as_text=True)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    assert "Sign in" in client.get("/auth/login").get_data(as_text=True)


def test_catalogs_are_complete(tmp_path):
    """Every message in the code has a translation in zh_CN and en; none is fuzzy or empty."""
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    project = Path(__file__).resolve().parent.parent
    root = project / "app" / "translations"
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(extracted), "."],
        cwd=project, check=True, capture_output=True,
    )  # fmt: skip
    template = read_po(extracted.open("rb"))
    expected = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    for locale in ("zh_Hans_CN", "en"):
        catalog = read_po((root / locale / "LC_MESSAGES" / "messages.po").open("rb"))
        found = {}
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            strings = (
                message.string if isinstance(message.string, tuple | list) else [message.string]
            )
            found[key] = all(strings) and not message.fuzzy
        assert expected <= set(found), (locale, sorted(expected - set(found))[:10])
        assert all(found[key] for key in expected), (
            locale,
            [k for k in expected if not found[k]][:10],
        )


def test_parallel_attempts_cannot_exceed_the_limit(app, world):
    """Many simultaneous wrong passwords: only the first five are checked, the rest refused."""
    import threading

    clients = [app.test_client() for _ in range(12)]
    tokens = [csrf_token(c) for c in clients]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def attempt(client, token) -> None:
        barrier.wait()
        response = client.post(
            "/auth/login",
            data={"username": "member", "password": "wrong-guess", "csrf_token": token},
        )
        statuses.append(response.status_code)

    pairs = zip(clients, tokens, strict=True)
    threads = [threading.Thread(target=attempt, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        outcomes = db.session.scalars(
            sa.select(LoginAttempt.outcome).where(LoginAttempt.username == "member")
        ).all()
    assert outcomes.count("failure") == 5
    assert outcomes.count("refused") == 7
    assert statuses.count(422) == 4
    assert statuses.count(429) == 8


def test_unknown_username_takes_as_long_as_a_wrong_password(app, world):
    """Both answers hash a password, so timing does not reveal which usernames exist."""
    from unittest import mock

    from werkzeug import security

    calls = []
    real = security.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(pwhash)
        return real(pwhash, password)

    with (
        mock.patch("app.auth.services.check_password_hash", counting),
        mock.patch("app.auth.models.check_password_hash", counting),
    ):
        client = app.test_client()
        for username in ("member", "nobody-here"):
            client.post(
                "/auth/login",
                data={
                    "username": username,
                    "password": "x-wrong-1",
                    "csrf_token": csrf_token(client),
                },
            )
    assert len(calls) == 2


def test_workers_starting_together_share_one_secret_key(tmp_path):
    """Processes generating the key at the same moment all end up with the same, full key."""
    import subprocess
    import sys

    script = (
        "import sys; from app.config import ensure_secret_key; "
        "print(ensure_secret_key(sys.argv[1]))"
    )
    for trial in range(3):
        folder = tmp_path / f"instance-{trial}"
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(folder)], stdout=subprocess.PIPE, text=True
            )
            for _ in range(6)
        ]
        keys = {worker.communicate()[0].strip() for worker in workers}
        assert len(keys) == 1
        assert len(keys.pop()) == 64


def _second_browser(app, client):
    """Another browser holding a copy of the first one's session cookie."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    other.set_cookie("session", cookie.value)
    return other


def test_signing_out_ends_copies_of_the_session(app, client, auth, world):
    auth.login("member")
    copy = _second_browser(app, client)
    assert copy.get("/").status_code == 200
    auth.logout()
    assert copy.get("/").status_code == 302
    with app.app_context():
        changes = db.session.scalars(
            sa.select(AuditLog.changes).where(AuditLog.record_type == "account")
        ).all()
        assert not any("session_version" in change for change in changes)


def test_a_new_password_ends_other_sessions_but_not_this_one(app, client, auth, world):
    auth.login("member")
    copy = _second_browser(app, client)
    token = auth.token("/auth/password")
    response = client.post(
        "/auth/password",
        data={
            "current": PASSWORD,
            "new": "brand-new-pass-9",
            "confirm": "brand-new-pass-9",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    assert copy.get("/").status_code == 302


def test_a_tampered_session_id_is_refused(app, client, auth, world):
    from flask.sessions import SecureCookieSessionInterface

    auth.login("member")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    data = serializer.loads(client.get_cookie("session").value)
    for forged in ("1", "1:x", "abc:0"):
        forged_client = app.test_client()
        forged_client.set_cookie("session", serializer.dumps({**data, "_user_id": forged}))
        assert forged_client.get("/").status_code == 302, forged


def test_signing_in_and_choosing_a_language_leave_the_audit_trail_alone(client, auth, app, world):
    """The trail keeps changes people review; sign-ins and language switches are not among them."""
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    auth.login("member")
    client.post("/auth/language/en", data={"csrf_token": auth.token("/"), "next": "/"})
    auth.logout()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == before


def _session_data(app, client) -> tuple[dict, object]:
    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.loads(client.get_cookie("session").value), serializer


def _signed_in_hours_ago(app, client, hours: float) -> None:
    """The browser's session as it would be had the sign-in happened ``hours`` ago."""
    from app.types import utcnow

    data, serializer = _session_data(app, client)
    with app.app_context():
        signed_in_at = int((utcnow() - timedelta(hours=hours)).timestamp())
    client.set_cookie("session", serializer.dumps({**data, "signed_in_at": signed_in_at}))


def test_a_session_ends_twelve_hours_after_sign_in_however_active(app, client, auth, world):
    auth.login("member")
    signed_in_at = _session_data(app, client)[0]["signed_in_at"]
    # Activity signs the cookie anew (a flashed message, a language choice): the sign-in time
    # it carries stays the first one.
    client.post("/auth/language/en", data={"csrf_token": auth.token("/"), "next": "/"})
    assert client.get("/").status_code == 200
    assert _session_data(app, client)[0]["signed_in_at"] == signed_in_at
    _signed_in_hours_ago(app, client, 11.9)
    assert client.get("/").status_code == 200
    _signed_in_hours_ago(app, client, 12.01)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    # The refused session is forgotten, not merely refused once.
    assert "_user_id" not in _session_data(app, client)[0]
    assert client.get("/").status_code == 302
    # Signing in again starts a new twelve hours.
    assert auth.login("member").status_code == 302
    assert client.get("/").status_code == 200


def test_a_session_without_a_sign_in_time_is_refused(app, client, auth, world):
    auth.login("member")
    data, serializer = _session_data(app, client)
    data.pop("signed_in_at")
    client.set_cookie("session", serializer.dumps(data))
    assert client.get("/").status_code == 302


def from_address(app, addr: str):
    """A browser at another address (no proxy in front: REMOTE_ADDR is the client's)."""
    browser = app.test_client()
    browser.environ_base.update({"REMOTE_ADDR": addr, "HTTP_ACCEPT_LANGUAGE": "en"})
    return browser


def sign_in(browser, username: str, password: str = PASSWORD):
    return browser.post(
        "/auth/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(browser)},
    )


def age_attempts(app, delta: timedelta) -> None:
    with app.app_context():
        for attempt in db.session.scalars(sa.select(LoginAttempt)):
            attempt.at = attempt.at - delta
        db.session.commit()


def test_a_lock_holds_only_for_the_address_that_caused_it(app, auth, world):
    """A guesser elsewhere cannot lock the owner out: the owner signs in from their own desk."""
    guesser, desk = from_address(app, "10.0.0.66"), from_address(app, "10.0.0.7")
    for _ in range(4):
        assert sign_in(guesser, "member", "wrong-password").status_code == 422
    fifth = sign_in(guesser, "member", "wrong-password")
    assert fifth.status_code == 429
    assert "from your network address is locked" in fifth.get_data(as_text=True)
    assert int(fifth.headers["Retry-After"]) == 15 * 60
    assert sign_in(guesser, "member").status_code == 429  # the right password too
    assert sign_in(desk, "member").status_code == 302
    assert audit_actions(app, "login_locked") == 1
    with app.app_context():
        locks = db.session.execute(
            sa.select(LoginAttempt.username, LoginAttempt.remote_addr).where(
                LoginAttempt.outcome == "locked"
            )
        ).all()
    assert locks == [("member", "10.0.0.66")]


def test_an_address_failing_on_ten_usernames_is_refused_for_fifteen_minutes(app, world):
    sprayer, elsewhere = from_address(app, "10.0.0.66"), from_address(app, "10.0.0.7")
    names = ["member", "admin", "secretary2"] + [f"guess{n}" for n in range(7)]
    statuses = [sign_in(sprayer, name, "Winter2026!").status_code for name in names]
    assert statuses == [422] * 9 + [429]
    # Now every username is refused from that address, unchecked, the right password included.
    refused = sign_in(sprayer, "secretary")
    assert refused.status_code == 429
    assert "from your network address" in refused.get_data(as_text=True)
    assert sign_in(elsewhere, "secretary").status_code == 302
    age_attempts(app, timedelta(minutes=16))
    assert sign_in(sprayer, "secretary").status_code == 302


def test_colleagues_who_mistyped_then_signed_in_do_not_block_their_office(app, world):
    """Behind one office address: a username whose owner then signed in is not a spray."""
    office = from_address(app, "10.0.0.1")
    for name in ("member", "secretary2", "admin"):
        assert sign_in(office, name, "typo-typo").status_code == 422
        assert sign_in(office, name).status_code == 302
        office = from_address(app, "10.0.0.1")  # the next colleague's phone, same address
    for name in [f"guess{n}" for n in range(9)]:
        assert sign_in(office, name, "typo-typo").status_code == 422
    assert sign_in(office, "secretary").status_code == 302  # 9 unexplained, not 12
    office = from_address(app, "10.0.0.1")
    assert sign_in(office, "guess9", "typo-typo").status_code == 429  # the 10th


def failures_on(app, username: str, count: int, latest_seconds_ago: int) -> None:
    """``count`` failures on ``username``, each from its own address, the latest some seconds
    ago and the others a second apart before it."""
    from app.types import utcnow

    with app.app_context():
        now = utcnow()
        db.session.add_all(
            LoginAttempt(
                username=username,
                at=now - timedelta(seconds=latest_seconds_ago + n),
                outcome="failure",
                remote_addr=f"198.51.100.{n % 250}",
            )
            for n in range(count)
        )
        db.session.commit()


def clear_attempts(app) -> None:
    with app.app_context():
        db.session.execute(sa.delete(LoginAttempt))
        db.session.commit()


def test_an_account_failing_from_everywhere_waits_longer_each_time_but_is_never_locked(app, world):
    owner = from_address(app, "10.0.0.7")
    # Fifty failures from thirteen addresses, none reaching its own limit: all checked.
    for n in range(50):
        guesser = from_address(app, f"10.0.1.{n // 4}")
        assert sign_in(guesser, "member", f"guess-{n}").status_code == 422, n
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 50
    clear_attempts(app)
    # Below the cap, no wait.
    failures_on(app, "member", 49, latest_seconds_ago=0)
    assert sign_in(owner, "member").status_code == 302
    # 50 failures: 1 s after the latest; 54: 16 s; 55: 32 s; never more than a minute.
    for count, ago, answer in ((54, 20, 302), (55, 20, 429), (400, 61, 302)):
        clear_attempts(app)
        failures_on(app, "member", count, latest_seconds_ago=ago)
        response = sign_in(from_address(app, "10.0.0.7"), "member")
        assert response.status_code == answer, count
        if answer == 429:
            assert "Wait" in response.get_data(as_text=True)
            assert 1 <= int(response.headers["Retry-After"]) <= 12
            with app.app_context():  # refused before being recorded
                total = db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt))
                assert total == count
            # Not a lock: once the wait is over, the owner signs in.
            age_attempts(app, timedelta(seconds=13))
            assert sign_in(from_address(app, "10.0.0.7"), "member").status_code == 302


def test_the_client_address_comes_through_the_trusted_proxies_only(app, world):
    from app import create_app

    def recorded_addresses(application) -> list[str]:
        with application.app_context():
            return db.session.scalars(
                sa.select(LoginAttempt.remote_addr).order_by(LoginAttempt.id)
            ).all()

    # No proxy trusted: a forged X-Forwarded-For changes nothing, so it cannot dodge a lock.
    browser = app.test_client()
    for n in range(5):
        browser.post(
            "/auth/login",
            data={"username": "member", "password": "nope", "csrf_token": csrf_token(browser)},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        )
    assert recorded_addresses(app) == ["127.0.0.1"] * 5 + ["127.0.0.1"]  # the fifth locked
    clear_attempts(app)
    behind_proxy = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "TRUSTED_PROXIES": 1,
        }
    )
    proxy = behind_proxy.test_client()
    for addr in ("203.0.113.9", "203.0.113.9", "198.51.100.4"):
        proxy.post(
            "/auth/login",
            data={"username": "member", "password": "nope", "csrf_token": csrf_token(proxy)},
            headers={"X-Forwarded-For": addr},
        )
    assert recorded_addresses(behind_proxy) == ["203.0.113.9", "203.0.113.9", "198.51.100.4"]
    with behind_proxy.app_context():
        db.engine.dispose()


def test_attempts_older_than_a_day_are_pruned(app, world):
    from app.types import utcnow

    with app.app_context():
        now = utcnow()
        for hours in (25, 23):
            db.session.add(
                LoginAttempt(
                    username="member",
                    at=now - timedelta(hours=hours),
                    outcome="failure",
                    remote_addr="10.0.0.66",
                )
            )
        db.session.commit()
    assert sign_in(from_address(app, "10.0.0.7"), "member").status_code == 302
    with app.app_context():
        kept = db.session.scalars(sa.select(LoginAttempt.at).order_by(LoginAttempt.at)).all()
        assert len(kept) == 2
        assert now - timedelta(hours=24) < kept[0] < now - timedelta(hours=22)
