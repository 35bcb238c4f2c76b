"""flask demo: the bureau of the seed report with fictional people, for trying the product out."""

import random
from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.auth.models import User
from app.demo.duties import build_duties
from app.demo.integrity import build_integrity
from app.demo.logs import build_logs
from app.demo.people import (
    DEMO_PASSWORD,
    build_accounts,
    build_departments,
    build_persons,
    build_units,
)
from app.demo.service_days import build_service_days
from app.demo.study import build_sessions
from app.demo.volunteer import build_volunteer
from app.extensions import db
from app.models import put_back_shipped
from app.people.models import OrgUnit
from app.types import local_today

__all__ = ["DEMO_PASSWORD", "build", "demo_command"]

DEMO_LOGINS = (
    ("admin", "admin", "机关党委/办公室 · all units"),
    ("secretary", "secretary", "机关党支部 (jiguan)"),
    ("secretary2", "secretary", "生产力促进中心党支部 (cujin)"),
    ("member", "member", "机关党支部 (jiguan)"),
)


def build(today: date | None = None) -> dict[str, object]:
    """Creates the demo bureau in the session (the caller commits)."""
    today = today or local_today()
    units = build_units()
    departments = build_departments()
    persons = build_persons(today, random.Random(20211130), units, departments)
    accounts = build_accounts(units, persons)
    db.session.flush()
    sessions = build_sessions(today, units, persons, accounts, random.Random(20240701))
    logs = build_logs(today, persons, accounts, random.Random(20250101))
    integrity = build_integrity(today, units, accounts, random.Random(20190315))
    volunteer = build_volunteer(today, units, accounts, random.Random(20230601))
    service_days = build_service_days(today, units, accounts, random.Random(20240305))
    duties = build_duties(today, units, accounts)
    _seen_long_ago(today)
    return {
        "units": units,
        "persons": persons,
        "departments": departments,
        "accounts": accounts,
        "sessions": sessions,
        "logs": logs,
        "integrity": integrity,
        "volunteer": volunteer,
        "service_days": service_days,
        "duties": duties,
    }


def _seen_long_ago(today: date) -> None:
    """Leave decisions of sessions more than two weeks past were read long ago; only recent ones
    wait on the members' lists."""
    from app.activities.models import Activity, Participation

    cutoff = today - timedelta(days=14)
    for row in db.session.scalars(
        sa.select(Participation)
        .join(Activity, Activity.id == Participation.activity_id)
        .where(Participation.leave_decision_seen.is_(False), Activity.held_on < cutoff)
    ):
        row.leave_decision_seen = True


def is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OrgUnit)) == 0 and (
        db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    )


def wipe() -> None:
    """Removes every row (not the schema) and the evidence files those rows own: only for
    --reset."""
    from app.evidence.models import Evidence
    from app.evidence.storage import relative_path, upload_folder

    folder = upload_folder()
    for stored, thumbnail in db.session.execute(
        sa.select(Evidence.stored_name, Evidence.thumbnail_name)
    ):
        for name in (stored, thumbnail):
            if name:
                (folder / relative_path(name)).unlink(missing_ok=True)
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    put_back_shipped(db.session.execute)


def print_logins() -> None:
    click.echo(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
    for username, role, scope in DEMO_LOGINS:
        click.echo(f"  {username:<11} {role:<10} {scope}")


@click.command("demo", help="Load the demo bureau (refuses a non-empty database without --reset).")
@click.option("--reset", is_flag=True, help="Delete every record first.")
@click.option(
    "--if-empty", is_flag=True, help="Load only when the database is empty; otherwise do nothing."
)
@with_appcontext
def demo_command(reset: bool, if_empty: bool) -> None:
    if not is_empty():
        if if_empty:
            click.echo("The database already holds data; demo data not loaded.")
            print_logins()
            return
        if not reset:
            raise click.ClickException(
                "The database is not empty. Use --reset to replace its contents."
            )
        wipe()
    build()
    db.session.commit()
    click.echo("Demo data loaded.")
    print_logins()
