"""Imports every model so that Alembic and create_all see the whole schema."""

from app.audit.models import AuditLog
from app.auth.models import LoginAttempt, User, account_unit
from app.people.models import Department, ImportBatch, Membership, OrgUnit, Person
from app.settings import Setting

__all__ = [
    "AuditLog",
    "Department",
    "ImportBatch",
    "LoginAttempt",
    "Membership",
    "OrgUnit",
    "Person",
    "Setting",
    "User",
    "account_unit",
]
