"""The one place that decides between a full page and a fragment, and how htmx leaves a page."""

from typing import Any
from urllib.parse import urlsplit

from flask import Response, make_response, redirect, render_template, request

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


def render_fragment(template: str, /, status: int = 200, **context: Any) -> Response:
    """A partial plus the flash messages out of band, so a message shows once in both modes."""
    body = render_template(template, **context) + render_template("_flashes.html", oob=True)
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
    """Nothing swapped in place; the out-of-band flash carries the message."""
    response = make_response(render_template("_flashes.html", oob=True), status)
    response.headers["HX-Reswap"] = "none"
    response.headers["Vary"] = VARY
    return response
