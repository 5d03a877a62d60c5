"""The caller's organisations, their assessments (list and create) and audit log."""

from __future__ import annotations

from flask import g, request, url_for
from flask_login import login_required

from kb.db import get_session
from kb.models import Assessment
from kb.services import accounts, audit
from kb.services import assessments as assessment_service
from kb.web.api import bp, json_object, next_cursor, page_args, parsed
from kb.web.api.models import AssessmentBody
from kb.web.api.responses import (
    AssessmentList,
    AssessmentOut,
    AuditList,
    AuditOut,
    OrgList,
    OrgOut,
)
from kb.web.api.spec import documented
from kb.web.auditing import note


def assessment_json(assessment: Assessment, slug: str) -> dict:
    return AssessmentOut(
        id=assessment.id,
        organisation=slug,
        name=assessment.name,
        scope=assessment.scope,
        parts=assessment.parts,
        assessed_on=assessment.assessed_on,
        status=assessment.status,
        created_at=assessment.created_at,
        url=url_for("api.assessment", assessment_id=assessment.id),
    ).model_dump(mode="json")


@bp.get("/orgs")
@login_required
@documented(response=OrgList)
def orgs() -> dict:
    """The organisations the caller belongs to, with the caller's role in each."""
    return OrgList(
        organisations=[
            OrgOut(
                slug=org.slug,
                name=org.name,
                role=role,
                url=url_for("api.org_assessments", slug=org.slug),
            )
            for org, role in g.organisations
        ]
    ).model_dump(mode="json")


@bp.get("/orgs/<slug>/assessments")
@login_required
@documented(response=AssessmentList)
def org_assessments(slug: str) -> dict:
    """The organisation's assessments, newest first; `status=archived` or `all` adds
    archived ones; pages by `limit` and `cursor`."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug)
    limit, offset = page_args()
    status = request.args.get("status", "active")
    found = assessment_service.list_assessments(
        session, access.org, archived=status in ("archived", "all")
    )
    if status == "archived":
        found = [a for a in found if a.status == "archived"]
    return {
        "assessments": [
            assessment_json(a, slug) for a in found[offset : offset + limit]
        ],
        "next_cursor": next_cursor(offset, limit, len(found)),
    }


@bp.post("/orgs/<slug>/assessments")
@login_required
@documented(body=AssessmentBody, response=AssessmentOut, status=201)
def org_assessment_create(slug: str):
    """Create an assessment (editors and admins); 201 with its `id`."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug, "editor")
    data = parsed(AssessmentBody, json_object())
    assessment = assessment_service.create_assessment(session, access.org, data)
    note(
        session, "assessment created", assessment.name, org=access.org, id=assessment.id
    )
    session.commit()
    return assessment_json(assessment, slug), 201


@bp.get("/orgs/<slug>/audit")
@login_required
@documented(response=AuditList)
def org_audit(slug: str) -> dict:
    """The organisation's audit log, newest first (admins only); `action` filters;
    pages by `limit` and `cursor`."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug, "admin")
    limit, offset = page_args()
    found, total = audit.events(
        session,
        access.org,
        action=request.args.get("action") or None,
        limit=limit,
        offset=offset,
    )
    return AuditList(
        events=[AuditOut.model_validate(e, from_attributes=True) for e in found],
        next_cursor=next_cursor(offset, limit, total),
    ).model_dump(mode="json")
