"""Study sessions on the shared core: what the core's routes, partials and sign-in sheet need to
know about them."""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.activities.families import FactLines, Family, PersonSection, register
from app.activities.models import Activity, ActivityFamily
from app.activities.sign_in_sheet import standard_facts
from app.auth.models import Role, User
from app.auth.policy import scope_unit_ids
from app.files.document import Passage, Section
from app.people.models import Person
from app.reports.figures import Counts, make_ups_owed
from app.study import personal_record as _record  # noqa: F401 - registers its parts
from app.study.figures import talks
from app.study.models import StudyKind, StudySession
from app.study.services import create_session


def _quorum(activity: Activity, counts: Counts) -> bool | None:
    """Whether enough were present for the meeting's decisions to stand, where the rules set a
    quorum: a branch general meeting needs more than half of the voting (full) members, a
    committee meeting more than half of its members, a democratic life meeting two thirds.
    None for every other kind."""
    kind = activity.kind  # type: ignore[attr-defined]
    if kind is StudyKind.GENERAL_MEETING:
        return counts.expected_full > 0 and counts.present_full * 2 > counts.expected_full
    if kind is StudyKind.COMMITTEE_MEETING:
        return counts.expected > 0 and counts.present * 2 > counts.expected
    if kind is StudyKind.DEMOCRATIC_LIFE_MEETING:
        return counts.expected > 0 and counts.present * 3 >= counts.expected * 2
    return None


def _quorum_rule(activity: Activity) -> str:
    kind = activity.kind  # type: ignore[attr-defined]
    if kind is StudyKind.GENERAL_MEETING:
        return _("more than half of the full members present")
    if kind is StudyKind.DEMOCRATIC_LIFE_MEETING:
        return _("at least two thirds present")
    return _("more than half present")


def _sheet_facts(session: StudySession) -> FactLines:
    return standard_facts(session, str(session.kind.label))


def _record_facts(session: StudySession) -> FactLines:
    return [[(_("Kind"), str(session.kind.label)), (_("Study hours"), str(session.study_hours))]]


def _record_sections(session: StudySession) -> list[Section]:
    """议题, the gist of what was said and 决议, as the secretary entered them."""
    fields = [
        (_("Topics"), session.topics),
        (_("Minutes"), session.minutes),
        (_("Resolutions"), session.resolutions),
    ]
    passages = [Passage.of_text(label, text) for label, text in fields]
    return [Section(_("Proceedings"), passages=passages)]


def _load_options() -> list[Any]:
    return [
        joinedload(StudySession.chair),
        joinedload(StudySession.minute_taker),
        joinedload(StudySession.lecturer),
    ]


def _talks(activity: Activity) -> dict[str, Any]:
    """A talk session's figures are its talks, not attendance."""
    counts = activity.kind.counts_in_attendance  # type: ignore[attr-defined]
    return {"talks": [] if counts else talks([activity.id])}


def _counts_partial(activity: Activity) -> str | None:
    counts = activity.kind.counts_in_attendance  # type: ignore[attr-defined]
    return None if counts else "study/_talk_counts.html"


def _owed(person: Person, viewer: User) -> dict[str, Any]:
    """The person's open make-up studies; someone else's page shows only what is owed in the
    viewer's units."""
    units = None if viewer.person_id == person.id else scope_unit_ids(viewer)
    return {"make_ups_owed": make_ups_owed(person.id, units)}


STUDY = register(
    Family(
        key=ActivityFamily.STUDY,
        place=10,
        model=StudySession,
        label=_l("Study session"),
        show_endpoint="study.show",
        show_arg="session_id",
        index_endpoint="study.index",
        index_label=_l("Study sessions"),
        navigation=True,
        index_by_unit=True,
        mine_label=_l("All my sessions"),
        calendar_endpoint="study.calendar",
        calendar_label=_l("Calendar"),
        dashboard_panels={
            Role.SECRETARY: ("study/_dashboard.html",),
            Role.ADMIN: ("study/_dashboard.html",),
        },
        person_sections=(PersonSection(10, "study/_person_make_ups.html", _owed),),
        make_up=True,
        reflections=True,
        qr=True,
        quorum=_quorum,
        quorum_rule=_quorum_rule,
        sheet_facts=_sheet_facts,  # type: ignore[arg-type]
        record_facts=_record_facts,  # type: ignore[arg-type]
        record_sections=_record_sections,  # type: ignore[arg-type]
        load_options=_load_options,
        record_extras=_talks,
        counts_partial=_counts_partial,
        kind_label=lambda session: str(session.kind.label),  # type: ignore[attr-defined]
        kinds=StudyKind,
        kind_column=lambda: StudySession.__table__.c.kind,
        create=lambda values, by: create_session({"kind": StudyKind.GENERAL_MEETING, **values}, by),
    )
)
