"""Service offerings with their mappings, the coverage matrix's shares and blind spots,
and a client assessment's proposal."""

from __future__ import annotations

from flask import g
from flask_login import login_required

from kb.db import get_session
from kb.services import assessments as assessment_service
from kb.services import coverage
from kb.services.catalogue import get_item
from kb.services.proposal import RULE, Gap, proposal_for
from kb.web.api import bp
from kb.web.api.offering_responses import (
    MatrixOut,
    OfferingDetail,
    OfferingList,
    ProposalOut,
)
from kb.web.api.spec import documented
from kb.web.cache import cached
from kb.web.offerings import matrix_filters


def _shares(matrix: coverage.Matrix) -> dict:
    return {
        "whole": matrix.whole.as_dict(),
        "parts": [
            {
                "part": part.part,
                **part.share.as_dict(),
                "areas": [
                    {"area": block.area, **block.share.as_dict()}
                    for block in part.areas
                ],
            }
            for part in matrix.parts
        ],
    }


def _offering(offering: coverage.Offering, mappings: list[coverage.Link]) -> dict:
    return {
        "id": offering.id,
        "title": offering.title,
        "url": offering.url,
        "origin": offering.origin,
        "addresses": [
            {"requirement": link.requirement_id, "coverage": link.coverage}
            for link in mappings
            if link.offering_id == offering.id
        ],
    }


@bp.get("/offerings")
@cached
@documented(response=OfferingList)
def offerings() -> dict:
    """Every offering with the requirements it addresses and how fully."""
    session = get_session()
    links = coverage.links(session)
    rows = [_offering(o, links) for o in coverage.offerings(session)]
    return {"count": len(rows), "offerings": rows}


@bp.get("/offerings/matrix")
@cached
@documented(response=MatrixOut)
def matrix() -> dict:
    """Per part and area (filters `part`, `area`): requirements, covered fully, partly,
    only supported, the share covered, and the blind spots no offering touches."""
    matrix = coverage.load_matrix(get_session(), matrix_filters())
    return {"offerings": [o.id for o in matrix.offerings], **_shares(matrix)}


@bp.get("/offerings/<key>")
@cached
@documented(response=OfferingDetail)
def offering(key: str) -> dict:
    """One offering with its mappings and its own shares per part and area."""
    session = get_session()
    item = get_item(session, "offering", key)
    matrix = coverage.load_matrix(session, offering_id=item.id)
    return _offering(matrix.offerings[0], coverage.links(session)) | {
        "summary": item.summary,
        "tags": item.tags,
        "coverage": _shares(matrix),
    }


def _gap(gap: Gap) -> dict:
    return {
        "label": gap.label,
        "kind": gap.kind,
        "requirement": gap.requirement_id,
        "zone_id": gap.zone_id,
        "fr": gap.fr,
        "current": gap.current,
        "target": gap.target,
        "gap": gap.size,
    }


@bp.get("/assessments/<int:assessment_id>/proposal")
@login_required
@documented(response=ProposalOut)
def proposal(assessment_id: int) -> dict:
    """The ranked offerings, each with the gap it closes and the running total, and
    every open gap with the offerings that address it."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    found = proposal_for(session, assessment)
    return {
        "rule": RULE,
        "total_gap": found.total_gap,
        "closed": found.closed,
        "ranked": [
            {
                "order": n,
                "offering": step.offering.id,
                "title": step.offering.title,
                "closes": step.closes,
                "running_total": step.running_total,
            }
            for n, step in enumerate(found.steps, start=1)
        ],
        "gaps": [
            _gap(line.gap)
            | {
                "offerings": [
                    {
                        "offering": o.offering.id,
                        "covers": [
                            {"requirement": r, "coverage": c} for r, c in o.covers
                        ],
                        "closes": o.closes,
                    }
                    for o in line.options
                ]
            }
            for line in found.gaps
        ],
    }
