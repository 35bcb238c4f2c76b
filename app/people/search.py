"""The people search's index (``person_gram``), and the searches that walk it.

Why: "contains" (``LIKE '%王%'``) can use no index, so a search read every person in name order
until a page matched — for a name late in the pinyin order, the whole bureau. Every piece of
one or two characters of what a search compares is kept instead, with the person's name order:
what was typed names one piece (its first two characters), whose rows are read in name order
until a page is found; text longer than a piece is then compared in full on those rows only.

What is kept: for each person, each one- and two-character piece (lowered) of their name, code,
phone, post and department's name, with the fields it occurs in as bits, so each search compares
its own fields (the bureau-wide picker never searches codes).

How it stays exact: a session hook (``after_flush``) rewrites the rows of the people a flush
added or changed in one of those fields, and of everyone in a department renamed, on the flush's
own connection, so the index commits or rolls back with the change. Bulk loads (the synthetic
district) and the migration fill it with ``refresh_all``. Machine state, not records: the audit
listener never sees it (Core statements, no ``__audited__``).
"""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from app.flushes import changed, touched
from app.forms import CONTROL_CHARACTERS
from app.people.models import Department, Person, PersonGram
from app.queries import contains

NAME, CODE, PHONE, POST, DEPARTMENT = 1, 2, 4, 8, 16
PIECE = 2  # the longest piece kept: what was typed is looked up by its first PIECE characters
PERSON_FIELDS = frozenset({"name", "code", "phone", "post", "department_id"})
_CHUNK = 500  # people per statement when rewriting, within every database's parameter limit


def _folded(text: str | None) -> str:
    return CONTROL_CHARACTERS.sub("", text or "").lower()


def pieces(text: str | None) -> set[str]:
    """Every piece of one and of two characters of ``text``, lowered."""
    folded = _folded(text)
    found = set(folded)
    found.update(folded[i : i + PIECE] for i in range(len(folded) - 1))
    return found


def grams_of(fields: Iterable[tuple[int, str | None]]) -> dict[str, int]:
    """Each piece of the (bit, text) pairs with the bits of the fields it occurs in."""
    grams: dict[str, int] = {}
    for bit, text in fields:
        for piece in pieces(text):
            grams[piece] = grams.get(piece, 0) | bit
    return grams


def _exact(typed: str, fields: int) -> sa.ColumnElement[bool]:
    columns = ((NAME, Person.name), (CODE, Person.code), (PHONE, Person.phone), (POST, Person.post))
    found = [contains(column, typed) for bit, column in columns if fields & bit]
    if fields & DEPARTMENT:
        # The departments are few: their matches are read once, not joined to every person.
        named = sa.select(Department.id).where(contains(Department.name, typed))
        found.append(Person.department_id.in_(named))
    return sa.or_(*found)


def matching(stmt: sa.Select, typed: str, fields: int) -> sa.Select:
    """``stmt`` (of persons) narrowed to those whose ``fields`` contain ``typed`` (case aside, as
    ``contains`` compares); ``name_order(typed)`` is the order that walks the index."""
    folded = _folded(typed)
    if not folded:
        return stmt
    g = PersonGram
    stmt = stmt.join(
        g,
        sa.and_(g.person_id == Person.id, g.gram == folded[:PIECE], g.fields.op("&")(fields) != 0),
    )
    return stmt.where(_exact(typed, fields)) if len(folded) > PIECE else stmt


def name_order(typed: str) -> tuple[sa.ColumnElement[object], ...]:
    """The pinyin of the name, then the id, read off the index rows ``matching`` joined."""
    if not _folded(typed):
        return (Person.sort_key, Person.id)
    return (PersonGram.sort_key, PersonGram.person_id)


def refresh(connection: sa.Connection, people: Iterable[int]) -> None:
    """Rewrite the rows of ``people`` from their stored fields."""
    table = PersonGram.__table__
    ids = sorted(set(people))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        connection.execute(table.delete().where(table.c.person_id.in_(chunk)))
        _write(connection, Person.id.in_(chunk))


def refresh_all(connection: sa.Connection) -> None:
    """Rebuild the whole index (a bulk load, a migration)."""
    connection.execute(PersonGram.__table__.delete())
    _write(connection, sa.true())


def fresh(connection: sa.Connection, which: sa.ColumnElement[bool]) -> Iterator[dict[str, Any]]:
    """The index rows of the people ``which`` selects, from their stored fields now."""
    stmt = (
        sa.select(
            Person.id,
            Person.sort_key,
            Person.name,
            Person.code,
            Person.phone,
            Person.post,
            Department.name,
        )
        .outerjoin(Department, Department.id == Person.department_id)
        .where(which)
    )
    for person_id, sort_key, *texts in connection.execute(stmt):
        fields = zip((NAME, CODE, PHONE, POST, DEPARTMENT), texts, strict=True)
        for gram, bits in grams_of(fields).items():
            yield {"gram": gram, "sort_key": sort_key, "person_id": person_id, "fields": bits}


def _write(connection: sa.Connection, which: sa.ColumnElement[bool]) -> None:
    rows = fresh(connection, which)
    while batch := list(islice(rows, 10 * _CHUNK)):
        connection.execute(PersonGram.__table__.insert(), batch)


def stale_people(session: Session) -> tuple[set[int], set[int]]:
    """The people whose rows a flush made stale, and the departments renamed in it."""
    people: set[int] = set()
    departments: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Person):
            people.add(obj.id)
    for obj in changed(session):
        if isinstance(obj, Person) and touched(obj, PERSON_FIELDS):
            people.add(obj.id)
        elif isinstance(obj, Department) and touched(obj, {"name"}):
            departments.add(obj.id)
    return people, departments


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    people, departments = stale_people(session)
    if not people and not departments:
        return
    connection = session.connection()
    if departments:
        people.update(
            connection.scalars(sa.select(Person.id).where(Person.department_id.in_(departments)))
        )
    refresh(connection, people)


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
