"""The catalogue for other tools: requirements and search."""

from __future__ import annotations

from flask import request
from sqlmodel import col, select

from kb.db import get_session
from kb.models import ContentItem
from kb.services.catalogue import crosswalk_pairs, get_item, links_of
from kb.web.api import bp
from kb.web.cache import cached


def _row(item: ContentItem) -> dict:
    return {
        "id": item.id,
        "part": item.part,
        "edition": item.edition,
        "type": item.type,
        "title": item.title,
        "area": item.area_id,
        "parent": item.parent_id,
        "levels": item.meta.get("levels", {}),
        "provisional": item.provisional,
        "url": item.url,
    }


@bp.get("/requirements")
@cached
def requirements() -> dict:
    """List every requirement (groups included, marked by type); `?part=` filters."""
    query = select(ContentItem).where(
        ContentItem.kind == "requirement", col(ContentItem.retired).is_(False)
    )
    if part := request.args.get("part"):
        query = query.where(ContentItem.part == part)
    items = get_session().exec(query.order_by(ContentItem.part, ContentItem.sort_key))
    rows = [_row(item) for item in items]
    return {"count": len(rows), "requirements": rows}


def _linked(groups: dict) -> dict:
    return {
        relation: [
            {
                "id": link.item.id,
                "kind": link.item.kind,
                "title": link.item.title,
                "url": link.item.url,
                "coverage": link.coverage,
            }
            for link in linked
        ]
        for relation, linked in groups.items()
    }


@bp.get("/requirements/<key>")
@cached
def requirement(key: str) -> dict:
    """Return one requirement with every field and link."""
    session = get_session()
    item = get_item(session, "requirement", key)
    links = links_of(session, item.id)
    pairs = crosswalk_pairs(session, requirement_id=item.id)
    return _row(item) | {
        "summary": item.summary,
        "tags": item.tags,
        "verify": item.meta.get("verify"),
        "body_html": item.body_html,
        "links": _linked(links.out),
        "backlinks": _linked(links.back),
        "crosswalks": [
            {
                "framework": framework.id,
                "id": pair.their_id,
                "title": pair.their_title,
                "relation": pair.relation,
                "basis": pair.basis,
            }
            for pair, framework in pairs
        ],
    }


@bp.get("/search")
@cached
def search() -> dict:
    """Ranked hits for `q`, narrowed by `kind`, `part`, `area`, `level`; `limit` <= 100.

    `query` is the query that was run: when nothing matched what was typed and a
    correction did, it is the correction, and `corrected_from` is what was typed
    (`exact=1` runs the text as typed)."""
    from kb.web.search import run_query

    limit = request.args.get("limit", default=20, type=int) or 20
    results = run_query(limit=max(1, min(limit, 100)))
    return {
        "query": results.query,
        "corrected_from": results.corrected_from,
        "total": results.total,
        "message": results.message,
        "suggestion": results.suggestion,
        "exact": results.exact.id if results.exact else None,
        "facets": results.facets,
        "hits": [
            {
                "id": hit.id,
                "kind": hit.kind,
                "title": hit.title,
                "url": hit.url,
                "snippet": hit.snippet_text,
            }
            for hit in results.hits
        ],
    }
