"""Signed documents 廉政承诺书, 党风廉政建设责任书, 家庭助廉承诺书, 廉洁过节承诺书: who keeps them,
recording a signing (a batch owning the scan, the documents pointing to it), removing one, and
the lists kept by hand of who is expected to sign (the admin's pairs, the unit's cadres)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.auth.models import Role, User
from app.auth.policy import unit_in_scope
from app.extensions import db
from app.integrity.figures import Coverage
from app.integrity.models import (
    Holiday,
    PledgeExpectation,
    PledgeKind,
    SignedDocument,
    SigningBatch,
)
from app.people.models import OrgUnit, Person
from app.refusals import Refused
from app.types import utcnow


@dataclass(frozen=True)
class Signer:
    """Who signed: the person (a family pledge's cadre; a letter's lower party), the upper
    party of a letter, a family pledge's family member and their relation."""

    person_id: int
    counterpart_id: int | None = None
    family_name: str | None = None
    family_relation: str | None = None


def keeps_signings(user: User, unit: OrgUnit) -> bool:
    """The unit's secretaries (or above it) and the admins."""
    return user.role is not Role.MEMBER and unit_in_scope(user, unit)


def keeps_batch(user: User, batch: SigningBatch) -> bool:
    return keeps_signings(user, batch.unit)


def may_list_pairs(user: User) -> bool:
    """Responsibility letters are signed top-down across units: the admin lists the pairs."""
    return user.role is Role.ADMIN


def require_writable(_batch: SigningBatch) -> None:
    """A signing's scan may change at any time (a page scanned again)."""


def record_signing(
    kind: PledgeKind,
    unit: OrgUnit,
    year: int,
    holiday: Holiday | None,
    signed_on: date,
    signers: list[Signer],
    by: User,
    expected: Coverage,
) -> SigningBatch:
    """One batch and its documents, added to the session, not committed. Only those still
    missing in ``expected`` may sign: anyone else (signed meanwhile, or never expected) refuses
    the whole batch."""
    if not signers:
        raise Refused(_("Tick who signed."), status=422)
    missing = {(p.id, c.id if c else None) for p, c in expected.missing}
    if kind is not PledgeKind.RESPONSIBILITY:
        missing = {(person, None) for person, _upper in missing}
    for signer in signers:
        key = (
            signer.person_id,
            signer.counterpart_id if kind is PledgeKind.RESPONSIBILITY else None,
        )
        if key not in missing:
            raise Refused(_("Someone ticked has signed already or is not expected to sign."))
        if kind is PledgeKind.FAMILY and not (signer.family_name and signer.family_relation):
            raise Refused(_("Give the name and relation of each family member who signed."), 422)
    batch = SigningBatch(kind=kind, unit=unit, year=year, holiday=holiday, signed_on=signed_on)
    batch.created_by_id = by.id
    db.session.add(batch)
    people = _people({signer.person_id for signer in signers})
    for signer in signers:
        document = SignedDocument(batch=batch, person=people[signer.person_id])
        document.counterpart_id = signer.counterpart_id
        document.family_name, document.family_relation = signer.family_name, signer.family_relation
        db.session.add(document)
    return batch


def _people(ids: set[int]) -> dict[int, Person]:
    """The persons of ``ids``, in one query (each record names its person in the audit log)."""
    return {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(ids)))}


def remove_document(document: SignedDocument) -> None:
    """Marked removed (entered by mistake); the batch and its scan stay."""
    if document.deleted_at is not None:
        raise Refused(_("This signature has been removed already."))
    document.deleted_at = utcnow()


def expectations(kind: PledgeKind, unit: OrgUnit, year: int) -> list[PledgeExpectation]:
    """The unit's own live list for the year (not its sub-units')."""
    e = PledgeExpectation
    stmt = (
        sa.select(e)
        .where(e.kind == kind, e.unit_id == unit.id, e.year == year, e.deleted_at.is_(None))
        .order_by(e.id)
        .options(joinedload(e.person), joinedload(e.counterpart))
    )
    return list(db.session.scalars(stmt))


def set_cadres(unit: OrgUnit, year: int, person_ids: set[int]) -> None:
    """The cadres whose family signs a family pledge: those ticked are marked, the others no
    longer (their marks kept as removed)."""
    now = utcnow()
    current = expectations(PledgeKind.FAMILY, unit, year)
    for row in current:
        if row.person_id not in person_ids:
            row.deleted_at = now
    added = person_ids - {row.person_id for row in current}
    for person in _people(added).values():
        row = PledgeExpectation(kind=PledgeKind.FAMILY, unit_id=unit.id, year=year)
        row.person = person
        db.session.add(row)


def add_pair(unit: OrgUnit, year: int, lower: int, upper: int) -> PledgeExpectation:
    """A responsibility letter to be signed between ``upper`` and ``lower`` in the year."""
    if lower == upper:
        raise Refused(_("A letter is signed between two different people."), status=422)
    listed = {
        (row.person_id, row.counterpart_id)
        for row in expectations(PledgeKind.RESPONSIBILITY, unit, year)
    }
    if (lower, upper) in listed:
        raise Refused(_("This pair is listed already."), status=422)
    row = PledgeExpectation(kind=PledgeKind.RESPONSIBILITY, unit_id=unit.id, year=year)
    row.person, row.counterpart_id = _people({lower})[lower], upper
    db.session.add(row)
    return row


def remove_expectation(row: PledgeExpectation) -> None:
    row.deleted_at = utcnow()
