"""Imports every model so that Alembic and create_all see the whole schema, and every area's
run-time settings so that the settings page lists them; and the rows a new database ships with."""

from collections.abc import Callable
from typing import Any

import app.activities.rules
import app.reports.rules
import app.volunteer.rules  # noqa: F401
from app.activities.models import Activity, ActivityGuest, Participation
from app.audit.models import AuditLog
from app.auth.models import LoginAttempt, User, account_unit
from app.duties.models import DutyEntry, DutyItem, DutyList, FirstResponsible
from app.evidence.models import Evidence
from app.extensions import db
from app.integrity.models import (
    HolidayCorrection,
    HolidayReminder,
    IntegrityActivity,
    IntegrityTalk,
    PledgeExpectation,
    SignedDocument,
    SigningBatch,
)
from app.logs.models import MemberLog
from app.people.models import Department, ImportBatch, Membership, OrgUnit, Person
from app.reports.models import FigureGeneration, KeptFigure
from app.settings import Setting
from app.study.models import StudySession
from app.volunteer.models import Acceptance, ProgressEntry, Project, ProjectCategory

__all__ = [
    "Acceptance",
    "Activity",
    "ActivityGuest",
    "AuditLog",
    "Department",
    "DutyEntry",
    "DutyItem",
    "DutyList",
    "Evidence",
    "FigureGeneration",
    "FirstResponsible",
    "HolidayCorrection",
    "HolidayReminder",
    "ImportBatch",
    "IntegrityActivity",
    "IntegrityTalk",
    "KeptFigure",
    "LoginAttempt",
    "MemberLog",
    "Membership",
    "OrgUnit",
    "Participation",
    "Person",
    "PledgeExpectation",
    "ProgressEntry",
    "Project",
    "ProjectCategory",
    "Setting",
    "SignedDocument",
    "SigningBatch",
    "StudySession",
    "User",
    "account_unit",
]


def put_back_shipped(execute: Callable[..., Any]) -> None:
    """Insert, through ``execute`` (a connection's or the session's), the rows the product ships
    in a new database — a table's ``info["shipped"]``, e.g. the project categories — into tables
    just emptied: a reset database holds them as a migrated one does."""
    for table in db.metadata.sorted_tables:
        if "shipped" in table.info:
            execute(table.insert(), table.info["shipped"]())


def shipped_tables() -> set[str]:
    """The tables a new database does not have empty."""
    return {table.name for table in db.metadata.sorted_tables if "shipped" in table.info}
