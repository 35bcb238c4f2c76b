"""Sign-in throttling and password rules."""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import LoginAttempt, User
from app.extensions import db
from app.types import utcnow

SUCCESS, FAILURE, LOCKED, REFUSED = "success", "failure", "locked", "refused"
MIN_PASSWORD_LENGTH = 8
# No 0/O/o, 1/l/I: an initial password is read aloud or copied from paper.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def locked_until(username: str, now: datetime | None = None) -> datetime | None:
    """When the account's lock ends, if one is in force."""
    now = now or utcnow()
    started = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.outcome == LOCKED
        )
    )
    if started is not None and started + _window() > now:
        return started + _window()
    return None


def _since(username: str, now: datetime) -> datetime:
    """Failures count from the window's start, or from a later successful sign-in.

    A lock's own start resets nothing: attempts that slipped past the lock check while it was
    being set keep counting from the window's start, and so stay over the limit; once the lock
    has run out, the failures that caused it have left the window."""
    reset = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.outcome == SUCCESS,
            LoginAttempt.at <= now,
        )
    )
    since = now - _window()
    return reset if reset is not None and reset > since else since


def reserve_attempt(username: str, remote_addr: str | None) -> LoginAttempt:
    """Records the attempt as a failure *before* the password is checked, so that parallel
    requests see each other; the view commits it, then asks for its place."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Attempts on one username take turns until their reservation commits, so that ids are
        # committed in order and counting "the attempts before mine" is exact. (SQLite writes
        # one transaction at a time already.)
        db.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"login:{username}"}
        )
    attempt = LoginAttempt(username=username, at=utcnow(), outcome=FAILURE, remote_addr=remote_addr)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def place_of(attempt: LoginAttempt) -> int:
    """1 for the first failure in the window, N for the Nth: counting only attempts reserved
    before this one, so of many parallel attempts exactly the first N are checked."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            LoginAttempt.username == attempt.username,
            # Refused attempts keep their place, or a later one would move up into the limit.
            LoginAttempt.outcome.in_((FAILURE, REFUSED)),
            LoginAttempt.at > _since(attempt.username, attempt.at),
            LoginAttempt.id <= attempt.id,
        )
    )


def max_failures() -> int:
    return int(current_app.config["LOGIN_MAX_FAILURES"])


def start_lock(attempt: LoginAttempt) -> None:
    db.session.add(
        LoginAttempt(
            username=attempt.username,
            at=utcnow(),
            outcome=LOCKED,
            remote_addr=attempt.remote_addr,
        )
    )


_dummy_hashes: dict[str, str] = {}


def password_matches(user: User | None, password: str) -> bool:
    """Checks the password; an unknown or inactive account costs the same hashing time, so the
    answer's timing does not tell which usernames exist."""
    if user is None or not user.is_active:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        if method not in _dummy_hashes:
            _dummy_hashes[method] = generate_password_hash("not-a-password", method=method)
        check_password_hash(_dummy_hashes[method], password)
        return False
    return user.check_password(password)


def normalise_username(raw: str) -> str:
    return (raw or "").strip().lower()


def generate_password(groups: int = 3, size: int = 4) -> str:
    """An initial password such as ``k7Rm-Px2a-9dQe``: easy to read out, must be changed at the
    first sign-in. It always mixes digits, lower and upper case, as password rules often ask."""
    while True:
        password = "-".join(
            "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(size)) for _ in range(groups)
        )
        if (
            any(c.isdigit() for c in password)
            and any(c.islower() for c in password)
            and any(c.isupper() for c in password)
        ):
            return password
