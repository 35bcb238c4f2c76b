"""Checking roster rows against the records, applying a confirmed import, and the export's rows.

A check changes nothing: it says, row by row, what the import would do and which cells stop it.
The confirmation checks the stored rows again (the records may have changed in between) and applies
exactly what that check found. Rows match persons on the personnel code. An import creates and
updates persons and adds memberships; it never ends a membership, so a file that agrees with the
records (an export read back, the same file twice) changes nothing, and an empty cell keeps the
recorded value. Nothing here commits.
"""

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import Role, User
from app.auth.policy import scope_unit_ids, scoped_persons
from app.auth.services import generate_password, normalise_username
from app.extensions import db
from app.locale_text import enumeration, fmt_date
from app.people import services
from app.people.forms import CODE_PATTERN, check_party_dates
from app.people.memberships import add_membership, role_problem
from app.people.models import (
    Department,
    Membership,
    MembershipRole,
    OrgUnit,
    PartyStatus,
    Person,
    UnitKind,
)
from app.people.roster.workbook import (
    COLUMN_BY_KEY,
    COLUMNS,
    STATE_ACTIVE,
    STATE_TRANSFERRED,
    BadCell,
    RosterSheet,
    Vocabulary,
    cell_date,
    cell_text,
    roster_row,
    shown,
)
from app.types import local_today

NEW, UPDATE, UNCHANGED, INVALID = "new", "update", "unchanged", "invalid"
PERSON_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "party_status",
    "joined_on",
    "regularised_on",
    "department",
    "post",
    "phone",
)
MAX_LENGTH = {"code": 40, "name": 60, "post": 80, "phone": 30}
PHONE_PATTERN = re.compile(r"^[0-9+\- ]+$")
CODE_RE = re.compile(CODE_PATTERN)
# Bound parameters per IN (...) list, well inside every database's limit.
CHUNK = 500
# The export writes one membership per person: branch, then 党小组, 党组, bureau.
KIND_ORDER = {UnitKind.BRANCH: 0, UnitKind.GROUP: 1, UnitKind.PARTY_GROUP: 2, UnitKind.BUREAU: 3}


@dataclass
class CellProblem:
    row: int
    column: str
    value: str
    message: str


@dataclass
class PlannedMembership:
    unit: OrgUnit
    role: MembershipRole
    start: date


@dataclass
class RowCheck:
    """What one row would do, or why it cannot."""

    row: int
    code: str
    name: str
    person: Person | None = None
    # field -> (recorded value, value from the file); for a new person every value given
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    membership: PlannedMembership | None = None
    transfer_on: date | None = None
    username: str | None = None
    problems: list[CellProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.problems:
            return INVALID
        if self.person is None:
            return NEW
        if self.changes or self.membership or self.transfer_on:
            return UPDATE
        return UNCHANGED

    def plan(self) -> list[Any]:
        """The row's effect as plain values, for the digest that ties a confirmation to a check."""
        membership = self.membership
        return [
            self.row,
            self.code,
            self.action,
            sorted(
                [key, _plain(before), _plain(after)]
                for key, (before, after) in self.changes.items()
            ),
            [membership.unit.id, membership.role.value, membership.start.isoformat()]
            if membership
            else None,
            self.transfer_on.isoformat() if self.transfer_on else None,
            self.username,
        ]


@dataclass
class ImportCheck:
    sheet: RosterSheet
    rows: list[RowCheck]
    create_accounts: bool
    # Problems of the file as a whole, not of one cell.
    file_problems: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[CellProblem]:
        order = {column.key: index for index, column in enumerate(COLUMNS)}
        found = [problem for row in self.rows for problem in row.problems]
        return sorted(found, key=lambda p: (p.row, order.get(p.column, 0)))

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((NEW, UPDATE, UNCHANGED, INVALID), 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def ok(self) -> bool:
        return not self.file_problems and all(not row.problems for row in self.rows)

    @property
    def has_changes(self) -> bool:
        return any(row.action in (NEW, UPDATE) for row in self.rows)

    @property
    def changed_rows(self) -> list[RowCheck]:
        return [row for row in self.rows if row.action in (NEW, UPDATE)]

    @property
    def noted_rows(self) -> list[RowCheck]:
        return [row for row in self.rows if row.notes]

    @property
    def accounts(self) -> int:
        return sum(1 for row in self.rows if row.username)

    @property
    def digest(self) -> str:
        plan = [row.plan() for row in self.rows if row.action in (NEW, UPDATE)]
        return hashlib.sha256(json.dumps(plan, ensure_ascii=False).encode()).hexdigest()

    def column(self, key: str) -> str:
        """A column as the user finds it in the file: its letter and header."""
        ref = self.sheet.columns.get(key)
        if ref is None:
            return COLUMN_BY_KEY[key].header
        return f"{ref.letter} · {ref.header}"


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Department | OrgUnit):
        return value.id
    return value


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = sorted(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


class _Records:
    """What the rows are checked against, loaded in a few queries for the whole file."""

    def __init__(self, sheet: RosterSheet, user: User, create_accounts: bool) -> None:
        self.user = user
        codes = {cell_text(row["cells"].get("code")) for row in sheet.rows} - {None}
        # Codes match regardless of letter case (j001 is J001); an exact match wins a tie.
        self.persons: dict[str, Person] = {}
        folded: dict[str, list[Person]] = defaultdict(list)
        for chunk in _chunks({code.lower() for code in codes}):
            stmt = (
                sa.select(Person)
                .where(sa.func.lower(Person.code).in_(chunk))
                .options(
                    joinedload(Person.department),
                    selectinload(Person.memberships).joinedload(Membership.unit),
                )
            )
            for found in db.session.scalars(stmt):
                self.persons[found.code] = found
                folded[found.code.lower()].append(found)
        self.persons_by_folded = {key: found[0] for key, found in folded.items() if len(found) == 1}
        scope = scope_unit_ids(user)
        self.scope_units: set[int] | None = (
            None if scope is None else set(db.session.scalars(scope))
        )
        self.persons_in_scope: set[int] | None = None
        if scope is not None:
            self.persons_in_scope = set()
            ids = [p.id for p in self.persons.values()]
            for chunk in _chunks(ids):
                stmt = scoped_persons(sa.select(Person.id).where(Person.id.in_(chunk)), user)
                self.persons_in_scope.update(db.session.scalars(stmt))
        units = list(db.session.scalars(sa.select(OrgUnit)))
        self.units_by_code = {unit.code: unit for unit in units}
        self.units_by_folded = {_fold(unit.code): unit for unit in units}
        names: dict[str, list[OrgUnit]] = defaultdict(list)
        for unit in units:
            if unit.deleted_at is None:
                names[_fold(unit.name)].append(unit)
        self.units_by_name = {name: found[0] for name, found in names.items() if len(found) == 1}
        self.departments = services.departments()
        self.departments_by_name = {d.name: d for d in self.departments}
        self.departments_by_folded = {_fold(d.name): d for d in self.departments}
        self.taken_usernames: set[str] = set()
        if create_accounts:
            wanted = {normalise_username(code) for code in codes}
            for chunk in _chunks(wanted):
                stmt = sa.select(User.username).where(User.username.in_(chunk))
                self.taken_usernames.update(db.session.scalars(stmt))

    def person(self, code: str) -> Person | None:
        return self.persons.get(code) or self.persons_by_folded.get(code.lower())

    def in_scope(self, person: Person) -> bool:
        return self.persons_in_scope is None or person.id in self.persons_in_scope

    def may_edit(self, person: Person, today: date) -> bool:
        """``can_edit_person``, from the memberships loaded with the person (no query per row):
        a membership in one of the user's units today."""
        if self.scope_units is None:
            return True
        return any(m.unit_id in self.scope_units for m in person.current_memberships(today))

    def may_transfer_out(self, person: Person, today: date) -> bool:
        """``can_transfer_out``: may edit, and every unit the person belongs to today is the
        user's."""
        if self.scope_units is None:
            return True
        units = {m.unit_id for m in person.current_memberships(today)}
        return bool(units) and units <= self.scope_units

    def unit_in_scope(self, unit: OrgUnit) -> bool:
        return self.scope_units is None or unit.id in self.scope_units

    def unit(self, value: Any) -> OrgUnit | None:
        text = cell_text(value)
        if text is None:
            return None
        unit = (
            self.units_by_code.get(text)
            or self.units_by_folded.get(_fold(text))
            or self.units_by_name.get(_fold(text))
        )
        if unit is None or not self.unit_in_scope(unit):
            # A cell of 所在党支部 names the unit; one of 所属组织代码 gives its code.
            if not CODE_RE.match(text):
                if self.scope_units is None:
                    raise BadCell(_("No unit is called %(name)s.", name=text))
                raise BadCell(_("None of your units is called %(name)s.", name=text))
            if self.scope_units is None:
                raise BadCell(_("No unit has the code %(code)s.", code=text))
            raise BadCell(_("None of your units has the code %(code)s.", code=text))
        if unit.deleted_at is not None:
            raise BadCell(_("The unit %(code)s has been closed.", code=text))
        return unit

    def department(self, value: Any, recorded: Department | None = None) -> Department | None:
        """The department a cell names; the person's own stays valid even if since removed."""
        text = cell_text(value)
        if text is None:
            return None
        if recorded is not None and recorded.name == text:
            return recorded
        found = self.departments_by_name.get(text) or self.departments_by_folded.get(_fold(text))
        if found is None:
            raise BadCell(
                _(
                    "No department is called %(name)s. The departments are: %(names)s.",
                    name=text,
                    names=enumeration(d.name for d in self.departments[:30]) or "—",
                )
            )
        return found


def check_rows(
    sheet: RosterSheet,
    user: User,
    create_accounts: bool,
    max_accounts: int,
    today: date | None = None,
) -> ImportCheck:
    """Every row checked against the records and the user's scope; nothing is changed."""
    today = today or local_today()
    create_accounts = create_accounts and user.role is Role.ADMIN
    records = _Records(sheet, user, create_accounts)
    vocabulary = Vocabulary()
    rows_of_code: dict[str, list[int]] = defaultdict(list)
    for entry in sheet.rows:
        code = cell_text(entry["cells"].get("code"))
        if code:
            rows_of_code[code.lower()].append(entry["row"])
    claimed: set[str] = set()
    checked = []
    for entry in sheet.rows:
        row = _RowChecker(entry, sheet, records, vocabulary, today).check()
        same_code = rows_of_code.get(row.code.lower(), [])
        if len(same_code) > 1:
            row.problems.insert(
                0,
                CellProblem(
                    row.row,
                    "code",
                    row.code,
                    _(
                        "The personnel code %(code)s appears more than once (rows %(rows)s).",
                        code=row.code,
                        rows=", ".join(str(n) for n in same_code),
                    ),
                ),
            )
        if create_accounts:
            _plan_account(row, records, claimed)
        checked.append(row)
    result = ImportCheck(sheet=sheet, rows=checked, create_accounts=create_accounts)
    if result.accounts > max_accounts:
        # Each password is hashed slowly on purpose; hundreds at once would outlast the request.
        result.file_problems.append(
            _(
                "This file would create %(count)d accounts; one import creates at most %(max)d. "
                "Split the file, or import it without creating accounts.",
                count=result.accounts,
                max=max_accounts,
            )
        )
    return result


def _plan_account(row: RowCheck, records: _Records, claimed: set[str]) -> None:
    status = row.changes.get("party_status", (None, None))[1]
    if row.action != NEW or not status or not status.is_party_member or row.transfer_on:
        return
    username = normalise_username(row.code)
    if username in records.taken_usernames or username in claimed:
        row.notes.append(
            _("No account is created: the username %(username)s is taken.", username=username)
        )
        return
    claimed.add(username)
    row.username = username


class _RowChecker:
    def __init__(
        self,
        entry: dict[str, Any],
        sheet: RosterSheet,
        records: _Records,
        vocabulary: Vocabulary,
        today: date,
    ) -> None:
        self.number: int = entry["row"]
        self.cells: dict[str, Any] = entry["cells"]
        self.present = set(sheet.columns)
        self.records = records
        self.vocabulary = vocabulary
        self.today = today
        self.parsed: dict[str, Any] = {}
        self.result = RowCheck(
            row=self.number,
            code=cell_text(self.cells.get("code")) or "",
            name=cell_text(self.cells.get("name")) or "",
        )

    def bad(self, key: str, message: str) -> None:
        self.result.problems.append(
            CellProblem(self.number, key, shown(self.cells.get(key)), message)
        )

    def failed(self, *keys: str) -> bool:
        return any(p.column in keys for p in self.result.problems)

    def parse(self, key: str, reader: Callable[[Any], Any]) -> None:
        if key not in self.present:
            return
        try:
            self.parsed[key] = reader(self.cells.get(key))
        except BadCell as error:
            self.bad(key, str(error))

    def choice(self, kind: str) -> Callable[[Any], Any]:
        return lambda value: self.vocabulary.choice(kind, value)

    def check(self) -> RowCheck:
        result = self.result
        if not result.code:
            self.bad("code", _("The personnel code is required."))
        person = self.records.person(result.code) if result.code else None
        if person is not None and not self.records.in_scope(person):
            # Nothing more about this person is checked or shown.
            self.bad("code", _("This personnel code belongs to a person outside your units."))
            return result
        result.person = person
        if person is None and result.code:
            if len(result.code) > MAX_LENGTH["code"]:
                self.bad("code", _("At most %(n)d characters.", n=MAX_LENGTH["code"]))
            elif not CODE_RE.match(result.code):
                self.bad("code", _("Use letters, digits, '.', '-' or '_'."))
        self.parse("name", cell_text)
        self.parse("gender", self.choice("gender"))
        self.parse("birth_date", cell_date)
        self.parse("party_status", self.choice("party_status"))
        self.parse("joined_on", cell_date)
        self.parse("regularised_on", cell_date)
        recorded_department = person.department if person else None
        self.parse("department", lambda value: self.records.department(value, recorded_department))
        self.parse("post", cell_text)
        self.parse("phone", cell_text)
        final = self.person_values(person)
        self.check_person(person, final)
        self.check_state(person)
        self.check_membership(person, final)
        self.check_scope(person)
        self.check_transfer(person)
        return result

    def person_values(self, person: Person | None) -> dict[str, Any]:
        recorded = _recorded(person)
        final = dict(recorded)
        for key in PERSON_FIELDS:
            # An empty cell keeps what is recorded: a partly filled file never wipes data.
            if self.parsed.get(key) is not None:
                final[key] = self.parsed[key]
        changes = {
            key: (recorded[key], final[key])
            for key in PERSON_FIELDS
            if final[key] != recorded[key] and (person is not None or final[key] is not None)
        }
        self.result.changes = changes
        return final

    def check_person(self, person: Person | None, final: dict[str, Any]) -> None:
        changed = self.result.changes
        if not self.result.name:
            self.bad("name", _("The name is required."))
        for key in ("name", "post", "phone"):
            value = final[key]
            if key in changed and value and len(value) > MAX_LENGTH[key]:
                self.bad(key, _("At most %(n)d characters.", n=MAX_LENGTH[key]))
        if "phone" in changed and final["phone"] and not PHONE_PATTERN.match(final["phone"]):
            self.bad("phone", _("Digits, spaces, '+' and '-' only."))
        if "birth_date" in changed and final["birth_date"] and final["birth_date"] > self.today:
            self.bad("birth_date", _("The date cannot be in the future."))
        status: PartyStatus | None = final["party_status"]
        if status is None:
            if not self.failed("party_status"):
                self.bad("party_status", _("The party status is required."))
            return
        party_keys = ("party_status", "joined_on", "regularised_on", "birth_date")
        if self.failed(*party_keys) or not any(key in changed for key in party_keys):
            return
        for key, message in check_party_dates(
            status.value, final["joined_on"], final["regularised_on"], final["birth_date"]
        ).items():
            self.bad(key, message)

    def check_state(self, person: Person | None) -> None:
        """Reads 状态 and 转出日期 into a transfer to make, if any."""
        self.parse("state", self.choice("state"))
        self.parse("transferred_out_on", cell_date)
        if self.failed("state", "transferred_out_on"):
            return
        state = self.parsed.get("state")
        out_on: date | None = self.parsed.get("transferred_out_on")
        if state is None and out_on is not None:
            state = STATE_TRANSFERRED
        if state == STATE_ACTIVE and out_on is not None:
            self.bad(
                "transferred_out_on",
                _("Someone on the roster has no transfer date: clear it or write 转出."),
            )
            return
        if person is not None and person.transferred_out_on is not None:
            recorded = person.transferred_out_on
            if state == STATE_ACTIVE:
                self.bad(
                    "state",
                    _(
                        "Transferred out on %(date)s: an import cannot bring a person back.",
                        date=fmt_date(recorded),
                    ),
                )
            elif out_on is not None and out_on != recorded:
                self.bad(
                    "transferred_out_on",
                    _("Already transferred out on %(date)s.", date=fmt_date(recorded)),
                )
            return
        if state != STATE_TRANSFERRED:
            return
        if out_on is None:
            self.bad("transferred_out_on", _("A transfer out needs its date."))
        elif out_on > self.today:
            self.bad("transferred_out_on", _("The date cannot be in the future."))
        else:
            self.result.transfer_on = out_on

    def check_membership(self, person: Person | None, final: dict[str, Any]) -> None:
        if person is not None and person.transferred_out_on is not None:
            named = cell_text(self.cells.get("unit"))
            if named and named not in {m.unit.code for m in _live(person.memberships)}:
                self.result.notes.append(
                    _("Transferred out: an import does not change this person's memberships.")
                )
            return
        self.parse("unit", self.records.unit)
        self.parse("role", self.choice("role"))
        self.parse("start_date", cell_date)
        if self.failed("unit", "role", "start_date"):
            return
        unit: OrgUnit | None = self.parsed.get("unit")
        role: MembershipRole | None = self.parsed.get("role")
        start: date | None = self.parsed.get("start_date")
        if unit is None:
            if person is None:
                self.bad("unit", _("A new person needs a unit."))
            return
        open_here = [m for m in _live(person.memberships if person else []) if m.unit_id == unit.id]
        open_here = [m for m in open_here if m.end_date is None or m.end_date > self.today]
        if open_here:
            self.note_kept(unit, open_here, role, start)
            return
        status: PartyStatus | None = final["party_status"]
        if status is None:
            return
        if role is None:
            role = MembershipRole.MEMBER if status.is_party_member else MembershipRole.STAFF
        problem = role_problem(final["name"] or self.result.code, status, role)
        if problem is not None:
            self.bad("role", str(problem))
        else:
            self.result.membership = PlannedMembership(unit, role, start or self.today)

    def note_kept(
        self,
        unit: OrgUnit,
        memberships: list[Membership],
        role: MembershipRole | None,
        start: date | None,
    ) -> None:
        if role is not None and role not in {m.role for m in memberships}:
            self.result.notes.append(
                _(
                    "Already in %(unit)s as %(role)s: an import does not change a role. Use "
                    "“Change unit” on the person's page.",
                    unit=unit.name,
                    role=memberships[0].role.label,
                )
            )
        if start is not None and start not in {m.start_date for m in memberships}:
            self.result.notes.append(
                _(
                    "In %(unit)s since %(date)s: an import does not change that date.",
                    unit=unit.name,
                    date=fmt_date(memberships[0].start_date),
                )
            )

    def check_scope(self, person: Person | None) -> None:
        """A known person is changed only while in one of the user's units today, and transferred
        out only when every unit they belong to today is the user's (as on the person's page)."""
        result = self.result
        if person is None or not (result.changes or result.membership or result.transfer_on):
            return
        if not self.records.may_edit(person, self.today):
            # Where the person is now is not the user's business: nothing about it is shown.
            self.bad(
                "code",
                _(
                    "This person is no longer in any of your units: an import cannot change "
                    "their record."
                ),
            )
        elif result.transfer_on and not self.records.may_transfer_out(person, self.today):
            self.bad(
                "state" if "state" in self.present else "transferred_out_on",
                _(
                    "%(name)s also belongs to units you do not keep; the Party office transfers "
                    "them out of the bureau.",
                    name=person.name,
                ),
            )

    def check_transfer(self, person: Person | None) -> None:
        out_on = self.result.transfer_on
        if out_on is None or self.result.problems:
            return
        starts = [m.start_date for m in _live(person.memberships if person else [])]
        if self.result.membership is not None:
            starts.append(self.result.membership.start)
        if starts and out_on < max(starts):
            self.bad(
                "transferred_out_on",
                _("The date cannot come before the person's latest membership began."),
            )
            self.result.transfer_on = None


def _live(memberships: Iterable[Membership]) -> list[Membership]:
    return [m for m in memberships if m.deleted_at is None]


def _recorded(person: Person | None) -> dict[str, Any]:
    if person is None:
        return dict.fromkeys(PERSON_FIELDS)
    return {key: getattr(person, key) for key in PERSON_FIELDS}


def apply_import(check: ImportCheck) -> list[dict[str, str]]:
    """Makes the changes a clean check found; returns the accounts created with their initial
    passwords (the only place those passwords exist)."""
    if not check.ok:
        raise ValueError("an import with errors cannot be applied")
    accounts: list[dict[str, str]] = []
    with db.session.no_autoflush:
        for row in check.changed_rows:
            person = row.person
            if person is None:
                person = Person(code=row.code)
            for key, (_recorded_value, value) in row.changes.items():
                setattr(person, key, value)
            db.session.add(person)
            if row.membership is not None:
                add_membership(
                    person, row.membership.unit, row.membership.role, row.membership.start
                )
            if row.transfer_on is not None:
                services.transfer_out(person, row.transfer_on, None)
            if row.username is not None:
                password = generate_password()
                account = User(
                    username=row.username,
                    role=Role.MEMBER,
                    person=person,
                    must_change_password=True,
                )
                account.set_password(password)
                db.session.add(account)
                accounts.append(
                    {
                        "code": person.code,
                        "name": person.name,
                        "username": row.username,
                        "password": password,
                    }
                )
    db.session.flush()
    return accounts


def shown_value(key: str, value: Any) -> str:
    """A person's value as the preview shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return fmt_date(value)
    if hasattr(value, "label"):
        return str(value.label)
    return str(value)


def exported_membership(
    person: Person, scope_units: set[int] | None, today: date
) -> Membership | None:
    """The one membership a person's row carries, chosen so that reading it back changes nothing.

    On the roster: the current membership in the user's units, a branch before a 党小组, the 党组
    and the bureau. Transferred out: the last membership in the user's units (an import never
    changes a transferred-out person's memberships). Otherwise none: naming a unit where the
    person is no longer a member would add a membership on import."""
    mine = [m for m in _live(person.memberships) if scope_units is None or m.unit_id in scope_units]
    if person.transferred_out_on is not None:
        ended = sorted(mine, key=lambda m: (m.end_date or date.max, m.start_date, m.id))
        return ended[-1] if ended else None
    current = [m for m in mine if m.covers(today) and m.unit.deleted_at is None]
    current.sort(
        key=lambda m: (KIND_ORDER[m.unit.kind], m.start_date, m.unit.sort_order, m.unit.code, m.id)
    )
    return current[0] if current else None


def export_rows(
    persons: Iterable[Person], scope_units: set[int] | None, today: date | None = None
) -> list[list[Any]]:
    today = today or local_today()
    rows = []
    for person in persons:
        membership = exported_membership(person, scope_units, today)
        values: dict[str, Any] = {key: getattr(person, key) for key in PERSON_FIELDS}
        values["code"] = person.code
        values["department"] = person.department.name if person.department else None
        if membership is not None:
            values["unit"] = membership.unit.code
            values["role"] = membership.role
            values["start_date"] = membership.start_date
        values["state"] = STATE_ACTIVE if person.is_active else STATE_TRANSFERRED
        values["transferred_out_on"] = person.transferred_out_on
        rows.append(roster_row(values))
    return rows
