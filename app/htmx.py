"""The one place that decides between a full page and a fragment, and how htmx leaves a page."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Response, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.refusals import Refused

VARY = "HX-Request, HX-Boosted"


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """An htmx request that is not a boosted navigation nor a history restore."""
    return (
        is_htmx()
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _badge_oob() -> str:
    """The navigation badge out of band, so it stays current after every action in place; it
    comes after the partial, which stays the response's first element."""
    if not current_user.is_authenticated:
        return ""
    return render_template("_badge.html", oob=True)


def render_fragment(template: str, /, status: int = 200, **context: Any) -> Response:
    """A partial plus the flash messages and the badge out of band, so a message shows once in
    both modes and the badge follows every change."""
    body = (
        render_template(template, **context)
        + render_template("_flashes.html", oob=True)
        + _badge_oob()
    )
    response = make_response(body, status)
    response.headers["Vary"] = VARY
    return response


def render_page(
    template: str, fragment: str | None = None, /, status: int = 200, **context: Any
) -> Response:
    """The page, or only its fragment when htmx asked for one."""
    if fragment is not None and wants_fragment():
        return render_fragment(fragment, status, **context)
    response = make_response(render_template(template, **context), status)
    response.headers["Vary"] = VARY
    return response


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site (a ``next`` to return to), else None: never
    another host, a scheme, or a protocol-relative ``//`` address."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    if target.startswith(("//", "/\\")):
        return None
    return target


def hx_redirect(url: str) -> Response:
    """Leave the page: HX-Redirect for htmx (a full load, fresh CSRF token), 303 otherwise."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def form_status() -> int:
    """A form page's status: 422 when it is shown again after a refused POST, else 200."""
    return 422 if request.method == "POST" else 200


def saved(message: object, url: str) -> Response:
    """After a form's change: commit it, say so, and go to ``url``."""
    db.session.commit()
    flash(message, "success")
    return hx_redirect(url)


def only_flashes(status: int) -> Response:
    """Nothing swapped in place; the out-of-band flash carries the message (and the badge, unless
    the server failed: the database may be what failed)."""
    body = render_template("_flashes.html", oob=True)
    if status < 500:
        body += _badge_oob()
    response = make_response(body, status)
    response.headers["HX-Reswap"] = "none"
    response.headers["Vary"] = VARY
    return response


CHANGED_MEANWHILE = _l("Someone else changed this at the same time. Reload and try again.")


def refuse(message: object, back: str, status: int = 409) -> Response:
    """Nothing is saved: the change is rolled back and the message shown — out of band for a
    fragment request (the page stays), after a redirect to ``back`` otherwise."""
    db.session.rollback()
    flash(str(message), "danger")
    if wants_fragment():
        return only_flashes(status)
    return redirect(back, 303)


def commit(conflict: object = CHANGED_MEANWHILE, category: str = "danger") -> None:
    """Commit; when another request changed the same versioned row first, or took the same
    unique value, raise ``Refused`` with what happened (shown in ``category``: "warning" where
    someone else's decision is news, not a fault), which the app-wide handler answers."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError) as error:
        db.session.rollback()  # before the message is translated: the locale reads the user
        raise Refused(conflict, category=category) from error


def set_back(url: str) -> None:
    """Where a page request goes when this request's change is refused: the record it acts on."""
    g.back = url


def on_refusal(answer: Callable[[int], Response]) -> None:
    """How a fragment request is answered when this request's change is refused (called with the
    status, after the rollback): a part of the page that must show what is recorded now."""
    g.refusal_answer = answer


def answer_refusal(message: object, status: int, category: str) -> Response:
    """The one answer to a refused or outdated change: rolled back, the message flashed; a
    fragment request keeps its page (or gets what ``on_refusal`` registered), a page request
    goes back to the record (``set_back``), else to a page of this site it came from."""
    db.session.rollback()
    # A message with a link (``Markup``) keeps it; any other is text (a lazy string resolved).
    flash(message if isinstance(message, Markup) else str(message), category)
    if wants_fragment():
        answer = g.get("refusal_answer")
        return answer(status) if answer is not None else only_flashes(status)
    back = g.get("back") or local_path(request.referrer) or url_for("main.index")
    return redirect(back, 303)


def answer(fragment: str, back: str, status: int = 200, **context: Any) -> Response:
    """After a change: the fragment (with flashes and badge out of band) for a fragment request,
    else a redirect to ``back``, where the flashed message shows."""
    if wants_fragment():
        return render_fragment(fragment, status, **context)
    return redirect(back, 303)
