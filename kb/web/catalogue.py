"""Pages of the catalogue's content kinds other than requirements: list and show."""

from __future__ import annotations

from flask import Blueprint, render_template

from kb.db import get_session
from kb.services.catalogue import (
    KIND_NAMES,
    crosswalk_pairs,
    get_item,
    links_of,
    list_items,
)
from kb.web.cache import cached

bp = Blueprint("catalogue", __name__)

# URL area -> kind; each gets a list page and a detail page.
AREAS = {
    "areas": "area",
    "evidence": "evidence",
    "policies": "policy",
    "offerings": "offering",
    "sectors": "sector",
    "threats": "threat",
}
TITLES = {
    "area": "Control areas",
    "evidence": "Evidence artefact types",
    "policy": "Policies and procedures",
    "offering": "Service offerings",
    "sector": "Sectors",
    "framework": "Frameworks",
    "threat": "Threat scenarios",
}


@cached
def index(kind: str) -> str:
    """List every item of one kind."""
    return render_template(
        "catalogue/index.html",
        kind=kind,
        title=TITLES[kind],
        items=list_items(get_session(), kind),
    )


@cached
def show(kind: str, key: str) -> str:
    """Show one item with its links in both directions."""
    session = get_session()
    item = get_item(session, kind, key)
    return render_template(
        "catalogue/show.html",
        kind=kind,
        section=TITLES[kind],
        kind_name=KIND_NAMES[kind],
        item=item,
        links=links_of(session, item.id),
    )


for url_area, item_kind in AREAS.items():
    bp.add_url_rule(f"/{url_area}/", "index", index, defaults={"kind": item_kind})
    if item_kind != "offering":  # an offering's page is kb.web.offerings.show
        bp.add_url_rule(
            f"/{url_area}/<key>", "show", show, defaults={"kind": item_kind}
        )


@bp.get("/frameworks/")
@cached
def frameworks() -> str:
    """List the frameworks: IEC 62443 and those it is mapped to."""
    return index("framework")


@bp.get("/frameworks/<key>")
@cached
def framework(key: str) -> str:
    """Show a framework: parts, control areas, sectors, offerings and crosswalks."""
    session = get_session()
    item = get_item(session, "framework", key)
    return render_template(
        "catalogue/framework.html",
        item=item,
        areas=list_items(session, "area"),
        sectors=list_items(session, "sector"),
        offerings=list_items(session, "offering"),
        pairs=crosswalk_pairs(session, framework_id=item.id),
    )
