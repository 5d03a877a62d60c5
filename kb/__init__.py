"""csms-kb: the IEC 62443 knowledge base and programme-management tool."""

from __future__ import annotations

import gc
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
    # A setting exported blank (KB_DATABASE_URL=) is taken as not set.
    for key, default in DEFAULTS.items():
        if app.config.get(key) == "":
            app.config[key] = default
    if test_config:
        app.config.from_mapping(test_config)

    from kb import cli, db, revisions, storage
    from kb.web import (
        api,
        assessments,
        auth,
        cache,
        catalogue,
        components,
        crs,
        dashboard,
        errors,
        evidence,
        frameworks,
        home,
        imports,
        member_memo,
        offerings,
        orgs,
        proposals,
        requirements,
        risks,
        scores,
        search,
        security,
        snapshots,
        sso,
        templating,
        workbooks,
        zones,
    )

    db.init_app(app)
    revisions.watch()  # a new revision for each organisation a commit changes
    app.extensions["kb.files"] = storage.make_store(app.config["FILE_STORE"])
    cli.init_app(app)
    cache.init_app(app)  # first: a cached page needs none of the other hooks
    security.init_app(app)
    auth.init_app(app)
    member_memo.init_app(app)  # who is logged in, kept per server process
    sso.init_app(app)  # the OpenID Connect providers of the settings
    templating.init_app(app)
    app.jinja_env.globals["overdue_evidence"] = evidence.overdue_for_user
    for module in (
        home,
        catalogue,
        offerings,
        requirements,
        search,
        api,
        auth,
        sso,
        orgs,
        assessments,
        scores,
        evidence,
        zones,
        components,
        risks,
        crs,
        dashboard,
        snapshots,
        workbooks,
        imports,
        frameworks,
        proposals,
    ):
        app.register_blueprint(module.bp)
    errors.register(app)
    _refresh_search_index(app)
    if not app.testing:
        # What start-up made (the app, the loaded libraries' classes and models) lives
        # as long as the process: leave it out of the collector's full passes, which
        # otherwise stall a request every few hundred for about 100 ms (make bench:
        # pages read right after a change, p95 134 -> 40 ms). Tests build many apps
        # that must be freed, so they keep the default.
        gc.freeze()
    return app


def _refresh_search_index(app: Flask) -> None:
    """Rebuild this server's search index if the loaded content changed since."""
    from pathlib import Path

    from kb.db import get_session
    from kb.services.search import refresh

    with app.app_context():
        refresh(get_session(), Path(app.config["INDEX_DIR"]))
