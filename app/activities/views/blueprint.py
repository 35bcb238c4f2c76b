"""The core's blueprint and what its routes share: a member's own row, an outdated grid, a
form that cannot be used here, a request's reason, files attached with a make-up."""

from collections.abc import Callable

from flask import Blueprint, Response, request
from flask_login import current_user

from app import htmx
from app.activities.families import show_url
from app.activities.forms import ReasonForm
from app.activities.models import Activity, Participation
from app.activities.record import record_context
from app.auth.policy import own_participation, require_role
from app.evidence import services as files
from app.htmx import hx_redirect
from app.queries import form_version
from app.refusals import Refused

bp = Blueprint("activities", __name__)


def own_row(activity: Activity) -> Participation:
    row = own_participation(current_user, activity)
    require_role(row is not None)
    return row  # type: ignore[return-value]


def stale(row: Participation) -> bool:
    """The grid the secretary clicked on showed an older version of this row."""
    shown = form_version()
    return shown is not None and shown != row.version


def offered(row: Participation, check: Callable[[Participation], None]) -> None:
    """Before a form is shown or read: say at once, as a warning, when it cannot be handed in."""
    try:
        check(row)
    except Refused as refused:
        raise Refused(refused.message, category="warning") from refused


def reason_given(missing: str) -> str:
    """The reason a request must give; refused with ``missing`` when there is none."""
    form = ReasonForm()
    if not form.validate_on_submit():
        raise Refused(missing, 422)
    return form.reason.data


def leave_record(activity: Activity) -> Response:
    return hx_redirect(show_url(activity))


def with_files(row: Participation, change: Callable[[], None]) -> Callable[[], None]:
    """A make-up written and its uploaded files attached, all or nothing."""

    def write() -> None:
        change()
        files.attach_all(request.files.getlist("files"), by=current_user, participation=row)

    return write


def grid_answer(
    activity: Activity, row: Participation | None = None, status: int = 200
) -> Response:
    """After a change on the grid: the row (or the whole grid) and the counts out of band; a
    page request goes back to the record."""
    back = show_url(activity)
    context = record_context(activity)
    if row is not None:
        return htmx.answer("activities/_row_update.html", back, status, row=row, **context)
    return htmx.answer("activities/_attendance.html", back, status, oob_counts=True, **context)
