"""The database layer: views that only read get a session that refuses writes, and on
PostgreSQL a pooled connection that died while idle is replaced before a request
meets it."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import update

from kb import db as kb_db
from kb.models import Organisation


def test_a_reads_only_view_reads_and_refuses_to_write(world, org_app, login):
    """The register and the organisation's list are marked reads_only; their session
    reads the world as any other, and a write in one raises before it reaches the
    database."""
    with org_app.test_request_context("/orgs/acme-water/assessments"):
        session = kb_db.get_session()
        assert session.get(Organisation, world["acme"].id).name == "Acme Water"
        session.get(Organisation, world["acme"].id).name = "Renamed"
        with pytest.raises(RuntimeError, match="orgs.assessments is marked reads_only"):
            session.flush()
        session.rollback()
        with pytest.raises(RuntimeError, match="reads_only but writes"):
            session.execute(update(Organisation).values(name="Renamed"))
    with org_app.test_request_context(
        "/orgs/acme-water/assessments", method="POST"
    ):  # creating an assessment is a write, in a transaction
        assert kb_db.get_session() is not None
        assert not kb_db.reading()


def test_a_connection_that_died_while_idle_is_replaced(app, monkeypatch):
    if app.extensions["kb.db"].dialect.name != "postgresql":
        pytest.skip("the pool's ping is PostgreSQL's (run with --db=postgresql)")
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    url = app.config["DATABASE_URL"].replace("+psycopg", "")
    with psycopg.connect(url, autocommit=True) as killer:  # outside the pool
        (killed,) = killer.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert killed >= 1  # the connection the request returned to the pool
    monkeypatch.setattr(kb_db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert client.get("/healthz").json == {"status": "ok"}
