"""Sign in, sign out, change password, choose the language."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from app.audit.trail import record_event
from app.auth import services
from app.auth.forms import LoginForm, PasswordForm
from app.auth.models import User
from app.extensions import db, login_manager
from app.htmx import hx_redirect, is_htmx, render_page
from app.types import utcnow

bp = Blueprint("auth", __name__)

# Endpoints reachable while an initial password is still to be changed.
OPEN_ENDPOINTS = {"auth.password", "auth.logout", "auth.language", "static", "main.healthz"}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # The navigation shows the person's name on every page: load it with the account.
    user = db.session.get(User, int(user_id), options=[joinedload(User.person)])
    # A deactivated account loses the sessions it already has, not only future sign-ins.
    return user if user is not None and user.active else None


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
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith(("//", "/\\"))
        ):
            return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = services.normalise_username(form.username.data)
        addr = request.remote_addr
        until = services.locked_until(username)
        user = db.session.scalar(db.select(User).filter_by(username=username))
        if until is not None:
            record_event("login_refused", user, record_kind="account", summary=username)
            db.session.commit()
            minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
            form.password.errors.append(
                _(
                    "Too many failed attempts. Sign-in for this account is locked for "
                    "%(minutes)d more minutes (until %(time)s).",
                    minutes=minutes,
                    time=format_datetime(until, "HH:mm"),
                )
            )
            status = 429
        elif user is None or not user.is_active or not user.check_password(form.password.data):
            locked = services.record_failure(username, addr)
            record_event("login_failed", user, record_kind="account", summary=username)
            if locked:
                record_event("login_locked", user, record_kind="account", summary=username)
            db.session.commit()
            if locked:
                form.password.errors.append(
                    _(
                        "Too many failed attempts. Sign-in for this account is locked for "
                        "%(minutes)d minutes.",
                        minutes=current_app.config["LOGIN_LOCK_MINUTES"],
                    )
                )
                status = 429
            else:
                form.password.errors.append(_("Wrong username or password."))
                status = 422
        else:
            chosen_locale = session.get("locale")
            session.clear()  # a fresh session at sign-in (no fixation)
            login_user(user)
            if user.locale is None and chosen_locale:
                user.locale = chosen_locale
            user.last_login_at = utcnow()
            services.record_success(username, addr)
            db.session.commit()
            if user.must_change_password:
                flash(_("Welcome. Please choose your own password first."), "info")
                return redirect(url_for("auth.password"))
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_page("auth/login.html", form=form, status=status)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
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
            current_user.set_password(form.new.data)
            current_user.must_change_password = False
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return hx_redirect(url_for("main.index"))
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
