"""Signed-in test clients of an app, through the real login form, and a statement counter."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.demo.people import DEMO_PASSWORD as PASSWORD
from app.extensions import db

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# What the connection does on its own, not what the page asks.
HOUSEKEEPING = ("PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")


@dataclass
class Statements:
    """The statements (with parameters) issued while counting."""

    executed: list[tuple[str, object]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.executed)

    @property
    def statements(self) -> list[str]:
        """The statements' text, without their parameters."""
        return [statement for statement, _ in self.executed]


@contextmanager
def counting(app: Flask) -> Iterator[Statements]:
    """Every statement the app's engine sends while the block runs."""
    seen = Statements()

    def before(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        if not statement.lstrip().upper().startswith(HOUSEKEEPING):
            seen.executed.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def signed_in(app: Flask, username: str, password: str = PASSWORD) -> FlaskClient:
    """A browser preferring Chinese (the bureau's language), signed in by posting the form."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    match = TOKEN.search(client.get("/auth/login").get_data(as_text=True))
    if match is None:
        raise RuntimeError("the login page carries no CSRF token")
    answer = client.post(
        "/auth/login",
        data={"username": username, "password": password, "csrf_token": match.group(1)},
    )
    if answer.status_code != 302:
        raise RuntimeError(f"{username} could not sign in ({answer.status_code})")
    return client
