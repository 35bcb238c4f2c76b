"""Synthetic districts built once and cached by their parameters and the migration head.

SQLite: files under ``instance/bench/``. PostgreSQL (``DATABASE_URL`` given): databases
``<name>_bench_<params>`` on that server, created and dropped through its ``postgres`` database.
A district is built under a temporary name and renamed when complete, so an interrupted build is
never reused; a schema change (a new head) builds new ones and drops those of older heads.
"""

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "instance" / "bench"


@dataclass(frozen=True)
class District:
    members: int
    years: int = 3
    branches: int | None = None
    seed: int = 1

    def params(self) -> str:
        return f"m{self.members}_y{self.years}_b{self.branches or 'auto'}_s{self.seed}"

    def synth_args(self) -> list[str]:
        args = ["--members", str(self.members), "--years", str(self.years)]
        args += ["--seed", str(self.seed)]
        return args + (["--branches", str(self.branches)] if self.branches else [])


def head() -> str:
    """The migration head(s) the code expects, as part of a cache name."""
    return "_".join(sorted(ScriptDirectory(str(ROOT / "migrations")).get_heads()))


def _flask(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    env.setdefault("SECRET_KEY", "bench")
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True
    )


def _build(url: str, district: District) -> None:
    print(f"building {district.params()} at {sa.make_url(url).render_as_string()}", flush=True)
    _flask(url, "db", "upgrade")
    _flask(url, "synth", *district.synth_args())


def sqlite_district(district: District) -> str:
    CACHE.mkdir(parents=True, exist_ok=True)
    name = f"{district.params()}_r{head()}"
    path = CACHE / f"{name}.db"
    if not path.exists():
        for stale in CACHE.glob(f"{district.params()}_r*.db*"):
            stale.unlink()
        building = CACHE / f"{name}.building.db"
        for leftover in CACHE.glob(f"{building.name}*"):
            leftover.unlink()
        _build(f"sqlite:///{building}", district)
        with sqlite3.connect(building) as conn:  # the WAL folded in: one file to rename
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        building.rename(path)
    return f"sqlite:///{path}"


def _admin(url: sa.URL) -> sa.Engine:
    return sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def _analyze(url: sa.URL) -> None:
    """Statistics for the planner at once, as autovacuum keeps them on a server in use: a bulk
    load leaves it estimating one row where there are thousands."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()


def postgres_district(base_url: str, district: District) -> str:
    """The district's database beside ``base_url``'s, built when missing."""
    base = sa.make_url(base_url)
    prefix = f"{base.database}_bench_{district.params()}_r"
    name = f"{prefix}{head()}".lower()
    admin = _admin(base)
    try:
        with admin.connect() as conn:
            existing = set(conn.scalars(sa.text("SELECT datname FROM pg_database")))
            if name in existing:
                return base.set(database=name).render_as_string(hide_password=False)
            for stale in sorted(n for n in existing if n.startswith(prefix.lower())):
                conn.execute(sa.text(f'DROP DATABASE "{stale}" WITH (FORCE)'))
            building = f"{name}_building"
            conn.execute(sa.text(f'CREATE DATABASE "{building}"'))
        built = base.set(database=building)
        _build(built.render_as_string(hide_password=False), district)
        _analyze(built)
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def district_url(district: District) -> str:
    """The cached district on the backend ``DATABASE_URL`` names (SQLite when unset)."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgresql"):
        return postgres_district(base, district)
    return sqlite_district(district)
