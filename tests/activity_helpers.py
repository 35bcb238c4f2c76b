"""What the specifications of every activity family share: htmx headers, posting a form with its
CSRF token, a participation row, an activity's counts and its page's address."""

import sqlalchemy as sa
from conftest import csrf_token
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.activities.families import show_url
from app.activities.models import Activity, Participation
from app.auth.models import User
from app.extensions import db
from app.reports import figures

HX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def row_of(app: Flask, activity_id: int, username: str) -> Participation:
    with app.app_context():
        person_id = db.session.scalar(sa.select(User.person_id).where(User.username == username))
        row = db.session.scalar(
            sa.select(Participation).where(
                Participation.activity_id == activity_id, Participation.person_id == person_id
            )
        )
        db.session.expunge(row)
        return row


def counts(app: Flask, activity_id: int) -> figures.Counts:
    with app.app_context():
        return figures.counts_for(db.session.get(Activity, activity_id))


def post(
    client: FlaskClient, url: str, data: dict | None = None, headers: dict | None = None
) -> TestResponse:
    payload = {"csrf_token": csrf_token(client, "/auth/password"), **(data or {})}
    return client.post(url, data=payload, headers=headers or {})


def page_of(app: Flask, activity_id: int) -> str:
    """The activity's own page, wherever its family keeps it."""
    with app.test_request_context():
        return show_url(db.session.get(Activity, activity_id))
