"""Integrity activities: creating one with its default expected list, applying a form's values."""

from typing import Any

from app.activities import services as core
from app.auth.models import User
from app.integrity.models import IntegrityActivity, IntegrityKind
from app.types import utcnow

FIELDS = ("kind", "cautionary_form", "content", "talk_kind")


def apply_values(activity: IntegrityActivity, values: dict[str, Any]) -> None:
    core.apply_values(activity, values, FIELDS)


def create_activity(values: dict[str, Any], by: User) -> IntegrityActivity:
    """A new integrity activity (kind 廉政党课 unless ``values`` say otherwise) with its default
    expected list; added to the session, not committed."""
    activity = IntegrityActivity(created_at=utcnow(), kind=IntegrityKind.LECTURE)
    apply_values(activity, values)
    return core.add_activity(activity, by, activity.kind.expected_default)  # type: ignore[return-value]
