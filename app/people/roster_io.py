"""Roster import (XLSX, checked row by row, confirmed) and export."""

from flask import abort
from werkzeug.wrappers import Response

from app.auth.models import Role
from app.auth.policy import role_required
from app.people.views import bp


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def import_roster() -> Response:
    abort(404)


@bp.route("/export")
@role_required(Role.ADMIN, Role.SECRETARY)
def export() -> Response:
    abort(404)
