"""The integrity part of the personal record: the year's integrity activities with the person's
mark, the documents they signed, and the talks with them — each talk as when, what kind and
who talked (never its gist), a reminder, special or admonishment talk only for those who may
read its gist and for the person talked to."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import contains_eager, joinedload

from app.activities.families import kind_label
from app.activities.models import Participation
from app.auth.models import User
from app.auth.policy import scope_unit_ids
from app.extensions import db
from app.files.document import Section, Table
from app.integrity.models import IntegrityActivity, IntegrityTalk, SignedDocument, SigningBatch
from app.integrity.talks import gist_clause
from app.locale_text import fmt_date
from app.reports.figures import counts_now
from app.reports.personal_record import PersonalRecord, RecordPart, register_part

# Each table spans the text width, 15.6 cm (widths in cm).
ACTIVITY_WIDTHS = (0.9, 2.4, 3.6, 5.4, 3.3)
DOCUMENT_WIDTHS = (0.9, 2.6, 7.2, 4.9)
TALK_WIDTHS = (0.9, 2.6, 5.0, 7.1)


@dataclass(frozen=True)
class IntegrityPart:
    activities: list[tuple[IntegrityActivity, Participation]]
    documents: list[SignedDocument]
    talks: list[IntegrityTalk]


def integrity_part(record: PersonalRecord) -> IntegrityPart:
    """What the part shows the current reader, read once per request for page and file alike:
    a secretary reads what happened in their units, the person and admins all of it."""
    key = ("integrity_part", record.person.id, record.year)
    if has_request_context() and key in g.setdefault("record_parts", {}):
        return g.record_parts[key]
    # Without a reader (a document built outside a request) the record is the whole one.
    reader = current_user if getattr(current_user, "is_authenticated", False) else None
    own = reader is None or reader.person_id == record.person.id
    units = None if own else scope_unit_ids(reader)
    start, end = date(record.year, 1, 1), date(record.year + 1, 1, 1)
    part = IntegrityPart(
        _activities(record, start, end, units),
        _documents(record, units),
        _talks(record, start, end, own, reader),
    )
    if has_request_context():
        g.record_parts[key] = part
    return part


def _activities(
    record: PersonalRecord, start: date, end: date, units: sa.Select | None
) -> list[tuple[IntegrityActivity, Participation]]:
    a = IntegrityActivity
    stmt = (
        sa.select(a, Participation)
        .join(Participation, Participation.activity_id == a.id)
        .where(Participation.person_id == record.person.id, a.held_on >= start, a.held_on < end)
        .where(counts_now())
        .options(joinedload(a.unit))
        .order_by(a.starts_at, a.id)
    )
    if units is not None:
        stmt = stmt.where(a.unit_id.in_(units))
    return [(activity, row) for activity, row in db.session.execute(stmt)]


def _documents(record: PersonalRecord, units: sa.Select | None) -> list[SignedDocument]:
    b = SigningBatch
    stmt = (
        sa.select(SignedDocument)
        .join(SignedDocument.batch)
        .where(SignedDocument.person_id == record.person.id, SignedDocument.deleted_at.is_(None))
        .where(b.year == record.year)
        .options(contains_eager(SignedDocument.batch))
        .order_by(b.signed_on, SignedDocument.id)
    )
    if units is not None:
        stmt = stmt.where(b.unit_id.in_(units))
    return list(db.session.scalars(stmt))


def _talks(
    record: PersonalRecord, start: date, end: date, own: bool, reader: User | None
) -> list[IntegrityTalk]:
    t = IntegrityTalk
    shown = sa.true() if own or reader is None else gist_clause(reader)
    stmt = (
        sa.select(t)
        .where(t.subject_id == record.person.id, t.deleted_at.is_(None), shown)
        .where(t.held_on >= start, t.held_on < end)
        .options(joinedload(t.talker))
        .order_by(t.held_at, t.id)
    )
    return list(db.session.scalars(stmt))


def document_text(document: SignedDocument) -> str:
    """廉政承诺书, 廉洁过节承诺书 · 春节, 家庭助廉承诺书（林秀英 · 配偶）, 责任书 with 张三."""
    batch = document.batch
    text = str(batch.kind.label)
    if batch.holiday is not None:
        text = f"{text} · {batch.holiday.label}"
    if document.family_name:
        text = f"{text} · {document.family_name} ({document.family_relation or ''})"
    if document.counterpart is not None:
        text = _("%(document)s, with %(name)s", document=text, name=document.counterpart.name)
    return text


def sections(record: PersonalRecord) -> list[Section]:
    part = integrity_part(record)
    activities = [
        [str(n), fmt_date(a.held_on, "medium"), kind_label(a), a.title, str(row.status.label)]
        for n, (a, row) in enumerate(part.activities, start=1)
    ]
    documents = [
        [str(n), fmt_date(d.batch.signed_on, "medium"), document_text(d), str(d.batch.year)]
        for n, d in enumerate(part.documents, start=1)
    ]
    talks = [
        [str(n), fmt_date(t.held_on, "medium"), str(t.kind.label), t.talker_display]
        for n, t in enumerate(part.talks, start=1)
    ]
    no, day = _("No."), _("Date")
    return [
        Section(
            _("Integrity activities"),
            Table(
                [no, day, _("Kind"), _("Title"), _("Attendance")], activities, ACTIVITY_WIDTHS, True
            ),
        ),
        Section(
            _("Signed documents"),
            Table([no, _("Signed on"), _("Document"), _("Year")], documents, DOCUMENT_WIDTHS, True),
        ),
        Section(
            _("Integrity talks"),
            Table([no, day, _("Kind of talk"), _("Talker")], talks, TALK_WIDTHS, True),
        ),
    ]


register_part(RecordPart(38, sections, "integrity/_record.html"))
