"""Small query helpers every list uses: bounded paging, "contains" search, bounded ints, and
the parsers through which every view reads its query arguments."""

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy.ext.compiler import compiles

from app.extensions import db
from app.forms import CONTROL_CHARACTERS

# Ids and numbers from a URL never exceed a 32-bit integer (PostgreSQL's INTEGER); anything
# larger is treated as absent rather than overflowing the database driver.
MAX_INT = 2**31 - 1
MAX_PAGE = 100_000
# Longer than any number up to MAX_INT: a longer text is no such number, and is never handed to
# int() (which refuses more than 4,300 digits with an error).
MAX_DIGITS = 20


def bounded_int(raw: Any) -> int | None:
    """A positive whole number from a query argument or a form field, or None (never an
    overflow, never an error however long the text)."""
    text = str(raw or "").strip().lstrip("0")
    if not text or len(text) > MAX_DIGITS or not text.isascii() or not text.isdecimal():
        return None
    value = int(text)
    return value if 0 < value <= MAX_INT else None


# Which endpoint reads which query argument, as requests read them: what a test walks to send
# hostile values to every name a page reads. Names come from the code, never from the request,
# so the set stays small.
READ_NAMES: set[tuple[str, str]] = set()


def _note(name: str) -> None:
    READ_NAMES.add((request.endpoint or "", name))


def text_arg(name: str, default: str = "") -> str:
    """The query argument ``name`` as typed, or ``default``."""
    _note(name)
    return request.args.get(name, default)


def int_arg(name: str) -> int | None:
    """The query argument ``name`` as a positive whole number, or None."""
    return bounded_int(text_arg(name))


class QueryArgs:
    """The query arguments for a filter class or a query form: each name they read is noted."""

    def __contains__(self, name: object) -> bool:
        _note(str(name))
        return name in request.args

    def __iter__(self) -> Iterator[str]:
        return iter(request.args)

    def __len__(self) -> int:
        return len(request.args)

    def get(self, name: str, default: Any = None) -> Any:
        _note(name)
        return request.args.get(name, default)

    def getlist(self, name: str) -> list[str]:
        _note(name)
        return request.args.getlist(name)


def query_args() -> QueryArgs:
    return QueryArgs()


def form_or_query_arg(name: str) -> str:
    """A value a link carries in the query and a form in its body (the check-in code)."""
    _note(name)
    return request.values.get(name, "")


def form_version() -> int | None:
    """The row version the form was drawn with, or None when it carries none; anything else
    is a bad request (an overwrite must not go ahead on a version nobody can have seen)."""
    raw = request.form.get("version", "")
    if raw == "":
        return None
    value = bounded_int(raw)
    if value is None:
        abort(400)
    return value


def page_number() -> int:
    return min(int_arg("page") or 1, MAX_PAGE)


# A list counts its rows up to this many: beyond, its pager says "page N · more" instead of a page
# count, so no count reads more than COUNT_LIMIT + 1 rows however long the list grows.
COUNT_LIMIT = 1000
# A search counts its matches up to this many ("more than 100 match": type more). Read in the
# order the results are shown, the count and the page then stop early in a district of any size.
SEARCH_COUNT_LIMIT = 100


class CappedCount:
    """What a page counted up to ``COUNT_LIMIT`` says: ``counted`` when its total is exact,
    else whether a next page exists, from one row read past this page (``more_after``, set by
    the page's reading of its items)."""

    more_after = False
    total: int | None

    @property
    def counted(self) -> bool:
        return self.total is not None

    @property
    def has_next(self) -> bool:
        return super().has_next if self.counted else self.more_after  # type: ignore[misc]


class CappedPagination(CappedCount, SelectPagination):
    """A Flask-SQLAlchemy page whose count stops past ``limit`` (``COUNT_LIMIT``) rows.

    Up to the limit ``total`` is exact and ``counted`` true; beyond it ``total`` is None, and
    whether a next page exists comes from one row read past this page (the same two statements
    as an exact count: the page and the capped count). The count selects no columns, which is
    right for what lists page — rows of one entity, filtered and joined, never DISTINCT or
    grouped."""

    @property
    def limit(self) -> int:
        return int(self._query_args.get("count_limit", COUNT_LIMIT))

    def _query_items(self) -> list[Any]:
        select = self._query_args["select"]
        rows = self._query_args["session"].execute(
            select.limit(self.per_page + 1).offset(self._query_offset)
        )
        items = list(rows.unique().scalars())
        self.more_after = len(items) > self.per_page
        return items[: self.per_page]

    def _query_count(self) -> int | None:  # type: ignore[override]
        select = self._query_args.get("counted")
        select = self._query_args["select"] if select is None else select
        # Counted rows need no columns: the filters' index alone can answer (a covering scan).
        capped = (
            select.with_only_columns(sa.literal(1), maintain_column_froms=True)
            .order_by(None)
            .limit(self.limit + 1)
            .subquery()
        )
        found = self._query_args["session"].scalar(sa.select(sa.func.count()).select_from(capped))
        return found if found <= self.limit else None


def paginate(
    stmt: sa.Select,
    per_page: int | None = None,
    count_limit: int = COUNT_LIMIT,
    counted: sa.Select | None = None,
) -> CappedPagination:
    """One page of a statement, at the configured size; a page past the end is empty, not 404.
    Counted exactly up to ``count_limit`` rows, "page N · more" beyond; ``counted`` is the
    statement counted when ``stmt`` holds only the rows up to this page's (``rows_read``)."""
    return CappedPagination(
        select=stmt,
        session=db.session(),
        page=page_number(),
        per_page=per_page or int(current_app.config["PAGE_SIZE"]),
        max_per_page=None,
        error_out=False,
        count=True,
        count_limit=count_limit,
        counted=counted,
    )


def rows_read(per_page: int | None = None) -> int:
    """How many rows of its statement ``paginate`` reads: the pages up to this one and one more
    row (whether a next page exists)."""
    return page_number() * (per_page or int(current_app.config["PAGE_SIZE"])) + 1


def contains(column: Any, text: str) -> sa.ColumnElement[bool]:
    """Case-insensitive "contains", with LIKE's wildcards in the user's text taken literally."""
    text = CONTROL_CHARACTERS.sub("", text)
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite's LIKE already ignores the case of ASCII letters, and its lower() folds no
        # others: the same rows without lower() on both sides of every row compared.
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


class _InOrder(sa.sql.selectable.Join):
    """An inner join whose left side SQLite reads first (``CROSS JOIN … ON``, its one hint of
    join order); every other database plans it as any join."""

    inherit_cache = True


@compiles(_InOrder, "sqlite")
def _in_order_on_sqlite(join: _InOrder, compiler: Any, **kw: Any) -> str:
    kw["asfrom"] = True
    left = compiler.process(join.left, **kw)
    right = compiler.process(join.right, **kw)
    return f"{left} CROSS JOIN {right} ON {compiler.process(join.onclause, **kw)}"


def join_in_order(left: Any, right: Any, onclause: sa.ColumnElement[bool]) -> sa.Join:
    """``left`` joined to ``right``, read in that order on SQLite: where a plan made without
    statistics (SQLite keeps none unless analysed) would start from the wrong side — a few
    people's recent sessions, not each person's years of rows."""
    return _InOrder(left, right, onclause)


class ListPagination(Pagination):
    """One page of rows computed in Python, with the number of rows of the whole table."""

    def __init__(self, rows: list[Any], page: int, per_page: int, total: int) -> None:
        super().__init__(
            page=page, per_page=per_page, error_out=False, count=True, rows=rows, total=total
        )

    def _query_items(self) -> list[Any]:
        return self._query_args["rows"]

    def _query_count(self) -> int:
        return self._query_args["total"]
