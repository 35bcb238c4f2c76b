"""Accounts, their roles and scopes, and sign-in attempts."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.people.models import OrgUnit, Person, unit_order_by
from app.types import LabelledEnum, UTCDateTime, enum_column, utcnow


class Role(LabelledEnum):
    ADMIN = "admin"
    SECRETARY = "secretary"
    MEMBER = "member"

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {"admin": _l("Administrator"), "secretary": _l("Secretary"), "member": _l("Member")}


account_unit = sa.Table(
    "account_unit",
    db.metadata,
    sa.Column("account_id", sa.ForeignKey("account.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("org_unit.id"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "account"
    __audit_label__ = _l("Account")
    __audited__ = True
    # Changed by every sign-in, sign-out and language switch: not changes anyone reviews.
    __audit_exclude__ = frozenset({"session_version", "last_login_at", "locale"})

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(
        sa.String(60), unique=True, info={"label": _l("Username")}
    )
    password_hash: Mapped[str] = mapped_column(sa.String(255), info={"label": _l("Password")})
    role: Mapped[Role] = mapped_column(enum_column(Role, 20), info={"label": _l("Role")})
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), unique=True, info={"label": _l("Person")}
    )
    must_change_password: Mapped[bool] = mapped_column(
        default=True, info={"label": _l("Must change password")}
    )
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    active: Mapped[bool] = mapped_column(default=True, info={"label": _l("Active")})
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, info={"label": _l("Created at")}
    )
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the id kept in the session cookie: raising it ends every session of the account
    # (sign-out, a new password, deactivation), copies of the cookie included.
    session_version: Mapped[int] = mapped_column(default=0)

    person: Mapped[Person | None] = relationship()
    units: Mapped[list[OrgUnit]] = relationship(
        secondary=account_unit, order_by=list(unit_order_by()), info={"label": _l("Units")}
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def display_name(self) -> str:
        return self.person.name if self.person else self.username

    def __str__(self) -> str:  # the audit trail's summary of an account
        return self.username

    @classmethod
    def audit_name(cls) -> sa.ColumnElement[str]:
        """What names an account where another record points at it, in SQL: its person's name,
        else its username (an account of nobody in the roster, such as the admin's)."""
        person = sa.select(Person.name).where(Person.id == cls.person_id).scalar_subquery()
        return sa.func.coalesce(person, cls.username)

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class LoginAttempt(db.Model):
    """A sign-in outcome (success, failure, refused, or the start of a lock or a block); kept in
    the database so that throttling holds across several server processes, for a day."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_username_at", "username", "at"),
        # Attempts are also counted by address, and pruned by age.
        sa.Index("ix_login_attempt_remote_addr_at", "remote_addr", "at"),
        sa.Index("ix_login_attempt_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[str] = mapped_column(sa.String(10))
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))
