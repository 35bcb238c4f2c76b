"""Template filters and globals: dates in the user's language and zone, navigation by role."""

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import settings
from app.auth.models import Role
from app.locale_text import enumeration
from app.reports.figures import percent
from app.review.services import todo_count, waiting_count

# One date format per language, wherever a date is shown (pages, messages, documents); a
# moment adds the time, the sign-in sheet the weekday. A pattern of its own is only for what is
# not a whole date: a month (``yyyy-MM``), a weekday (``EEE``), a time (``HH:mm``).
DATE_PATTERNS = {"zh": "y年M月d日", "en": "MMMM d, y"}
WEEKDAY_PATTERNS = {"zh": "y年M月d日EEEE", "en": "EEEE, MMMM d, y"}
MOMENT_PATTERNS = {"zh": "y年M月d日 HH:mm", "en": "MMMM d, y, HH:mm"}
DATE_STYLES = frozenset({"short", "medium", "long", "full", "when"})


def _pattern(patterns: dict[str, str]) -> str:
    locale = get_locale()
    return patterns.get(locale.language if locale is not None else "zh", patterns["zh"])


def fmt_date(value: date | None, style: str = "long") -> str:
    """2026年3月8日 in zh_CN, March 8, 2026 in en, whatever the style asked; ``full`` adds the
    weekday."""
    if value is None:
        return ""
    if style == "full":
        return format_date(value, _pattern(WEEKDAY_PATTERNS))
    return format_date(value, _pattern(DATE_PATTERNS) if style in DATE_STYLES else style)


def fmt_datetime(value: datetime | None, style: str = "when") -> str:
    """A UTC instant shown in TIMEZONE: 2026年3月8日 14:30 / March 8, 2026, 14:30."""
    if value is None:
        return ""
    return format_datetime(value, _pattern(MOMENT_PATTERNS) if style in DATE_STYLES else style)


# (endpoint, label, roles allowed); only pages that exist are listed.
NAVIGATION = [
    ("main.index", _l("Home"), (Role.ADMIN, Role.SECRETARY, Role.MEMBER)),
    ("study.index", _l("Study sessions"), (Role.ADMIN, Role.SECRETARY, Role.MEMBER)),
    # Everyone who is a person keeps logs; the page tells an unlinked account why it has none.
    ("logs.index", _l("My logs"), (Role.ADMIN, Role.SECRETARY, Role.MEMBER)),
    ("review.index", _l("Review"), (Role.ADMIN, Role.SECRETARY)),
    ("people.index", _l("Members"), (Role.ADMIN, Role.SECRETARY)),
    ("admin.index", _l("Administration"), (Role.ADMIN,)),
    ("audit.index", _l("Audit trail"), (Role.ADMIN,)),
]


# Blueprints whose pages belong to another one's navigation entry.
NAVIGATION_AREA = {"roster": "people"}


def navigation_area(endpoint: str | None) -> str:
    """The navigation entry a page's endpoint belongs to, named by its blueprint."""
    blueprint = (endpoint or "").split(".")[0]
    return NAVIGATION_AREA.get(blueprint, blueprint)


def navigation() -> list[tuple[str, Any]]:
    if not current_user.is_authenticated:
        return []
    return [
        (endpoint, label)
        for endpoint, label, roles in NAVIGATION
        if current_user.role in roles
        # Only an account linked to a person keeps logs of its own.
        and (endpoint != "logs.index" or current_user.person_id is not None)
    ]


def badge_count() -> int:
    """The navigation badge, counted once per request: for secretaries and admins the items
    waiting in their queue, for members the items needing their own action."""
    if not current_user.is_authenticated:
        return 0
    if "badge_count" not in g:
        member = current_user.role is Role.MEMBER
        g.badge_count = todo_count(current_user) if member else waiting_count(current_user)
    return g.badge_count


def url_with(_path: str | None = None, **changes: Any) -> str:
    """The current URL with some query arguments replaced (for paging and sorting links); a list
    re-rendered after a POST gives its own page as ``_path``."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    query = urlencode(args)
    return (_path or request.path) + ("?" + query if query else "")


def register(app: Flask) -> None:
    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.filters["enumeration"] = enumeration
    app.jinja_env.filters["datetime"] = fmt_datetime
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["navigation"] = navigation
    app.jinja_env.globals["navigation_area"] = navigation_area
    app.jinja_env.globals["badge_count"] = badge_count
    app.jinja_env.globals["organisation_name"] = lambda: settings.get("org.name")

    @app.context_processor
    def inject() -> dict[str, Any]:
        locale = get_locale()
        return {
            # Babel names zh_CN "zh_Hans_CN" (its catalog folder); pages only need the language.
            "current_locale": "en" if locale is not None and locale.language == "en" else "zh_CN",
            "languages": [("zh_CN", "中文"), ("en", "English")],
        }
