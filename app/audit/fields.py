"""What the audit trail knows of each audited record type, read from the models' mappers.

Each audited column declares its label where it is declared (``info={"label": _l(...)}``); an
enum column's values are shown with the enum's labels, a foreign key's with the name of the record
it points at. A record is named by its column marked ``"names": True`` or, when its name lives in
another record (an account by its person), by its ``audit_name()`` SQL expression.
"""

import enum
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import ColumnProperty, Mapper, RelationshipProperty

from app.extensions import db

# Fields of events that are not row changes (``record_event``): no column declares them.
EVENT_FIELD_LABELS: dict[str, Any] = {"reason": _l("Reason")}


@dataclass(frozen=True)
class AuditField:
    key: str
    label: Any | None
    enum_class: type[enum.Enum] | None = None
    # The model whose records the values are ids of (a foreign key, a many-to-many list).
    refers_to: type | None = None
    json: bool = False
    # A calendar date (stored as ISO text in the trail), not an instant.
    is_date: bool = False


def is_audited(cls: type) -> bool:
    return bool(getattr(cls, "__audited__", False))


def _mappers() -> list[Mapper]:
    return list(db.Model.registry.mappers)


def audited_models() -> dict[str, type]:
    """Every audited model by the record type the trail stores (its table name)."""
    return {
        mapper.class_.__tablename__: mapper.class_
        for mapper in _mappers()
        if is_audited(mapper.class_)
    }


def _model_of_table(table: sa.Table) -> type | None:
    for mapper in _mappers():
        if mapper.local_table is table:
            return mapper.class_
    return None


def _column_field(prop: ColumnProperty) -> AuditField:
    column = prop.columns[0]
    enum_class = getattr(column.type, "enum_class", None)
    refers_to = None
    for foreign_key in column.foreign_keys:
        refers_to = _model_of_table(foreign_key.column.table)
    return AuditField(
        prop.key,
        column.info.get("label"),
        enum_class=enum_class,
        refers_to=refers_to,
        json=bool(column.info.get("json")),
        is_date=isinstance(column.type, sa.Date),
    )


def _list_field(rel: RelationshipProperty) -> AuditField:
    return AuditField(rel.key, rel.info.get("label"), refers_to=rel.mapper.class_)


def audited_fields(cls: type) -> dict[str, AuditField]:
    """The fields of a model the trail records: its columns (less the excluded ones and the id)
    and its many-to-many lists."""
    mapper = sa.inspect(cls)
    skipped = getattr(cls, "__audit_exclude__", frozenset())
    found: dict[str, AuditField] = {}
    for prop in mapper.column_attrs:
        if prop.key not in skipped and prop.key != "id":
            found[prop.key] = _column_field(prop)
    for rel in mapper.relationships:
        if rel.secondary is not None and rel.uselist:
            found[rel.key] = _list_field(rel)
    return found


@cache
def _fields_by_type() -> dict[str, dict[str, AuditField]]:
    return {record_type: audited_fields(cls) for record_type, cls in audited_models().items()}


def field_of(record_type: str, key: str) -> AuditField | None:
    return _fields_by_type().get(record_type, {}).get(key)


def record_label(record_type: str) -> str:
    cls = audited_models().get(record_type)
    label = cls.__dict__.get("__audit_label__") if cls is not None else None
    return str(label) if label is not None else record_type


def field_label(record_type: str, key: str) -> str:
    found = field_of(record_type, key)
    if found is not None and found.label is not None:
        return str(found.label)
    return str(EVENT_FIELD_LABELS.get(key, key))


def name_column(cls: type) -> sa.ColumnElement[Any] | None:
    """The SQL expression that names a record of ``cls``, None when nothing does."""
    audit_name = getattr(cls, "audit_name", None)
    if audit_name is not None:
        return audit_name()
    for prop in sa.inspect(cls).column_attrs:
        if prop.columns[0].info.get("names"):
            return getattr(cls, prop.key)
    return None
