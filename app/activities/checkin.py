"""The rotating check-in code shown in the room.

A token names the activity and a 60-second slot and is signed with the application's secret, so
nothing is stored: a new token appears every slot, and a token is accepted for five minutes after
its slot began (time to sign in on a phone). A forged token fails the signature; an old one fails
the clock.
"""

import hashlib
import hmac
from datetime import datetime

import segno
from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup

from app.types import utcnow

ROTATE_SECONDS = 60
VALID_SECONDS = 5 * 60


def _slot(now: datetime) -> int:
    return int(now.timestamp()) // ROTATE_SECONDS


def _signature(activity_id: int, slot: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"check-in:{activity_id}:{slot}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def token_for(activity_id: int, now: datetime | None = None) -> str:
    slot = _slot(now or utcnow())
    return f"{slot}.{_signature(activity_id, slot)}"


def seconds_left(now: datetime | None = None) -> int:
    """Until the code on the screen changes."""
    return ROTATE_SECONDS - int((now or utcnow()).timestamp()) % ROTATE_SECONDS


class TokenProblem(Exception):
    pass


class Forged(TokenProblem):
    pass


class Expired(TokenProblem):
    pass


def verify(activity_id: int, token: str, now: datetime | None = None) -> None:
    """Raise Forged or Expired unless the token was shown for this activity in the last five
    minutes."""
    slot_text, _, signature = (token or "").partition(".")
    # ASCII only: isdigit() also admits "²", which int() refuses, and compare_digest() refuses
    # a non-ASCII text.
    if not (token or "").isascii() or not slot_text.isdigit() or len(slot_text) > 12:
        raise Forged
    slot = int(slot_text)
    if not hmac.compare_digest(signature, _signature(activity_id, slot)):
        raise Forged
    shown_at = slot * ROTATE_SECONDS
    age = (now or utcnow()).timestamp() - shown_at
    if age < 0 or age > VALID_SECONDS:
        raise Expired


def qr_svg(url: str, title: str | None = None) -> Markup:
    """The URL as an inline SVG QR code, sized by CSS through its class and viewBox.

    segno draws with presentation attributes (``fill``, ``stroke``), never ``style=``, which the
    CSP forbids. The code paints its own white background, so it scans on a dark page too; the
    two-module border is half the standard quiet zone, enough where the code sits on white."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(
        scale=1,
        border=2,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="qr-code",
        lineclass=None,
        title=title or _("QR code to check in"),
    )
    # Crisp edges: anti-aliasing would draw hairlines between modules when the code is enlarged.
    svg = svg.replace("<svg ", '<svg role="img" shape-rendering="crispEdges" ', 1)
    # Safe to mark: segno escapes the title, and the URL only becomes path data, never text.
    return Markup(svg)  # noqa: S704
