"""Wording that follows the user's language beyond the catalogs."""

from collections.abc import Iterable

from flask_babel import get_locale


def enumeration(items: Iterable[object]) -> str:
    """张三、李四 in Chinese, Zhang San, Li Si in English: the enumeration comma 、 is Chinese
    punctuation only."""
    locale = get_locale()
    separator = ", " if locale is not None and locale.language == "en" else "、"
    return separator.join(str(item) for item in items)
