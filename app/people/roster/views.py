"""Roster import (XLSX, checked row by row, applied on confirmation) and export.

An upload is read and stored as an ``ImportBatch`` owned by the uploader; its preview checks the
rows against the records each time it is shown; the confirmation checks them once more and applies
them only when every row is valid and the changes are the ones the user saw. After a confirmation
that created accounts, the batch keeps their initial passwords until the admin downloads them once.
"""

import os
import secrets
from urllib.parse import quote

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.models import Role
from app.auth.policy import is_admin, role_required, unit_ids_in_scope, units_for_choice
from app.extensions import db
from app.htmx import hx_redirect, render_page
from app.people import services
from app.people.models import ImportBatch
from app.people.roster import batches, importer
from app.people.roster.forms import ConfirmImportForm, RosterImportForm
from app.people.roster.workbook import (
    ALIASES_OF,
    COLUMNS,
    MIMETYPE,
    RosterFileError,
    RosterSheet,
    Vocabulary,
    read_roster,
    write_accounts,
    write_roster,
    write_template,
)
from app.people.unit_picker import filter_units
from app.queries import query_args
from app.types import local_today

bp = Blueprint("roster", __name__)

IMPORT_MAX_ROWS = 5000
IMPORT_MAX_ACCOUNTS = 100


def _max_rows() -> int:
    return int(current_app.config.get("IMPORT_MAX_ROWS", IMPORT_MAX_ROWS))


def _attachment(data: bytes, filename: str, fallback: str) -> Response:
    response = Response(data, mimetype=MIMETYPE)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _check(batch: ImportBatch) -> importer.ImportCheck:
    return importer.check_rows(
        RosterSheet.from_json(batch.rows),
        current_user,
        batch.create_accounts and is_admin(current_user),
        int(current_app.config.get("IMPORT_MAX_ACCOUNTS", IMPORT_MAX_ACCOUNTS)),
    )


def _render_preview(batch: ImportBatch, check: importer.ImportCheck, status: int = 200) -> Response:
    form = ConfirmImportForm(formdata=None, token=batch.token, digest=check.digest)
    return render_page(
        "people/import_preview.html",
        "people/_import_result.html",
        batch=batch,
        check=check,
        form=form,
        labels={column.key: column.label for column in COLUMNS},
        shown_value=importer.shown_value,
        status=status,
    )


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def import_roster() -> Response:
    form = RosterImportForm(allow_accounts=is_admin(current_user))
    status = 200
    batches.forget_expired_batches()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            sheet = read_roster(upload.read(), _max_rows(), Vocabulary())
        except RosterFileError as error:
            form.file.errors.append(str(error))
        else:
            batch = ImportBatch(
                token=secrets.token_urlsafe(32),
                account_id=current_user.id,
                filename=os.path.basename((upload.filename or "").replace("\\", "/"))[:200],
                rows=sheet.to_json(),
                create_accounts="create_accounts" in form and bool(form.create_accounts.data),
            )
            db.session.add(batch)
            db.session.commit()
            return hx_redirect(url_for("roster.import_preview", token=batch.token))
    db.session.commit()  # the expired batches
    if request.method == "POST":
        status = 422
    return render_page(
        "people/import.html",
        form=form,
        units=filter_units(current_user, None),
        columns=COLUMNS,
        aliases=ALIASES_OF,
        max_rows=_max_rows(),
        ttl=int(current_app.config["IMPORT_TTL_MINUTES"]),
        status=status,
    )


@bp.route("/import/template")
@role_required(Role.ADMIN, Role.SECRETARY)
def import_template() -> Response:
    data = write_template(
        [(unit.code, unit.name) for unit in units_for_choice(current_user)],
        [department.name for department in services.departments()],
        _max_rows(),
    )
    return _attachment(data, "花名册导入模板.xlsx", "roster-template.xlsx")


@bp.route("/import/<token>")
@role_required(Role.ADMIN, Role.SECRETARY)
def import_preview(token: str) -> Response:
    batch = batches.own_batch(token)
    if batches.expired(batch):
        flash(_("This import has expired. Upload the file again."), "warning")
        return hx_redirect(url_for("roster.import_roster"))
    if batch.confirmed_at is not None:
        return render_page(
            "people/import_preview.html",
            batch=batch,
            check=None,
            accounts=len(batches.pending_accounts(batch)),
        )
    return _render_preview(batch, _check(batch))


@bp.route("/import/confirm", methods=["POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def import_confirm() -> Response:
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    batch = batches.own_batch(form.token.data)
    if batch.confirmed_at is not None:
        flash(_("This import has already been confirmed."), "warning")
        return hx_redirect(url_for("roster.import_preview", token=batch.token))
    if batches.expired(batch):
        flash(_("This import has expired. Upload the file again."), "warning")
        return hx_redirect(url_for("roster.import_roster"))
    check = _check(batch)
    if not check.ok:
        flash(
            _("Nothing was imported: some rows have errors. Correct the file and upload it again."),
            "danger",
        )
        return _render_preview(batch, check, 422)
    if not check.has_changes:
        flash(_("Nothing to import: the file agrees with the records."), "info")
        return hx_redirect(url_for("people.index"))
    if check.digest != form.digest.data:
        flash(
            _("The records changed after the file was checked. Review the changes, then confirm."),
            "warning",
        )
        return _render_preview(batch, check, 409)
    # Claim the batch first, so that a second confirmation (a double click) applies nothing.
    if not batches.claim(batch):
        db.session.rollback()
        flash(_("This import has already been confirmed."), "warning")
        return hx_redirect(url_for("roster.import_preview", token=batch.token))
    counts = check.counts
    batches.forget_expired_batches()
    accounts = importer.apply_import(check)
    if accounts:
        batch.rows = [{"accounts": accounts}]
    db.session.commit()
    _flash_imported(counts, len(accounts))
    return hx_redirect(url_for("roster.import_preview", token=batch.token))


def _flash_imported(counts: dict[str, int], accounts: int) -> None:
    flash(
        _(
            "Imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.",
            new=counts[importer.NEW],
            updated=counts[importer.UPDATE],
            unchanged=counts[importer.UNCHANGED],
        ),
        "success",
    )
    if accounts:
        flash(
            ngettext(
                "%(num)d account was created. Download the initial passwords now: "
                "the list is given only once.",
                "%(num)d accounts were created. Download the initial passwords now: "
                "the list is given only once.",
                accounts,
            ),
            "warning",
        )


@bp.route("/import/<token>/accounts", methods=["POST"])
@role_required(Role.ADMIN)
def import_accounts(token: str) -> Response:
    batch = batches.own_batch(token)
    accounts = batches.pending_accounts(batch)
    if not accounts or batches.expired(batch):
        flash(
            _("The initial passwords have already been downloaded, or their time has run out."),
            "warning",
        )
        return hx_redirect(url_for("roster.import_preview", token=batch.token))
    data = write_accounts(accounts)
    batch.rows = []
    batches.forget_expired_batches()
    db.session.commit()
    today = local_today().isoformat()
    return _attachment(
        data, _("initial-passwords-%(date)s.xlsx", date=today), f"initial-passwords-{today}.xlsx"
    )


@bp.route("/export")
@role_required(Role.ADMIN, Role.SECRETARY)
def export() -> Response:
    filters = services.RosterFilters.from_args(query_args())
    today = local_today()
    persons = db.session.scalars(services.roster_query(current_user, filters, today)).all()
    rows = importer.export_rows(persons, unit_ids_in_scope(current_user), today)
    data = write_roster(rows, max(len(rows), _max_rows()))
    return _attachment(data, f"花名册-{today.isoformat()}.xlsx", f"roster-{today.isoformat()}.xlsx")
