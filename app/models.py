"""Imports every model so that Alembic and create_all see the whole schema, and every area's
run-time settings so that the settings page lists them."""

import app.activities.rules
import app.reports.rules  # noqa: F401
from app.activities.models import Activity, ActivityGuest, Participation
from app.audit.models import AuditLog
from app.auth.models import LoginAttempt, User, account_unit
from app.evidence.models import Evidence
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

__all__ = [
    "Activity",
    "ActivityGuest",
    "AuditLog",
    "Department",
    "Evidence",
    "FigureGeneration",
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
    "Setting",
    "SignedDocument",
    "SigningBatch",
    "StudySession",
    "User",
    "account_unit",
]
