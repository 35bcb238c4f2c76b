"""flask synth: a synthetic district of any size in a fresh database, for benchmarks.

Each family's demo module has its synth part (people, study, integrity, logs); this driver runs
them in one transaction with the audit listener off (``AUDIT_ENABLED``, STYLE.md) — the loader
writes one audit row per created record itself — then checks the invariants and commits only if
they hold.
"""

import random
import time
from datetime import date

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from app.activities import tally
from app.demo.bulk import Loader
from app.demo.duties_synth import build_duties
from app.demo.integrity_synth import build_integrity
from app.demo.invariants import check
from app.demo.logs_synth import build_logs
from app.demo.people import DEMO_PASSWORD
from app.demo.people_synth import branch_sizes, build_district
from app.demo.study_synth import build_study
from app.demo.volunteer_synth import build_volunteer
from app.extensions import db
from app.models import shipped_tables
from app.people import search
from app.types import local_today

REPORTED = ("org_unit", "person", "membership", "account", "activity", "participation")


def is_fresh() -> bool:
    """No row in any table of the schema but the rows a new database ships with."""
    shipped = shipped_tables()
    return not any(
        db.session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
        for table in db.metadata.sorted_tables
        if table.name not in shipped
    )


def generate(
    members: int, years: int, branches: int | None, sizes: list[int], seed: int, today: date
) -> dict[str, int]:
    """Writes the district in the session's transaction (the caller commits); row counts."""
    rng = random.Random(seed)
    first = (
        today.replace(year=today.year - years)
        if (today.month, today.day) != (2, 29)
        else (today.replace(year=today.year - years, day=28))
    )
    count = branches or max(1, round(members / 20))
    loader = Loader(db.session.connection())
    district = build_district(
        loader, rng, first, today, branch_sizes(members, count, sizes), DEMO_PASSWORD
    )
    build_study(loader, rng, district, first, today)
    # Its own draws: the logs after it are those of a district without it.
    build_integrity(loader, random.Random(f"{seed}-integrity"), district, first, today)
    build_volunteer(loader, random.Random(f"{seed}-volunteer"), district, first, today)
    build_duties(loader, district, first, today)
    build_logs(loader, rng, district, first, today)
    loader.finish()
    tally.refresh_all(loader.connection)
    tally.refresh_all_last(loader.connection)
    search.refresh_all(loader.connection)
    current_app.config["SYNTH_LOGINS"] = district.logins
    return loader.counts


def _sizes(value: str | None) -> list[int]:
    try:
        return [int(part) for part in value.split(",") if part.strip()] if value else []
    except ValueError as error:
        raise click.BadParameter("a comma-separated list of numbers, e.g. 500,200") from error


@click.command("synth", help="Generate a synthetic district in an empty database.")
@click.option("--members", type=click.IntRange(1), required=True, help="Persons in the branches.")
@click.option("--years", type=click.IntRange(1, 20), required=True, help="Years up to today.")
@click.option("--branches", type=click.IntRange(1), help="Branches (default: members / 20).")
@click.option("--branch-sizes", help="Sizes of the first branches, e.g. 500,200.")
@click.option("--seed", type=int, default=1, show_default=True)
@with_appcontext
def synth_command(
    members: int, years: int, branches: int | None, branch_sizes: str | None, seed: int
) -> None:
    sizes = _sizes(branch_sizes)
    if not is_fresh():
        raise click.ClickException(
            "The database is not empty: synth writes only into a fresh, migrated database."
        )
    started = time.monotonic()
    audited = current_app.config.get("AUDIT_ENABLED", True)
    current_app.config["AUDIT_ENABLED"] = False
    try:
        counts = generate(members, years, branches, sizes, seed, local_today())
        violations = check(db)
        if violations:
            db.session.rollback()
            raise click.ClickException("Invariants violated:\n  " + "\n  ".join(violations))
        db.session.commit()
    finally:
        current_app.config["AUDIT_ENABLED"] = audited
    _report(counts, time.monotonic() - started)


def _report(counts: dict[str, int], seconds: float) -> None:
    click.echo(f"Synthetic district generated in {seconds:.1f} s.")
    for name in (*REPORTED, "member_log", "audit_log"):
        click.echo(f"  {name:<14} {counts.get(name, 0):>10,}")
    click.echo(f"Sign-ins (password: {DEMO_PASSWORD}):")
    for role, username in current_app.config.get("SYNTH_LOGINS", {}).items():
        click.echo(f"  {username:<22} {role}")
