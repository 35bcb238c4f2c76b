"""Org units, memberships, accounts and settings (admin only)."""

from flask import Blueprint, abort
from werkzeug.wrappers import Response

from app.auth.models import Role
from app.auth.policy import role_required
from app.htmx import render_page

bp = Blueprint("admin", __name__)


@bp.route("/")
@role_required(Role.ADMIN)
def index() -> Response:
    return render_page("admin/index.html")


@bp.route("/accounts/<int:account_id>")
@role_required(Role.ADMIN)
def account_edit(account_id: int) -> Response:
    abort(404)
