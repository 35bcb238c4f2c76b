"""Projects 为群众办实事: who keeps and who reads one, its number, its writes and its lifecycle.

The rule: the admins and the secretaries of the lead unit (or above it) keep a project — edit
it, push it forward, close it out or cancel it; its responsible leader and person, and whoever
proposed it, read it. A project moves 未启动 → 推进中 with its first progress entry, → 已办结 with
the completion date and the outcome, → 已销号 with the acceptance of the people served; a
cancelled one (with its reason) counts nowhere and changes no more, and so does one closed out."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.auth.models import Role, User
from app.auth.policy import scope_unit_ids, unit_in_scope
from app.extensions import db
from app.people.models import OrgUnit
from app.refusals import Refused
from app.types import local_today, utcnow
from app.volunteer.models import (
    Acceptance,
    ProgressEntry,
    Project,
    ProjectScope,
    ProjectStatus,
    ProposalState,
)

FIELDS = (
    "name",
    "category_id",
    "source",
    "urgency",
    "scope",
    "leader_id",
    "person_id",
    "beneficiaries",
    "beneficiaries_count",
    "beneficiary_visits",
    "planned_start",
    "planned_end",
    "description",
)
NUMBER_TRIES = 5  # a number taken by a concurrent save is drawn again, this many times


def keeps_project(user: User, project: Project) -> bool:
    """May change the project and everything on it."""
    return user.role is not Role.MEMBER and unit_in_scope(user, project.unit)


def may_view_project(user: User, project: Project) -> bool:
    """Its keepers, its responsible leader and person (a member's pledge: its proposer)."""
    if project.deleted_at is not None:
        return False
    if keeps_project(user, project):
        return True
    return user.person_id is not None and user.person_id in (project.leader_id, project.person_id)


def visible_clause(user: User) -> sa.ColumnElement[bool]:
    """``may_view_project`` in SQL, over live projects."""
    units = scope_unit_ids(user)
    kept = sa.true() if units is None else Project.unit_id.in_(units)
    if user.role is Role.MEMBER:
        kept = sa.false()
    if user.person_id is None:
        return kept
    mine = sa.or_(Project.leader_id == user.person_id, Project.person_id == user.person_id)
    return sa.or_(kept, mine)


def require_open(project: Project) -> None:
    """Refused on a project that no longer changes: cancelled or closed out."""
    if project.cancelled_at is not None:
        raise Refused(_("This project was cancelled: it no longer changes."), status=409)
    if project.status is ProjectStatus.CLOSED:
        raise Refused(_("This project is closed out: it no longer changes."), status=409)


def require_running(project: Project) -> None:
    """A member's pledge moves on once a secretary has approved it."""
    require_open(project)
    if not project.runs:
        raise Refused(_("This pledge waits for a secretary's approval first."), status=409)


def require_not_cancelled(project: Project) -> None:
    """The acceptance's signed form may still arrive after the close-out."""
    if project.cancelled_at is not None:
        raise Refused(_("This project was cancelled: it no longer changes."), status=409)


def may_change_files(user: User, record: Any) -> bool:
    """A project's, a progress entry's or an acceptance's files: the project's keepers."""
    project = record if isinstance(record, Project) else record.project
    return keeps_project(user, project)


def may_view_files(user: User, record: Any) -> bool:
    project = record if isinstance(record, Project) else record.project
    return may_view_project(user, project)


def _next_number(unit: OrgUnit, year: int) -> str:
    """``<year>-<unit code>-<NNN>``: one more than the highest of the unit's year."""
    prefix = f"{year}-{unit.code}-"
    taken = db.session.scalars(
        sa.select(Project.number).where(Project.number.startswith(prefix, autoescape=True))
    ).all()
    serials = [int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()]
    return f"{prefix}{max(serials, default=0) + 1:03d}"


def _taken(number: str) -> bool:
    stmt = sa.select(sa.func.count()).select_from(Project).where(Project.number == number)
    return bool(db.session.scalar(stmt))


def _check_dates(values: dict[str, Any]) -> None:
    if values["planned_end"] < values["planned_start"]:
        raise Refused(_("The planned completion cannot be before the planned start."), status=422)


def apply_values(project: Project, values: dict[str, Any]) -> None:
    _check_dates(values)
    for name in FIELDS:
        setattr(project, name, values[name])


def create_project(values: dict[str, Any], unit: OrgUnit, by: User) -> Project:
    """A new project of the unit, numbered in its planned start's year and flushed: a number a
    concurrent save took first is drawn again."""
    _check_dates(values)
    year = values["planned_start"].year
    for _try in range(NUMBER_TRIES):
        project = Project(unit=unit, created_by_id=by.id, created_at=utcnow())
        apply_values(project, values)
        project.number = _next_number(unit, year)
        try:
            with db.session.begin_nested():
                db.session.add(project)
        except IntegrityError:
            if not _taken(project.number):
                raise  # another constraint: not a clash of numbers
            continue
        return project
    raise Refused(_("Another project took the same number at the same moment. Save again."))


def add_entry(project: Project, values: dict[str, Any], by: User) -> ProgressEntry:
    """A progress entry; the project's first moves it from 未启动 to 推进中."""
    require_running(project)
    if values["done_on"] > local_today():
        raise Refused(
            _("A progress entry records what was done: its date cannot be later than today."),
            status=422,
        )
    entry = ProgressEntry(project=project, created_by_id=by.id, created_at=utcnow(), **values)
    db.session.add(entry)
    if project.status is ProjectStatus.NOT_STARTED:
        project.status = ProjectStatus.IN_PROGRESS
    return entry


def remove_entry(entry: ProgressEntry) -> None:
    """Marked removed; a project left without entries stays in progress (what was done stays
    true: the entry was entered wrongly, not undone)."""
    require_open(entry.project)
    entry.deleted_at = utcnow()


def complete(project: Project, completed_on: date, outcome: str) -> None:
    """已办结: only from 推进中, with the day it was completed and what came of it."""
    require_running(project)
    if project.status is not ProjectStatus.IN_PROGRESS:
        raise Refused(
            _("Record what was done first: a project is completed once it is in progress."),
            status=409,
        )
    if completed_on > local_today():
        raise Refused(_("The completion date cannot be later than today."), status=422)
    if project.entries and completed_on < project.entries[0].done_on:
        raise Refused(
            _("The completion date cannot be before the first progress entry."), status=422
        )
    project.completed_on, project.outcome = completed_on, outcome
    project.status = ProjectStatus.DONE


def reopen(project: Project) -> None:
    """A project marked done by mistake goes back to 推进中; its completion date is cleared."""
    require_open(project)
    if project.status is not ProjectStatus.DONE:
        raise Refused(_("Only a completed project can be put back in progress."), status=409)
    project.status, project.completed_on = ProjectStatus.IN_PROGRESS, None


def require_done(project: Project) -> None:
    if project.status is not ProjectStatus.DONE:
        raise Refused(_("Only a completed project can be closed out."), status=409)


def close_out(project: Project, values: dict[str, Any], by: User) -> Acceptance:
    """已销号: only a completed project, with the acceptance of those served (after the
    completion, not later than today) and at least one answer of the satisfaction survey."""
    require_running(project)
    require_done(project)
    accepted_on = values["accepted_on"]
    if accepted_on > local_today() or (project.completed_on and accepted_on < project.completed_on):
        raise Refused(
            _("The acceptance date must be between the completion and today."), status=422
        )
    counts = (values["satisfied"], values["fairly_satisfied"], values["dissatisfied"])
    if sum(counts) < 1:
        raise Refused(_("Enter the satisfaction survey's answers: at least one."), status=422)
    acceptance = Acceptance(project=project, created_by_id=by.id, created_at=utcnow(), **values)
    db.session.add(acceptance)
    project.status = ProjectStatus.CLOSED
    return acceptance


def cancel(project: Project, reason: str) -> None:
    """Cancelled with its reason: it counts nowhere. A closed-out project is never cancelled."""
    require_open(project)
    project.cancelled_at, project.cancel_reason = utcnow(), reason


def propose(values: dict[str, Any], unit: OrgUnit, by: User) -> Project:
    """A member's own pledge 承诺践诺, with the member responsible: it waits for a secretary of
    the unit to approve it, and counts nowhere until then."""
    if by.person_id is None:
        raise Refused(_("Only a person's account proposes a pledge of their own."), status=403)
    values = values | {"scope": ProjectScope.MEMBER, "person_id": by.person_id, "leader_id": None}
    project = create_project(values, unit, by)
    project.review_state, project.proposed_at = ProposalState.PENDING, utcnow()
    return project


def may_change_proposal(user: User, project: Project) -> bool:
    """The proposer changes their pledge while it waits or after it was returned."""
    waiting = project.review_state in (ProposalState.PENDING, ProposalState.RETURNED)
    return waiting and user.person_id is not None and user.person_id == project.person_id


def resubmit(project: Project, values: dict[str, Any]) -> None:
    """The proposer's changes; a returned pledge waits again."""
    require_open(project)
    apply_values(
        project,
        values
        | {
            "scope": ProjectScope.MEMBER,
            "person_id": project.person_id,
            "leader_id": project.leader_id,
        },
    )
    if project.review_state is ProposalState.RETURNED:
        project.review_state, project.proposed_at = ProposalState.PENDING, utcnow()


def review(project: Project, approve: bool, comment: str | None, by: User) -> None:
    """Approve (comment optional) or return (comment required) a waiting pledge."""
    if project.review_state is not ProposalState.PENDING or project.deleted_at is not None:
        raise Refused(_("This pledge is no longer waiting for review."))
    if not approve and not comment:
        raise Refused(_("Say why the pledge is returned."))
    project.review_state = ProposalState.APPROVED if approve else ProposalState.RETURNED
    project.review_comment = comment or None
    project.reviewed_at, project.reviewed_by_id = utcnow(), by.id
