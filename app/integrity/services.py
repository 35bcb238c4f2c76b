"""Integrity activities: creating one with its default expected list, applying a form's values,
and entering past ones from paper (补录) without their lists of names."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from flask_babel import gettext as _

from app.activities import services as core
from app.activities.expected import ExpectedDefault
from app.activities.forms import to_utc
from app.auth.models import User
from app.extensions import db
from app.integrity.models import IntegrityActivity, IntegrityKind
from app.people.models import OrgUnit
from app.refusals import Refused
from app.types import local_today, utcnow

FIELDS = ("kind", "cautionary_form", "content", "talk_kind")


def apply_values(activity: IntegrityActivity, values: dict[str, Any]) -> None:
    core.apply_values(activity, values, FIELDS)


def create_activity(values: dict[str, Any], by: User) -> IntegrityActivity:
    """A new integrity activity (kind 廉政党课 unless ``values`` say otherwise) with its default
    expected list; added to the session, not committed."""
    activity = IntegrityActivity(created_at=utcnow(), kind=IntegrityKind.LECTURE)
    apply_values(activity, values)
    return core.add_activity(activity, by, activity.kind.expected_default)  # type: ignore[return-value]


@dataclass(frozen=True)
class PastActivity:
    """One line of a back-fill: what, when, where, how many were present, its title."""

    kind: IntegrityKind
    day: date
    unit: OrgUnit
    present: int
    title: str


def backfill(lines: list[PastActivity], reason: str, by: User) -> list[IntegrityActivity]:
    """Past activities entered from paper, archived at once and flagged as entered late with the
    one ``reason``: no list of names, the number present as the paper gives it. They count as
    held (years in a row are true from the first day) and in no attendance rate. Added to the
    session, not committed; a date from today on refuses them all."""
    made = []
    for line in lines:
        if line.day >= local_today():
            message = _("%(title)s: only activities held before today are entered from paper.")
            raise Refused(message % {"title": line.title}, status=422)
        starts = to_utc(line.day, time(9))
        activity = IntegrityActivity(
            created_at=utcnow(), kind=line.kind, paper_present=line.present
        )
        values = {"title": line.title, "unit": line.unit, "starts_at": starts}
        values |= {"ends_at": starts + timedelta(hours=1, minutes=30), "late_reason": reason}
        apply_values(activity, values)
        activity.late_entry, activity.late_reason = True, reason  # from paper, however recent
        core.add_activity(activity, by, ExpectedDefault.BY_HAND)
        db.session.flush()
        core.archive(activity, by)
        made.append(activity)
    return made
