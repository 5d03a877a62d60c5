"""The Alembic migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from kb.db import alembic_config, get_engine
from tests.conftest import make_app, run_cli


def differences(engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(
            MigrationContext.configure(connection), SQLModel.metadata
        )


def announcing_tables(engine) -> set[str] | None:
    """The tables whose changes are announced to the servers (kb.web.member_memo);
    None on SQLite, which has no announcements."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        return set(
            connection.exec_driver_sql(
                "SELECT relname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
                "WHERE tgname = 'kb_announce_members'"
            ).scalars()
        )


ANNOUNCING = {"organisation", "user", "membership"}


def test_migrations_from_empty_match_the_models(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        engine = get_engine()
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert differences(engine) == []
    assert announcing_tables(engine) in (None, ANNOUNCING)


def test_kb_upgrade_creates_then_upgrades_and_matches_the_models(tmp_path):
    app = make_app(tmp_path)
    assert run_cli(app, "upgrade").output.strip() == "database created"
    assert run_cli(app, "upgrade").output.strip() == "database upgraded"
    with app.app_context():
        assert differences(get_engine()) == []
        assert announcing_tables(get_engine()) in (None, ANNOUNCING)
