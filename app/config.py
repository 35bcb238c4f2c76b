"""Configuration: safe defaults here, secrets from instance/config.py or the environment."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path


class Config:
    # SQLite in the instance folder unless DATABASE_URL says otherwise (set in create_app).
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    TIMEZONE = "Asia/Shanghai"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    LANGUAGES = ("zh_CN", "en")
    # Boosted navigation never refreshes <body>, so the token in hx-headers must not expire.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # A signed-in session lasts a working day at most.
    PERMANENT_SESSION_LIFETIME = 12 * 60 * 60
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    PAGE_SIZE = 20
    MAX_UPLOAD_MB = 20
    # Sign-in throttling (README): failures of one username from one address lock that pair;
    # an address failing on many usernames is blocked; an account failing from everywhere waits.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    LOGIN_ADDRESS_MAX_USERNAMES = 10
    LOGIN_ACCOUNT_MAX_FAILURES = 50
    LOGIN_DELAY_MAX_SECONDS = 60
    # Checked rows of an import wait this long for the user's confirmation.
    IMPORT_TTL_MINUTES = 60
    # Roster imports post one field per checked row and bulk actions many ids.
    MAX_FORM_MEMORY_SIZE = 4 * 1024 * 1024
    MAX_FORM_PARTS = 5000
    AUDIT_ENABLED = True
    # Reverse proxies in front whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES = 0
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a hash method name, not a secret


ENV_KEYS = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "TIMEZONE": str,
    "SESSION_COOKIE_SECURE": bool,
    "MAX_UPLOAD_MB": int,
    "PAGE_SIZE": int,
    "TRUSTED_PROXIES": int,
    "UPLOAD_FOLDER": str,
}


def _as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment() -> dict:
    """Values set in the environment; they override instance/config.py."""
    found: dict = {}
    for key, kind in ENV_KEYS.items():
        raw = os.environ.get(key)
        if raw is None or raw == "":
            continue
        found[key] = _as_bool(raw) if kind is bool else kind(raw)
    return found


def ensure_secret_key(instance_path: str) -> str:
    """Read the generated key from instance/, creating it (owner-only) on first start.

    Several worker processes may start at once: the key is written to a private temporary file
    and linked into place, so a reader never sees a half-written file, and the first link wins.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.chmod(temporary, 0o600)
            # If another worker's key is already in place, the link fails and that key is used.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key; delete it to generate a new one")
    return key
