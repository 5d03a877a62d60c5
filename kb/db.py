"""Database engine and per-request session (the flaskr get_db shape with SQLModel)."""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, SQLModel, create_engine

# A pooled PostgreSQL connection idle for longer than this is checked before use (one
# round trip); one used more recently is trusted. A server restart within that window
# fails the one request that meets the dead connection, and the pool then renews all.
PING_AFTER_IDLE_SECONDS = 5.0
READS_ONLY = "kb_reads_only"


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
        engine = create_engine(url)
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling, as SQLAlchemy's `pool_pre_ping`, but only for a
    connection that has been idle: under load a page no longer pays a round trip for
    it. A failed ping makes the pool retry with a new connection."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        record.info["kb.returned"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        idle = time.monotonic() - record.info.get("kb.returned", 0.0)
        if idle < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(str(error)) from error


def reads_only(view: Callable) -> Callable:
    """Mark a view that only reads. On PostgreSQL its GET requests read outside a
    transaction (no BEGIN and ROLLBACK round trips: under READ COMMITTED each
    statement sees the latest commits either way); a write in one raises."""
    setattr(view, READS_ONLY, True)
    return view


def _refuse_writes(session, *_args) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError(f"{request.endpoint} is marked reads_only but writes")


def _refuse_statement_writes(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise RuntimeError(f"{request.endpoint} is marked reads_only but writes")


def get_engine() -> Engine:
    return current_app.extensions["kb.db"]


def get_session() -> Session:
    """Return the session of this request or command, opening it on first use: for a
    GET of a view marked `reads_only`, one that reads outside a transaction."""
    if "db_session" not in g:
        factory = "kb.read_sessions" if reading() else "kb.sessions"
        g.db_session = current_app.extensions[factory]()
    return g.db_session


def reading() -> bool:
    """Whether this request is the GET of a view marked `reads_only`."""
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, READS_ONLY, False)


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
    # One factory for every session, so that tests can bind it to one connection; and
    # one for the views that only read (SQLite begins a transaction at the first write
    # anyway, so there they share the engine as it is).
    app.extensions["kb.sessions"] = sessionmaker(engine, class_=Session)
    reader = (
        engine
        if engine.dialect.name == "sqlite"
        else engine.execution_options(isolation_level="AUTOCOMMIT")
    )
    read_sessions = sessionmaker(reader, class_=Session)
    event.listen(read_sessions, "before_flush", _refuse_writes)
    event.listen(read_sessions, "do_orm_execute", _refuse_statement_writes)
    app.extensions["kb.read_sessions"] = read_sessions
    app.teardown_appcontext(close_session)
