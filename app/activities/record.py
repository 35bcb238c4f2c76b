"""What every activity page needs: the activity loaded with what its page shows, and the record
context the core's partials read, whatever the family."""

import hashlib
from functools import partial
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app import htmx
from app.activities import services as core
from app.activities.families import family_for, family_of, index_url, show_url
from app.activities.forms import list_forms
from app.activities.models import (
    Activity,
    ActivityGuest,
    AttendanceStatus,
    ParticipantRole,
    Participation,
    RecordedVia,
)
from app.auth.models import User
from app.auth.policy import (
    can_manage_activity,
    can_view_activity,
    is_admin,
    may_decide,
    own_participation,
    require,
    require_role,
)
from app.evidence import services as files
from app.evidence.models import Evidence
from app.extensions import db
from app.people.models import Person, roster_order
from app.reports import figures
from app.types import utcnow


def load_activity(
    activity_id: int, manage: bool = False, model: type[Activity] | None = None
) -> Any:
    """One activity of any family (of ``model`` when given: a family's own pages) with
    everything its page shows, in a fixed number of queries; 404 unless the user may see it,
    403 unless they may manage it when ``manage``. A refused change on it goes back to its
    page."""
    key = db.session.scalar(sa.select(Activity.family).where(Activity.id == activity_id))
    require(key is not None)
    family = family_for(key)  # type: ignore[arg-type]
    # A family's own page names its model: another family's activity is not found there.
    require(model is None or family.model is model)
    loaded = family.model
    activity = db.session.scalar(
        sa.select(loaded)
        .where(loaded.id == activity_id)
        .options(
            joinedload(loaded.unit),
            selectinload(loaded.participations)
            .joinedload(Participation.person)
            .joinedload(Person.department),
            selectinload(loaded.guests).joinedload(ActivityGuest.person),
            *family.load_options(),
        )
    )
    require(activity is not None and can_view_activity(current_user, activity))
    htmx.set_back(show_url(activity))  # type: ignore[arg-type]
    if manage:
        require_role(can_manage_activity(current_user, activity))  # type: ignore[arg-type]
    return activity


def row_of(activity: Activity, row_id: int) -> Participation:
    for row in activity.participations:
        if row.id == row_id:
            return row
    abort(404)


def grid_stamp(activity: Activity) -> str:
    """Changes whenever a row or guest of the grid changes: the polling grid is sent again only
    then."""
    parts = [f"{r.id}:{r.version}" for r in activity.participations]
    parts += [f"g{g.id}:{g.deleted_at is None}" for g in activity.guests]
    return hashlib.sha256(",".join(sorted(parts)).encode()).hexdigest()[:16]


def _make_up_files(rows: list[Participation]) -> dict[int, list[Evidence]]:
    """Make-up evidence beside the note the secretary reviews, for the whole grid at once."""
    found: dict[int, list[Evidence]] = {}
    submitted = [r.id for r in rows if r.make_up_state is not None]
    for item in files.participation_evidence(submitted):
        found.setdefault(item.participation_id, []).append(item)  # type: ignore[arg-type]
    return found


def record_context(activity: Activity, **extra: Any) -> dict[str, Any]:
    """What the record header, the grid, the counts and the member's card read."""
    family = family_of(activity)
    manage = can_manage_activity(current_user, activity)
    rows = sorted(
        activity.participations,
        key=lambda r: (r.role is not ParticipantRole.EXPECTED, roster_order(r.person)),
    )
    counts = figures.counts_for(activity)
    return {
        "activity": activity,
        "family": family,
        "record_url": show_url(activity),
        "index_url": index_url(activity),
        "index_label": family.index_label,
        "counts": counts,
        "quorum": family.quorum(activity, counts),
        "quorum_rule": family.quorum_rule(activity),
        "counts_partial": family.counts_partial(activity),
        "make_up_files": _make_up_files(rows) if manage else {},
        "expected_rows": [r for r in rows if r.role is ParticipantRole.EXPECTED],
        "non_voting_rows": [r for r in rows if r.role is ParticipantRole.NON_VOTING],
        "guests": [g for g in activity.guests if g.deleted_at is None],
        "family_guests": figures.family_guests([activity.id])[activity.id],
        "can_manage": manage,
        "decides": partial(may_decide, current_user),
        "mine": own_participation(current_user, activity),
        "now": utcnow(),
        "window": core.check_in_window(activity),
        "statuses": AttendanceStatus,
        "party_label": figures.status_label_on,
        "grid_stamp": grid_stamp,
        "by_qr": sum(r.recorded_via is RecordedVia.QR for r in rows),
        "archivable": activity.is_open and activity.starts_at <= utcnow(),
        **family.record_extras(activity),
        **extra,
    }


def record_page(activity: Activity, **extra: Any) -> dict[str, Any]:
    """Everything a family's record page shows beyond its own fields: the record context, the
    gallery, the forms of the lists, who entered it and the last reopening."""
    context = {**record_context(activity, **extra), **files.gallery(activity, current_user)}
    return {
        **context,
        **list_forms(context["can_manage"]),
        "can_reopen": activity.is_archived and is_admin(current_user),
        "entered_by": db.session.get(User, activity.created_by_id)
        if activity.created_by_id
        else None,
        "reopened": core.last_reopening(activity),
    }
