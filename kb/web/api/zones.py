"""Zones and conduits with their security-level vectors."""

from __future__ import annotations

from flask import g, url_for
from flask_login import login_required

from kb.db import get_session
from kb.models import Assessment, Zone, utcnow
from kb.services import assessments as assessment_service
from kb.services import snapshots as snapshot_service
from kb.services import zone_states
from kb.services import zones as zone_service
from kb.web.api import bp, json_object, parsed, within_assessment
from kb.web.api.models import StateBody, ZoneBody
from kb.web.api.responses import ZoneList, ZoneOut, ZoneStateOut
from kb.web.api.spec import documented


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


def zone_of(record_id: int, need: str = "viewer"):
    return within_assessment(Zone, record_id, need, "zone or conduit")


@bp.get("/assessments/<int:assessment_id>/zones")
@login_required
@documented(response=ZoneList)
def zones_list(assessment_id: int) -> dict:
    """Every live zone and conduit of the assessment with its three vectors."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    rows = zone_states.vector_table(session, assessment)
    return {
        "count": len(rows),
        "zones": [_zone_json(r.zone, r.derived, [z.id for z in r.joins]) for r in rows],
    }


@bp.post("/assessments/<int:assessment_id>/zones")
@login_required
@documented(body=ZoneBody, status=201, response=ZoneOut)
def zones_create(assessment_id: int):
    """Add a zone or conduit: `{"name", "kind", "sl_t": [7 levels], "joins"}`; 201."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id, "editor"
    )
    data = parsed(ZoneBody, json_object())
    zone = zone_service.create_zone(session, assessment, data, g.user)
    session.commit()
    view = zone_states.zone_view(session, zone)
    return _zone_json(zone, view.derived, [z.id for z in view.joins]), 201


@bp.get("/zones/<int:zone_id>")
@login_required
@documented(response=ZoneOut)
def zone_show(zone_id: int) -> dict:
    """A zone's SL-T, SL-A and gap (FR 1 to FR 7) and what blocks each next level."""
    session, zone = zone_of(zone_id)
    view = zone_states.zone_view(session, zone)
    return _zone_json(zone, view.derived, [z.id for z in view.joins], view.blockers)


@bp.put("/zones/<int:zone_id>/requirements/<key>")
@login_required
@documented(body=StateBody, response=ZoneStateOut)
def zone_state(zone_id: int, key: str) -> dict:
    """Set how the zone meets one SR or RE: `{"state", "reason", "notes", "version"}`.

    Without `version` the stored one is taken (last write wins, as for a script)."""
    session, zone = zone_of(zone_id, "editor")
    requirement = zone_states.requirement_of(session, key)
    body = json_object()
    if "version" not in body:
        current = zone_states.zone_row(session, zone, requirement).state
        body = {**body, "version": current.version if current else 0}
    data = parsed(StateBody, body)
    assessment = session.get(Assessment, zone.assessment_id)
    snapshot_service.monthly(session, assessment, g.user, utcnow())
    state = zone_states.set_state(session, zone, requirement, data, g.user)
    session.commit()
    view = zone_states.zone_view(session, zone)
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
