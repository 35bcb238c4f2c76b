"""Sign-in throttling and password rules."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import LoginAttempt, User
from app.extensions import db
from app.types import utcnow

# An attempt is reserved as a failure and ends as a success, a failure or refused unchecked; a
# lock (this username from this address) and a block (this address) are rows of their own.
SUCCESS, FAILURE, LOCKED, REFUSED = "success", "failure", "locked", "refused"
BLOCKED = "blocked"
# Not stored: an account taking failures from everywhere makes each next attempt wait.
DELAYED = "delayed"
MIN_PASSWORD_LENGTH = 8
# No 0/O/o, 1/l/I: an initial password is read aloud or copied from paper.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # noqa: S105
# Attempts matter for minutes; a day of them is kept for a look at what happened overnight.
KEEP_ATTEMPTS = timedelta(days=1)
UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is not checked, and until when: LOCKED (this username from this address),
    BLOCKED (this address, whatever the username) or DELAYED (this account, from anywhere)."""

    kind: str
    until: datetime


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def client_address(remote_addr: str | None) -> str:
    """The address attempts are counted by: the client's as ProxyFix gives it, so behind a
    reverse proxy TRUSTED_PROXIES must name how many there are (README)."""
    return (remote_addr or UNKNOWN_ADDRESS)[:64]


def _latest(*conditions: sa.ColumnElement[bool]) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(LoginAttempt.at)).where(*conditions))


def _in_force(kind: str, started: datetime | None, now: datetime) -> Refusal | None:
    if started is not None and started + _window() > now:
        return Refusal(kind, started + _window())
    return None


def refusal(username: str, addr: str, now: datetime | None = None) -> Refusal | None:
    """The refusal in force for an attempt on ``username`` from ``addr``, before it is recorded
    (a refused attempt adds no row, so hammering a lock does not grow the table)."""
    now = now or utcnow()
    blocked = _latest(LoginAttempt.remote_addr == addr, LoginAttempt.outcome == BLOCKED)
    locked = _latest(
        LoginAttempt.username == username,
        LoginAttempt.remote_addr == addr,
        LoginAttempt.outcome == LOCKED,
    )
    return (
        _in_force(BLOCKED, blocked, now)
        or _in_force(LOCKED, locked, now)
        or _delay(username, now, None)
    )


def _delay(username: str, now: datetime, before_id: int | None) -> Refusal | None:
    """Past the account's cap, each attempt waits for the previous one, twice as long each time
    up to a ceiling: guessing from many addresses slows to a trickle while the owner, who waits
    seconds, is never locked out. (The wait is refused, not slept, so that nobody can hold the
    server's threads by guessing.)"""
    stmt = sa.select(sa.func.count(), sa.func.max(LoginAttempt.at)).where(
        LoginAttempt.username == username,
        LoginAttempt.outcome == FAILURE,
        LoginAttempt.at > now - _window(),
    )
    if before_id is not None:
        stmt = stmt.where(LoginAttempt.id < before_id)
    failures, latest = db.session.execute(stmt).one()
    over = failures - int(current_app.config["LOGIN_ACCOUNT_MAX_FAILURES"])
    if over < 0:
        return None
    ceiling = int(current_app.config["LOGIN_DELAY_MAX_SECONDS"])
    until = latest + timedelta(seconds=min(ceiling, 2 ** min(over, 30)))
    return Refusal(DELAYED, until) if until > now else None


def reserve_attempt(username: str, addr: str) -> LoginAttempt:
    """Records the attempt as a failure *before* the password is checked, so that parallel
    requests see each other; the view commits it, then asks for its verdict."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Attempts on one username, and attempts from one address, take turns until their
        # reservation commits, so that ids are committed in order and counting "the attempts
        # before mine" is exact. (SQLite writes one transaction at a time already.) Two key
        # spaces: a username never shares a lock with an address.
        for space, key in ((1, username), (2, addr)):
            db.session.execute(
                sa.text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
                {"space": space, "key": key},
            )
    now = utcnow()
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_ATTEMPTS))
    attempt = LoginAttempt(username=username, at=now, outcome=FAILURE, remote_addr=addr)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _pair_place(attempt: LoginAttempt) -> int:
    """1 for the first failure of this username from this address in the window, N for the Nth:
    counting only attempts reserved before this one, so of many parallel attempts exactly the
    first N are checked.

    Failures count from the window's start, or from a later successful sign-in from the same
    address. A lock's own start resets nothing: attempts that slipped past the lock check while
    it was being set keep counting from the window's start, and so stay over the limit; once the
    lock has run out, the failures that caused it have left the window."""
    pair = (
        LoginAttempt.username == attempt.username,
        LoginAttempt.remote_addr == attempt.remote_addr,
    )
    since = attempt.at - _window()
    reset = _latest(*pair, LoginAttempt.outcome == SUCCESS, LoginAttempt.at <= attempt.at)
    if reset is not None and reset > since:
        since = reset
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            *pair,
            # Refused attempts keep their place, or a later one would move up into the limit.
            LoginAttempt.outcome.in_((FAILURE, REFUSED)),
            LoginAttempt.at > since,
            LoginAttempt.id <= attempt.id,
        )
    )


def _usernames_failed_from(attempt: LoginAttempt) -> int:
    """How many usernames this address failed on in the window, up to this attempt. A username
    that then signed in from the address does not count: colleagues behind one office address
    mistyping their own passwords are not a spray."""
    later = aliased(LoginAttempt)
    signed_in_since = (
        sa.select(later.id)
        .where(
            later.username == LoginAttempt.username,
            later.remote_addr == LoginAttempt.remote_addr,
            later.outcome == SUCCESS,
            later.id > LoginAttempt.id,
        )
        .exists()
    )
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(LoginAttempt.username))).where(
            LoginAttempt.remote_addr == attempt.remote_addr,
            LoginAttempt.outcome.in_((FAILURE, REFUSED)),
            LoginAttempt.at > attempt.at - _window(),
            LoginAttempt.id <= attempt.id,
            ~signed_in_since,
        )
    )


def judge(attempt: LoginAttempt) -> Refusal | None:
    """After the reservation is committed: whether the attempt is beyond a limit, counting the
    attempts reserved before it (parallel ones included), and so refused unchecked."""
    until = attempt.at + _window()
    if _usernames_failed_from(attempt) > int(current_app.config["LOGIN_ADDRESS_MAX_USERNAMES"]):
        return Refusal(BLOCKED, until)
    if _pair_place(attempt) > int(current_app.config["LOGIN_MAX_FAILURES"]):
        return Refusal(LOCKED, until)
    return _delay(attempt.username, attempt.at, attempt.id)


def after_failure(attempt: LoginAttempt) -> Refusal | None:
    """A checked wrong password that reaches a limit starts its lock (this username from this
    address) or block (this address)."""
    now = utcnow()
    refusals = []
    if _usernames_failed_from(attempt) >= int(current_app.config["LOGIN_ADDRESS_MAX_USERNAMES"]):
        refusals.append(BLOCKED)
    if _pair_place(attempt) >= int(current_app.config["LOGIN_MAX_FAILURES"]):
        refusals.append(LOCKED)
    for kind in refusals:
        db.session.add(
            LoginAttempt(
                username=attempt.username, at=now, outcome=kind, remote_addr=attempt.remote_addr
            )
        )
    # The block is the wider refusal: it is the one to tell.
    return Refusal(refusals[0], now + _window()) if refusals else None


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
