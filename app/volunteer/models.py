"""Practical things for the masses 我为群众办实事: projects from request to close-out (a tracked
record), their dated progress, and the acceptance by the people served that closes one out."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.activities.models import Activity
from app.extensions import db
from app.people.models import OrgUnit, Person
from app.recorded import Recorded
from app.types import LabelledEnum, UTCDateTime, enum_column


class ProjectSource(LabelledEnum):
    """Where a project came from."""

    PUBLIC_REQUEST = "public_request"
    VISIT = "visit"
    ASSIGNED = "assigned"
    ENTERPRISE = "enterprise"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "public_request": _l("Requested by the public"),
            "visit": _l("Found on a visit"),
            "assigned": _l("Assigned from above"),
            "enterprise": _l("An enterprise's request"),
        }


class Urgency(LabelledEnum):
    IMMEDIATE = "immediate"
    DEADLINE = "deadline"
    PHASED = "phased"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "immediate": _l("At once"),
            "deadline": _l("By a deadline"),
            "phased": _l("In phases"),
        }


class ProjectScope(LabelledEnum):
    """A unit's project, or a member's own pledge put into practice 承诺践诺."""

    UNIT = "unit"
    MEMBER = "member"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {"unit": _l("The unit's project"), "member": _l("A member's own pledge")}


class ProjectStatus(LabelledEnum):
    """未启动 → 推进中 (with the first progress entry) → 已办结 (completed, with its date and
    outcome) → 已销号 (closed out, with the acceptance of the people served)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CLOSED = "closed"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "not_started": _l("Not started"),
            "in_progress": _l("In progress"),
            "done": _l("Completed"),
            "closed": _l("Closed out"),
        }

    @property
    def is_done(self) -> bool:
        return self in (ProjectStatus.DONE, ProjectStatus.CLOSED)


class ProposalState(LabelledEnum):
    """A member's own pledge 承诺践诺 waits for a secretary's review; once approved it runs as a
    unit's project does. A project a keeper records has none."""

    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "pending": _l("Waiting for review"),
            "approved": _l("Approved"),
            "returned": _l("Returned"),
        }


class AcceptanceMethod(LabelledEnum):
    ON_SITE = "on_site"
    SIGNED = "signed"
    FORUM = "forum"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {
            "on_site": _l("Accepted on site"),
            "signed": _l("Confirmed by signature"),
            "forum": _l("Feedback at a forum"),
        }


# The categories the product ships with (an admin adds more): their names follow the language.
DEFAULT_CATEGORIES = {
    "volunteering": _l("Volunteer service"),
    "training": _l("Business training"),
    "briefing": _l("Briefing session"),
    "enterprise_visit": _l("Visiting enterprises to solve problems"),
    "other": _l("Other"),
}


class ProjectCategory(db.Model):
    """A category of projects. The shipped ones have a ``code`` and a name in each language; an
    admin's own have a name. A category is retired, never renamed away from the projects that
    carry it."""

    __tablename__ = "project_category"
    __audit_label__ = _l("Project category")
    __audited__ = True
    # The rows a new database holds (the migration inserts them too); see ``_ship_categories``.
    __table_args__ = {"info": {"shipped": lambda: default_category_rows()}}

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(
        sa.String(30), unique=True, info={"label": _l("Shipped as")}
    )
    name: Mapped[str] = mapped_column(
        sa.String(60), unique=True, info={"label": _l("Name"), "names": True}
    )
    place: Mapped[int] = mapped_column(default=100, info={"label": _l("Order")})
    retired_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Retired at")}
    )

    @property
    def label(self) -> str:
        shipped = DEFAULT_CATEGORIES.get(self.code or "")
        return str(shipped) if shipped is not None else self.name

    def __str__(self) -> str:
        return self.label


def default_category_rows() -> list[dict[str, Any]]:
    """The shipped categories as rows (their stored name is the Chinese one)."""
    names = {
        "volunteering": "志愿服务",
        "training": "业务培训",
        "briefing": "宣讲会",
        "enterprise_visit": "走访企业解难题",
        "other": "其他",
    }
    return [
        {"code": code, "name": names[code], "place": place}
        for place, code in enumerate(DEFAULT_CATEGORIES, start=1)
    ]


@event.listens_for(ProjectCategory.__table__, "after_create")
def _ship_categories(table: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
    """A schema made by ``create_all`` has the shipped categories, as a migrated one does."""
    connection.execute(table.insert(), table.info["shipped"]())


class Project(Recorded, db.Model):
    """A practical thing for the masses: numbered ``<year>-<unit code>-<NNN>``, led by a unit
    with a responsible leader and person, for beneficiaries (人数; 人次 where known), planned and
    done, pushed forward by dated progress entries and closed out with an acceptance. A
    cancelled one (with its reason) counts nowhere; a removed one is marked."""

    __tablename__ = "volunteer_project"
    __audit_label__ = _l("Project")
    __audited__ = True
    __table_args__ = (
        sa.Index("ix_volunteer_project_unit_start", "unit_id", "planned_start"),
        sa.Index("ix_volunteer_project_review", "review_state", "proposed_at", "id"),
        # The list's order: a page of the bureau's projects read off it, newest first.
        sa.Index("ix_volunteer_project_start", "planned_start", "id"),
        sa.CheckConstraint("planned_end >= planned_start", name="planned_in_order"),
        sa.CheckConstraint("beneficiaries_count >= 0", name="beneficiaries_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(
        sa.String(40), unique=True, info={"label": _l("Number"), "names": True}
    )
    name: Mapped[str] = mapped_column(sa.String(200), info={"label": _l("Project name")})
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("org_unit.id"), info={"label": _l("Lead unit")}
    )
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("project_category.id"), info={"label": _l("Category")}
    )
    source: Mapped[ProjectSource] = mapped_column(
        enum_column(ProjectSource, 20), info={"label": _l("Source")}
    )
    urgency: Mapped[Urgency] = mapped_column(
        enum_column(Urgency, 20), info={"label": _l("Urgency")}
    )
    scope: Mapped[ProjectScope] = mapped_column(
        enum_column(ProjectScope, 20), default=ProjectScope.UNIT, info={"label": _l("Scope")}
    )
    leader_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Responsible leader")}
    )
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Responsible person")}
    )
    beneficiaries: Mapped[str] = mapped_column(sa.String(300), info={"label": _l("Beneficiaries")})
    beneficiaries_count: Mapped[int] = mapped_column(info={"label": _l("People served")})
    beneficiary_visits: Mapped[int | None] = mapped_column(info={"label": _l("Person-times")})
    planned_start: Mapped[date] = mapped_column(info={"label": _l("Planned start")})
    planned_end: Mapped[date] = mapped_column(info={"label": _l("Planned completion")})
    completed_on: Mapped[date | None] = mapped_column(info={"label": _l("Completed on")})
    status: Mapped[ProjectStatus] = mapped_column(
        enum_column(ProjectStatus, 20),
        default=ProjectStatus.NOT_STARTED,
        info={"label": _l("Status")},
    )
    description: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("What is done")})
    outcome: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("Outcome")})
    cancelled_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Cancelled at")}
    )
    cancel_reason: Mapped[str | None] = mapped_column(
        sa.String(500), info={"label": _l("Reason for cancelling")}
    )
    # A member's own pledge: proposed by its responsible person, reviewed by a secretary.
    review_state: Mapped[ProposalState | None] = mapped_column(
        enum_column(ProposalState, 20), info={"label": _l("Review")}
    )
    proposed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Proposed at")}
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), info={"label": _l("Reviewed at")}
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("account.id"), info={"label": _l("Reviewed by")}
    )
    review_comment: Mapped[str | None] = mapped_column(
        sa.String(1000), info={"label": _l("Review comment")}
    )
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[OrgUnit] = relationship()
    category: Mapped[ProjectCategory] = relationship()
    leader: Mapped[Person | None] = relationship(foreign_keys=[leader_id])
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    entries: Mapped[list["ProgressEntry"]] = relationship(
        back_populates="project",
        order_by="(ProgressEntry.done_on, ProgressEntry.id)",
        primaryjoin="and_(ProgressEntry.project_id == Project.id, "
        "ProgressEntry.deleted_at.is_(None))",
        viewonly=True,
    )
    acceptance: Mapped["Acceptance | None"] = relationship(back_populates="project")

    __mapper_args__ = {"version_id_col": version}
    __audit_exclude__ = frozenset({"version"})

    @property
    def runs(self) -> bool:
        """Recorded by a keeper, or a member's pledge approved: it counts and moves on."""
        return self.review_state in (None, ProposalState.APPROVED)

    @classmethod
    def running(cls) -> sa.ColumnElement[bool]:
        """``runs`` in SQL: a proposal waiting or returned counts in no figure."""
        return sa.or_(cls.review_state.is_(None), cls.review_state == ProposalState.APPROVED)

    def overdue_on(self, day: date) -> bool:
        """Planned completion passed by ``day`` and not done (DOMAIN.md), and not cancelled."""
        return (
            self.runs
            and self.cancelled_at is None
            and not self.status.is_done
            and self.planned_end < day
        )

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class ProgressEntry(Recorded, db.Model):
    """A dated step of a project: what was done and by whom (a person, or a name)."""

    __tablename__ = "project_progress"
    __audit_label__ = _l("Progress entry")
    __audited__ = True
    __table_args__ = (sa.Index("ix_project_progress_project", "project_id", "done_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_project.id"), info={"label": _l("Project")}
    )
    done_on: Mapped[date] = mapped_column(info={"label": _l("Date"), "names": True})
    text: Mapped[str] = mapped_column(sa.Text, info={"label": _l("What was done")})
    by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), index=True, info={"label": _l("Done by")}
    )
    by_name: Mapped[str | None] = mapped_column(sa.String(60), info={"label": _l("Done by")})

    project: Mapped[Project] = relationship(back_populates="entries")
    by: Mapped[Person | None] = relationship()

    @property
    def by_display(self) -> str:
        return self.by.name if self.by else (self.by_name or "")

    def __str__(self) -> str:
        return f"{self.done_on.isoformat()} {self.text[:40]}"


class Acceptance(Recorded, db.Model):
    """The acceptance that closes a project out 销号: by whom (a beneficiary or their
    representative), when, how, the signed 验收单 (its evidence), and the counts of the paper
    satisfaction survey 满意度测评表 per level."""

    __tablename__ = "project_acceptance"
    __audit_label__ = _l("Acceptance")
    __audited__ = True
    __table_args__ = (
        sa.CheckConstraint(
            "satisfied >= 0 AND fairly_satisfied >= 0 AND dissatisfied >= 0",
            name="counts_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_project.id"), unique=True, info={"label": _l("Project")}
    )
    accepted_by: Mapped[str] = mapped_column(
        sa.String(100), info={"label": _l("Accepted by"), "names": True}
    )
    accepted_on: Mapped[date] = mapped_column(info={"label": _l("Accepted on")})
    method: Mapped[AcceptanceMethod] = mapped_column(
        enum_column(AcceptanceMethod, 20), info={"label": _l("How")}
    )
    satisfied: Mapped[int] = mapped_column(info={"label": _l("Satisfied")})
    fairly_satisfied: Mapped[int] = mapped_column(info={"label": _l("Fairly satisfied")})
    dissatisfied: Mapped[int] = mapped_column(info={"label": _l("Dissatisfied")})

    project: Mapped[Project] = relationship(back_populates="acceptance")

    @property
    def responses(self) -> int:
        return self.satisfied + self.fairly_satisfied + self.dissatisfied

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """(满意 + 基本满意) ÷ all responses, as the figures pool it."""
        from app.reports.figures import rate

        return rate(self.satisfied + self.fairly_satisfied, self.responses)

    def __str__(self) -> str:
        return f"{self.accepted_on.isoformat()} {self.accepted_by}"


class ServiceDay(Activity):
    """A volunteer service day 志愿服务 on the shared core: participants and attendance are the
    core's; it credits volunteer hours (never study hours) to those present — the day's
    ``hours``, or a participant's own (``Participation.own_hours``) — and records how many
    person-times it served (人次, counted apart from a project's 人数). It may be part of a
    project, whose page lists it."""

    __tablename__ = "service_day"
    __audit_label__ = _l("Service day")
    __table_args__ = (sa.CheckConstraint("served >= 0", name="served_not_negative"),)

    id: Mapped[int] = mapped_column(sa.ForeignKey("activity.id"), primary_key=True)
    project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("volunteer_project.id"), index=True, info={"label": _l("Project")}
    )
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1), info={"label": _l("Volunteer hours")})
    served: Mapped[int | None] = mapped_column(info={"label": _l("Person-times served")})
    content: Mapped[str | None] = mapped_column(sa.Text, info={"label": _l("What was done")})

    project: Mapped[Project | None] = relationship()

    __mapper_args__ = {"polymorphic_identity": "service"}
