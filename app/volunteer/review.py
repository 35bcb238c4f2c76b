"""The review source of members' own pledges 承诺践诺: a pledge waits for a secretary of its unit
(or of a unit above it), never its own proposer."""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.auth.policy import may_decide_clause, unit_in_scope
from app.extensions import db
from app.review import services as _queue  # noqa: F401 - the core's sources register first
from app.review.sources import Source, register, tone
from app.volunteer import projects
from app.volunteer.models import Project, ProposalState


def load_pledges(ids: Iterable[int]) -> dict[int, Project]:
    stmt = (
        sa.select(Project)
        .where(Project.id.in_(set(ids)))
        .options(joinedload(Project.person), joinedload(Project.unit), joinedload(Project.category))
    )
    return {project.id: project for project in db.session.scalars(stmt)}


def kept_pledges(user: User, by_id: dict[int, Project]) -> dict[int, int | None]:
    """Of the loaded pledges, those the user keeps, each with its unit."""
    return {
        project_id: project.unit_id
        for project_id, project in by_id.items()
        if unit_in_scope(user, project.unit)
    }


class MemberPledges(Source):
    kind = "pledge"
    label = _l("Member's pledge")
    partial = "volunteer/_review_item.html"
    approved_message = _l("The pledge of %(name)s is approved.")
    returned_message = _l("The pledge of %(name)s was returned.")
    loader = staticmethod(load_pledges)
    keeper = staticmethod(kept_pledges)

    def select(self, user: User, limits: list[sa.Select]) -> sa.Select:
        p = Project
        stmt = sa.select(
            self.kind_column(),
            p.id.label("item_id"),
            p.proposed_at.label("since"),
            p.unit_id.label("unit_id"),
            p.person_id.label("person_id"),
        ).where(
            p.review_state == ProposalState.PENDING,
            p.deleted_at.is_(None),
            p.cancelled_at.is_(None),
            may_decide_clause(user, p.person_id),
            *(p.unit_id.in_(ids) for ids in limits),
        )
        return stmt

    def first(self, user: User, limits: list[sa.Select], rows: int) -> list[sa.Select]:
        # In the order of ``ix_volunteer_project_review``: a page reads about a page of pledges.
        stmt = self.select(user, limits)
        return [stmt.order_by(Project.proposed_at, Project.id).limit(rows)]

    def since(self, obj: Project) -> datetime | None:
        return obj.proposed_at

    def waiting(self, obj: Project) -> bool:
        return obj.review_state is ProposalState.PENDING

    def outcome(self, obj: Project) -> tuple[str, str]:
        state = obj.review_state or ProposalState.APPROVED
        return state.label, tone(state.value)

    def comment(self, obj: Project) -> str | None:
        return obj.review_comment

    def decide(self, obj: Project, approve: bool, comment: str | None, by: User) -> None:
        projects.review(obj, approve, comment, by)


register(MemberPledges())
