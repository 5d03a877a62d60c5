"""Zones and conduits of an assessment: the vector table and diagram, each zone's SL-T
against SL-A, and how it meets every SR and RE of 62443-3-3."""

from __future__ import annotations

from flask import Blueprint, g, make_response, render_template, request, url_for
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from kb.db import get_session
from kb.errors import InvalidInput, StaleEdit
from kb.schemas import EvidenceLinkInput, ZoneInput
from kb.services import evidence as evidence_service
from kb.services import evidence_links, risks, zone_states
from kb.services import zones as service
from kb.services.charts import paired_bars
from kb.services.diagram import layout
from kb.vocabulary import FOUNDATIONAL_REQUIREMENTS
from kb.web import states
from kb.web.access import load_assessment
from kb.web.forms import as_errors, parse_or_raise, validate, with_vector
from kb.web.htmx import render, see_other

bp = Blueprint("zones", __name__, url_prefix="/assessments/<int:assessment_id>/zones")


def zone_values(form: MultiDict) -> dict:
    """A submitted zone form as ZoneInput reads it."""
    return with_vector(form) | {"joins": [j for j in form.getlist("joins") if j]}


def diagram_of(rows: list[zone_states.VectorRow]):
    zones = [
        (r.zone.id, r.zone.name, r.derived.sl_t, r.derived.sl_a)
        for r in rows
        if r.zone.kind == "zone"
    ]
    conduits = [
        (
            r.zone.id,
            r.zone.name,
            r.derived.sl_t,
            r.derived.sl_a,
            [z.id for z in r.joins],
        )
        for r in rows
        if r.zone.kind == "conduit"
    ]
    return layout(zones, conduits)


def _index_page(session, assessment, access, form, errors, status=200):
    rows = zone_states.vector_table(session, assessment)
    return render_template(
        "zones/index.html",
        assessment=assessment,
        access=access,
        rows=rows,
        diagram=diagram_of(rows),
        zones=[r.zone for r in rows if r.zone.kind == "zone"],
        form=form,
        errors=errors,
    ), status


@bp.get("")
@login_required
def index(assessment_id: int):
    """Every zone and conduit with SL-T, SL-A and gap per FR, and the diagram."""
    session, assessment, access = load_assessment(assessment_id)
    return _index_page(session, assessment, access, {"kind": "zone"}, {})


@bp.post("")
@login_required
def create(assessment_id: int):
    """Add a zone or a conduit."""
    session, assessment, access = load_assessment(assessment_id, "editor")
    try:
        data = validate(ZoneInput, zone_values(request.form))
        zone = service.create_zone(session, assessment, data, g.user)
    except InvalidInput as exc:
        session.rollback()
        return _index_page(
            session, assessment, access, request.form, as_errors(exc.problems), 422
        )
    session.commit()
    return see_other(
        url_for("zones.show", assessment_id=assessment.id, zone_id=zone.id)
    )


@bp.get("/diagram.svg")
@login_required
def diagram(assessment_id: int):
    """The diagram alone, as an SVG file."""
    session, assessment, _access = load_assessment(assessment_id)
    rows = zone_states.vector_table(session, assessment)
    response = make_response(
        render_template(
            "zones/diagram.svg", diagram=diagram_of(rows), assessment=assessment
        )
    )
    response.mimetype = "image/svg+xml"
    return response


def _zone(assessment_id: int, zone_id: int, need: str = "viewer"):
    session, assessment, access = load_assessment(assessment_id, need)
    return session, assessment, access, service.get_zone(session, assessment, zone_id)


@bp.get("/<int:zone_id>")
@login_required
def show(assessment_id: int, zone_id: int):
    """A zone's SL-T against SL-A, what blocks each FR, and its SRs and REs."""
    session, assessment, access, zone = _zone(assessment_id, zone_id)
    view = zone_states.zone_view(session, zone)
    return render_template(
        "zones/show.html",
        assessment=assessment,
        access=access,
        view=view,
        risk=risks.zone_risk(session, zone),
        chart=paired_bars(
            list(FOUNDATIONAL_REQUIREMENTS), view.derived.sl_t, view.derived.sl_a
        ),
    )


def _form_values(zone) -> dict:
    values = zone.model_dump()
    values |= {f"sl_t_{fr}": level for fr, level in enumerate(zone.sl_t, start=1)}
    return values


def _edit_page(session, assessment, access, zone, form, errors, status=200, **extra):
    return render_template(
        "zones/edit.html",
        assessment=assessment,
        access=access,
        zone=zone,
        zones=[
            z
            for z in service.list_zones(session, assessment)
            if z.kind == "zone" and z.id != zone.id
        ],
        joined=service.joins_of(session, [zone.id]).get(zone.id, []),
        form=form,
        errors=errors,
        **extra,
    ), status


@bp.get("/<int:zone_id>/edit")
@login_required
def edit(assessment_id: int, zone_id: int):
    """The edit form of a zone or conduit."""
    session, assessment, access, zone = _zone(assessment_id, zone_id, "editor")
    return _edit_page(session, assessment, access, zone, _form_values(zone), {})


@bp.post("/<int:zone_id>")
@login_required
def update(assessment_id: int, zone_id: int):
    """Save an edit if nobody saved the zone in between."""
    session, assessment, access, zone = _zone(assessment_id, zone_id, "editor")
    try:
        data = validate(ZoneInput, zone_values(request.form))
        service.update_zone(session, zone, data, g.user)
    except InvalidInput as exc:
        session.rollback()
        zone = service.get_zone(session, assessment, zone_id)
        return _edit_page(
            session,
            assessment,
            access,
            zone,
            request.form,
            as_errors(exc.problems),
            422,
        )
    except StaleEdit:
        session.rollback()
        zone = service.get_zone(session, assessment, zone_id)
        message = (
            "Someone else saved this zone after you opened it. Your changes are "
            "below, not saved; what is stored now is on the right."
        )
        return _edit_page(
            session,
            assessment,
            access,
            zone,
            request.form,
            {"form": message},
            409,
            theirs=zone,
        )
    session.commit()
    return see_other(
        url_for("zones.show", assessment_id=assessment.id, zone_id=zone.id)
    )


@bp.post("/<int:zone_id>/retire")
@login_required
def retire(assessment_id: int, zone_id: int):
    """Retire a zone or conduit (its history stays), or bring it back with retired=0."""
    session, assessment, _access, zone = _zone(assessment_id, zone_id, "editor")
    retired = request.form.get("retired", "1") == "1"
    service.set_retired(session, zone, retired, g.user)
    session.commit()
    target = "zones.index" if retired else "zones.show"
    return see_other(url_for(target, assessment_id=assessment.id, zone_id=zone.id))


@bp.get("/<int:zone_id>/history")
@login_required
def history(assessment_id: int, zone_id: int):
    """Every change of the zone and of its SR and RE states, newest first."""
    session, assessment, _access, zone = _zone(assessment_id, zone_id)
    return render_template(
        "history.html",
        name=zone.name,
        crumbs=[
            (assessment.name, url_for("assessments.show", assessment_id=assessment.id)),
            ("Zones and conduits", url_for("zones.index", assessment_id=assessment.id)),
            (
                zone.name,
                url_for("zones.show", assessment_id=assessment.id, zone_id=zone.id),
            ),
        ],
        changes=service.history(session, zone),
    )


# -- one SR or RE of a zone, edited inline ---------------------------------------------


def _row(assessment_id: int, zone_id: int, key: str, need: str = "viewer"):
    session, assessment, access, zone = _zone(assessment_id, zone_id, need)
    requirement = zone_states.requirement_of(session, key)
    context = {
        "assessment": assessment,
        "access": access,
        "zone": zone,
        "row": zone_states.zone_row(session, zone, requirement),
    }
    return session, context


def _state_form(state) -> dict:
    if state is None:
        return {"version": 0, "state": ""}
    return state.model_dump()


def _suggested(context) -> list:
    session = get_session()
    row = context["row"]
    return evidence_links.suggestions(
        session,
        context["access"].org,
        row.requirement,
        exclude=[item.id for item in row.evidence],
    )


@bp.get("/<int:zone_id>/requirements/<key>")
@login_required
def row(assessment_id: int, zone_id: int, key: str):
    """One SR or RE of the zone as it reads (used to cancel an edit)."""
    _session, context = _row(assessment_id, zone_id, key)
    return render("zones/row.html", "zones/_row.html", **context)


@bp.get("/<int:zone_id>/requirements/<key>/edit")
@login_required
def edit_state(assessment_id: int, zone_id: int, key: str):
    """The form to record how the zone meets one SR or RE."""
    _session, context = _row(assessment_id, zone_id, key, "editor")
    return render(
        "zones/row.html",
        "zones/_row_edit.html",
        form=_state_form(context["row"].state),
        errors={},
        suggested=_suggested(context),
        **context,
    )


@bp.post("/<int:zone_id>/requirements/<key>")
@login_required
def set_state(assessment_id: int, zone_id: int, key: str):
    """Save how the zone meets one SR or RE; a stale edit shows what is stored now."""
    session, context = _row(assessment_id, zone_id, key, "editor")
    zone, requirement = context["zone"], context["row"].requirement
    return states.save_state(
        session,
        context,
        "zones",
        lambda data: zone_states.set_state(session, zone, requirement, data, g.user),
        lambda: zone_states.zone_row(session, zone, requirement),
        url_for("zones.show", assessment_id=assessment_id, zone_id=zone_id),
        lambda: {"suggested": _suggested(context)},
    )


@bp.post("/<int:zone_id>/requirements/<key>/evidence")
@login_required
def link_evidence(assessment_id: int, zone_id: int, key: str):
    """Show one of the organisation's evidence items on this SR or RE of the zone."""
    session, context = _row(assessment_id, zone_id, key, "editor")
    data = parse_or_raise(EvidenceLinkInput, request.form)
    item = evidence_service.get_item(session, context["access"].org, data.evidence_id)
    zone_states.link_evidence(
        session, context["zone"], context["row"].requirement, item, g.user
    )
    session.commit()
    return _back_to_state_form(context)


@bp.post("/<int:zone_id>/requirements/<key>/evidence/<int:evidence_id>/delete")
@login_required
def unlink_evidence(assessment_id: int, zone_id: int, key: str, evidence_id: int):
    """Take an evidence item off this SR or RE of the zone (the item itself stays)."""
    session, context = _row(assessment_id, zone_id, key, "editor")
    item = evidence_service.get_item(session, context["access"].org, evidence_id)
    zone_states.unlink_evidence(
        session, context["zone"], context["row"].requirement, item, g.user
    )
    session.commit()
    return _back_to_state_form(context)


def _back_to_state_form(context):
    return see_other(
        url_for(
            "zones.edit_state",
            assessment_id=context["assessment"].id,
            zone_id=context["zone"].id,
            key=context["row"].requirement.slug,
        )
    )
