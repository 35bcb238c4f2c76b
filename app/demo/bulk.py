"""Chunked Core inserts for the synthetic district, with one audit row per created record.

The synthetic loader writes hundreds of thousands of rows: the ORM's unit of work (and the audit
listener it triggers) would take an hour. Rows are buffered per table and written with
``insert()`` executemany in dependency order; ids are assigned here, so no row needs a round trip.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.audit.models import AuditLog
from app.extensions import db

CHUNK = 5000


class Loader:
    """Buffers rows per table and flushes them in foreign-key order."""

    def __init__(self, connection: sa.Connection, chunk: int = CHUNK) -> None:
        self.connection = connection
        self.chunk = chunk
        self.order = [t for t in db.metadata.sorted_tables if t is not AuditLog.__table__]
        self.order.append(AuditLog.__table__)
        self.buffers: dict[sa.Table, list[dict[str, Any]]] = {t: [] for t in self.order}
        self.last_id: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.buffered = 0

    def next_id(self, table: sa.Table) -> int:
        value = self.last_id.get(table.name, 0) + 1
        self.last_id[table.name] = value
        return value

    def add(self, table: sa.Table, row: dict[str, Any]) -> None:
        self.buffers[table].append(row)
        self.counts[table.name] = self.counts.get(table.name, 0) + 1
        self.buffered += 1
        if self.buffered >= self.chunk:
            self.flush()

    def created(
        self, table: sa.Table, row: dict[str, Any], record_type: str, summary: str, at: datetime
    ) -> None:
        """A record and its audit row: created by the system at ``at``."""
        self.add(table, row)
        self.add(
            AuditLog.__table__,
            {
                "at": at,
                "actor_id": None,
                "action": "create",
                "record_type": record_type,
                "record_id": str(row["id"]),
                "summary": summary[:200],
                "changes": {},
                "remote_addr": None,
            },
        )

    def flush(self) -> None:
        for table in self.order:
            rows = self.buffers[table]
            if rows:
                self.connection.execute(table.insert(), rows)
                self.buffers[table] = []
        self.buffered = 0

    def finish(self) -> None:
        """Flush the rest; on PostgreSQL move each sequence past the ids given here."""
        self.flush()
        if self.connection.dialect.name != "postgresql":
            return
        for name, value in self.last_id.items():
            self.connection.execute(
                sa.text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                {"t": name, "v": value},
            )
