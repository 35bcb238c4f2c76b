"""Error pages, and for fragment requests the message flashed out of band with the status kept."""

from flask import Flask, Response, current_app, flash, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from app.extensions import db
from app.htmx import CHANGED_MEANWHILE, VARY, answer_refusal, is_htmx, only_flashes, wants_fragment
from app.refusals import Refused


def _message(code: int) -> str:
    messages = {
        400: _("The request could not be understood. Reload the page and try again."),
        403: _("You do not have permission to use this page."),
        404: _("The page or record was not found, or it is not yours to see."),
        405: _("This action is not allowed here."),
        409: _("Someone else changed this record at the same time. Reload and try again."),
        413: _("The upload is too large."),
        422: _("Some of the data is not valid."),
        429: _("Too many attempts. Wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing was saved; please try again."),
    }
    return messages.get(code, _("Something went wrong."))


def _respond(code: int, message: str):  # noqa: ANN202 - a Flask response tuple
    if wants_fragment():
        flash(message, "danger")
        return only_flashes(code)
    body = render_template("errors/error.html", code=code, message=message)
    return body, code, {"Vary": VARY}


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202
        return _respond(
            400, _("Your form has expired or was not sent from this site. Reload and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # noqa: ANN202
        if error.code is None or error.code < 400:
            return error
        custom = error.description != type(error).description
        return _respond(error.code, error.description if custom else _message(error.code))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_error: RequestEntityTooLarge):  # noqa: ANN202
        """Refused before the body is read, so the typed fields cannot be shown again: any htmx
        request, boosted or not, keeps its page and gets the limit out of band."""
        message = _(
            "The upload is too large: each file may be up to %(mb)s MB; send several files in "
            "smaller batches.",
            mb=current_app.config["MAX_UPLOAD_MB"],
        )
        if is_htmx():
            flash(message, "danger")
            return only_flashes(413)
        return _respond(413, message)

    @app.errorhandler(Refused)
    def refused(error: Refused) -> Response:
        return answer_refusal(error.message, error.status, error.category)

    @app.errorhandler(StaleDataError)
    def outdated(_error: StaleDataError) -> Response:
        """Another request changed the same versioned row first: nothing of this one is saved."""
        return answer_refusal(CHANGED_MEANWHILE, 409, "danger")

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):  # noqa: ANN202
        db.session.rollback()
        return _respond(500, _message(500))
