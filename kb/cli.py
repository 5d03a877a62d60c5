"""The `kb` command: Flask's own commands plus ours (check, load, init-db)."""

from __future__ import annotations

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
    catalogue = read_tree(root)
    if catalogue.problems:
        for problem in catalogue.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(catalogue.problems)} problem(s) in {root}")
    return catalogue


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Check every content file; print each problem as path:line: message."""
    catalogue = _checked_catalogue()
    click.echo(f"{len(catalogue.entries)} content files, no problems")


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database tables that do not exist yet."""
    from kb.db import create_schema, get_engine

    create_schema(get_engine())
    click.echo("database ready")


@click.command("load")
@with_appcontext
def load_command() -> None:
    """Check the content, then load it into the database in one transaction."""
    from kb.content.sync import load
    from kb.db import create_schema, get_engine, get_session

    catalogue = _checked_catalogue()
    create_schema(get_engine())
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


def init_app(app: Flask) -> None:
    """Add our commands to the app's `flask`/`kb` command group."""
    for command in (check_command, init_db_command, load_command, reindex_command):
        app.cli.add_command(command)
