"""The dashboard and the health check."""

import sqlalchemy as sa
from flask import Blueprint, jsonify
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from app.auth.models import Role, User
from app.extensions import db
from app.htmx import render_page
from app.people.models import Membership, PartyStatus, Person
from app.people.services import STATE_CURRENT, RosterFilters, roster_query
from app.types import local_today

bp = Blueprint("main", __name__)


@bp.route("/healthz")
def healthz() -> Response:
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")


def roster_counts(user: User) -> dict[PartyStatus, int]:
    """People currently on the user's roster, by party status (one grouped query)."""
    current = roster_query(user, RosterFilters(state=STATE_CURRENT)).subquery()
    rows = db.session.execute(
        sa.select(current.c.party_status, sa.func.count()).group_by(current.c.party_status)
    ).all()
    counts = {status: 0 for status in PartyStatus}
    for status, count in rows:
        counts[PartyStatus(status)] = count
    return counts


@bp.route("/")
@login_required
def index() -> Response:
    today = local_today()
    memberships: list[Membership] = []
    if current_user.person_id is not None:
        person = db.session.scalar(
            sa.select(Person)
            .where(Person.id == current_user.person_id)
            .options(selectinload(Person.memberships).joinedload(Membership.unit))
        )
        memberships = person.current_memberships(today) if person else []
    counts = None
    if current_user.role is not Role.MEMBER:
        counts = roster_counts(current_user)
    scope_units = []
    if current_user.role is Role.SECRETARY:
        scope_units = current_user.units
    return render_page(
        "main/dashboard.html",
        memberships=memberships,
        scope_units=scope_units,
        counts=counts,
        statuses=PartyStatus,
        Role=Role,
    )
