"""Sign in, sign out, change password, choose the language."""

import math

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from app.activities import checkin
from app.audit.trail import record_event
from app.auth import services
from app.auth.forms import LoginForm, PasswordForm
from app.auth.models import User
from app.extensions import db, login_manager
from app.htmx import hx_redirect, is_htmx, local_path, render_page
from app.people.roster.batches import forget_expired_batches
from app.queries import text_arg
from app.types import utcnow

bp = Blueprint("auth", __name__)

# Endpoints reachable while an initial password is still to be changed.
OPEN_ENDPOINTS = {"auth.password", "auth.logout", "auth.language", "static", "main.healthz"}
# When the session signed in (seconds since the epoch): the session ends a fixed time after it,
# however active it is, since the cookie is signed anew whenever the session changes.
SIGNED_IN_AT = "signed_in_at"
# What Flask-Login keeps in the session, dropped with the sign-in time when that runs out.
LOGIN_KEYS = ("_user_id", "_fresh", "_id", SIGNED_IN_AT)
# What the fresh session at sign-in keeps of the visitor's: a QR check-in code verified on the
# phone, which the check-in page completes once signed in.
KEPT_AT_SIGN_IN = (checkin.PENDING_SCAN,)


def _sign_in_expired() -> bool:
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int | float):
        return True  # a session from before the sign-in time was kept
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    return utcnow().timestamp() - signed_in_at >= lifetime


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's account, if the session is still valid: "<id>:<session_version>", signed
    in less than PERMANENT_SESSION_LIFETIME ago."""
    account_id, _sep, version = user_id.partition(":")
    if not account_id.isdecimal() or not version.isdecimal():
        return None
    if _sign_in_expired():
        for key in LOGIN_KEYS:
            session.pop(key, None)
        return None
    # The navigation shows the person's name on every page: load it with the account.
    user = db.session.get(User, int(account_id), options=[joinedload(User.person)])
    # A deactivated account, a changed password or a sign-out elsewhere ends the session.
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def enforce_password_change() -> Response | None:
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in OPEN_ENDPOINTS
    ):
        flash(_("Please choose your own password before you continue."), "warning")
        return hx_redirect(url_for("auth.password"))
    return None


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = services.normalise_username(form.username.data)
        addr = services.client_address(request.remote_addr)
        user = db.session.scalar(db.select(User).filter_by(username=username))
        refusal = services.refusal(username, addr)
        if refusal is None:
            attempt = services.reserve_attempt(username, addr)
            db.session.commit()
            refusal = services.judge(attempt)
            if refusal is not None:
                # Parallel attempts beyond a limit are refused unchecked.
                attempt.outcome = services.REFUSED
            elif not services.password_matches(user, form.password.data):
                record_event("login_failed", user, record_kind="account", summary=username)
                started = services.after_failure(attempt)
                if started is not None:
                    record_event("login_locked", user, record_kind="account", summary=username)
                db.session.commit()
                if started is not None:
                    return _refused(form, started)
                form.password.errors.append(_("Wrong username or password."))
                status = 422
            else:
                attempt.outcome = services.SUCCESS
                return _signed_in(user)
        if refusal is not None:
            record_event("login_refused", user, record_kind="account", summary=username)
            db.session.commit()
            return _refused(form, refusal)
    elif request.method == "POST":
        status = 422
    return render_page("auth/login.html", form=form, status=status)


def _refused(form: LoginForm, refusal: services.Refusal) -> Response:
    """The sign-in page saying which limit holds and until when, with 429 and Retry-After."""
    seconds = max(1, math.ceil((refusal.until - utcnow()).total_seconds()))
    left = {
        "seconds": seconds,
        "minutes": math.ceil(seconds / 60),
        "time": format_datetime(refusal.until, "HH:mm"),
    }
    message = {
        services.BLOCKED: _l(
            "Too many failed sign-ins from your network address. Sign-in from it is refused for "
            "%(minutes)d more minutes (until %(time)s)."
        ),
        services.LOCKED: _l(
            "Too many failed attempts. Sign-in to this account from your network address is "
            "locked for %(minutes)d more minutes (until %(time)s)."
        ),
        services.DELAYED: _l(
            "Too many failed attempts on this account. Wait %(seconds)d seconds, then try again."
        ),
    }[refusal.kind] % left
    form.password.errors.append(message)
    response = render_page("auth/login.html", form=form, status=429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _signed_in(user: User) -> Response:
    chosen_locale = session.get("locale")
    kept = {key: session[key] for key in KEPT_AT_SIGN_IN if key in session}
    session.clear()  # a fresh session at sign-in (no fixation)
    session.update(kept)
    login_user(user)
    session[SIGNED_IN_AT] = int(utcnow().timestamp())
    if user.locale is None and chosen_locale:
        user.locale = chosen_locale
    user.last_login_at = utcnow()
    forget_expired_batches()  # unclaimed initial passwords expire though unvisited
    db.session.commit()
    if user.must_change_password:
        flash(_("Welcome. Please choose your own password first."), "info")
        return redirect(url_for("auth.password", next=local_path(text_arg("next"))))
    return redirect(_safe_next(text_arg("next")))


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:
        # Signing out ends every session of the account, copies of the cookie included.
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    response = redirect(url_for("auth.login"), 303)
    response.delete_cookie(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return response


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Response | str:
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is wrong."))
            status = 422
        elif form.new.data.strip().lower() == current_user.username:
            form.new.errors.append(_("The password must not be your username."))
            status = 422
        else:
            user = current_user._get_current_object()
            user.set_password(form.new.data)  # ends the account's other sessions
            user.must_change_password = False
            db.session.commit()
            login_user(user)  # this session goes on
            flash(_("Your password has been changed."), "success")
            return hx_redirect(_safe_next(text_arg("next")))
    elif request.method == "POST":
        status = 422
    return render_page("auth/password.html", form=form, status=status)


@bp.route("/language/<code>", methods=["POST"])
def language(code: str) -> Response:
    if code not in current_app.config["LANGUAGES"]:
        code = current_app.config["BABEL_DEFAULT_LOCALE"]
    session["locale"] = code
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    target = _safe_next(request.form.get("next"))
    if is_htmx():
        return hx_redirect(target)
    return redirect(target, 303)
