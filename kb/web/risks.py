"""The risk assessment of an assessment (62443-3-2): the register with its heatmaps and
the initial assessment, each zone's threat scenarios and suggested SL-T, and the
organisation's risk matrix."""

from __future__ import annotations

from flask import Blueprint, flash, g, render_template, request, url_for
from flask_login import login_required

from kb.db import get_session
from kb.errors import InvalidInput, StaleEdit
from kb.schemas import InitialRiskInput, ScenarioInput, TargetInput
from kb.services import accounts, risk_matrix, risk_register, risks, zone_states
from kb.services import zones as zone_service
from kb.services.charts import heat_cells
from kb.vocabulary import CONSEQUENCE_DIMENSIONS
from kb.web.access import load_assessment
from kb.web.forms import as_errors, validate, with_vector
from kb.web.fragments import whole_page
from kb.web.htmx import see_other

bp = Blueprint("risks", __name__)


def heatmap_of(matrix, grid) -> tuple:
    """The cells of a risk heatmap: consequences from the highest down, likelihoods
    as columns 1 to n."""
    names = [f"{n} {level['name']}" for n, level in enumerate(matrix.consequences, 1)]
    return heat_cells(dict(zip(reversed(names), grid, strict=True)))


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _register_page(session, assessment, access, errors=None, form=None, status=200):
    filters = {
        "zone_id": _int_or_none(request.args.get("zone")),
        "level": _int_or_none(request.args.get("level")),
        "state": request.args.get("state")
        if request.args.get("state") in ("above", "tolerable")
        else None,
    }
    found = risk_register.register(session, assessment, **filters)
    return render_template(
        "risks/index.html",
        assessment=assessment,
        access=access,
        register=found,
        initial=risks.initial_rows(session, assessment, found.zones),
        zones=found.zones,
        filters=filters,
        before=heatmap_of(found.matrix, found.before),
        after=heatmap_of(found.matrix, found.after),
        errors=errors or {},
        form=form or {},
    ), status


@bp.get("/assessments/<int:assessment_id>/risks")
@login_required
def index(assessment_id: int):
    """The risk register: the initial assessment of the system and each zone, every
    threat scenario (filtered by zone, source level and state) and the heatmaps; kept
    rendered until the organisation's records change."""
    session, assessment, access = load_assessment(assessment_id)
    return whole_page(
        access,
        ("risks", assessment.id, request.query_string),
        lambda: _register_page(session, assessment, access)[0],
    )


@bp.post("/assessments/<int:assessment_id>/risks/initial")
@login_required
def set_initial(assessment_id: int):
    """Record the initial assessment of the system (no zone) or of one zone."""
    session, assessment, access = load_assessment(assessment_id, "editor")
    zone_id = _int_or_none(request.form.get("zone_id"))
    zone = zone_service.get_zone(session, assessment, zone_id) if zone_id else None
    try:
        data = validate(InitialRiskInput, request.form)
        risks.set_initial(session, assessment, zone, data, g.user)
    except InvalidInput as exc:
        session.rollback()
        errors = as_errors(exc.problems) | {"row": str(zone_id or "suc")}
        return _register_page(session, assessment, access, errors, request.form, 422)
    except StaleEdit:
        session.rollback()
        errors = {
            "row": str(zone_id or "suc"),
            "form": "Someone else saved this row after you opened the page; "
            "what is stored now is shown. Enter yours again to put it over it.",
        }
        return _register_page(session, assessment, access, errors, {}, 409)
    session.commit()
    return see_other(url_for("risks.index", assessment_id=assessment.id) + "#initial")


# -- one zone's detailed assessment --------------------------------------------------


def _zone(assessment_id: int, zone_id: int, need: str = "viewer"):
    session, assessment, access = load_assessment(assessment_id, need)
    return (
        session,
        assessment,
        access,
        zone_service.get_zone(session, assessment, zone_id),
    )


def _zone_page(
    session, assessment, access, zone, errors=None, form=None, status=200, **extra
):
    return render_template(
        "risks/zone.html",
        assessment=assessment,
        access=access,
        zone=zone,
        view=risks.zone_risk(session, zone),
        sr_states={
            rid: row.state
            for rid, row in zone_states.states_of(session, [zone.id])[zone.id].items()
        },
        threat_choices=[(t.id, t.title) for t in risks.threat_catalogue(session)],
        errors=errors or {},
        form=form if form is not None else {"version": 0},
        **extra,
    ), status


@bp.get("/assessments/<int:assessment_id>/zones/<int:zone_id>/risks")
@login_required
def zone(assessment_id: int, zone_id: int):
    """A zone's threat scenarios, its suggested SL-T and the decision taken from it."""
    session, assessment, access, found = _zone(assessment_id, zone_id)
    return _zone_page(session, assessment, access, found)


def _scenario_values(form) -> dict:
    """A submitted scenario; blanks are filled from the catalogue threat it names."""
    values = {key: form.get(key) for key in form}
    values["frs"] = form.getlist("frs")
    values["threat_id"] = form.get("threat_id") or None
    return risks.with_threat_defaults(get_session(), values)


@bp.post("/assessments/<int:assessment_id>/zones/<int:zone_id>/risks")
@login_required
def add_scenario(assessment_id: int, zone_id: int):
    """Add a threat scenario to the zone or conduit."""
    session, assessment, access, found = _zone(assessment_id, zone_id, "editor")
    try:
        data = validate(ScenarioInput, _scenario_values(request.form))
        risks.add_scenario(session, found, data, g.user)
    except InvalidInput as exc:
        session.rollback()
        return _zone_page(
            session,
            assessment,
            access,
            found,
            as_errors(exc.problems),
            request.form,
            422,
        )
    session.commit()
    return see_other(
        url_for("risks.zone", assessment_id=assessment_id, zone_id=zone_id)
    )


@bp.get("/assessments/<int:assessment_id>/zones/<int:zone_id>/risks/<int:scenario_id>")
@login_required
def edit_scenario(assessment_id: int, zone_id: int, scenario_id: int):
    """The zone's page with one scenario in the form, to edit it."""
    session, assessment, access, found = _zone(assessment_id, zone_id, "editor")
    scenario = risks.get_scenario(session, found, scenario_id)
    form = scenario.model_dump()
    form["countering_srs"] = ", ".join(scenario.countering_srs)
    return _zone_page(session, assessment, access, found, form=form, editing=scenario)


@bp.post("/assessments/<int:assessment_id>/zones/<int:zone_id>/risks/<int:scenario_id>")
@login_required
def update_scenario(assessment_id: int, zone_id: int, scenario_id: int):
    """Save an edit of a scenario if nobody saved it in between."""
    session, assessment, access, found = _zone(assessment_id, zone_id, "editor")
    scenario = risks.get_scenario(session, found, scenario_id)
    try:
        data = validate(ScenarioInput, _scenario_values(request.form))
        risks.update_scenario(session, scenario, data, g.user)
    except InvalidInput as exc:
        session.rollback()
        return _zone_page(
            session,
            assessment,
            access,
            found,
            as_errors(exc.problems),
            request.form,
            422,
            editing=risks.get_scenario(session, found, scenario_id),
        )
    except StaleEdit:
        session.rollback()
        scenario = risks.get_scenario(session, found, scenario_id)
        form = request.form.copy()  # every box ticked stays ticked
        form["version"] = scenario.version
        message = (
            "Someone else saved this scenario after you opened it. Your changes are "
            "below, not saved; save again to put them over theirs."
        )
        return _zone_page(
            session,
            assessment,
            access,
            found,
            {"form": message},
            form,
            409,
            editing=scenario,
        )
    session.commit()
    return see_other(
        url_for("risks.zone", assessment_id=assessment_id, zone_id=zone_id)
    )


@bp.post(
    "/assessments/<int:assessment_id>/zones/<int:zone_id>/risks/<int:scenario_id>/delete"
)
@login_required
def delete_scenario(assessment_id: int, zone_id: int, scenario_id: int):
    """Remove a scenario (the zone's history keeps that it was there)."""
    session, _assessment, _access, found = _zone(assessment_id, zone_id, "editor")
    scenario = risks.get_scenario(session, found, scenario_id)
    risks.delete_scenario(session, scenario, g.user)
    session.commit()
    flash(f"The scenario '{scenario.title}' is removed.")
    return see_other(
        url_for("risks.zone", assessment_id=assessment_id, zone_id=zone_id)
    )


@bp.post("/assessments/<int:assessment_id>/zones/<int:zone_id>/slt")
@login_required
def decide(assessment_id: int, zone_id: int):
    """Make the suggested SL-T (or another, with reasons) the zone's SL-T."""
    session, assessment, access, found = _zone(assessment_id, zone_id, "editor")
    values = with_vector(request.form)
    values["reasons"] = {fr: request.form.get(f"reason_{fr}", "") for fr in range(1, 8)}
    try:
        data = validate(TargetInput, values)
        risks.decide_target(session, found, data, g.user)
    except (InvalidInput, StaleEdit) as exc:
        session.rollback()
        found = zone_service.get_zone(session, assessment, zone_id)
        errors = (
            as_errors(exc.problems)
            if isinstance(exc, InvalidInput)
            else {"target": "The zone changed after you opened this page; look again."}
        )
        status = 422 if isinstance(exc, InvalidInput) else 409
        return _zone_page(
            session,
            assessment,
            access,
            found,
            status=status,
            target_errors=errors,
            target_form=request.form,
        )
    session.commit()
    flash(f"The SL-T of {found.name} is now {{{' '.join(map(str, found.sl_t))}}}.")
    return see_other(
        url_for("risks.zone", assessment_id=assessment_id, zone_id=zone_id)
    )


# -- the organisation's risk matrix --------------------------------------------------


@bp.route("/orgs/<slug>/risk-matrix", methods=["GET", "POST"])
@login_required
def matrix(slug: str):
    """The organisation's risk matrix and its versions; admins save a new version."""
    session = get_session()
    access = accounts.org_access(
        session, g.user, slug, "admin" if request.method == "POST" else "viewer"
    )
    current = risk_matrix.current_matrix(session, access.org.id)
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        consequences = [
            {"name": form.get(f"consequence_{n}_name", "").strip()}
            | {
                d: form.get(f"consequence_{n}_{d}", "").strip()
                for d in CONSEQUENCE_DIMENSIONS
            }
            for n in range(1, len(current.consequences) + 1)
        ]
        likelihoods = [
            {
                "name": form.get(f"likelihood_{n}_name", "").strip(),
                "description": form.get(f"likelihood_{n}_description", "").strip(),
            }
            for n in range(1, len(current.likelihoods) + 1)
        ]
        try:
            saved = risk_matrix.save_matrix(
                session,
                access.org.id,
                consequences,
                likelihoods,
                _int_or_none(form.get("tolerable")),
                g.user.id,
            )
        except InvalidInput as exc:
            session.rollback()
            errors, status = as_errors(exc.problems), 422
        else:
            session.commit()
            flash(
                f"Version {saved.version} of the risk matrix is saved; assessments "
                "started before keep the version they use."
            )
            return see_other(url_for("risks.matrix", slug=slug))
    return render_template(
        "risks/matrix.html",
        access=access,
        matrix=current,
        versions=risk_matrix.versions(session, access.org.id),
        errors=errors,
        form=request.form if errors else None,
    ), status
