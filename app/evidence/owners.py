"""The owner registry: what evidence may belong to, and each owner's rules.

An owner registers its name (the ``Evidence`` attribute holding the owner record), its foreign-key
column and the table it points to, who may view and who may change its files, what state the
record must be in for its files to change, and the page its files are shown on. ``Evidence``
generates its owner columns and its exactly-one-owner CHECK from this registry
(``app/evidence/models.py``), so registrations happen here, before that model is built. A new
owner registers below and adds its column with a migration that recreates the CHECK from
``constraint.one_owner_sql``; ``tests/test_evidence_owners.py`` compares the live CHECK with the
registry on both databases.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from app.activities.families import show_url
from app.activities.models import Participation
from app.activities.services import require_not_cancelled, require_open
from app.auth.models import User
from app.auth.policy import (
    can_change_log_files,
    can_change_make_up_files,
    can_manage_activity,
    can_view_activity,
    can_view_log,
    can_view_make_up_files,
)
from app.duties import lists as duty_lists
from app.duties.models import DutyEntry
from app.evidence.constraint import one_owner_sql
from app.integrity import pledges, talks
from app.integrity.models import IntegrityTalk, SigningBatch
from app.logs.models import MemberLog
from app.logs.services import require_changeable
from app.volunteer import projects
from app.volunteer.models import Acceptance, ProgressEntry, Project


@dataclass(frozen=True)
class Owner:
    """One kind of record evidence belongs to.

    ``swaps_gallery``: its page shows ``evidence/_gallery.html`` (built by ``services.gallery``)
    and a removal answers with the gallery; otherwise the page is loaded again.
    ``removed_here``: removed through ``evidence.delete``; False when its own form removes them."""

    name: str
    column: str
    table: str
    model: str
    label: Any
    may_view: Callable[[User, Any], bool]
    may_change: Callable[[User, Any], bool]
    require_writable: Callable[[Any], None]
    page_url: Callable[[Any], str]
    swaps_gallery: bool = False
    removed_here: bool = True


_OWNERS: dict[str, Owner] = {}
# Set once ``Evidence`` is built from the registry: a later owner would have no column.
_SEALED: list[bool] = []


def register(owner: Owner) -> Owner:
    if _SEALED:
        raise RuntimeError(f"evidence owner {owner.name!r} registered after Evidence was built")
    if owner.name in _OWNERS:
        raise ValueError(f"evidence owner {owner.name!r} is registered already")
    _OWNERS[owner.name] = owner
    return owner


def seal() -> None:
    """Called by ``app/evidence/models.py`` once the owner columns exist."""
    _SEALED.append(True)


def registered() -> tuple[Owner, ...]:
    return tuple(_OWNERS.values())


def owner_named(name: str) -> Owner:
    return _OWNERS[name]


def check_sql() -> str:
    """The exactly-one-owner CHECK over every registered owner column."""
    return one_owner_sql([owner.column for owner in registered()])


def single(records: dict[str, Any]) -> tuple[Owner, Any]:
    """The one owner named in ``records`` (owner name → record) that is given; ValueError when
    there is not exactly one, or a name is no registered owner."""
    unknown = set(records) - set(_OWNERS)
    if unknown:
        raise ValueError(f"no evidence owner {sorted(unknown)}")
    given = [(_OWNERS[name], record) for name, record in records.items() if record is not None]
    if len(given) != 1:
        raise ValueError("evidence has exactly one owner")
    return given[0]


register(
    Owner(
        name="activity",
        column="activity_id",
        table="activity",
        model="Activity",
        label=_l("Activity"),
        may_view=can_view_activity,
        may_change=can_manage_activity,
        require_writable=require_open,
        page_url=show_url,
        swaps_gallery=True,
    )
)


def _make_up_page(row: Participation) -> str:
    return show_url(row.activity)


def _make_up_writable(row: Participation) -> None:
    """Make-up evidence may arrive after archiving, never on a cancelled activity."""
    require_not_cancelled(row.activity)


register(
    Owner(
        name="participation",
        column="participation_id",
        table="participation",
        model="Participation",
        label=_l("Attendance"),
        may_view=can_view_make_up_files,
        may_change=can_change_make_up_files,
        require_writable=_make_up_writable,
        page_url=_make_up_page,
    )
)


def _log_page(log: MemberLog) -> str:
    return url_for("logs.show", log_id=log.id)


register(
    Owner(
        name="member_log",
        column="member_log_id",
        table="member_log",
        model="MemberLog",
        label=_l("Member log"),
        may_view=can_view_log,
        may_change=can_change_log_files,
        require_writable=require_changeable,
        page_url=_log_page,
        removed_here=False,
    )
)


def _talk_page(talk: IntegrityTalk) -> str:
    return url_for("talks.show", talk_id=talk.id)


register(
    Owner(
        name="integrity_talk",
        column="integrity_talk_id",
        table="integrity_talk",
        model="IntegrityTalk",
        label=_l("Integrity talk"),
        may_view=talks.may_read_gist,
        may_change=talks.may_change_files,
        require_writable=talks.require_writable,
        page_url=_talk_page,
    )
)


def _batch_page(batch: SigningBatch) -> str:
    return url_for("pledges.batch", batch_id=batch.id)


register(
    Owner(
        name="signing_batch",
        column="signing_batch_id",
        table="signing_batch",
        model="SigningBatch",
        label=_l("Signing"),
        may_view=pledges.keeps_batch,
        may_change=pledges.keeps_batch,
        require_writable=pledges.require_writable,
        page_url=_batch_page,
    )
)


def _project_page(record: Project | ProgressEntry | Acceptance) -> str:
    project = record if isinstance(record, Project) else record.project
    return url_for("volunteer.show", project_id=project.id)


def _entry_writable(record: ProgressEntry) -> None:
    projects.require_open(record.project)


def _acceptance_writable(record: Acceptance) -> None:
    """The signed acceptance form may arrive after the close-out."""
    projects.require_not_cancelled(record.project)


# A project, one of its progress entries, its acceptance (the signed form): one reader and keeper.
for _name, _model, _label, _writable in (
    ("volunteer_project", "Project", _l("Project"), projects.require_open),
    ("project_progress", "ProgressEntry", _l("Progress entry"), _entry_writable),
    ("project_acceptance", "Acceptance", _l("Acceptance"), _acceptance_writable),
):
    register(
        Owner(
            name=_name,
            column=f"{_name}_id",
            table=_name,
            model=_model,
            label=_label,
            may_view=projects.may_view_files,
            may_change=projects.may_change_files,
            require_writable=_writable,
            page_url=_project_page,
        )
    )


def _duty_list_page(record: DutyEntry) -> str:
    return url_for("duties.show", list_id=record.list_id)


def _entry_readers(user: User, record: DutyEntry) -> bool:
    return duty_lists.may_view_list(user, record.duty_list)


def _entry_writers(user: User, record: DutyEntry) -> bool:
    return duty_lists.may_report(user, record.duty_list)


def _entry_kept(_record: DutyEntry) -> None:
    """A duty record's files may be added while the list is live."""


register(
    Owner(
        name="duty_entry",
        column="duty_entry_id",
        table="duty_entry",
        model="DutyEntry",
        label=_l("Duty record"),
        may_view=_entry_readers,
        may_change=_entry_writers,
        require_writable=_entry_kept,
        page_url=_duty_list_page,
    )
)
