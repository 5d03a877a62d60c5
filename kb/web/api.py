"""JSON API under /api/v1: the catalogue for other tools; an organisation's evidence;
zones and conduits with their security-level vectors."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, g, request, url_for
from flask_login import login_required
from sqlmodel import col, select
from werkzeug.datastructures import MultiDict

from kb.db import get_session
from kb.errors import InvalidInput, NotFound, Problem
from kb.models import Assessment, ContentItem, Zone, utcnow
from kb.schemas import EvidenceLinkInput, SnapshotInput, ZoneInput, ZoneStateInput
from kb.services import accounts, evidence_links
from kb.services import assessments as assessment_service
from kb.services import evidence as evidence_service
from kb.services import snapshots as snapshot_service
from kb.services import zones as zone_service
from kb.services.catalogue import crosswalk_pairs, get_item, links_of
from kb.web.cache import cached
from kb.web.evidence import file_store, filters_from, submitted
from kb.web.forms import validate

bp = Blueprint("api", __name__, url_prefix="/api/v1")


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
    """Ranked hits for `q`, narrowed by `kind`, `part`, `area`, `level`; `limit` <= 100."""
    from kb.web.search import run_query

    limit = request.args.get("limit", default=20, type=int) or 20
    results = run_query(limit=max(1, min(limit, 100)))
    return {
        "query": results.query,
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


# -- an organisation's evidence ----------------------------------------------------


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
def evidence_list(slug: str) -> dict:
    """The organisation's evidence items, with the register page's filters and pages."""
    found = accounts.org_access(get_session(), g.user, slug)
    page = evidence_service.list_items(
        get_session(),
        found.org,
        filters_from(request.args),
        current_app.config["EVIDENCE_PAGE_SIZE"],
        date.today(),
    )
    return {
        "count": page.total,
        "page": page.number,
        "pages": page.pages,
        "items": [_evidence(row, slug) for row in page.rows],
    }


@bp.post("/orgs/<slug>/evidence")
@login_required
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
def evidence_show(slug: str, evidence_id: int) -> dict:
    """One evidence item of the organisation."""
    found = accounts.org_access(get_session(), g.user, slug)
    session = get_session()
    item = evidence_service.get_item(session, found.org, evidence_id)
    return _evidence(evidence_service.listed(session, [item], date.today())[0], slug)


@bp.post("/assessments/<int:assessment_id>/scores/<key>/evidence")
@login_required
def evidence_link(assessment_id: int, key: str):
    """Link an evidence item (`{"evidence_id"}`) to a register row; 201."""
    session = get_session()
    assessment, access = assessment_service.get_assessment(
        session, g.user, assessment_id, "editor"
    )
    requirement = assessment_service.requirement_in_scope(session, assessment, key)
    body = request.get_json(silent=True) if request.is_json else request.form
    data = validate(EvidenceLinkInput, body if isinstance(body, dict) else {})
    item = evidence_service.get_item(session, access.org, data.evidence_id)
    evidence_links.link(session, assessment, requirement, item, g.user)
    session.commit()
    return {
        "assessment": assessment.id,
        "requirement": requirement.id,
        "evidence_id": item.id,
    }, 201


# -- zones and conduits ----------------------------------------------------------------


def _zone_json(zone, derived, joins: list[int], blockers: dict | None = None) -> dict:
    body = {
        "id": zone.id,
        "assessment": zone.assessment_id,
        "name": zone.name,
        "kind": zone.kind,
        "description": zone.description,
        "joins": joins,
        "sl_t": derived.sl_t,
        "sl_a": derived.sl_a,
        "gap": derived.gap,
        "version": zone.version,
        "url": url_for("zones.show", assessment_id=zone.assessment_id, zone_id=zone.id),
    }
    if blockers is not None:
        body["blockers"] = {
            f"FR {fr}": [{"id": r.id, "title": r.title, "url": r.url} for r in items]
            for fr, items in blockers.items()
        }
    return body


def _zone_of(zone_id: int, need: str = "viewer"):
    """A zone the caller may reach through its assessment; NotFound otherwise."""
    session = get_session()
    zone = session.get(Zone, zone_id)
    if zone is None:
        raise NotFound(f"There is no zone or conduit {zone_id}.")
    try:
        assessment_service.get_assessment(session, g.user, zone.assessment_id, need)
    except NotFound:
        raise NotFound(f"There is no zone or conduit {zone_id}.") from None
    return session, zone


@bp.get("/assessments/<int:assessment_id>/zones")
@login_required
def zones_list(assessment_id: int) -> dict:
    """Every live zone and conduit of the assessment with its three vectors."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    rows = zone_service.vector_table(session, assessment)
    return {
        "count": len(rows),
        "zones": [_zone_json(r.zone, r.derived, [z.id for z in r.joins]) for r in rows],
    }


@bp.post("/assessments/<int:assessment_id>/zones")
@login_required
def zones_create(assessment_id: int):
    """Add a zone or conduit: `{"name", "kind", "sl_t": [7 levels], "joins"}`; 201."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id, "editor"
    )
    data = validate(ZoneInput, _json_object())
    zone = zone_service.create_zone(session, assessment, data, g.user)
    session.commit()
    view = zone_service.zone_view(session, zone)
    return _zone_json(zone, view.derived, [z.id for z in view.joins]), 201


@bp.get("/zones/<int:zone_id>")
@login_required
def zone_show(zone_id: int) -> dict:
    """A zone's SL-T, SL-A and gap (FR 1 to FR 7) and what blocks each next level."""
    session, zone = _zone_of(zone_id)
    view = zone_service.zone_view(session, zone)
    return _zone_json(zone, view.derived, [z.id for z in view.joins], view.blockers)


@bp.put("/zones/<int:zone_id>/requirements/<key>")
@login_required
def zone_state(zone_id: int, key: str) -> dict:
    """Set how the zone meets one SR or RE: `{"state", "reason", "notes", "version"}`.

    Without `version` the stored one is taken (last write wins, as for a script)."""
    session, zone = _zone_of(zone_id, "editor")
    requirement = zone_service.requirement_of(session, key)
    body = _json_object()
    if "version" not in body:
        current = zone_service.zone_row(session, zone, requirement).state
        body = {**body, "version": current.version if current else 0}
    data = validate(ZoneStateInput, body)
    assessment = session.get(Assessment, zone.assessment_id)
    snapshot_service.monthly(session, assessment, g.user, utcnow())
    state = zone_service.set_state(session, zone, requirement, data, g.user)
    session.commit()
    view = zone_service.zone_view(session, zone)
    return {
        "requirement": requirement.id,
        "state": state.state,
        "reason": state.reason,
        "version": state.version,
        "beyond_target": requirement.sl_min > zone.sl_t[requirement.fr - 1],
        "zone": _zone_json(
            zone, view.derived, [z.id for z in view.joins], view.blockers
        ),
    }


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput([Problem("body", "send a JSON object")])
    return body


@bp.get("/assessments/<int:assessment_id>/rollups")
@login_required
def rollups(assessment_id: int) -> dict:
    """Per control area, 2-4 functional area, part and FR, and for the whole assessment:
    requirements, assessed, at target, mean and minimum current level, gap, overdue."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    if snapshot_id := request.args.get("snapshot", type=int):
        return snapshot_service.get_snapshot(session, assessment, snapshot_id).data[
            "rollups"
        ]
    return snapshot_service.state_of(session, assessment, date.today())["rollups"]


def _snapshot_json(snapshot) -> dict:
    return {
        "id": snapshot.id,
        "label": snapshot.label,
        "automatic": snapshot.automatic,
        "taken_at": snapshot.taken_at.isoformat(),
        "assessment": snapshot.data["rollups"]["assessment"],
    }


@bp.get("/assessments/<int:assessment_id>/snapshots")
@login_required
def snapshots(assessment_id: int) -> dict:
    """The assessment's snapshots, oldest first, with their headline figures."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    rows = snapshot_service.list_snapshots(session, assessment)
    return {"count": len(rows), "snapshots": [_snapshot_json(s) for s in rows]}


@bp.post("/assessments/<int:assessment_id>/snapshots")
@login_required
def snapshot_create(assessment_id: int):
    """Take a snapshot now: `{"label"}`; 201."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id, "editor"
    )
    data = validate(SnapshotInput, _json_object())
    snapshot = snapshot_service.take(
        session, assessment, g.user, data.label, date.today()
    )
    session.commit()
    return _snapshot_json(snapshot), 201
