"""Wording that follows the user's language beyond the catalogs: dates in its one format, lists
joined with its enumeration mark."""

from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import format_date, format_datetime, get_locale

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


def enumeration(items: Iterable[object]) -> str:
    """张三、李四 in Chinese, Zhang San, Li Si in English: the enumeration comma 、 is Chinese
    punctuation only."""
    locale = get_locale()
    separator = ", " if locale is not None and locale.language == "en" else "、"
    return separator.join(str(item) for item in items)
