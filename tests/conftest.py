"""Shared fixtures: an app on a temporary SQLite file loaded with tests/data/content."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from kb import create_app

DATA = Path(__file__).parent / "data"
FIXTURE_CONTENT = DATA / "content"


def make_app(tmp_path: Path, content_dir: Path = FIXTURE_CONTENT, **config):
    """An app with its own database file under `tmp_path`."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "WTF_CSRF_ENABLED": False,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.sqlite'}",
            "CONTENT_DIR": str(content_dir),
            "INDEX_DIR": str(tmp_path / "index"),
            **config,
        }
    )


def run_cli(app, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """One app for the read-only catalogue tests, loaded once."""
    app = make_app(tmp_path_factory.mktemp("app"))
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
