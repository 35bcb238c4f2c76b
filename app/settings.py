"""Run-time settings an admin tunes: one table of typed keys with defaults and validation.

Later areas add their keys to ``REGISTRY``. Technical values (database, secrets) stay in config.
"""

import json
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.forms import EARLIEST, LATEST


class Setting(db.Model):
    __tablename__ = "setting"
    __audit_label__ = _l("Setting")
    __audited__ = True

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True, info={"label": _l("Setting")})
    value: Mapped[str] = mapped_column(sa.Text, info={"label": _l("Value"), "json": True})

    @property
    def id(self) -> str:  # the audit trail names records by id
        return self.key

    def __str__(self) -> str:
        definition = REGISTRY.get(self.key)
        return str(definition.label) if definition is not None else self.key

    def audit_before(self) -> dict[str, Any] | None:
        """What the row's first write replaces: until then the setting held its default, so the
        audit trail records the first change from the default, not a creation from nothing."""
        definition = REGISTRY.get(self.key)
        if definition is None:
            return None
        default = definition.default
        return {"value": encode(default if isinstance(default, date) else definition.kind(default))}


@dataclass(frozen=True)
class SettingDef:
    key: str
    kind: type
    default: Any
    label: Any
    help: Any = ""
    minimum: float | None = None
    maximum: float | None = None
    group: Any = ""


REGISTRY: dict[str, SettingDef] = {}


def register(definition: SettingDef) -> SettingDef:
    REGISTRY[definition.key] = definition
    return definition


register(
    SettingDef(
        "org.name",
        str,
        "科工信局",
        _l("Name of the organisation"),
        _l("Shown on printed documents and the annual ledger."),
        group=_l("General"),
    )
)


class SettingError(ValueError):
    pass


def parse(definition: SettingDef, raw: str) -> Any:
    """The typed value of a raw string, or SettingError with a message for the user."""
    text = (raw or "").strip()
    if definition.kind is str:
        if not text:
            raise SettingError(_l("This value is required."))
        return text
    if definition.kind is bool:
        return text.lower() in {"1", "true", "yes", "on"}
    if definition.kind is date:
        return _parse_date(text)
    try:
        value = definition.kind(text)
    except (TypeError, ValueError):
        if definition.kind is int:
            raise SettingError(_l("Enter a whole number.")) from None
        raise SettingError(_l("Enter a number.")) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise SettingError(_l("Enter a number."))
    if definition.minimum is not None and value < definition.minimum:
        raise SettingError(_l("Must be at least %(n)s.", n=definition.minimum))
    if definition.maximum is not None and value > definition.maximum:
        raise SettingError(_l("Must be at most %(n)s.", n=definition.maximum))
    return value


def get(key: str) -> Any:
    definition = REGISTRY[key]
    row = db.session.get(Setting, key)
    if row is None:
        return definition.default
    return _decode(definition, row.value)


def all_values() -> dict[str, Any]:
    stored = {row.key: row.value for row in db.session.scalars(sa.select(Setting))}
    return {
        key: _decode(definition, stored[key]) if key in stored else definition.default
        for key, definition in REGISTRY.items()
    }


def encode(value: Any) -> str:
    """A parsed value as stored: JSON, with dates as ISO text."""
    return json.dumps(value.isoformat() if isinstance(value, date) else value, ensure_ascii=False)


def put(key: str, value: Any) -> None:
    """Store a value already parsed; adds to the session, the view commits."""
    encoded = encode(value)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=encoded))
    elif row.value != encoded:
        row.value = encoded


# Dates are stored as ISO text, bounded like every date typed into a form.


def _parse_date(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise SettingError(_l("Enter a date as YYYY-MM-DD, for example 2000-01-01.")) from None
    if not EARLIEST <= value <= LATEST:
        raise SettingError(_l("Enter a date between 1900 and 2100."))
    return value


def _decode(definition: SettingDef, stored: str) -> Any:
    value = json.loads(stored)
    if definition.kind is date:
        return date.fromisoformat(value)
    return definition.kind(value)
