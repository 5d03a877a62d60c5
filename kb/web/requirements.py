"""The requirement catalogue: a filtered, paginated list and one page per requirement."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, g, render_template, request

from kb.content.kinds import PART_ORDER
from kb.db import get_session
from kb.services.catalogue import (
    RequirementFilter,
    crosswalk_pairs,
    find_requirements,
    get_item,
    links_of,
    requirement_facets,
)
from kb.services.oscal.mappings import mappings_of_requirement
from kb.web.cache import cached
from kb.web.htmx import render

bp = Blueprint("requirements", __name__, url_prefix="/requirements")


def _filters() -> RequirementFilter:
    """Read the filters from the query string; a value that is not valid is ignored."""
    args = request.args
    level = args.get("level", type=int)
    page = args.get("page", default=1, type=int)
    part, area, tag = args.get("part", ""), args.get("area", ""), args.get("tag", "")
    return RequirementFilter(
        part=part if part in PART_ORDER else None,
        area=area if re.fullmatch(r"CA-0[1-8]", area) else None,
        level=level if level in (1, 2, 3, 4) else None,
        tag=tag if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", tag) else None,
        page=page if page and page > 0 else 1,
    )


@bp.get("/")
@cached
def index():
    """List requirements filtered by part, area, security level and tag."""
    session = get_session()
    filters = _filters()
    page = find_requirements(session, filters, current_app.config["PAGE_SIZE"])
    return render(
        "requirements/index.html",
        "requirements/_list.html",
        page=page,
        filters=filters,
        facets=requirement_facets(session),
    )


@bp.get("/<key>")
@cached
def show(key: str) -> str:
    """Show one requirement with everything it connects to; a member also sees the
    controls of their organisations' own frameworks that it is mapped to."""
    session = get_session()
    item = get_item(session, "requirement", key)
    return render_template(
        "requirements/show.html",
        item=item,
        links=links_of(session, item.id),
        pairs=crosswalk_pairs(session, requirement_id=item.id),
        mapped=mappings_of_requirement(
            session, item.id, [org for org, _role in g.organisations]
        ),
        framework_slugs={org.id: org.slug for org, _role in g.organisations},
    )
