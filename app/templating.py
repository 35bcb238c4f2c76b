"""Template filters and globals: dates and lists in the user's language, navigation by role."""

from typing import Any
from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from app import settings
from app.activities import families
from app.auth.models import Role
from app.locale_text import enumeration, fmt_date, fmt_datetime
from app.main.badge import badge_count, waiting_shown
from app.reports.figures import percent

EVERYONE = (Role.ADMIN, Role.SECRETARY, Role.MEMBER)
HOME = ("main.index", _l("Home"), EVERYONE)
# (endpoint, label, roles allowed); only pages that exist are listed. The record families'
# lists come between home and these, in the order of their places.
NAVIGATION = [
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
    entries = [HOME, *((e, label, EVERYONE) for e, label in families.navigation_entries())]
    return [
        (endpoint, label)
        for endpoint, label, roles in [*entries, *NAVIGATION]
        if current_user.role in roles
        # Only an account linked to a person keeps logs of its own.
        and (endpoint != "logs.index" or current_user.person_id is not None)
    ]


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


def translations() -> Any:
    """The request's translations, looked up once per locale: flask_babel finds the context,
    the domain and the locale again for every string (about 10 µs each, and a table of twenty
    rows has a few hundred strings). Kept beside the locale flask_babel settled on, so a
    ``force_locale`` block, which changes that locale, gets its own."""
    if not g:
        return get_translations()
    kept = vars(g._get_current_object())  # one look through the proxy, then plain reads
    locale = getattr(kept.get("_flask_babel"), "babel_locale", None)
    found = kept.get("_ledger_translations")
    if locale is not None and found is not None and found[0] is locale:
        return found[1]
    translations = get_translations()  # settles the locale
    kept["_ledger_translations"] = (
        getattr(kept.get("_flask_babel"), "babel_locale", None),
        translations,
    )
    return translations


# Jinja's "new style" gettext, as its i18n extension defines it (the translation is markup when
# autoescaping, formatted with the call's variables, ``num`` included for plurals), with the
# request's translations called directly: the extension's wrappers reach them through three
# context calls per string (``_``, then ``gettext``, then the callable), a few microseconds each.


def _formatted(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    if eval_ctx.autoescape:
        return Markup(text) % variables  # noqa: S704 - the catalog's own text, as jinja treats it
    return text % variables


@pass_eval_context
def _gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    return _formatted(eval_ctx, translations().ugettext(string), variables)


@pass_eval_context
def _ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("num", num)
    return _formatted(eval_ctx, translations().ungettext(singular, plural, num), variables)


@pass_eval_context
def _pgettext(eval_ctx: EvalContext, context: str, string: str, /, **variables: Any) -> str:
    variables.setdefault("context", context)
    return _formatted(eval_ctx, translations().upgettext(context, string), variables)


@pass_eval_context
def _npgettext(
    eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    text = translations().unpgettext(context, singular, plural, num)
    return _formatted(eval_ctx, text, variables)


def register(app: Flask) -> None:
    # Set as they are (installing them through the extension would wrap them once more);
    # templates compile their strings and ``trans`` blocks to calls of these names.
    app.jinja_env.newstyle_gettext = True  # type: ignore[attr-defined]
    app.jinja_env.globals.update(
        _=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext
    )
    app.jinja_env.filters["date"] = fmt_date
    app.jinja_env.filters["enumeration"] = enumeration
    app.jinja_env.filters["datetime"] = fmt_datetime
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["show_url"] = families.show_url
    app.jinja_env.globals["kind_label"] = families.kind_label
    app.jinja_env.globals["family_links"] = families.navigation_entries
    app.jinja_env.globals["family_calendars"] = families.calendar_entries
    app.jinja_env.globals["family_mine"] = families.mine_entries
    app.jinja_env.globals["family_unit_lists"] = families.unit_list_entries
    app.jinja_env.globals["dashboard_panels"] = families.dashboard_panels
    app.jinja_env.globals["navigation"] = navigation
    app.jinja_env.globals["navigation_area"] = navigation_area
    app.jinja_env.globals["badge_count"] = badge_count
    app.jinja_env.filters["waiting_shown"] = waiting_shown
    app.jinja_env.globals["organisation_name"] = lambda: settings.get("org.name")

    @app.context_processor
    def inject() -> dict[str, Any]:
        locale = get_locale()
        return {
            # Babel names zh_CN "zh_Hans_CN" (its catalog folder); pages only need the language.
            "current_locale": "en" if locale is not None and locale.language == "en" else "zh_CN",
            "languages": [("zh_CN", "中文"), ("en", "English")],
        }
