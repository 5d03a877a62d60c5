"""The `kb` command: Flask's own commands plus ours (check, load, upgrade, reindex,
create-org, create-user, create-token)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext


def _create_app() -> Flask:
    from kb import create_app

    return create_app()


cli = FlaskGroup(create_app=_create_app, help="Manage csms-kb.")


def _checked_catalogue():
    from kb.content.loader import read_tree

    root = Path(current_app.config["CONTENT_DIR"])
    extras = [
        Path(p) for p in current_app.config["EXTRA_CONTENT_DIR"].split(os.pathsep) if p
    ]
    catalogue = read_tree(root, extras)
    if catalogue.problems:
        for problem in catalogue.problems:
            click.echo(str(problem), err=True)
        where = " and ".join(str(p) for p in [root, *extras])
        raise click.ClickException(f"{len(catalogue.problems)} problem(s) in {where}")
    return catalogue


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Check every content file; print each problem as path:line: message."""
    catalogue = _checked_catalogue()
    click.echo(f"{len(catalogue.entries)} content files, no problems")


@click.command("upgrade")
@with_appcontext
def upgrade_command() -> None:
    """Create the database, or migrate it to the newest schema."""
    from kb.db import get_engine, migrate

    click.echo(f"database {migrate(get_engine())}")


@click.command("load")
@with_appcontext
def load_command() -> None:
    """Check the content, then load it into the database in one transaction."""
    from kb.content.sync import load
    from kb.db import get_engine, get_session, migrate

    catalogue = _checked_catalogue()
    migrate(get_engine())
    session = get_session()
    result = load(session, catalogue)
    session.commit()
    _reindex(session)
    click.echo(
        f"loaded {len(catalogue.entries)} items: {result.added} new, "
        f"{result.updated} changed, {result.retired} retired, {result.links} links"
    )


def _reindex(session) -> None:
    from kb.services.search import refresh

    refresh(session, Path(current_app.config["INDEX_DIR"]), force=True)


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the loaded catalogue."""
    from kb.db import get_session

    _reindex(get_session())
    click.echo("search index rebuilt")


@click.command("create-org")
@click.argument("name")
@with_appcontext
def create_org_command(name: str) -> None:
    """Create an organisation; its pages live under /orgs/<slug>/."""
    from kb.db import get_session
    from kb.errors import KBError
    from kb.services.accounts import create_org

    session = get_session()
    try:
        org = create_org(session, name)
    except KBError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"organisation '{org.name}' at /orgs/{org.slug}/")


@click.command("create-user")
@click.argument("email")
@click.option(
    "--org", "org_name", required=True, help="Name or slug of the organisation."
)
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), required=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    required=True,
    help="Read the password from standard input (never from the command line).",
)
@with_appcontext
def create_user_command(
    email: str, org_name: str, role: str, password_stdin: bool
) -> None:
    """Create a user (or reuse one by email) and make them a member with a role."""
    from kb.db import get_session
    from kb.errors import KBError
    from kb.services import accounts

    password = sys.stdin.readline().rstrip("\r\n")
    session = get_session()
    try:
        org = accounts.get_org(session, accounts.slug_for(org_name))
        user = accounts.find_user(session, email) or accounts.create_user(
            session, email, password
        )
        accounts.set_membership(session, user, org, role)
    except KBError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"{user.email} is {role} of {org.name}")


@click.command("create-token")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for.")
@click.option(
    "--expires-days",
    type=click.IntRange(1, 366),
    default=90,
    show_default=True,
    help="Days until the token expires.",
)
@with_appcontext
def create_token_command(email: str, name: str, expires_days: int) -> None:
    """Make an API token for a user and print it (shown this once), for set-ups
    without a browser."""
    from kb.db import get_session
    from kb.services import accounts, audit, tokens

    session = get_session()
    user = accounts.find_user(session, email)
    if user is None:
        raise click.ClickException(f"there is no user with the email '{email}'")
    token, secret = tokens.create_token(session, user, name, expires_days)
    audit.record(
        session,
        audit.organisations_of(session, user),
        user,
        "token created",
        f"token '{name}'",
        "command line",
    )
    session.commit()
    click.echo(secret)
    click.echo(
        f"token '{name}' for {user.email}, expires {token.expires_at:%Y-%m-%d}",
        err=True,
    )


def init_app(app: Flask) -> None:
    """Add our commands to the app's `flask`/`kb` command group."""
    for command in (
        check_command,
        upgrade_command,
        load_command,
        reindex_command,
        create_org_command,
        create_user_command,
        create_token_command,
    ):
        app.cli.add_command(command)
