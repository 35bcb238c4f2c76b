"""Column types shared by every area: UTC datetimes and string-stored enums."""

import enum
import os
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.types import TypeDecorator


def clock_offset(fake_now: str | None) -> timedelta:
    """How far the app's clock runs from the real one. FAKE_NOW (an ISO 8601 instant with its
    offset; tests and CI only) is the instant the clock starts from; it advances in real time."""
    if not fake_now:
        return timedelta(0)
    start = datetime.fromisoformat(fake_now)
    if start.tzinfo is None:
        raise ValueError("FAKE_NOW needs a UTC offset, e.g. 2026-03-08T00:30:00+08:00")
    return start - datetime.now(UTC)


CLOCK_OFFSET = clock_offset(os.environ.get("FAKE_NOW"))


def utcnow() -> datetime:
    return datetime.now(UTC) + CLOCK_OFFSET


def local_date(moment: datetime) -> date:
    """The date of a moment in the configured TIMEZONE (the bureau's day, not the server's)."""
    zone = current_app.config["TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return moment.astimezone(ZoneInfo(zone)).date()


def local_today() -> date:
    """Today in the configured TIMEZONE."""
    return local_date(utcnow())


class UTCDateTime(TypeDecorator):
    """Stores UTC and hands back aware datetimes on SQLite (which keeps no zone) and PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class LabelledEnum(enum.StrEnum):
    """An enum stored by value whose members carry a translated display label."""

    @property
    def label(self) -> str:
        return str(self._labels().get(self.value, self.value))

    @classmethod
    def _labels(cls) -> dict[str, Any]:
        return {}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


def enum_column(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
