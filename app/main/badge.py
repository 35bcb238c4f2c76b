"""The navigation badge: how many items wait for the signed-in user."""

from flask import g
from flask_login import current_user

from app.auth.models import Role
from app.review import services as review


def badge_count() -> int:
    """The navigation badge, counted once per request: for secretaries and admins the items
    waiting in their queue, for members the items needing their own action."""
    if not current_user.is_authenticated:
        return 0
    if "badge_count" not in g:
        member = current_user.role is Role.MEMBER
        g.badge_count = (
            review.todo_count(current_user) if member else review.waiting_count(current_user)
        )
    return g.badge_count


def waiting_shown(count: int) -> str:
    """The badge's number as shown: "99+" past ``BADGE_LIMIT`` (the count stops there)."""
    return f"{review.BADGE_LIMIT}+" if count > review.BADGE_LIMIT else str(count)
