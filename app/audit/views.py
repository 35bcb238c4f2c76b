"""The audit trail (admin only)."""

from flask import Blueprint
from werkzeug.wrappers import Response

from app.auth.models import Role
from app.auth.policy import role_required
from app.htmx import render_page

bp = Blueprint("audit", __name__)


@bp.route("/")
@role_required(Role.ADMIN)
def index() -> Response:
    return render_page("audit/index.html")
