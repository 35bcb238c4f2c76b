"""The one place that decides between a full page and a fragment, and how htmx leaves a page."""

from typing import Any
from urllib.parse import urlsplit

from flask import Response, make_response, redirect, render_template, request
from flask_login import current_user

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
