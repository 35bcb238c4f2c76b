"""The person picker: live search for every person field, and the opaque ids it hands out.

Two modes. *Scoped*: the people in one's own units today (an admin: everyone), found by name,
personnel code or department, page by page. *Bureau-wide* (列席, who often come from another
unit): anyone in the bureau not transferred out, found by name or department, at most
``BUREAU_LIMIT`` of them, and only an opaque id, the name and the department are shown — nothing
else of another unit's people.

An opaque id is the person's row id run through a keyed permutation (a four-round Feistel network
over 64 bits with HMAC-SHA256 as its round function, keyed by the app's secret): it reveals
neither the id nor the order in which people were entered, and a made-up one decodes to nothing
(the upper half must come back as zero)."""

import hashlib
import hmac
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.auth.policy import persons_in_units_today, scoped_persons
from app.extensions import db
from app.people import search
from app.people.models import Person
from app.queries import MAX_INT, SEARCH_COUNT_LIMIT, paginate

PAGE_SIZE = 10
BUREAU_LIMIT = 20
MAX_TYPED = 40
_TOKEN = re.compile(r"^[0-9a-f]{16}$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_ROUNDS = 4
# What each search compares: never codes bureau-wide (that would tell codes apart).
SCOPED_FIELDS = search.NAME | search.CODE | search.DEPARTMENT
BUREAU_FIELDS = search.NAME | search.DEPARTMENT
# How a chosen person read in the former suggestions; a code may still be typed so.
NAME_AND_CODE = re.compile(r"^(?P<name>.+?)\s*[(（](?P<code>[A-Za-z0-9_.-]+)[)）]$")


def _key() -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"person-picker", hashlib.sha256).digest()


def _round(key: bytes, step: int, half: int) -> int:
    digest = hmac.new(key, f"{step}:{half}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


def token_of(person: Person | None) -> str:
    """The opaque id the picker hands out for ``person`` ("" for none)."""
    if person is None or person.id is None:
        return ""
    key = _key()
    left, right = 0, person.id
    for step in range(_ROUNDS):
        left, right = right, left ^ _round(key, step, right)
    return f"{left:08x}{right:08x}"


def person_id_of(token: str | None) -> int | None:
    """The row id behind an opaque id, or None for anything the picker did not hand out."""
    token = (token or "").strip().lower()
    if not _TOKEN.match(token):
        return None
    key = _key()
    left, right = int(token[:8], 16), int(token[8:], 16)
    for step in reversed(range(_ROUNDS)):
        left, right = right ^ _round(key, step, left), left
    return right if left == 0 and 0 < right <= MAX_INT else None


def long_enough_for_bureau(typed: str) -> bool:
    """A bureau-wide search needs at least one CJK character or two letters: no listing of the
    bureau one letter at a time."""
    return bool(_CJK.search(typed)) or len(_LETTERS.findall(typed)) >= 2


def _base(typed: str, fields: int) -> sa.Select:
    stmt = sa.select(Person).where(Person.transferred_out_on.is_(None))
    return (
        search.matching(stmt, typed, fields)
        .options(joinedload(Person.department))
        # By the pinyin of the name; the id keeps pages stable.
        .order_by(*search.name_order(typed))
    )


def search_scoped(typed: str, user: User) -> Pagination | None:
    """One page of the people in the user's units today whose name, code or department contains
    ``typed``; None when nothing was typed."""
    typed = typed.strip()[:MAX_TYPED]
    if not typed:
        return None
    found = persons_in_units_today(_base(typed, SCOPED_FIELDS), user)
    return paginate(found, PAGE_SIZE, count_limit=SEARCH_COUNT_LIMIT)


@dataclass(frozen=True)
class BureauResults:
    people: list[Person]
    more: bool  # more than BUREAU_LIMIT matched: type more


def search_bureau(typed: str) -> BureauResults | None:
    """At most ``BUREAU_LIMIT`` people anywhere in the bureau whose name or department contains
    ``typed`` (never searched by code: that would tell codes apart); None when too little was
    typed."""
    typed = typed.strip()[:MAX_TYPED]
    if not long_enough_for_bureau(typed):
        return None
    people = list(db.session.scalars(_base(typed, BUREAU_FIELDS).limit(BUREAU_LIMIT + 1)))
    return BureauResults(people[:BUREAU_LIMIT], len(people) > BUREAU_LIMIT)


def resolve(token: str, typed: str, user: User, bureau_wide: bool = False) -> Person | None:
    """The person a picker names: by its opaque id (bureau-wide: anyone not transferred out;
    scoped: anyone who is or was in the user's units, so a person once chosen stays valid), else
    by what was typed when it names exactly one person in the user's units — a personnel code,
    "name (code)", or a name. None when nothing fits."""
    person_id = person_id_of(token)
    if person_id is not None:
        stmt = sa.select(Person).where(Person.id == person_id)
        if bureau_wide:
            stmt = stmt.where(Person.transferred_out_on.is_(None))
        else:
            stmt = scoped_persons(stmt, user)
        return db.session.scalar(stmt)
    typed = (typed or "").strip()
    if not typed:
        return None
    match = NAME_AND_CODE.match(typed)
    if match:
        named = Person.code == match["code"]
    else:
        named = sa.or_(
            Person.code == typed, sa.and_(Person.name == typed, Person.transferred_out_on.is_(None))
        )
    candidates = list(db.session.scalars(scoped_persons(sa.select(Person).where(named), user)))
    by_code = [p for p in candidates if p.code == (match["code"] if match else typed)]
    if by_code:
        return by_code[0]
    return candidates[0] if len(candidates) == 1 else None
