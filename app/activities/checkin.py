"""The rotating check-in code shown in the room.

A token names the activity and a 60-second slot and is signed with the application's secret, so
nothing is stored: a new token appears every slot, and a token is accepted for a short window
(a setting, minutes) after its slot ended, when the screen last showed it. A forged token fails
the signature; an old one fails the clock. A scan verified before its person has signed in waits
SIGN_IN_SECONDS for the sign-in that completes it, so that signing in on the phone first is no
reason to be refused, while the code itself travels no further.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

import segno
from flask import current_app, session
from flask_babel import gettext as _
from markupsafe import Markup

from app.types import utcnow

ROTATE_SECONDS = 60
SIGN_IN_SECONDS = 5 * 60
# In the session, a scan verified before sign-in: [activity id, verified at (epoch seconds)].
PENDING_SCAN = "pending_scan"


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


def verify(activity_id: int, token: str, window: timedelta, now: datetime | None = None) -> None:
    """Raise Forged or Expired unless the token was on the screen for this activity at most
    ``window`` ago."""
    slot_text, _, signature = (token or "").partition(".")
    # ASCII only: isdigit() also admits "²", which int() refuses, and compare_digest() refuses
    # a non-ASCII text.
    if not (token or "").isascii() or not slot_text.isdigit() or len(slot_text) > 12:
        raise Forged
    slot = int(slot_text)
    if not hmac.compare_digest(signature, _signature(activity_id, slot)):
        raise Forged
    now_seconds = (now or utcnow()).timestamp()
    last_shown = (slot + 1) * ROTATE_SECONDS
    if now_seconds < slot * ROTATE_SECONDS or now_seconds - last_shown > window.total_seconds():
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


def remember_scan(activity_id: int, now: datetime | None = None) -> None:
    """Keep a verified scan in the session while its person signs in."""
    session[PENDING_SCAN] = [activity_id, int((now or utcnow()).timestamp())]


def forget_scan() -> None:
    session.pop(PENDING_SCAN, None)


def verify_scan(
    activity_id: int, token: str, window: timedelta, now: datetime | None = None
) -> None:
    """Verify the token or, without one, the scan this browser made for the activity before it
    signed in: Expired when that scan is more than SIGN_IN_SECONDS old, Forged when there is
    none."""
    if token:
        verify(activity_id, token, window, now)
        return
    pending = session.get(PENDING_SCAN)
    if not isinstance(pending, list) or len(pending) != 2 or pending[0] != activity_id:
        raise Forged
    age = (now or utcnow()).timestamp() - pending[1]
    if not 0 <= age <= SIGN_IN_SECONDS:
        raise Expired
