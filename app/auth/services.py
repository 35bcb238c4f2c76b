"""Sign-in throttling and password rules."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import LoginAttempt
from app.extensions import db
from app.types import utcnow

SUCCESS, FAILURE, LOCKED = "success", "failure", "locked"
MIN_PASSWORD_LENGTH = 8


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


def record_failure(username: str, remote_addr: str | None, now: datetime | None = None) -> bool:
    """Counts a failed attempt; True when it starts a lock (the Nth failure in the window)."""
    now = now or utcnow()
    reset = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.outcome.in_((SUCCESS, LOCKED)),
        )
    )
    since = now - _window()
    if reset is not None and reset > since:
        since = reset
    earlier = db.session.scalar(
        sa.select(sa.func.count()).where(
            LoginAttempt.username == username,
            LoginAttempt.outcome == FAILURE,
            LoginAttempt.at > since,
        )
    )
    db.session.add(
        LoginAttempt(username=username, at=now, outcome=FAILURE, remote_addr=remote_addr)
    )
    if earlier + 1 >= current_app.config["LOGIN_MAX_FAILURES"]:
        db.session.add(
            LoginAttempt(username=username, at=now, outcome=LOCKED, remote_addr=remote_addr)
        )
        return True
    return False


def record_success(username: str, remote_addr: str | None) -> None:
    db.session.add(LoginAttempt(username=username, outcome=SUCCESS, remote_addr=remote_addr))


def normalise_username(raw: str) -> str:
    return (raw or "").strip().lower()
