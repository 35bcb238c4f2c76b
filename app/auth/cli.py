"""flask users create …"""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.auth.models import Role, User
from app.auth.services import MIN_PASSWORD_LENGTH, normalise_username
from app.extensions import db
from app.people.models import OrgUnit, PartyStatus, Person


@click.group("users", help="Manage accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "units", multiple=True, help="Unit code a secretary keeps records for.")
@click.option("--person-code", help="Personnel code of an existing person.")
@click.option("--name", help="Name of a new person to create for this account.")
@click.option("--password", help="Initial password; asked for when not given.")
@with_appcontext
def create_user(
    username: str,
    role: str,
    units: tuple[str, ...],
    person_code: str | None,
    name: str | None,
    password: str | None,
) -> None:
    """An account for an existing person (by code) or a new person; the password must be changed
    at first sign-in."""
    username = normalise_username(username)
    if person_code and name:
        raise click.UsageError("Give --person-code or --name, not both.")
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise click.ClickException(f"The username '{username}' is taken.")
    role_value = Role(role)
    found_units: list[OrgUnit] = []
    for code in units:
        unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))
        if unit is None:
            raise click.ClickException(f"No unit has the code '{code}'.")
        found_units.append(unit)
    if role_value is Role.SECRETARY and not found_units:
        raise click.UsageError("A secretary needs at least one --unit.")
    if role_value is not Role.SECRETARY and found_units:
        raise click.UsageError("Only a secretary is given units.")
    person: Person | None = None
    if person_code:
        person = db.session.scalar(sa.select(Person).where(Person.code == person_code))
        if person is None:
            raise click.ClickException(f"No person has the code '{person_code}'.")
        if db.session.scalar(sa.select(User.id).where(User.person_id == person.id)):
            raise click.ClickException(f"{person.name} already has an account.")
    elif name:
        person = Person(code=username, name=name, party_status=PartyStatus.MASSES)
        if db.session.scalar(sa.select(Person.id).where(Person.code == username)):
            raise click.ClickException(
                f"A person with the code '{username}' exists; use --person-code."
            )
        db.session.add(person)
    if role_value is Role.MEMBER and person is None:
        raise click.UsageError("A member account needs --person-code or --name.")
    if password is None:
        password = click.prompt("Initial password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    user = User(username=username, role=role_value, person=person, must_change_password=True)
    user.set_password(password)
    user.units = found_units
    db.session.add(user)
    db.session.commit()
    click.echo(
        f"Created {role_value.value} account '{username}'; "
        "the password must be changed at first sign-in."
    )
