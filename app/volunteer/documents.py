"""The printables of practical things for the masses, as plain document contents
(``app/files/document.py``): a project's acceptance form 验收单 and satisfaction survey
满意度测评表, pre-filled from its record, and a unit's notice-board list 公示表 of the year's
projects — which names no one served."""

from flask_babel import gettext as _

from app.files.document import Contents, Passage, Section, Table
from app.locale_text import fmt_date
from app.people.models import OrgUnit
from app.types import local_today
from app.volunteer.models import Project, ProjectStatus


def _day(value: object) -> str:
    return fmt_date(value) if value is not None else "—"  # type: ignore[arg-type]


def _facts(project: Project) -> list[list[tuple[str, str]]]:
    return [
        [(_("Number"), project.number), (_("Category"), project.category.label)],
        [(_("Project name"), project.name)],
        [(_("Lead unit"), project.unit.name), (_("Source"), project.source.label)],
        [
            (_("Responsible leader"), project.leader.name if project.leader else "—"),
            (_("Responsible person"), project.person.name if project.person else "—"),
        ],
        [
            (_("Beneficiaries"), project.beneficiaries),
            (_("People served"), str(project.beneficiaries_count)),
        ],
        [
            (_("Planned dates"), f"{_day(project.planned_start)} – {_day(project.planned_end)}"),
            (_("Completed on"), _day(project.completed_on)),
        ],
    ]


def _printed() -> str:
    return _("Printed on %(date)s.", date=fmt_date(local_today()))


def acceptance_form(project: Project) -> Contents:
    """The 验收单: the project, what was done step by step and its outcome, then the lines the
    people served sign at (their acceptance, when recorded, is printed in)."""
    title = _("Acceptance form of a practical thing for the masses")
    rows = [[_day(e.done_on), e.text, e.by_display or "—"] for e in project.entries]
    acceptance = project.acceptance
    accepted = (
        [
            [
                (_("Accepted by"), acceptance.accepted_by),
                (_("Accepted on"), _day(acceptance.accepted_on)),
            ],
            [(_("How"), acceptance.method.label)],
        ]
        if acceptance
        else []
    )
    return Contents(
        title=title,
        subject=f"{title} {project.number}",
        facts=_facts(project) + accepted,
        sections=[
            Section(
                _("Progress"),
                table=Table([_("Date"), _("What was done"), _("Done by")], rows, (3.0, 10.0, 3.0)),
            ),
            Section(_("Outcome"), passages=[Passage.of_text(_("Outcome"), project.outcome)]),
            Section(_("Opinion of those served"), passages=[Passage(_("Opinion"), ["", ""])]),
        ],
        printed=_printed(),
        signatures=[[_("Accepted by (signature)"), _("Date")], [_("Lead unit (seal)"), _("Date")]],
    )


def survey_form(project: Project) -> Contents:
    """The 满意度测评表 handed to those served: one tick per sheet, a line for their opinion."""
    title = _("Satisfaction survey of a practical thing for the masses")
    levels = [_("Satisfied"), _("Fairly satisfied"), _("Dissatisfied")]
    return Contents(
        title=title,
        subject=f"{title} {project.number}",
        facts=_facts(project)[:3],
        sections=[
            Section(
                _("Your assessment (tick one)"),
                table=Table([_("Level"), _("Tick")], [[level, ""] for level in levels], (8.0, 8.0)),
            ),
            Section(_("Opinions and suggestions"), passages=[Passage(_("Opinion"), ["", ""])]),
        ],
        printed=_printed(),
        signatures=[[_("Assessed by (may stay unnamed)"), _("Date")]],
    )


def notice_list(unit: OrgUnit, year: int, rows: list[Project]) -> Contents:
    """The 公示表 for the notice board: the unit's projects of the year with their status and
    the number served — never who was served."""
    title = _("%(year)d practical things for the masses: public notice", year=year)
    headers = [
        _("No."),
        _("Project"),
        _("Category"),
        _("Lead unit"),
        _("Responsible person"),
        _("Planned completion"),
        _("People served"),
        _("Status"),
    ]
    table = [
        [
            str(number),
            project.name,
            project.category.label,
            project.unit.name,
            project.person.name if project.person else "—",
            _day(project.planned_end),
            str(project.beneficiaries_count),
            project.status.label
            if project.status is not ProjectStatus.DONE
            else _("Completed, to be accepted"),
        ]
        for number, project in enumerate(rows, start=1)
    ]
    widths = (1.0, 4.5, 2.2, 2.3, 1.8, 2.2, 1.4, 1.6)
    done = sum(1 for project in rows if project.status.is_done)
    return Contents(
        title=title,
        subject=f"{title} {unit.name}",
        facts=[
            [(_("Unit"), unit.name), (_("Year"), str(year))],
            [(_("Projects"), str(len(rows))), (_("Completed"), str(done))],
        ],
        sections=[Section(_("Projects"), table=Table(headers, table, widths, numbered=True))],
        printed=_printed(),
        signatures=[[_("Supervision phone"), _("Notice period")]],
    )
