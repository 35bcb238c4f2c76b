"""Static files: how long a browser keeps them, and their pre-compressed copies.

Vendored files carry their version in the file name (vendor/htmx-2.0.11.min.js): a new release is
a new URL, so a browser may keep them a year without asking again (`immutable`). The app's own
files (app.js, app.css, favicon.svg) keep their names across releases: they are sent with
`no-cache` and an ETag, so the browser revalidates each time and receives a 304 while unchanged.

`make install` writes a `.gz` beside each script and style sheet (never committed); a client that
accepts gzip receives it with `Content-Encoding: gzip`, others the plain file. A `.gz` older than
its source (the source was edited since) is ignored, so a stale copy is never served.
"""

import mimetypes
import os
import re

from flask import Flask, Response, abort, current_app, request, send_file, send_from_directory
from werkzeug.security import safe_join

# A year: the longest lifetime HTTP caches honour.
IMMUTABLE_MAX_AGE = 365 * 24 * 60 * 60
# vendor/<name>-<major>.<minor>.<patch>…: only a name that changes with the content is immutable.
VERSIONED = re.compile(r"^vendor/[^/]+-\d+\.\d+\.\d+[^/]*$")
COMPRESSIBLE = (".js", ".css", ".svg")


def is_versioned(filename: str) -> bool:
    """True for a vendored file whose name carries its version."""
    return VERSIONED.match(filename) is not None


def _fresh_gzip(path: str) -> str | None:
    """The path of a pre-compressed copy of `path` that is at least as new as it, if any."""
    compressed = path + ".gz"
    try:
        return compressed if os.stat(compressed).st_mtime >= os.stat(path).st_mtime else None
    except OSError:
        return None


def _accepts_gzip() -> bool:
    return request.accept_encodings.quality("gzip") > 0


def serve(filename: str) -> Response:
    """The static view: the gzip copy when accepted, one caching policy for every file."""
    folder = current_app.static_folder
    path = safe_join(folder, filename) if folder else None
    if path is None or not os.path.isfile(path):
        abort(404)
    max_age = IMMUTABLE_MAX_AGE if is_versioned(filename) else None
    compressible = filename.endswith(COMPRESSIBLE)
    compressed = _fresh_gzip(path) if compressible and _accepts_gzip() else None
    if compressed is None:
        response = send_from_directory(folder, filename, max_age=max_age)
    else:
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = send_file(
            compressed, mimetype=mimetype, download_name=os.path.basename(path), max_age=max_age
        )
        response.content_encoding = "gzip"
    if max_age:
        response.cache_control.immutable = True
    if compressible:
        response.vary.add("Accept-Encoding")
    return response


def register(app: Flask) -> None:
    """Serve app/static through `serve` instead of Flask's plain static view."""
    app.view_functions["static"] = serve
