"""Service offerings as a provider works with them: the coverage matrix of the whole
portfolio (page and workbook) and each offering's page with its coverage per part and
area. The list of offerings is the catalogue's (kb.web.catalogue)."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request

from importers.providers import matrix_workbook
from kb.content.kinds import PART_ORDER
from kb.db import get_session
from kb.models import utcnow
from kb.services import coverage
from kb.services.catalogue import get_item, links_of, list_items
from kb.vocabulary import COVERAGES
from kb.web.cache import cached
from kb.web.fragments import catalogue_region
from kb.web.htmx import page_or_region
from kb.web.workbooks import xlsx_response

bp = Blueprint("offerings", __name__, url_prefix="/offerings")
COVERAGE_CHOICES = {
    "full": "Covered fully by some offering",
    "partial": "Covered partly at best",
    "supports": "Only supported",
    coverage.NO_COVERAGE: "No offering: blind spots",
}
OWNER_JOB = re.compile(
    r"<p><strong>What stays the asset owner(?:'|&#x27;|’)s job\.</strong>\s*(.*?)</p>",
    re.S,
)


def matrix_filters() -> coverage.MatrixFilter:
    """Read the filters from the query string; a value that is not valid is ignored."""
    part, area, given = (request.args.get(k, "") for k in ("part", "area", "coverage"))
    return coverage.MatrixFilter(
        part=part if part in PART_ORDER else None,
        area=area if re.fullmatch(r"CA-0[1-8]", area) else None,
        coverage=given if given in COVERAGE_CHOICES else None,
    )


@bp.get("/matrix")
@cached
def matrix():
    """Every offering against every requirement, by part and area, with the share
    covered and the blind spots; filter by part, area and coverage. The region below
    the filters is kept rendered per catalogue version and filters."""
    session = get_session()
    filters = matrix_filters()
    areas = {a.id: a for a in list_items(session, "area")}
    region = catalogue_region(
        ("offerings matrix", tuple(sorted(filters.active().items()))),
        lambda: render_template(
            "offerings/_matrix.html",
            matrix=coverage.load_matrix(session, filters),
            filters=filters,
            areas=areas,
        ),
    )
    return page_or_region(
        lambda: render_template(
            "offerings/matrix.html",
            region=region,
            filters=filters,
            areas=areas,
            parts=PART_ORDER,
            choices=COVERAGE_CHOICES,
        ),
        lambda: region,
    )


@bp.get("/matrix.xlsx")
def matrix_xlsx():
    """The matrix as a workbook, with the same filters."""
    session = get_session()
    filters = matrix_filters()
    data = matrix_workbook(
        coverage.load_matrix(session, filters),
        {a.id: a.title for a in list_items(session, "area")},
        filters,
        utcnow(),
    )
    return xlsx_response(data, "offerings-coverage-matrix.xlsx")


@bp.get("/<key>")
@cached
def show(key: str) -> str:
    """One offering: what it covers and how fully per part and area, what stays the
    asset owner's job, and its description."""
    session = get_session()
    item = get_item(session, "offering", key)
    owner_job = OWNER_JOB.search(item.body_html)
    return render_template(
        "offerings/show.html",
        item=item,
        matrix=coverage.load_matrix(session, offering_id=item.id),
        areas={a.id: a for a in list_items(session, "area")},
        owner_job=owner_job[1] if owner_job else "",
        links=links_of(session, item.id),
        coverages=COVERAGES,
    )
