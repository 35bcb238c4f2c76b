"""A member's own pledge 承诺践诺: proposed by the member in one of their units, changed by them
while it waits or once returned, decided in the secretary's review queue (``review.py``)."""

import sqlalchemy as sa
from flask import Response, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.policy import require, require_role
from app.extensions import db
from app.htmx import form_status, render_page, saved
from app.people.models import Membership, MembershipRole, OrgUnit
from app.refusals import Refused
from app.types import local_today
from app.volunteer import projects
from app.volunteer.forms import ProposalForm
from app.volunteer.loading import bp, load
from app.volunteer.models import Project


def _own_units() -> list[OrgUnit]:
    """The units the user's person belongs to today, other than as staff."""
    if current_user.person_id is None:
        return []
    today = local_today()
    stmt = (
        sa.select(OrgUnit)
        .join(Membership, Membership.unit_id == OrgUnit.id)
        .where(
            Membership.person_id == current_user.person_id,
            Membership.on_date(today),
            Membership.role != MembershipRole.STAFF,
            OrgUnit.deleted_at.is_(None),
        )
        .order_by(OrgUnit.sort_key)
        .distinct()
    )
    return list(db.session.scalars(stmt))


def _page(form: ProposalForm, project: Project | None, error: str = "") -> Response:
    status = 422 if error else form_status()
    context = {"form": form, "project": project, "error": error}
    return render_page("volunteer/propose.html", status=status, **context)


@bp.route("/propose", methods=["GET", "POST"])
@login_required
def propose() -> Response:
    units = _own_units()
    require_role(bool(units))
    form = ProposalForm()
    form.offer(units)
    if form.is_submitted() is False:
        form.planned_start.data = local_today()
    if form.validate_on_submit():
        unit = next((u for u in units if u.id == form.unit_id.data), None)
        require(unit is not None)
        try:
            project = projects.propose(form.values(), unit, current_user)  # type: ignore[arg-type]
        except Refused as refused:
            db.session.rollback()
            return _page(form, None, str(refused.message))
        message = _(
            "Your pledge %(number)s waits for the secretary's review.", number=project.number
        )
        return saved(message, url_for("volunteer.show", project_id=project.id))
    return _page(form, None)


@bp.route("/<int:project_id>/proposal", methods=["GET", "POST"])
@login_required
def proposal(project_id: int) -> Response:
    """The proposer changes their pledge; a returned one is sent again."""
    project = load(project_id)
    require_role(projects.may_change_proposal(current_user, project))
    form = ProposalForm(obj=project, project=project)
    form.offer([project.unit])
    if not form.is_submitted():
        form.show_record(project)
    if form.validate_on_submit():
        try:
            projects.resubmit(project, form.values())
        except Refused as refused:
            db.session.rollback()
            return _page(form, load(project_id), str(refused.message))
        return saved(
            _("Your pledge waits for the secretary's review."),
            url_for("volunteer.show", project_id=project_id),
        )
    return _page(form, project)
