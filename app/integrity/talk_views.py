"""Integrity talks 廉政谈话 with one person: the list of the talks one may open, recording and
changing one with its files, removing one, and its page — the gist and the files only for those
``talks.may_read_gist`` admits."""

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from app.auth.models import Role
from app.auth.policy import require, require_role, role_required
from app.evidence import services as files
from app.extensions import db
from app.htmx import commit, form_status, hx_redirect, render_page, saved, set_back
from app.integrity import talks
from app.integrity.forms import TalkForm
from app.integrity.models import IntegrityTalk, TalkKind
from app.queries import int_arg, paginate, text_arg
from app.refusals import Refused
from app.types import local_today

bp = Blueprint("talks", __name__)

CHANGED_MEANWHILE = _l("This talk was changed at the same time. Check it again.")


def _load(talk_id: int) -> IntegrityTalk:
    """A live talk the user may open; anyone else is told it does not exist."""
    stmt = (
        sa.select(IntegrityTalk)
        .where(IntegrityTalk.id == talk_id)
        .options(
            joinedload(IntegrityTalk.unit),
            joinedload(IntegrityTalk.subject),
            joinedload(IntegrityTalk.talker),
            joinedload(IntegrityTalk.minute_taker),
        )
    )
    talk = db.session.scalar(stmt)
    require(talk is not None and talks.may_view_talk(current_user, talk))
    set_back(url_for("talks.show", talk_id=talk_id))
    return talk  # type: ignore[return-value]


def _kept(talk_id: int) -> IntegrityTalk:
    """A talk the user keeps: the person talked to may read that it took place, never change it."""
    talk = _load(talk_id)
    require_role(talks.keeps_talk(current_user, talk))
    return talk


def _form(talk: IntegrityTalk | None) -> TalkForm:
    """The form, its unit field offering the user's units (and the talk's own)."""
    form = TalkForm(obj=talk)
    if request.method == "GET":
        if talk is not None:
            form.show_record(talk)
        else:
            form.unit_id.data = int_arg("unit")
            form.kind.data = TalkKind.ROUTINE.value
            form.day.data = local_today()
            form.talker.set_person(current_user.person)  # most often the one recording it
    keep = [talk.unit_id] if talk is not None else []
    offered = form.unit_id.offer(current_user, keep=keep, first=talk is None)
    if form.unit_id.unit is None and offered.units and request.method == "GET":
        form.unit_id.data = offered.units[0].id
    return form


def _form_page(form: TalkForm, talk: IntegrityTalk | None, file_error: str = "") -> Response:
    status = 422 if file_error else form_status()
    return render_page(
        "integrity/talk_form.html", form=form, talk=talk, file_error=file_error, status=status
    )


def _save(form: TalkForm, talk: IntegrityTalk | None) -> tuple[IntegrityTalk | None, str]:
    """Write the form's talk and its files, all or nothing: (the talk, "") or (None, the
    refusal to show on the form)."""
    unit = form.unit_id.unit
    require(unit is not None)
    values = form.values(unit)  # type: ignore[arg-type]
    uploads = files.sent_files()
    try:
        if talk is None:
            talk = talks.create_talk(values, current_user)
        else:
            talks.apply_values(talk, values, current_user)
        db.session.flush()
        files.attach_all(uploads, integrity_talk=talk, by=current_user)
    except Refused as refused:
        db.session.rollback()
        return None, str(refused.message)
    return talk, ""


@bp.route("/")
@login_required
def index() -> Response:
    asked = text_arg("kind")
    kind = TalkKind(asked) if asked in {each.value for each in TalkKind} else None
    year = int_arg("year")
    stmt = talks.visible_talks(current_user).options(
        joinedload(IntegrityTalk.unit),
        joinedload(IntegrityTalk.subject),
        joinedload(IntegrityTalk.talker),
    )
    if kind is not None:
        stmt = stmt.where(IntegrityTalk.kind == kind)
    if year is not None and not 1900 <= year <= 2100:
        year = None
    if year is not None:
        stmt = stmt.where(
            IntegrityTalk.held_on >= date(year, 1, 1), IntegrityTalk.held_on < date(year + 1, 1, 1)
        )
    context: dict[str, Any] = {
        "page": paginate(stmt),
        "kinds": TalkKind,
        "kind": kind,
        "year": year,
        "years": range(local_today().year, local_today().year - 8, -1),
        "can_create": current_user.role is not Role.MEMBER,
    }
    return render_page("integrity/talks.html", "integrity/_talks_list.html", **context)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def new() -> Response:
    form = _form(None)
    if form.validate_on_submit():
        talk, refusal = _save(form, None)
        if talk is not None:
            return saved(_("The talk has been recorded."), url_for("talks.show", talk_id=talk.id))
        return _form_page(form, None, refusal)
    return _form_page(form, None)


@bp.route("/<int:talk_id>/edit", methods=["GET", "POST"])
@login_required
def edit(talk_id: int) -> Response:
    talk = _kept(talk_id)
    form = _form(talk)
    if form.validate_on_submit():
        saved_talk, refusal = _save(form, talk)
        if saved_talk is not None:
            commit(CHANGED_MEANWHILE)
            flash(_("The changes have been saved."), "success")
            return hx_redirect(url_for("talks.show", talk_id=talk_id))
        return _form_page(form, _load(talk_id), refusal)
    return _form_page(form, talk)


@bp.route("/<int:talk_id>/remove", methods=["POST"])
@login_required
def remove(talk_id: int) -> Response:
    talk = _kept(talk_id)
    talks.remove_talk(talk)
    commit(CHANGED_MEANWHILE)
    flash(_("The talk has been removed."), "success")
    return hx_redirect(url_for("talks.index"))


@bp.route("/<int:talk_id>")
@login_required
def show(talk_id: int) -> Response:
    talk = _load(talk_id)
    readable = talks.may_read_gist(current_user, talk)
    context: dict[str, Any] = {
        "talk": talk,
        "readable": readable,
        "keeps": talks.keeps_talk(current_user, talk),
        "evidence": files.live_evidence("integrity_talk", [talk.id]) if readable else [],
        "remove_url": files.remove_url,
    }
    return render_page("integrity/talk.html", **context)
