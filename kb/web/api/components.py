"""Components of an assessment (62443-4-2) with their target and achieved SL-C."""

from __future__ import annotations

from flask import g, url_for
from flask_login import login_required

from kb.db import get_session
from kb.models import Assessment, Component, utcnow
from kb.services import assessments as assessment_service
from kb.services import components as service
from kb.services import snapshots as snapshot_service
from kb.web.api import bp, json_object, parsed, within_assessment
from kb.web.api.models import ComponentBody, StateBody
from kb.web.api.responses import ComponentList, ComponentOut, ComponentStateOut
from kb.web.api.spec import documented


def _component_json(component, derived, blockers: dict | None = None) -> dict:
    body = {name: getattr(component, name) for name in service.COMPONENT_FIELDS}
    body |= {
        "id": component.id,
        "assessment": component.assessment_id,
        "sl_t": derived.sl_t,
        "sl_c": derived.sl_a,
        "gap": derived.gap,
        "version": component.version,
        "url": url_for(
            "components.show",
            assessment_id=component.assessment_id,
            component_id=component.id,
        ),
    }
    if blockers is not None:
        body["blockers"] = {
            f"FR {fr}": [{"id": r.id, "title": r.title, "url": r.url} for r in items]
            for fr, items in blockers.items()
        }
    return body


def component_of(record_id: int, need: str = "viewer"):
    return within_assessment(Component, record_id, need, "component")


@bp.get("/assessments/<int:assessment_id>/components")
@login_required
@documented(response=ComponentList)
def components_list(assessment_id: int) -> dict:
    """Every live component of the assessment with its target and achieved SL-C."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    rows = service.vector_table(session, assessment)
    return {
        "count": len(rows),
        "components": [_component_json(r.component, r.derived) for r in rows],
    }


@bp.post("/assessments/<int:assessment_id>/components")
@login_required
@documented(body=ComponentBody, status=201, response=ComponentOut)
def components_create(assessment_id: int):
    """Add a component: `{"name", "type", "product_version", "supplier", "sl_t"}`;
    201."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id, "editor"
    )
    data = parsed(ComponentBody, json_object())
    component = service.create_component(session, assessment, data, g.user)
    session.commit()
    view = service.component_view(session, component)
    return _component_json(component, view.derived), 201


@bp.get("/components/<int:component_id>")
@login_required
@documented(response=ComponentOut)
def component_show(component_id: int) -> dict:
    """A component's target SL-C, achieved SL-C and gap (FR 1 to FR 7) and what
    blocks each next level."""
    session, component = component_of(component_id)
    view = service.component_view(session, component)
    return _component_json(component, view.derived, view.blockers)


@bp.put("/components/<int:component_id>/requirements/<key>")
@login_required
@documented(body=StateBody, response=ComponentStateOut)
def component_state(component_id: int, key: str) -> dict:
    """Set how the component meets one requirement of its type:
    `{"state", "reason", "notes", "version"}`.

    Without `version` the stored one is taken (last write wins, as for a script)."""
    session, component = component_of(component_id, "editor")
    requirement = service.requirement_of(session, component, key)
    body = json_object()
    if "version" not in body:
        current = service.component_row(session, component, requirement).state
        body = {**body, "version": current.version if current else 0}
    data = parsed(StateBody, body)
    assessment = session.get(Assessment, component.assessment_id)
    snapshot_service.monthly(session, assessment, g.user, utcnow())
    state = service.set_state(session, component, requirement, data, g.user)
    session.commit()
    view = service.component_view(session, component)
    return {
        "requirement": requirement.id,
        "state": state.state,
        "reason": state.reason,
        "version": state.version,
        "beyond_target": service.component_row(
            session, component, requirement
        ).beyond_target,
        "component": _component_json(component, view.derived, view.blockers),
    }
