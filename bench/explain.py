"""The query plans of a page's heaviest statements on the current backend: SQLite's
``EXPLAIN QUERY PLAN``, PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)``, run with the parameters the
page sent (captured by the engine's cursor events)."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from bench.clients import HOUSEKEEPING
from bench.pages import Page
from bench.timing import Site

Timed = tuple[float, str, object]


@contextmanager
def timing_statements(app: Flask) -> Iterator[list[Timed]]:
    """(milliseconds, statement, parameters) of every statement the block sends."""
    timed: list[Timed] = []

    def before(conn: sa.Connection, *_: object) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(
        conn: sa.Connection, _cursor: object, statement: str, params: object, *_: object
    ) -> None:
        if not statement.lstrip().upper().startswith(HOUSEKEEPING):
            elapsed = (time.perf_counter() - conn.info.pop("bench_started")) * 1000
            timed.append((elapsed, statement, params))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield timed
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def plan(statement: str, params: object) -> list[str]:
    """The plan of one statement, run through the driver with the parameters it was sent."""
    engine = db.engine
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if engine.dialect.name == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(prefix + statement, params or ())
        # SQLite's rows are (id, parent, unused, detail): the detail is the plan.
        lines = [str(found[-1]) for found in cursor.fetchall()]
        raw.rollback()
        return lines
    finally:
        raw.close()


def explain(site: Site, page: Page, role: str, top: int) -> str:
    """The ``top`` slowest statements of one warm GET of the page, each with its plan."""
    client, url = site.clients[role], site.url(page, role)
    client.get(url, headers=page.headers)
    with timing_statements(site.app) as timed:
        client.get(url, headers=page.headers)
    out = [f"{page.name} as {role}: {len(timed)} statements, {sum(t[0] for t in timed):.1f} ms"]
    with site.app.app_context():
        for elapsed, statement, params in sorted(timed, key=lambda t: -t[0])[:top]:
            out += ["", f"-- {elapsed:.2f} ms, parameters {params!r}", statement.strip()]
            out += ["   " + line for line in plan(statement, params)]
    return "\n".join(out)
