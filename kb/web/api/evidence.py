"""An organisation's evidence items, and linking them to register rows."""

from __future__ import annotations

from datetime import date

from flask import current_app, g, request, url_for
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from kb.db import get_session
from kb.errors import InvalidInput, Problem
from kb.services import accounts, evidence_links
from kb.services import assessments as assessment_service
from kb.services import evidence as evidence_service
from kb.services import register as register_service
from kb.web.api import bp, next_cursor, page_args, parsed
from kb.web.api.models import EvidenceBody, EvidenceLinkBody
from kb.web.api.responses import EvidenceLinkOut, EvidenceList, EvidenceOut
from kb.web.api.spec import documented
from kb.web.evidence import file_store, filters_from, submitted


def _evidence(row: evidence_service.Listed, slug: str) -> dict:
    item, stored = row.item, row.file
    return {
        "id": item.id,
        "title": item.title,
        "type": item.type,
        "owner": item.owner,
        "status": item.status,
        "collected_on": item.collected_on and item.collected_on.isoformat(),
        "next_review": item.next_review and item.next_review.isoformat(),
        "review_state": row.state,
        "retired": item.retired,
        "version": item.version,
        "url": item.url or None,
        "filename": stored.filename if stored else None,
        "content_type": stored.content_type if stored else None,
        "size": stored.size if stored else None,
        "sha256": stored.sha256 if stored else None,
        "file_url": url_for("evidence_items.file", slug=slug, evidence_id=item.id)
        if stored
        else None,
        "page_url": url_for("evidence_items.show", slug=slug, evidence_id=item.id),
    }


@bp.get("/orgs/<slug>/evidence")
@login_required
@documented(response=EvidenceList)
def evidence_list(slug: str) -> dict:
    """The organisation's evidence items, with the register page's filters; pages by
    `limit` and `cursor` (or the page's own `page`)."""
    found = accounts.org_access(get_session(), g.user, slug)
    limit, offset = page_args(default=current_app.config["EVIDENCE_PAGE_SIZE"])
    filters = filters_from(request.args)
    if "cursor" in request.args or "limit" in request.args:
        filters.page = offset // limit + 1
    page = evidence_service.list_items(
        get_session(), found.org, filters, limit, date.today()
    )
    return {
        "count": page.total,
        "page": page.number,
        "pages": page.pages,
        "next_cursor": next_cursor((page.number - 1) * limit, limit, page.total),
        "items": [_evidence(row, slug) for row in page.rows],
    }


@bp.post("/orgs/<slug>/evidence")
@login_required
@documented(body=EvidenceBody, status=201, response=EvidenceOut)
def evidence_create(slug: str):
    """Add an item: multipart with `file`, or JSON with `url`; 201 or 422 `problems`."""
    found = accounts.org_access(get_session(), g.user, slug, "editor")
    session = get_session()
    values = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(values, dict | MultiDict):
        raise InvalidInput([Problem("body", "send a JSON object or a multipart form")])
    data, upload = submitted(values)
    item = evidence_service.create_item(
        session, found.org, data, upload, g.user, file_store()
    )
    session.commit()
    row = evidence_service.listed(session, [item], date.today())[0]
    return _evidence(row, slug), 201


@bp.get("/orgs/<slug>/evidence/<int:evidence_id>")
@login_required
@documented(response=EvidenceOut)
def evidence_show(slug: str, evidence_id: int) -> dict:
    """One evidence item of the organisation."""
    found = accounts.org_access(get_session(), g.user, slug)
    session = get_session()
    item = evidence_service.get_item(session, found.org, evidence_id)
    return _evidence(evidence_service.listed(session, [item], date.today())[0], slug)


@bp.post("/assessments/<int:assessment_id>/scores/<key>/evidence")
@login_required
@documented(body=EvidenceLinkBody, status=201, response=EvidenceLinkOut)
def evidence_link(assessment_id: int, key: str):
    """Link an evidence item (`{"evidence_id"}`) to a register row; 201."""
    session = get_session()
    assessment, access = assessment_service.get_assessment(
        session, g.user, assessment_id, "editor"
    )
    requirement = register_service.requirement_in_scope(session, assessment, key)
    body = request.get_json(silent=True) if request.is_json else request.form
    data = parsed(EvidenceLinkBody, body if isinstance(body, dict) else {})
    item = evidence_service.get_item(session, access.org, data.evidence_id)
    evidence_links.link(session, assessment, requirement, item, g.user)
    session.commit()
    return {
        "assessment": assessment.id,
        "requirement": requirement.id,
        "evidence_id": item.id,
    }, 201
