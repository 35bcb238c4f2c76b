"""Signed documents: each kind's coverage for a unit and year with who has not signed (on the
page, and as a printable list), recording a signing from one page (tick who signed, upload the
scan once), a signing's page, and the lists of who is expected kept by hand — the cadres whose
family signs (the unit's secretaries, the admins) and the pairs of a responsibility letter (the
admins)."""

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.activities.expected import people_on
from app.auth.models import Role
from app.auth.policy import require, role_required, scoped_units, subtree_ids
from app.evidence import services as files
from app.extensions import db
from app.files import word
from app.files.document_docx import to_docx
from app.forms import BaseForm, clean_field_text
from app.htmx import commit, form_status, hx_redirect, render_page, saved, set_back
from app.integrity import pledges
from app.integrity.figures import Coverage, coverage
from app.integrity.forms import PairForm, SigningForm
from app.integrity.holidays import holiday_date
from app.integrity.models import (
    Holiday,
    PledgeExpectation,
    PledgeKind,
    SignedDocument,
    SigningBatch,
)
from app.integrity.pledge_document import missing_list
from app.people.models import OrgUnit, UnitKind, unit_order_by
from app.people.unit_picker import filter_units
from app.queries import bounded_int, int_arg, text_arg
from app.refusals import Refused
from app.types import local_today

bp = Blueprint("pledges", __name__)

# Where the names of those who have not signed stop on the page (the printable list has all).
NAMES_SHOWN = 40
YEARS_BACK = 8
COMING_DAYS = 14


def _scope() -> tuple[OrgUnit, int, Any]:
    """The unit asked for (else the user's first branch, else first unit, in tree order), the
    year asked for (else this one) and the units the filter offers (``filter_units``: every one
    when few, else the chosen one and a live search); a unit outside one's scope does not
    exist."""
    asked = int_arg("unit")
    live = scoped_units(sa.select(OrgUnit).where(OrgUnit.deleted_at.is_(None)), current_user)
    if asked is not None:
        unit = db.session.scalar(live.where(OrgUnit.id == asked))
    else:  # a branch, if the user has one: the bureau's whole is chosen on purpose
        branch_first = sa.case((OrgUnit.kind == UnitKind.BRANCH, 0), else_=1)
        unit = db.session.scalar(live.order_by(branch_first, *unit_order_by()).limit(1))
    require(unit is not None)
    year = int_arg("year") or local_today().year
    if not local_today().year - YEARS_BACK <= year <= local_today().year + 1:
        year = local_today().year
    return unit, year, filter_units(current_user, unit.id)


def _kind() -> tuple[PledgeKind, Holiday | None]:
    """The kind asked for (and its holiday); anything else is not a page."""
    try:
        kind = PledgeKind(text_arg("kind"))
        holiday = Holiday(text_arg("holiday")) if kind is PledgeKind.HOLIDAY else None
    except ValueError:
        abort(404)
    return kind, holiday


def _holidays(unit: OrgUnit, year: int) -> list[Holiday]:
    """The holidays of the year shown: those with a signing in the unit, and the one coming in
    the next fortnight (a unit signs before the holidays it chooses, most often 春节 and 中秋)."""
    b = SigningBatch
    signed = set(
        db.session.scalars(
            sa.select(b.holiday)
            .where(b.kind == PledgeKind.HOLIDAY, b.unit_id == unit.id, b.year == year)
            .distinct()
        )
    )
    today = local_today()
    return [
        each
        for each in Holiday
        if each in signed
        or ((day := holiday_date(each, year)) and 0 <= (day - today).days <= COMING_DAYS)
    ]


def _signings(unit: OrgUnit, year: int) -> dict[tuple[PledgeKind, Holiday | None], list[Any]]:
    """The year's signings in the unit and below, by kind (and holiday), each with how many
    signatures it still holds: the way back to a signing's scan and its names."""
    b, d = SigningBatch, SignedDocument
    live = sa.func.count(d.id).filter(d.deleted_at.is_(None)).label("signed")
    stmt = (
        sa.select(b.id, b.kind, b.holiday, b.signed_on, live)
        .outerjoin(d, d.batch_id == b.id)
        .where(b.unit_id.in_(subtree_ids(sa.select(sa.literal(unit.id)))), b.year == year)
        .group_by(b.id, b.kind, b.holiday, b.signed_on)
        .order_by(b.signed_on, b.id)
    )
    found: dict[tuple[PledgeKind, Holiday | None], list[Any]] = {}
    for row in db.session.execute(stmt):
        found.setdefault((row.kind, row.holiday), []).append(row)
    return found


@bp.route("/")
@role_required(Role.ADMIN, Role.SECRETARY)
def index() -> Response:
    unit, year, units = _scope()
    kinds = (PledgeKind.INTEGRITY, PledgeKind.RESPONSIBILITY, PledgeKind.FAMILY)
    rows: list[Coverage] = [coverage(kind, unit, year, names=NAMES_SHOWN) for kind in kinds]
    rows += [
        coverage(PledgeKind.HOLIDAY, unit, year, each, NAMES_SHOWN)
        for each in _holidays(unit, year)
    ]
    context: dict[str, Any] = {
        "unit": unit,
        "year": year,
        "units": units,
        "years": range(local_today().year, local_today().year - YEARS_BACK, -1),
        "rows": rows,
        "signings": _signings(unit, year),
        "may_list_pairs": pledges.may_list_pairs(current_user),
        "holiday_date": holiday_date,
        "holidays": Holiday,
    }
    return render_page("integrity/pledges.html", "integrity/_pledges.html", **context)


@bp.route("/missing.docx")
@role_required(Role.ADMIN, Role.SECRETARY)
def missing_docx() -> Response:
    unit, year, _units = _scope()
    kind, holiday = _kind()
    found = coverage(kind, unit, year, holiday)
    data = to_docx(missing_list(found, unit, year))
    name = word.filename(_("Not signed"), str(year), unit.name)
    return word.send_docx(data, name)


def _signers(kind: PledgeKind) -> list[pledges.Signer]:
    """The ticked rows: "person" or "person-counterpart" ids, a family pledge's name and
    relation typed on each row."""
    found = []
    for value in request.form.getlist("signer")[:2000]:
        raw, _dash, raw_upper = value.partition("-")
        person, upper = bounded_int(raw), bounded_int(raw_upper)
        if person is None or (raw_upper and upper is None):
            abort(400)
        name = relation = None
        if kind is PledgeKind.FAMILY:
            name = clean_field_text(request.form.get(f"family_name-{person}", ""))[:60] or None
            relation = clean_field_text(request.form.get(f"relation-{person}", ""))[:30] or None
        found.append(pledges.Signer(person, upper, name, relation))
    return found


@bp.route("/sign", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def sign() -> Response:
    unit, year, _units = _scope()
    kind, holiday = _kind()
    expected = coverage(kind, unit, year, holiday)
    form = SigningForm()
    if request.method == "GET":
        form.signed_on.data = local_today()
    refusal = ""
    if form.validate_on_submit():
        signers = _signers(kind)
        uploads = files.sent_files()
        try:
            batch = pledges.record_signing(
                kind, unit, year, holiday, form.signed_on.data, signers, current_user, expected
            )
            db.session.flush()
            files.attach_all(uploads, signing_batch=batch, by=current_user)
        except Refused as refused:
            db.session.rollback()
            refusal = str(refused.message)
            expected = coverage(kind, unit, year, holiday)
        else:
            message = ngettext(
                "%(num)d signature has been recorded.",
                "%(num)d signatures have been recorded.",
                len(signers),
            )
            return saved(message, url_for("pledges.batch", batch_id=batch.id))
    status = 422 if refusal else form_status()
    context = {"unit": unit, "year": year, "kind": kind, "holiday": holiday, "form": form}
    context |= {"expected": expected, "refusal": refusal, "ticked": request.form.getlist("signer")}
    return render_page("integrity/pledge_sign.html", status=status, **context)


def _batch(batch_id: int) -> SigningBatch:
    stmt = (
        sa.select(SigningBatch)
        .where(SigningBatch.id == batch_id)
        .options(
            joinedload(SigningBatch.unit),
            selectinload(SigningBatch.documents).joinedload(SignedDocument.person),
            selectinload(SigningBatch.documents).joinedload(SignedDocument.counterpart),
        )
    )
    batch = db.session.scalar(stmt)
    require(batch is not None and pledges.keeps_batch(current_user, batch))
    set_back(url_for("pledges.batch", batch_id=batch_id))
    return batch  # type: ignore[return-value]


@bp.route("/batches/<int:batch_id>")
@role_required(Role.ADMIN, Role.SECRETARY)
def batch(batch_id: int) -> Response:
    found = _batch(batch_id)
    context = {"batch": found, "evidence": files.live_evidence("signing_batch", [found.id])}
    return render_page("integrity/pledge_batch.html", remove_url=files.remove_url, **context)


@bp.route("/documents/<int:document_id>/remove", methods=["POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def document_remove(document_id: int) -> Response:
    document = db.get_or_404(SignedDocument, document_id)
    found = _batch(document.batch_id)
    pledges.remove_document(document)
    commit()
    flash(_("The signature of %(name)s has been removed.", name=document.person.name), "success")
    return hx_redirect(url_for("pledges.batch", batch_id=found.id))


@bp.route("/cadres", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def cadres() -> Response:
    """The cadres whose family signs a family pledge this year, ticked among the unit's members."""
    unit, year, _units = _scope()
    members = people_on(unit, local_today())
    form = BaseForm()
    if form.validate_on_submit():
        allowed = {person.id for person in members}
        ticked = {bounded_int(v) for v in request.form.getlist("cadre")} & allowed
        pledges.set_cadres(unit, year, ticked)
        back = url_for("pledges.index", unit=unit.id, year=year)
        return saved(_("The cadres whose family signs have been saved."), back)
    marked = {row.person_id for row in pledges.expectations(PledgeKind.FAMILY, unit, year)}
    context = {"unit": unit, "year": year, "members": members, "marked": marked, "form": form}
    return render_page("integrity/pledge_cadres.html", **context)


@bp.route("/pairs", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def pairs() -> Response:
    """The responsibility letters to be signed in the unit in the year: upper and lower party."""
    unit, year, _units = _scope()
    set_back(url_for("pledges.pairs", unit=unit.id, year=year))
    form = PairForm()
    if form.validate_on_submit():
        pledges.add_pair(unit, year, form.lower.person.id, form.upper.person.id)
        message = _("The pair has been listed.")
        return saved(message, url_for("pledges.pairs", unit=unit.id, year=year))
    rows = pledges.expectations(PledgeKind.RESPONSIBILITY, unit, year)
    context = {"unit": unit, "year": year, "rows": rows, "form": form}
    return render_page("integrity/pledge_pairs.html", status=form_status(), **context)


@bp.route("/pairs/<int:pair_id>/remove", methods=["POST"])
@role_required(Role.ADMIN)
def pair_remove(pair_id: int) -> Response:
    row = db.get_or_404(PledgeExpectation, pair_id)
    require(row.kind is PledgeKind.RESPONSIBILITY and row.deleted_at is None)
    pledges.remove_expectation(row)
    commit()
    flash(_("The pair has been taken off the list."), "success")
    return hx_redirect(url_for("pledges.pairs", unit=row.unit_id, year=row.year))
