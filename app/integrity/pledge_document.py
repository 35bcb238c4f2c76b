"""The printable list of those who have not signed a kind of document yet, for a unit and a
year: handed round with the papers to sign."""

from flask_babel import gettext as _

from app.files.document import Contents, Section, Table
from app.integrity.figures import Coverage
from app.integrity.models import PledgeKind
from app.locale_text import fmt_date
from app.people.models import OrgUnit
from app.reports.figures import percent
from app.types import local_today


def missing_list(found: Coverage, unit: OrgUnit, year: int) -> Contents:
    """Title, the coverage as facts, then a numbered table of those who have not signed."""
    title = _("%(year)d %(document)s: not signed yet", year=year, document=found.title)
    pair = found.kind is PledgeKind.RESPONSIBILITY
    headers = [_("No."), _("Lower party"), _("Upper party")] if pair else [_("No."), _("Name")]
    rows = [
        [str(number), person.name, *([upper.name if upper else "—"] if pair else [])]
        for number, (person, upper) in enumerate(found.missing, start=1)
    ]
    widths = (1.5, 7.0, 7.0) if pair else (1.5, 14.0)
    facts = [
        [(_("Unit"), unit.name), (_("Year"), str(year))],
        [
            (_("Signed"), f"{found.signed} / {found.expected}"),
            (_("Coverage"), percent(found.rate)),
        ],
    ]
    if found.on is not None:
        facts.append([(_("Party members as on"), fmt_date(found.on))])
    return Contents(
        title=title,
        subject=f"{title} {unit.name}",
        facts=facts,
        sections=[Section(_("Not signed yet"), table=Table(headers, rows, widths, numbered=True))],
        printed=_("Printed on %(date)s.", date=fmt_date(local_today())),
    )
