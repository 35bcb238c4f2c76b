"""Integrity activities on the shared core: what the core's routes, partials, sign-in sheet and
meeting record need to know about them."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.activities.families import FactLines, Family, PersonSection, register
from app.activities.models import ActivityFamily
from app.activities.sign_in_sheet import standard_facts
from app.files.document import Passage, Section
from app.integrity.models import IntegrityActivity, IntegrityKind
from app.integrity.services import create_activity
from app.integrity.talks import person_talks


def kind_text(activity: IntegrityActivity) -> str:
    """The kind, with what a cautionary education was ("警示教育 · 观看警示教育片") or which
    kind of talk a collective talk was."""
    kind = str(activity.kind.label)
    detail = activity.cautionary_form or activity.talk_kind
    return f"{kind} · {detail.label}" if detail is not None else kind


def _sheet_facts(activity: IntegrityActivity) -> FactLines:
    return standard_facts(activity, kind_text(activity))


def _record_facts(activity: IntegrityActivity) -> FactLines:
    return [[(_("Kind"), kind_text(activity))]]


def _record_sections(activity: IntegrityActivity) -> list[Section]:
    return [Section(_("Content"), passages=[Passage.of_text(_("Content"), activity.content)])]


def _counts_partial(activity: IntegrityActivity) -> str | None:
    """An activity entered from paper shows the number present it gives, not the grid's."""
    return "integrity/_paper_counts.html" if activity.paper_present is not None else None


INTEGRITY = register(
    Family(
        key=ActivityFamily.INTEGRITY,
        place=20,
        model=IntegrityActivity,
        label=_l("Integrity activity"),
        show_endpoint="integrity.show",
        show_arg="activity_id",
        index_endpoint="integrity.index",
        index_label=_l("Integrity"),
        navigation=True,
        index_by_unit=True,
        mine_label=_l("My integrity activities"),
        reflections=True,
        qr=True,
        dashboard_panels=("integrity/_dashboard.html",),
        person_sections=(PersonSection(20, "integrity/_person_talks.html", person_talks),),
        sheet_facts=_sheet_facts,  # type: ignore[arg-type]
        record_facts=_record_facts,  # type: ignore[arg-type]
        record_sections=_record_sections,  # type: ignore[arg-type]
        kind_label=kind_text,  # type: ignore[arg-type]
        kinds=IntegrityKind,
        kind_column=lambda: IntegrityActivity.__table__.c.kind,
        counts_partial=_counts_partial,  # type: ignore[arg-type]
        create=create_activity,  # type: ignore[arg-type]
    )
)

from app.integrity import personal_record as _record  # noqa: E402, F401 - registers its part
