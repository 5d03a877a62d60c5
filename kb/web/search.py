"""Search: the page, the as-you-type fragment of the header box, and nothing else."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, request

from kb import search
from kb.web.cache import cached
from kb.web.htmx import render

bp = Blueprint("search", __name__, url_prefix="/search")

FACET_LABELS = {
    "kind": "Kind",
    "part": "Part",
    "area": "Control area",
    "level": "Applies from",
}


def request_filters() -> dict[str, str]:
    """The facet values chosen in the query string."""
    return {name: request.args.get(name, "") for name in search.FACETS}


def run_query(limit: int, summary: bool = True) -> search.Results:
    """Run the request's `q` with its facet filters; shared by the page and the API."""
    args = request.args
    filters = request_filters()
    page = args.get("page", default=1, type=int) or 1
    return search.search(
        Path(current_app.config["INDEX_DIR"]),
        args.get("q", ""),
        filters,
        limit=limit,
        page=max(1, min(page, 500)),
        summary=summary,
        correct=args.get("exact") != "1",  # "search instead for" what was typed
    )


@bp.get("/")
@cached
def index():
    """Show ranked results with facets; htmx gets the results fragment only."""
    quick = request.args.get("quick") == "1"
    results = run_query(limit=8 if quick else 20, summary=not quick)
    filters = request_filters()
    fragment = "search/_quick.html" if quick else "search/_results.html"
    return render(
        "search/index.html",
        fragment,
        results=results,
        filters=filters,
        labels=FACET_LABELS,
        page=request.args.get("page", default=1, type=int) or 1,
    )
