"""The bureau's figures kept between requests: the admin's home computes them once, not on
every visit.

Why: the bureau's inactive members, its chart and the admin's table of units read every unit's
year (the inactive members alone are one in fifty of a district's people), yet they are the same
for every admin until a record changes or time passes an instant that changes them.

How it stays exact. ``figure_generation`` counts the transactions that changed records: every
transaction that wrote audit rows (``trail.recorded``; every change of a record writes one)
moves it on as its last statement before committing, so the row is locked only for that
instant. A kept figure (``kept_figure``) is valid only under the generation it was computed at
and until ``valid_until``: the bureau's next midnight or the next start of an activity, whichever
comes first (figures count the activities started by now, the inactive warning looks back from
today). A request reads the generation with its first entry in one statement before it computes any
figure, so whatever it computes is at least as new as the generation it is stored under; an
entry written by a request that overlapped a commit carries the old generation and is never
taken again. Entries are written on a connection of their own, as machine state: a page that
only reads commits nothing, and when the database is busy the figure is served unkept.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.activities.models import Activity
from app.audit import trail
from app.extensions import db
from app.reports.models import FigureGeneration, KeptFigure
from app.types import local_date

log = logging.getLogger(__name__)

THE_ROW = 1  # figure_generation's one row
# Part of every key: a change to what a payload holds changes this, and older entries are
# never read again.
FORMAT = 1


def _insert(table: sa.Table, bind: sa.engine.Connection | sa.engine.Engine) -> Any:
    """The INSERT of the database's dialect, which knows ``ON CONFLICT``."""
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _bump_statement(connection: sa.engine.Connection) -> Any:
    table = FigureGeneration.__table__
    stmt = _insert(table, connection).values(id=THE_ROW, value=1)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.id], set_={"value": table.c.value + 1}
    )


def _before_commit(session: Session) -> None:
    """The commit's own flush run now, so its audit rows are seen; then, if the transaction
    changed records, the generation moves on. A savepoint's commit leaves that to the
    transaction it is part of."""
    if session.in_nested_transaction():
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    if trail.recorded(session):
        connection = session.connection()
        connection.execute(_bump_statement(connection))


def install() -> None:
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)


def key(name: str, *parts: object) -> str:
    return ":".join(str(part) for part in (name, FORMAT, *parts))


def valid_until(now: datetime) -> datetime:
    """The first instant after ``now`` at which time alone changes a bureau figure: the next
    start of an activity (of any family, in any state) or the bureau's next midnight."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    tomorrow = local_date(now) + timedelta(days=1)
    midnight = datetime.combine(tomorrow, time(), zone).astimezone(UTC)
    starts = sa.select(sa.func.min(Activity.starts_at)).where(Activity.starts_at > now)
    following = db.session.scalar(starts)
    return midnight if following is None or following > midnight else following


def forget() -> None:
    """Drop every kept figure: the benchmark's pages that measure the computing, or an operator
    after changing the database by hand (outside the app no generation moves)."""
    with db.engine.begin() as connection:
        connection.execute(sa.delete(KeptFigure))


class Kept:
    """One request's look at the kept figures. The first ``get`` reads the generation with its
    entry; each later one its entry under that generation. ``get`` answers a key from its entry,
    or computes, keeps and answers it."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.generation: int | None = None
        self._until: datetime | None = None

    def _entry(self, name: str) -> tuple[bool, Any]:
        """Whether a live entry is kept under ``name``, and its payload."""
        found = sa.and_(KeptFigure.key == name, KeptFigure.valid_until > self.now)
        if self.generation is not None:
            stmt = sa.select(KeptFigure.payload).where(
                found, KeptFigure.generation == self.generation
            )
            rows = db.session.execute(stmt).all()
            return bool(rows), rows[0].payload if rows else None
        generation = sa.func.coalesce(
            sa.select(FigureGeneration.value)
            .where(FigureGeneration.id == THE_ROW)
            .scalar_subquery(),
            0,
        )
        anchor = sa.select(generation.label("generation")).subquery()
        stmt = (
            sa.select(anchor.c.generation, KeptFigure.key, KeptFigure.payload)
            .select_from(anchor)
            .outerjoin(KeptFigure, sa.and_(found, KeptFigure.generation == anchor.c.generation))
        )
        row = db.session.execute(stmt).one()
        self.generation = int(row.generation)
        return row.key is not None, row.payload

    def get(self, name: str, compute: Callable[[], Any]) -> Any:
        """The payload kept under ``name``, or ``compute()``'s (plain JSON: lists, dicts,
        strings, numbers), kept for the next requests. Either way the caller turns the same
        plain payload into what it shows."""
        hit, payload = self._entry(name)
        if hit:
            return payload
        payload = compute()
        self._keep(name, payload)
        return payload

    def _keep(self, name: str, payload: Any) -> None:
        first = self._until is None
        if first:
            self._until = valid_until(self.now)
        table = KeptFigure.__table__
        values = {
            "key": name,
            "generation": self.generation,
            "valid_until": self._until,
            "payload": payload,
        }
        stmt = _insert(table, db.engine).values(values)
        newer = stmt.excluded.generation >= table.c.generation
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={column: stmt.excluded[column] for column in values if column != "key"},
            where=newer,
        )
        try:
            with db.engine.begin() as connection:
                if first:  # the table holds live entries only
                    connection.execute(sa.delete(table).where(table.c.valid_until <= self.now))
                connection.execute(stmt)
        except DBAPIError as error:  # busy or locked: the page is served, the figure unkept
            log.warning("figure %s not kept: %s", name, error)
