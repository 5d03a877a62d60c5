"""csms-kb: the IEC 62443 knowledge base and programme-management tool."""

from __future__ import annotations

from typing import Any

from flask import Flask

from kb.config import DEFAULTS, ROOT


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, database, extensions, blueprints, error pages."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("KB")
    if test_config:
        app.config.from_mapping(test_config)

    from kb import cli, db
    from kb.web import api, catalogue, errors, home, requirements, security

    db.init_app(app)
    cli.init_app(app)
    security.init_app(app)
    for module in (home, catalogue, requirements, api):
        app.register_blueprint(module.bp)
    errors.register(app)
    return app
