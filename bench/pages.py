"""Every main page and htmx fragment (GET) each role opens, with its URL resolved from the data.

The one source of truth for the benchmark and for tests/test_statement_counts.py: a GET endpoint
of the app is either measured here or excluded below with its reason, and the test holds the two
lists against ``app.url_map``.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from app.activities.models import Activity, ActivityFamily, ActivityState, Participation
from app.auth.models import User
from app.duties.models import DutyItem, DutyList
from app.extensions import db
from app.integrity.models import HolidayReminder, IntegrityTalk, SigningBatch
from app.logs.models import MemberLog
from app.people.models import Department, Membership, Person
from app.types import local_today
from app.volunteer.models import Project, ProjectStatus

ROLES = ("admin", "secretary", "member")
STAFF = ("admin", "secretary")
# Roles with a person record of their own (the synthetic admin has none).
PERSONS = ("secretary", "member")
HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Page:
    """One GET a role makes; ``url`` is formatted with the role's ``Targets``; ``main`` pages
    are also served under gunicorn for requests per second."""

    endpoint: str
    url: str
    roles: tuple[str, ...] = ROLES
    fragment: bool = False
    main: bool = False
    variant: str = ""  # tells apart two measured uses of one endpoint
    # The kept bureau figures dropped before each request (``app.reports.kept``): what the
    # first visit after a change of a record costs.
    computed: bool = False

    @property
    def name(self) -> str:
        if self.computed:
            return f"{self.url} (computed)"
        return f"{self.url} (htmx)" if self.fragment else self.url

    def key(self, role: str) -> str:
        variant = f" {self.variant}" if self.variant else ""
        return f"{self.endpoint}{variant}{' htmx' if self.fragment else ''} {role}"

    @property
    def headers(self) -> dict[str, str]:
        return HTMX if self.fragment else {}


PAGES: tuple[Page, ...] = (
    # A computed page drops every kept figure and keeps its own again: it comes just before
    # the kept pages of its own, which then read what it kept.
    Page("main.index", "/", ("admin",), variant="computed", computed=True),
    Page("main.index", "/", main=True),
    Page("main.index", "/", ("admin",), fragment=True),
    Page("review.index", "/review/", STAFF, main=True),
    Page("review.index", "/review/", STAFF, fragment=True),
    Page("logs.index", "/logs/", main=True),
    Page("logs.index", "/logs/", fragment=True),
    Page("logs.new", "/logs/new", PERSONS),
    # Staff open a member's log; synth's member keeps none of their own.
    Page("logs.show", "/logs/{log}", STAFF),
    Page("study.index", "/study/?year={year}", main=True),
    Page("study.index", "/study/?year={year}", fragment=True),
    Page("study.calendar", "/study/calendar"),
    Page("study.show", "/study/{session}", main=True),
    Page("study.new", "/study/new", STAFF),
    Page("study.edit", "/study/{open_session}/edit", STAFF),
    Page("activities.attendance", "/activities/{open_session}/attendance", STAFF, fragment=True),
    Page("activities.qr", "/activities/{open_session}/qr", STAFF),
    Page("activities.qr", "/activities/{open_session}/qr", STAFF, fragment=True),
    Page("integrity.index", "/integrity/?year={year}", main=True),
    Page("integrity.index", "/integrity/?year={year}", fragment=True),
    Page("integrity.show", "/integrity/{integrity}"),
    Page("integrity.new", "/integrity/new", STAFF),
    Page("integrity.edit", "/integrity/{open_integrity}/edit", STAFF),
    Page("integrity.backfill", "/integrity/backfill", STAFF),
    Page(
        "integrity.units",
        "/integrity/units?year={year}",
        ("admin",),
        variant="computed",
        computed=True,
    ),
    Page("integrity.units", "/integrity/units?year={year}", ("admin",)),
    Page("integrity.units", "/integrity/units?year={year}", ("admin",), fragment=True),
    Page("talks.index", "/integrity/talks/?year={year}"),
    Page("talks.index", "/integrity/talks/?year={year}", fragment=True),
    # The branch secretary's talks; synth's member may have none with them.
    Page("talks.show", "/integrity/talks/{talk}", STAFF),
    Page("talks.new", "/integrity/talks/new", STAFF),
    Page("talks.edit", "/integrity/talks/{talk}/edit", STAFF),
    Page("pledges.index", "/integrity/pledges/?year={year}", STAFF),
    Page("pledges.index", "/integrity/pledges/?year={year}", STAFF, fragment=True),
    Page("pledges.sign", "/integrity/pledges/sign?kind=integrity&year={year}", STAFF),
    Page("pledges.batch", "/integrity/pledges/batches/{signing}", STAFF),
    Page("pledges.cadres", "/integrity/pledges/cadres?year={year}", STAFF),
    Page("pledges.pairs", "/integrity/pledges/pairs?year={year}", ("admin",)),
    Page("reminders.new", "/integrity/reminders/new", STAFF),
    Page("reminders.show", "/integrity/reminders/{reminder}", STAFF),
    Page("reminders.holidays", "/integrity/reminders/holidays", ("admin",)),
    Page("volunteer.index", "/volunteer/?year={year}"),
    Page("volunteer.index", "/volunteer/?year={year}", fragment=True),
    Page("volunteer.show", "/volunteer/{project}", STAFF),
    Page("volunteer.new", "/volunteer/new", STAFF),
    Page("volunteer.edit", "/volunteer/{open_project}/edit", STAFF),
    Page("volunteer.categories", "/volunteer/categories", ("admin",)),
    Page(
        "volunteer.units",
        "/volunteer/units?year={year}",
        ("admin",),
        variant="computed",
        computed=True,
    ),
    Page("volunteer.units", "/volunteer/units?year={year}", ("admin",)),
    Page("volunteer.units", "/volunteer/units?year={year}", ("admin",), fragment=True),
    Page("volunteer.propose", "/volunteer/propose", PERSONS),
    Page("duties.index", "/duties/?year={year}"),
    Page("duties.index", "/duties/?year={year}", fragment=True),
    Page("duties.show", "/duties/{duty_list}", STAFF),
    Page("duties.new", "/duties/new", STAFF),
    Page("duties.edit", "/duties/{duty_list}/edit", STAFF),
    Page("duties.new_item", "/duties/{duty_list}/items/new", STAFF),
    Page("duties.edit_item", "/duties/items/{duty_item}/edit", STAFF),
    Page("volunteer.service_days", "/volunteer/service-days/?year={year}"),
    Page("volunteer.service_days", "/volunteer/service-days/?year={year}", fragment=True),
    Page("volunteer.service_day", "/volunteer/service-days/{service}"),
    Page("volunteer.new_service_day", "/volunteer/service-days/new", STAFF),
    Page("volunteer.edit_service_day", "/volunteer/service-days/{open_service}/edit", STAFF),
    Page("people.index", "/members/", STAFF, main=True),
    Page("people.index", "/members/?q={q}", STAFF, fragment=True),
    Page("people.pick", "/members/pick?q={q}", STAFF, fragment=True),
    Page("people.pick", "/members/pick?mode=bureau&q={q}", STAFF, True, variant="bureau"),
    Page("people.pick_unit", "/members/pick-unit?q=1", STAFF, fragment=True),
    Page("people.show", "/members/{person}", main=True),
    Page("people.record", "/members/{person}/record?year={year}", main=True),
    Page("people.new", "/members/new", STAFF),
    Page("people.edit", "/members/{person}/edit", STAFF),
    Page("people.move", "/members/{person}/move", STAFF),
    Page("people.transfer", "/members/{person}/transfer", STAFF),
    Page("roster.import_roster", "/members/import", STAFF),
    Page("admin.index", "/admin/", ("admin",), main=True),
    Page("admin.units", "/admin/units/", ("admin",)),
    Page("admin.unit_show", "/admin/units/{unit}", ("admin",)),
    Page("admin.unit_show", "/admin/units/{unit}", ("admin",), fragment=True),
    Page("admin.unit_new", "/admin/units/new", ("admin",)),
    Page("admin.unit_edit", "/admin/units/{unit}/edit", ("admin",)),
    Page("admin.membership_end", "/admin/memberships/{membership}/end", ("admin",)),
    Page("admin.accounts", "/admin/accounts/", ("admin",)),
    Page("admin.accounts", "/admin/accounts/", ("admin",), fragment=True),
    Page("admin.account_new", "/admin/accounts/new", ("admin",)),
    Page("admin.account_edit", "/admin/accounts/{account}", ("admin",)),
    Page("admin.account_password", "/admin/accounts/{account}/password", ("admin",)),
    Page("admin.departments", "/admin/departments/", ("admin",)),
    Page("admin.department_edit", "/admin/departments/{department}/edit", ("admin",)),
    Page("admin.settings_edit", "/admin/settings", ("admin",)),
    Page("audit.index", "/audit/", ("admin",), main=True),
    Page("audit.index", "/audit/", ("admin",), fragment=True),
    Page("auth.password", "/auth/password"),
)

# GET endpoints not measured, and why.
EXCLUDED: dict[str, str] = {
    "static": "static files, served from disk in production (README, Static files)",
    "main.healthz": "a probe for the load balancer, not a page",
    "auth.login": "the anonymous sign-in page; a signed-in GET is redirected",
    "evidence.file": "a file download",
    "evidence.thumbnail": "a file download",
    "activities.sign_in_sheet": "a file download (.docx)",
    "activities.meeting_record": "a file download (.docx)",
    "people.record_docx": "a file download (.docx)",
    "pledges.missing_docx": "a file download (.docx)",
    "volunteer.close": "offered only on a completed project; it reads what volunteer.show reads",
    "volunteer.acceptance_docx": "a file download (.docx)",
    "volunteer.proposal": "offered only on one's own waiting or returned pledge; as volunteer.show",
    "volunteer.survey_docx": "a file download (.docx)",
    "volunteer.notice_docx": "a file download (.docx)",
    "roster.export": "a file download (.xlsx)",
    "roster.import_template": "a file download (.xlsx)",
    "roster.import_preview": "needs the token of an upload just posted",
    "activities.scan": "needs a QR code shown in the last minutes",
    "activities.make_up": "offered only on one's own absent row; it reads what study.show reads",
    "activities.reflection": "offered only on one's own attended row; reads as study.show",
    "activities.paper_make_up": "offered only on an absent row without make-up; as study.show",
    "logs.edit": "offered only on one's own waiting or returned log; it reads what logs.show reads",
}

# Statements a GET may issue, per page key (``Page.key(role)``): the most each issued on the
# districts of 12, 40, 100 and 10,000 members when the page list was written (lists showing rows
# load their evidence and people too); a new page starts at the default until it is measured.
DEFAULT_BUDGET = 30
BUDGETS: dict[str, int] = {
    # + the practical-things line: the open projects and the due-soon setting
    "main.index admin": 16,
    "main.index computed admin": 43,
    # + the integrity line: this year's pledges signed (2), the holidays' reminders (2);
    # + one's hours of the service days attended
    "main.index secretary": 35,
    "main.index member": 15,
    # kept like the home's figures; computed: the page's units, their count, five figures
    "volunteer.index admin": 7,
    "volunteer.index secretary": 8,
    "volunteer.index member": 6,
    "volunteer.index htmx admin": 6,
    "volunteer.index htmx secretary": 7,
    "volunteer.index htmx member": 5,
    "duties.index admin": 6,
    "duties.index secretary": 7,
    "duties.index member": 6,
    "duties.index htmx admin": 5,
    "duties.index htmx secretary": 6,
    "duties.index htmx member": 5,
    # + the items' counts (one statement for every countable item) and the entries' files
    "duties.show admin": 8,
    "duties.show secretary": 9,
    "duties.new admin": 4,
    "duties.new secretary": 5,
    "duties.edit admin": 6,
    "duties.edit secretary": 7,
    "duties.new_item admin": 6,
    "duties.new_item secretary": 7,
    "duties.edit_item admin": 7,
    "duties.edit_item secretary": 8,
    # + the project's service days and their counts (none: no counts)
    "volunteer.show admin": 10,
    "volunteer.show secretary": 11,
    "volunteer.service_days admin": 7,
    "volunteer.service_days secretary": 8,
    "volunteer.service_days member": 6,
    "volunteer.service_days htmx admin": 6,
    "volunteer.service_days htmx secretary": 7,
    "volunteer.service_days htmx member": 5,
    "volunteer.service_day admin": 14,
    "volunteer.service_day secretary": 14,
    "volunteer.service_day member": 14,
    "volunteer.new_service_day admin": 5,
    "volunteer.new_service_day secretary": 6,
    "volunteer.edit_service_day admin": 9,
    "volunteer.edit_service_day secretary": 10,
    "volunteer.new admin": 5,
    "volunteer.new secretary": 6,
    "volunteer.edit admin": 7,
    "volunteer.edit secretary": 8,
    "volunteer.categories admin": 5,
    "volunteer.propose secretary": 6,
    "volunteer.propose member": 5,
    "integrity.units admin": 5,
    "integrity.units htmx admin": 4,
    "integrity.units computed admin": 16,
    # kept; computed: the page's units, their count, the projects' and the service days' lines
    "volunteer.units admin": 4,
    "volunteer.units htmx admin": 3,
    "volunteer.units computed admin": 12,
    "main.index htmx admin": 5,
    "review.index admin": 11,
    "review.index secretary": 11,
    "review.index htmx admin": 10,
    "review.index htmx secretary": 10,
    "logs.index admin": 3,
    "logs.index secretary": 7,
    "logs.index member": 6,
    "logs.index htmx admin": 2,
    "logs.index htmx secretary": 6,
    "logs.index htmx member": 5,
    "logs.new secretary": 4,
    "logs.new member": 3,
    "logs.show admin": 9,
    "logs.show secretary": 9,
    "study.index admin": 7,
    "study.index secretary": 8,
    "study.index member": 6,
    "study.index htmx admin": 6,
    "study.index htmx secretary": 7,
    "study.index htmx member": 5,
    "study.calendar admin": 5,
    "study.calendar secretary": 6,
    "study.calendar member": 5,
    "study.show admin": 15,
    "study.show secretary": 17,
    "study.show member": 14,
    "study.new admin": 5,
    "study.new secretary": 6,
    "study.edit admin": 9,
    "study.edit secretary": 12,
    "activities.attendance htmx admin": 10,
    "activities.attendance htmx secretary": 14,
    "activities.qr admin": 11,
    "activities.qr secretary": 15,
    "activities.qr htmx admin": 10,
    "activities.qr htmx secretary": 14,
    "people.index admin": 9,
    "people.index secretary": 9,
    "people.index htmx admin": 7,
    "people.index htmx secretary": 8,
    "people.pick htmx admin": 4,
    "people.pick htmx secretary": 5,
    "people.pick bureau htmx admin": 3,
    "people.pick bureau htmx secretary": 4,
    "people.pick_unit htmx admin": 4,
    "people.pick_unit htmx secretary": 4,
    # + the integrity talks' section
    "people.show admin": 9,
    "people.show secretary": 14,
    "people.show member": 9,
    # + the integrity part: activities, signed documents, talks; + the service days' hours
    "people.record admin": 14,
    "people.record secretary": 16,
    "people.record member": 14,
    "people.new admin": 5,
    "people.new secretary": 6,
    "people.edit admin": 6,
    "people.edit secretary": 9,
    "people.move admin": 6,
    "people.move secretary": 10,
    "people.transfer admin": 5,
    "people.transfer secretary": 10,
    "roster.import_roster admin": 6,
    "roster.import_roster secretary": 7,
    "admin.index admin": 5,
    "admin.units admin": 6,
    "admin.unit_show admin": 11,
    "admin.unit_show htmx admin": 9,
    "admin.unit_new admin": 4,
    "admin.unit_edit admin": 5,
    "admin.membership_end admin": 4,
    "admin.accounts admin": 6,
    "admin.accounts htmx admin": 5,
    "admin.account_new admin": 4,
    "admin.account_edit admin": 6,
    "admin.account_password admin": 5,
    "admin.departments admin": 5,
    "admin.department_edit admin": 4,
    "admin.settings_edit admin": 4,
    "audit.index admin": 6,
    "audit.index htmx admin": 5,
    "auth.password admin": 3,
    "auth.password secretary": 4,
    "auth.password member": 3,
}


def budget(page: Page, role: str) -> int:
    return BUDGETS.get(page.key(role), DEFAULT_BUDGET)


def entries() -> list[tuple[Page, str]]:
    """Every (page, role) measured, in the page list's order."""
    return [(page, role) for page in PAGES for role in page.roles]


@dataclass(frozen=True)
class Targets:
    """The records a role's URLs name: what that role opens in the synthetic district."""

    person: int
    session: int
    open_session: int
    integrity: int
    open_integrity: int
    talk: int
    signing: int
    reminder: int
    project: int
    open_project: int
    service: int
    open_service: int
    duty_list: int
    duty_item: int
    log: int
    unit: int
    membership: int
    account: int
    department: int
    year: int
    q: str

    def url(self, page: Page) -> str:
        return page.url.format(**self.__dict__)


def _first(statement: sa.Select) -> int:
    value = db.session.scalar(statement.limit(1))
    if value is None:
        raise LookupError(f"the synthetic district has no row for: {statement}")
    return value


def _session(
    unit: int,
    state: ActivityState,
    person: int | None = None,
    family: ActivityFamily = ActivityFamily.STUDY,
) -> int:
    """The latest activity of the family of the unit in that state (one listing ``person``
    when given)."""
    query = sa.select(Activity.id).where(Activity.family == family, Activity.state == state)
    if person is not None:
        listed = sa.select(Participation.activity_id).where(Participation.person_id == person)
        query = query.where(Activity.id.in_(listed))
    else:
        query = query.where(Activity.unit_id == unit)
    return _first(query.order_by(Activity.held_on.desc(), Activity.id.desc()))


def _branch_member(unit: int, besides: int | None) -> int:
    """A current member of the unit other than its secretary, one with a log."""
    m = Membership
    return _first(
        sa.select(m.person_id)
        .where(m.unit_id == unit, m.end_date.is_(None), m.deleted_at.is_(None))
        .where(m.person_id.in_(sa.select(MemberLog.person_id)))
        .where(m.person_id != (besides or 0), m.role == "member")
        .order_by(m.person_id)
    )


def resolve(role: str, logins: dict[str, str]) -> Targets:
    """What ``role`` opens: the secretary's branch for admin and secretary (a session, a member,
    a log of theirs), the member's own records for the member. Needs an app context."""
    secretary = db.session.scalar(sa.select(User).filter_by(username=logins["secretary"]))
    unit = secretary.units[0].id
    person = branch_member = _branch_member(unit, secretary.person_id)
    session = _session(unit, ActivityState.ARCHIVED)
    integrity = _session(unit, ActivityState.ARCHIVED, family=ActivityFamily.INTEGRITY)
    service = _session(unit, ActivityState.ARCHIVED, family=ActivityFamily.SERVICE)
    if role == "member":
        member = db.session.scalar(sa.select(User).filter_by(username=logins["member"]))
        person = member.person_id
        session = _session(unit, ActivityState.ARCHIVED, person)
        integrity = _session(unit, ActivityState.ARCHIVED, person, ActivityFamily.INTEGRITY)
        service = _session(unit, ActivityState.ARCHIVED, person, ActivityFamily.SERVICE)
    duty_list = _first(
        sa.select(DutyList.id)
        .where(DutyList.unit_id == unit, DutyList.year == local_today().year)
        .order_by(DutyList.id)
    )
    m = Membership
    return Targets(
        person=person,
        session=session,
        open_session=_session(unit, ActivityState.OPEN),
        integrity=integrity,
        open_integrity=_session(unit, ActivityState.OPEN, family=ActivityFamily.INTEGRITY),
        talk=_first(
            sa.select(IntegrityTalk.id)
            .where(IntegrityTalk.unit_id == unit)
            .order_by(IntegrityTalk.held_on.desc(), IntegrityTalk.id.desc())
        ),
        signing=_first(
            sa.select(SigningBatch.id)
            .where(SigningBatch.unit_id == unit)
            .order_by(SigningBatch.year.desc(), SigningBatch.id.desc())
        ),
        reminder=_first(
            sa.select(HolidayReminder.id)
            .where(HolidayReminder.unit_id == unit)
            .order_by(HolidayReminder.sent_on.desc(), HolidayReminder.id.desc())
        ),
        project=_first(
            sa.select(Project.id)
            .where(Project.unit_id == unit, Project.status == ProjectStatus.CLOSED)
            .order_by(Project.id.desc())
        ),
        open_project=_first(
            sa.select(Project.id)
            .where(Project.unit_id == unit, Project.status == ProjectStatus.IN_PROGRESS)
            .order_by(Project.id.desc())
        ),
        service=service,
        open_service=_session(unit, ActivityState.OPEN, family=ActivityFamily.SERVICE),
        duty_list=duty_list,
        duty_item=_first(
            sa.select(DutyItem.id).where(DutyItem.list_id == duty_list).order_by(DutyItem.id)
        ),
        log=_first(sa.select(MemberLog.id).where(MemberLog.person_id == branch_member)),
        unit=unit,
        membership=_first(
            sa.select(m.id).where(m.person_id == person, m.end_date.is_(None)).order_by(m.id)
        ),
        account=secretary.id,
        department=_first(sa.select(Department.id).order_by(Department.id)),
        year=local_today().year,
        q=db.session.get(Person, person).name[:1],
    )
