"""Party Ledger (党建台账): the application factory."""

import os
import sqlite3
from typing import Any

from flask import Flask, g, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from app import errors, static_files
from app.activities import tally
from app.audit import trail
from app.config import Config, ensure_secret_key, from_environment
from app.extensions import babel, csrf, db, login_manager, migrate
from app.people import search
from app.queries import MAX_INT
from app.reports import kept
from app.types import CLOCK_OFFSET

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class BoundedIntConverter(IntegerConverter):
    """Ids in URLs fit the database's integer: a larger number is a 404, not an overflow."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_INT)
        super().__init__(url_map, *args, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment())
    if test_config:
        app.config.update(test_config)
    url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "partyledger.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = ensure_secret_key(app.instance_path)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config["MAX_CONTENT_LENGTH"] = (int(app.config["MAX_UPLOAD_MB"]) + 1) * 1024 * 1024
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config.setdefault("UPLOAD_FOLDER", os.path.join(app.instance_path, "uploads"))


def _select_locale() -> str:
    from flask import current_app

    if not has_request_context():  # the command line and demo data: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not request.accept_languages:
        return default
    return request.accept_languages.best_match(languages, default=default)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    _load_config(app, test_config)
    if CLOCK_OFFSET:
        app.logger.warning("FAKE_NOW is set: the clock runs %s from the real one", CLOCK_OFFSET)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        render_as_batch=True,
        directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    login_manager.login_message = _l("Please sign in to open this page.")
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
    trail.install()
    kept.install()
    tally.install()
    search.install()

    from app import models  # noqa: F401 - every model registered before migrations look

    app.url_map.converters["int"] = BoundedIntConverter
    _register_blueprints(app)
    static_files.register(app)
    errors.register(app)
    _register_hooks(app)
    _register_cli(app)
    from app import templating

    templating.register(app)
    return app


def load_families() -> None:
    """Register every record family on the core (each registers as its module loads)."""
    from app.duties import family as _duties_family  # noqa: F401 - registers its list
    from app.integrity import family as _integrity_family  # noqa: F401 - registers the family
    from app.study import family as _study_family  # noqa: F401 - registers the family
    from app.volunteer import family as _volunteer_family  # noqa: F401 - registers its list


def _register_blueprints(app: Flask) -> None:
    from app.activities.views import bp as activities_bp
    from app.admin.views import bp as admin_bp
    from app.audit.views import bp as audit_bp
    from app.auth.views import bp as auth_bp
    from app.duties.views import bp as duties_bp
    from app.evidence.views import bp as evidence_bp
    from app.integrity.pledge_views import bp as pledges_bp
    from app.integrity.reminder_views import bp as reminders_bp
    from app.integrity.talk_views import bp as talks_bp
    from app.integrity.views import bp as integrity_bp
    from app.logs.views import bp as logs_bp
    from app.main.views import bp as main_bp
    from app.people.roster.views import bp as roster_bp
    from app.people.views import bp as people_bp
    from app.review.views import bp as review_bp
    from app.study.views import bp as study_bp
    from app.volunteer.views import bp as volunteer_bp  # with its lifecycle routes

    load_families()
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(people_bp, url_prefix="/members")
    app.register_blueprint(roster_bp, url_prefix="/members")
    app.register_blueprint(study_bp, url_prefix="/study")
    app.register_blueprint(integrity_bp, url_prefix="/integrity")
    app.register_blueprint(talks_bp, url_prefix="/integrity/talks")
    app.register_blueprint(pledges_bp, url_prefix="/integrity/pledges")
    app.register_blueprint(reminders_bp, url_prefix="/integrity/reminders")
    app.register_blueprint(volunteer_bp, url_prefix="/volunteer")
    app.register_blueprint(duties_bp, url_prefix="/duties")
    app.register_blueprint(logs_bp, url_prefix="/logs")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(audit_bp, url_prefix="/audit")
    app.register_blueprint(review_bp, url_prefix="/review")
    app.register_blueprint(activities_bp, url_prefix="")
    app.register_blueprint(evidence_bp, url_prefix="")


def _register_hooks(app: Flask) -> None:
    from app.auth.views import enforce_password_change

    app.before_request(enforce_password_change)

    @app.after_request
    def security_headers(response):  # noqa: ANN001, ANN202
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if current_user and getattr(current_user, "is_authenticated", False):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.teardown_request
    def forget_user(_exc: BaseException | None) -> None:
        g.pop("_login_user", None)


def _register_cli(app: Flask) -> None:
    from app.auth.cli import users_cli
    from app.demo import demo_command
    from app.demo.synth import synth_command

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(synth_command)
