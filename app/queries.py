"""Small query helpers every list uses: bounded paging, "contains" search, bounded ints."""

from typing import Any

import sqlalchemy as sa
from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination

from app.extensions import db
from app.forms import CONTROL_CHARACTERS

# Ids and numbers from a URL never exceed a 32-bit integer (PostgreSQL's INTEGER); anything
# larger is treated as absent rather than overflowing the database driver.
MAX_INT = 2**31 - 1
MAX_PAGE = 100_000


def bounded_int(raw: Any) -> int | None:
    """A positive whole number from a query argument, or None (never an overflow)."""
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdecimal():
        return None
    value = int(text)
    return value if 0 < value <= MAX_INT else None


def page_number() -> int:
    value = bounded_int(request.args.get("page"))
    return min(value or 1, MAX_PAGE)


def paginate(stmt: sa.Select, per_page: int | None = None) -> Pagination:
    """One page of a statement, at the configured size; a page past the end is empty, not 404."""
    return db.paginate(
        stmt,
        page=page_number(),
        per_page=per_page or int(current_app.config["PAGE_SIZE"]),
        error_out=False,
        count=True,
    )


def contains(column: Any, text: str) -> sa.ColumnElement[bool]:
    """Case-insensitive "contains", with LIKE's wildcards in the user's text taken literally."""
    text = CONTROL_CHARACTERS.sub("", text)
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
