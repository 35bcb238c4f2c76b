"""The admin blueprint, its overview page and what its pages share."""

from typing import Any

import sqlalchemy as sa
from flask import Blueprint
from werkzeug.wrappers import Response

from app import settings
from app.auth.models import Role, User
from app.auth.policy import role_required
from app.extensions import db
from app.forms import BaseForm
from app.htmx import render_page
from app.people.models import Membership, OrgUnit
from app.types import local_today

bp = Blueprint("admin", __name__)


def committed() -> bool:
    """Commit; False when a unique value was taken by a concurrent request since the check."""
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return False
    return True


def apply_errors(form: BaseForm, errors: dict[str, Any]) -> None:
    for name, message in errors.items():
        getattr(form, name).errors.append(message)


def _count(column: sa.ColumnElement, *conditions: sa.ColumnElement[bool]) -> sa.ScalarSelect:
    return sa.select(sa.func.count(column)).where(*conditions).scalar_subquery()


@bp.route("/")
@role_required(Role.ADMIN)
def index() -> Response:
    today = local_today()
    counts = db.session.execute(
        sa.select(
            _count(OrgUnit.id, OrgUnit.deleted_at.is_(None)).label("units"),
            _count(OrgUnit.id, OrgUnit.deleted_at.is_not(None)).label("units_deactivated"),
            _count(Membership.id, Membership.on_date(today)).label("memberships"),
            _count(User.id, User.active.is_(True)).label("accounts"),
            _count(User.id, User.active.is_(False)).label("accounts_inactive"),
        )
    ).one()
    changed = sum(
        1 for key, value in settings.all_values().items() if value != settings.REGISTRY[key].default
    )
    return render_page(
        "admin/index.html",
        counts=counts,
        settings_changed=changed,
        settings_total=len(settings.REGISTRY),
    )
