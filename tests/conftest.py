"""Shared fixtures: apps on a new database (SQLite or PostgreSQL, `--db`) loaded with
tests/data/content, clients, a session, and two organisations to test with."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import Result

from kb import create_app
from kb.services import snapshots

DATA = Path(__file__).parent / "data"
FIXTURE_CONTENT = DATA / "content"


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database engine for the suite; postgresql needs KB_TEST_POSTGRES_URL "
        "(scripts/with-postgres.sh sets it)",
    )


# Read again when test modules import `tests.conftest`, a second copy of this module
# beside the one pytest loads: the environment tells that copy the engine as well.
ENGINE = os.environ.get("KB_TEST_DB", "sqlite")


def pytest_configure(config):
    global ENGINE
    ENGINE = os.environ["KB_TEST_DB"] = config.getoption("--db")
    if ENGINE == "postgresql" and not os.environ.get("KB_TEST_POSTGRES_URL"):
        raise pytest.UsageError(
            "--db=postgresql needs KB_TEST_POSTGRES_URL; "
            "run the suite through scripts/with-postgres.sh"
        )


def database_url(tmp_path: Path) -> str:
    """The database of the apps made on `tmp_path`, empty at first: a file there on
    SQLite, a database named after the folder on PostgreSQL."""
    if ENGINE == "sqlite":
        return f"sqlite:///{tmp_path / 'kb.sqlite'}"
    import psycopg

    server = os.environ["KB_TEST_POSTGRES_URL"]
    name = f"kb_test_{hashlib.sha256(str(tmp_path).encode()).hexdigest()[:16]}"
    with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


APPS: list = []


@pytest.fixture(autouse=True)
def _dispose_engines():
    """Close the connection pools of apps a test made, so no connection outlives it."""
    made = len(APPS)
    yield
    while len(APPS) > made:
        APPS.pop().extensions["kb.db"].dispose()


@pytest.fixture(autouse=True, scope="session")
def _dispose_all_engines():
    yield
    for app in APPS:
        app.extensions["kb.db"].dispose()


def make_app(tmp_path: Path, content_dir: Path = FIXTURE_CONTENT, **config):
    """An app with its own new database and search index under `tmp_path`."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            # tests roll their changes back, so no change is ever announced
            "MEMBER_MEMO": False,
            "DATABASE_URL": database_url(tmp_path),
            "CONTENT_DIR": str(content_dir),
            "INDEX_DIR": str(tmp_path / "index"),
            **config,
        }
    )
    APPS.append(app)
    return app


def run_cli(app, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """One app for the read-only catalogue tests, loaded once."""
    app = make_app(tmp_path_factory.mktemp("app"))
    result = run_cli(app, "load")
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def real_app(tmp_path_factory):
    """An app loaded with the real catalogue in content/, for relevance and counts."""
    from kb.config import ROOT

    app = make_app(tmp_path_factory.mktemp("real"), ROOT / "content")
    result = run_cli(app, "load")
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def htmx_client(app):
    """A client whose requests carry HX-Request, as htmx sends them."""
    client = app.test_client()
    client.environ_base["HTTP_HX_REQUEST"] = "true"
    return client


def loaded_app(path: Path):
    app = make_app(path)
    result = run_cli(app, "load")
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def shared_org_app(tmp_path_factory):
    """One app and database with the fixture catalogue, for every test that writes."""
    app = loaded_app(tmp_path_factory.mktemp("org"))
    if ENGINE == "sqlite":
        nest_savepoints_on_sqlite(app.extensions["kb.db"])
    return app


def nest_savepoints_on_sqlite(engine) -> None:
    """SQLAlchemy's pysqlite recipe: begin explicitly, so that SAVEPOINTs nest as on
    PostgreSQL. Tests only: in production an explicit BEGIN before the first read makes
    concurrent writers fail on a stale snapshot instead of waiting for the lock."""
    from sqlalchemy import event

    engine.dispose()

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


@pytest.fixture
def connection(shared_org_app):
    """One connection in an outer transaction, rolled back after the test.

    The app's sessions and the test's `db` join it with savepoints (SQLAlchemy's
    "joining a session into an external transaction" recipe), so a test commits as
    usual, its requests see each other's work, and nothing outlives it. Settings a test
    changes are put back too.
    """
    engine = shared_org_app.extensions["kb.db"]
    factories = [
        shared_org_app.extensions[k] for k in ("kb.sessions", "kb.read_sessions")
    ]
    binds = [f.kw["bind"] for f in factories]
    settings = dict(shared_org_app.config)
    with engine.connect() as connection:
        outer = connection.begin()
        for sessions in factories:
            sessions.configure(
                bind=connection, join_transaction_mode="create_savepoint"
            )
        try:
            yield connection
        finally:
            for sessions, bind in zip(factories, binds, strict=True):
                sessions.configure(bind=bind, join_transaction_mode=None)
            outer.rollback()
            snapshots.forget_months()  # what it remembered is rolled back too
            shared_org_app.config.clear()
            shared_org_app.config.update(settings)


@pytest.fixture
def org_app(shared_org_app, connection):
    """The shared app, its database as the catalogue left it, for a test that writes."""
    return shared_org_app


def session_for(app):
    """A session on the app's database, with no app context left pushed, so that the
    test's requests get their own context as in production."""
    from sqlmodel import Session

    from kb.db import get_engine

    with app.app_context():
        engine = get_engine()
    return Session(engine, expire_on_commit=False)


@pytest.fixture
def db(org_app, connection):
    """A session inside the test's transaction; commit what the test sets up."""
    from sqlmodel import Session

    with Session(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    ) as session:
        yield session


@pytest.fixture
def world(db):
    return build_world(db)


def build_world(db) -> dict:
    """Two organisations: Acme (admin, editor, viewer, one assessment) and Other Co."""
    from tests import factories

    acme = factories.make_org(db, name="Acme Water")
    other = factories.make_org(db, name="Other Co")
    people = {
        "admin": factories.make_user(
            db, email="admin@acme.test", org=acme, role="admin"
        ),
        "editor": factories.make_user(
            db, email="ed@acme.test", org=acme, role="editor"
        ),
        "viewer": factories.make_user(
            db, email="vi@acme.test", org=acme, role="viewer"
        ),
        "stranger": factories.make_user(
            db, email="boss@other.test", org=other, role="admin"
        ),
    }
    assessment = factories.make_assessment(db, org=acme, name="Acme FY26 baseline")
    theirs = factories.make_assessment(db, org=other, name="Other Co secret review")
    evidence = factories.make_evidence(
        db, org=acme, user=people["admin"], title="Acme secret-plan firewall review"
    )
    zone = factories.make_zone(
        db, assessment=assessment, user=people["admin"], name="Acme secret-plan zone"
    )
    component = factories.make_component(
        db, assessment=assessment, user=people["admin"], name="Acme secret-plan PLC"
    )
    scenario = factories.make_scenario(
        db, zone=zone, user=people["admin"], title="Acme secret-plan sabotage"
    )
    from datetime import date

    from kb.services import snapshots

    snapshot = snapshots.take(
        db, assessment, people["admin"], "Acme secret-plan", date.today()
    )
    from kb.models import ImportRun

    run = ImportRun(
        assessment_id=assessment.id,
        filename="acme-secret-plan.xlsx",
        sha256="0" * 64,
        created_by=people["admin"].id,
        plan={"changes": [], "conflicts": [], "versions": {}},
    )
    db.add(run)
    from kb.models import FrameworkControl, FrameworkMapping, MappedFramework

    framework = MappedFramework(
        organisation_id=acme.id,
        title="Acme secret-plan framework",
        version="1",
        oscal_version="1.2.3",
        catalog_uuid="6f1c2b7e-3a54-4c1e-9d0a-5b7e2f3c9a11",
    )
    db.add(framework)
    db.flush()
    db.add(
        FrameworkControl(
            framework_id=framework.id, control_id="acc-1", title="x", position=0
        )
    )
    mapping = FrameworkMapping(
        framework_id=framework.id,
        control_id="acc-1",
        requirement_id="SR 1.1",
        relation="related",
    )
    db.add(mapping)
    db.commit()
    return {
        "acme": acme,
        "other": other,
        "assessment": assessment,
        "theirs": theirs,
        "evidence": evidence,
        "zone": zone,
        "component": component,
        "scenario": scenario,
        "snapshot": snapshot,
        "run": run,
        "framework": framework,
        "mapping": mapping,
        **people,
    }


class Login:
    """Log a test client in and out (flaskr's AuthActions idea)."""

    def __init__(self, client) -> None:
        self.client = client

    def __call__(self, email: str, password: str = "correct-horse-battery"):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def org_client(org_app):
    return org_app.test_client()


@pytest.fixture
def login(org_client):
    return Login(org_client)
