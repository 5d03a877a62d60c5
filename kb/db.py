"""Database engine and per-request session (the flaskr get_db shape with SQLModel)."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel, create_engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create the engine for `url`, with foreign keys and WAL on SQLite.

    The sqlite3 module begins a transaction only at the first write, so concurrent
    writers wait on the lock instead of failing on a stale read snapshot.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def get_engine() -> Engine:
    return current_app.extensions["kb.db"]


def get_session() -> Session:
    """Return the session of this request or command, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["kb.sessions"]()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def alembic_config():
    from alembic.config import Config

    from kb.config import ROOT

    return Config(toml_file=str(ROOT / "pyproject.toml"))


def migrate(engine: Engine) -> str:
    """Bring the schema to the newest migration.

    A fresh database gets every table at once and is stamped with the newest revision;
    an existing one runs the migrations it lacks. A database from before migrations
    existed holds only the loaded catalogue, which `kb load` rebuilds: its tables are
    dropped and made anew. Returns what was done.
    """
    from alembic import command
    from sqlalchemy import inspect, text

    from kb import models

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        versioned = (
            "alembic_version" in tables
            and connection.execute(
                text("SELECT count(*) FROM alembic_version")
            ).scalar()
        )
        if not versioned:
            content = [
                models.ContentLink,
                models.ContentTag,
                models.CrosswalkPair,
                models.ContentState,
                models.ContentItem,
            ]
            for table in content:
                table.__table__.drop(connection, checkfirst=True)
            SQLModel.metadata.create_all(connection)
            command.stamp(config, "head")
            return "created"
        command.upgrade(config, "head")
        return "upgraded"


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    app.extensions["kb.db"] = engine
    # One factory for every session, so that tests can bind it to one connection.
    app.extensions["kb.sessions"] = sessionmaker(engine, class_=Session)
    app.teardown_appcontext(close_session)
