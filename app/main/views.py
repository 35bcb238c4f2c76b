"""The dashboard and the health check."""

import sqlalchemy as sa
from flask import Blueprint, jsonify
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.auth.models import Role
from app.extensions import db
from app.htmx import render_page
from app.people.models import Membership, OrgUnit

bp = Blueprint("main", __name__)


@bp.route("/healthz")
def healthz() -> Response:
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")


@bp.route("/")
@login_required
def index() -> Response:
    memberships: list[Membership] = []
    if current_user.person_id is not None:
        memberships = [m for m in current_user.person.current_memberships()]
    units: list[OrgUnit] = list(current_user.units) if current_user.role is Role.SECRETARY else []
    return render_page("main/dashboard.html", memberships=memberships, scope_units=units, Role=Role)
