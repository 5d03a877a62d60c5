"""The overview page and the liveness probe."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory
from sqlalchemy import func
from sqlmodel import col, select

from kb.db import get_session
from kb.models import ContentItem
from kb.services.catalogue import list_items
from kb.web.cache import cached

bp = Blueprint("home", __name__)


@bp.get("/")
@cached
def index() -> str:
    """Show the frameworks, the control areas and what the catalogue holds."""
    session = get_session()
    counts = session.exec(
        select(ContentItem.kind, ContentItem.part, func.count())
        .where(
            col(ContentItem.retired).is_(False),
            func.coalesce(ContentItem.type, "") != "group",
        )
        .group_by(ContentItem.kind, ContentItem.part)
    ).all()
    return render_template(
        "home/index.html",
        # IEC 62443 first: it is what the product is about; the others map to it.
        frameworks=sorted(
            list_items(session, "framework"), key=lambda f: f.id != "iec-62443"
        ),
        areas=list_items(session, "area"),
        part_counts={part: n for kind, part, n in counts if kind == "requirement"},
        kind_counts={kind: n for kind, part, n in counts if kind != "requirement"},
    )


@bp.get("/favicon.ico")
def favicon():
    """The site's icon, where browsers look for it first."""
    response = send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon"
    )
    response.cache_control.max_age = 86400
    return response


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Answer that the process is alive and can reach its database."""
    get_session().exec(select(1)).one()
    return {"status": "ok"}
