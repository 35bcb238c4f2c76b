"""Roster import (XLSX, checked row by row, applied on confirmation) and export.

An upload is read and stored as an ``ImportBatch`` owned by the uploader; its preview checks the
rows against the records each time it is shown; the confirmation checks them once more and applies
them only when every row is valid and the changes are the ones the user saw. After a confirmation
that created accounts, the batch keeps their initial passwords until the admin downloads them once.
"""

import os
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from app.auth.models import Role
from app.auth.policy import (
    is_admin,
    require,
    role_required,
    unit_ids_in_scope,
    units_for_choice,
)
from app.extensions import db
from app.forms import BaseForm
from app.htmx import hx_redirect, render_page
from app.people import roster_import, services
from app.people.models import ImportBatch
from app.people.roster_workbook import (
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
from app.people.views import bp
from app.queries import query_args
from app.types import local_today, utcnow

IMPORT_MAX_ROWS = 5000
IMPORT_MAX_ACCOUNTS = 100


class RosterImportForm(BaseForm):
    file = FileField(
        _l("Roster file (.xlsx)"),
        validators=[
            FileRequired(_l("Choose the file to import.")),
            FileAllowed(["xlsx"], _l("Choose an Excel workbook (.xlsx).")),
        ],
        render_kw={"accept": ".xlsx," + MIMETYPE},
    )
    create_accounts = BooleanField(
        _l("Create member accounts for new Party members"),
        description=_l(
            "Username: the personnel code in lower case. You download the initial passwords "
            "once, right after the import; each must be changed at first sign-in."
        ),
    )

    def __init__(self, *args: Any, allow_accounts: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_accounts:
            # Not offered, and a field posted anyway is never read.
            del self.create_accounts


class ConfirmImportForm(BaseForm):
    token = HiddenField(validators=[DataRequired()])
    digest = HiddenField(validators=[DataRequired()])


def _max_rows() -> int:
    return int(current_app.config.get("IMPORT_MAX_ROWS", IMPORT_MAX_ROWS))


def _ttl() -> timedelta:
    return timedelta(minutes=int(current_app.config["IMPORT_TTL_MINUTES"]))


def _expired(batch: ImportBatch) -> bool:
    return (batch.confirmed_at or batch.created_at) + _ttl() < utcnow()


def forget_expired_batches() -> None:
    """Checked rows and unclaimed passwords do not outlive their use (the table is not audited).

    Run on the import pages, at every sign-in and by ``flask people forget-imports``, so that
    initial passwords nobody downloaded are gone even when nobody comes back to the import.
    The caller commits."""
    cutoff = utcnow() - _ttl()
    db.session.execute(
        sa.delete(ImportBatch).where(
            sa.or_(
                sa.and_(ImportBatch.confirmed_at.is_(None), ImportBatch.created_at < cutoff),
                ImportBatch.confirmed_at < cutoff,
            )
        )
    )


@bp.cli.command("forget-imports")
def forget_imports_command() -> None:
    """Delete expired import batches and the initial passwords nobody downloaded."""
    forget_expired_batches()
    db.session.commit()


def _own_batch(token: str) -> ImportBatch:
    batch = db.session.scalar(
        sa.select(ImportBatch).where(
            ImportBatch.token == token, ImportBatch.account_id == current_user.id
        )
    )
    require(batch is not None)
    return batch  # type: ignore[return-value]


def _pending_accounts(batch: ImportBatch) -> list[dict[str, str]]:
    """After a confirmation the batch's rows hold only the accounts waiting for their download."""
    if batch.confirmed_at is None or not batch.rows:
        return []
    return list(batch.rows[0].get("accounts", []))


def _attachment(data: bytes, filename: str, fallback: str) -> Response:
    response = Response(data, mimetype=MIMETYPE)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _check(batch: ImportBatch) -> roster_import.ImportCheck:
    return roster_import.check_rows(
        RosterSheet.from_json(batch.rows),
        current_user,
        batch.create_accounts and is_admin(current_user),
        int(current_app.config.get("IMPORT_MAX_ACCOUNTS", IMPORT_MAX_ACCOUNTS)),
    )


def _render_preview(
    batch: ImportBatch, check: roster_import.ImportCheck, status: int = 200
) -> Response:
    form = ConfirmImportForm(formdata=None, token=batch.token, digest=check.digest)
    return render_page(
        "people/import_preview.html",
        "people/_import_result.html",
        batch=batch,
        check=check,
        form=form,
        labels={column.key: column.label for column in COLUMNS},
        shown_value=roster_import.shown_value,
        status=status,
    )


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def import_roster() -> Response:
    form = RosterImportForm(allow_accounts=is_admin(current_user))
    status = 200
    forget_expired_batches()
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
            return hx_redirect(url_for("people.import_preview", token=batch.token))
    db.session.commit()  # the expired batches
    if request.method == "POST":
        status = 422
    return render_page(
        "people/import.html",
        form=form,
        units=units_for_choice(current_user),
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
    batch = _own_batch(token)
    if _expired(batch):
        flash(_("This import has expired. Upload the file again."), "warning")
        return hx_redirect(url_for("people.import_roster"))
    if batch.confirmed_at is not None:
        return render_page(
            "people/import_preview.html",
            batch=batch,
            check=None,
            accounts=len(_pending_accounts(batch)),
        )
    return _render_preview(batch, _check(batch))


@bp.route("/import/confirm", methods=["POST"])
@role_required(Role.ADMIN, Role.SECRETARY)
def import_confirm() -> Response:
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    batch = _own_batch(form.token.data)
    if batch.confirmed_at is not None:
        flash(_("This import has already been confirmed."), "warning")
        return hx_redirect(url_for("people.import_preview", token=batch.token))
    if _expired(batch):
        flash(_("This import has expired. Upload the file again."), "warning")
        return hx_redirect(url_for("people.import_roster"))
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
    claimed = db.session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.confirmed_at.is_(None))
        .values(confirmed_at=utcnow(), rows=[])
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        flash(_("This import has already been confirmed."), "warning")
        return hx_redirect(url_for("people.import_preview", token=batch.token))
    counts = check.counts
    forget_expired_batches()
    accounts = roster_import.apply_import(check)
    if accounts:
        batch.rows = [{"accounts": accounts}]
    db.session.commit()
    flash(
        _(
            "Imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.",
            new=counts[roster_import.NEW],
            updated=counts[roster_import.UPDATE],
            unchanged=counts[roster_import.UNCHANGED],
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
                len(accounts),
            ),
            "warning",
        )
    return hx_redirect(url_for("people.import_preview", token=batch.token))


@bp.route("/import/<token>/accounts", methods=["POST"])
@role_required(Role.ADMIN)
def import_accounts(token: str) -> Response:
    batch = _own_batch(token)
    accounts = _pending_accounts(batch)
    if not accounts or _expired(batch):
        flash(
            _("The initial passwords have already been downloaded, or their time has run out."),
            "warning",
        )
        return hx_redirect(url_for("people.import_preview", token=batch.token))
    data = write_accounts(accounts)
    batch.rows = []
    forget_expired_batches()
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
    rows = roster_import.export_rows(persons, unit_ids_in_scope(current_user), today)
    data = write_roster(rows, max(len(rows), _max_rows()))
    return _attachment(data, f"花名册-{today.isoformat()}.xlsx", f"roster-{today.isoformat()}.xlsx")
