"""Individual integrity talks 廉政谈话: who may read a talk, its gist and its files, who keeps
it; writing and removing one; the statements of the talks' list and of a person's page.

The rule: the admins and the secretaries of the talk's unit (or above it) keep a talk and read
everything on it — except the person talked to, who never keeps or edits a talk about
themselves, even as one of those secretaries. The gist and the files of a reminder, special or
admonishment talk are for those keepers only; of the other kinds also for the talker, the
minute-taker and the person talked to. The person talked to always sees that a talk took place:
when, what kind, who talked."""

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.auth.models import Role, User
from app.auth.policy import scope_unit_ids, unit_in_scope
from app.extensions import db
from app.integrity.models import CONFIDENTIAL_TALKS, IntegrityTalk
from app.people.models import Person
from app.refusals import Refused
from app.types import utcnow

FIELDS = (
    "unit",
    "kind",
    "held_at",
    "held_on",
    "place",
    "subject",
    "talker_id",
    "talker_name",
    "minute_taker_id",
    "minute_taker_name",
    "gist",
)


def _is_subject(user: User, talk: IntegrityTalk) -> bool:
    return user.person_id is not None and user.person_id == talk.subject_id


def keeps_talk(user: User, talk: IntegrityTalk) -> bool:
    """May edit and remove the talk, and read all of it."""
    if user.role is Role.MEMBER or _is_subject(user, talk):
        return False
    return unit_in_scope(user, talk.unit)


def may_read_gist(user: User, talk: IntegrityTalk) -> bool:
    """May read the gist and the files (and see the talk on the person's page)."""
    if talk.deleted_at is not None:
        return False
    if keeps_talk(user, talk):
        return True
    takes_part = user.person_id is not None and user.person_id in (
        talk.talker_id,
        talk.minute_taker_id,
        talk.subject_id,
    )
    return takes_part and not talk.kind.confidential


def may_view_talk(user: User, talk: IntegrityTalk) -> bool:
    """May open the talk's page: its readers, and the person talked to (when, kind, talker)."""
    if talk.deleted_at is not None:
        return False
    return may_read_gist(user, talk) or _is_subject(user, talk)


def may_change_files(user: User, talk: IntegrityTalk) -> bool:
    return talk.deleted_at is None and keeps_talk(user, talk)


def require_writable(talk: IntegrityTalk) -> None:
    if talk.deleted_at is not None:
        raise Refused(_("This talk has been removed."))


def _keeps_clause(user: User) -> sa.ColumnElement[bool]:
    """``keeps_talk`` in SQL."""
    if user.role is Role.MEMBER:
        return sa.false()
    ids = scope_unit_ids(user)
    in_scope = sa.true() if ids is None else IntegrityTalk.unit_id.in_(ids)
    if user.person_id is None:
        return in_scope
    return sa.and_(in_scope, IntegrityTalk.subject_id != user.person_id)


def gist_clause(user: User) -> sa.ColumnElement[bool]:
    """``may_read_gist`` in SQL, over live talks."""
    if user.person_id is None:
        return _keeps_clause(user)
    takes_part = sa.or_(
        IntegrityTalk.talker_id == user.person_id,
        IntegrityTalk.minute_taker_id == user.person_id,
        IntegrityTalk.subject_id == user.person_id,
    )
    return sa.or_(
        _keeps_clause(user), sa.and_(takes_part, IntegrityTalk.kind.not_in(CONFIDENTIAL_TALKS))
    )


def visible_talks(user: User) -> sa.Select:
    """The live talks the user may open, newest first."""
    visible = gist_clause(user)
    if user.person_id is not None:
        visible = sa.or_(visible, IntegrityTalk.subject_id == user.person_id)
    return (
        sa.select(IntegrityTalk)
        .where(IntegrityTalk.deleted_at.is_(None), visible)
        .order_by(IntegrityTalk.held_at.desc(), IntegrityTalk.id.desc())
    )


def person_talks(person: Person, viewer: User) -> dict[str, Any]:
    """The person page's talks with the person: only those whose gist the viewer may read."""
    stmt = (
        sa.select(IntegrityTalk)
        .where(
            IntegrityTalk.subject_id == person.id,
            IntegrityTalk.deleted_at.is_(None),
            gist_clause(viewer),
        )
        .order_by(IntegrityTalk.held_at.desc(), IntegrityTalk.id.desc())
        .options(sa.orm.selectinload(IntegrityTalk.talker))
    )
    return {"talks": list(db.session.scalars(stmt))}


def _refuse_own(talk: IntegrityTalk, by: User) -> None:
    if _is_subject(by, talk):
        raise Refused(
            _("A talk with you is recorded by someone else: you may not record or change it."),
            status=422,
        )


def apply_values(talk: IntegrityTalk, values: dict[str, Any], by: User) -> None:
    """The form's values on the talk; refused when the talk is about the one writing it."""
    for name in FIELDS:
        setattr(talk, name, values[name])
    talk.subject_id = values["subject"].id
    _refuse_own(talk, by)


def create_talk(values: dict[str, Any], by: User) -> IntegrityTalk:
    """A new talk, added to the session, not committed."""
    talk = IntegrityTalk(created_by_id=by.id, created_at=utcnow())
    apply_values(talk, values, by)
    db.session.add(talk)
    return talk


def remove_talk(talk: IntegrityTalk) -> None:
    """Marked removed (audited like every change); its row and files stay."""
    require_writable(talk)
    talk.deleted_at = utcnow()
