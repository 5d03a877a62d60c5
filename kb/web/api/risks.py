"""A zone's threat scenarios and the SL-T they suggest (62443-3-2)."""

from __future__ import annotations

from flask import g
from flask_login import login_required

from kb.services import risk, risks
from kb.web.api import bp, json_object, parsed
from kb.web.api.models import ScenarioBody
from kb.web.api.responses import ScenarioList, ScenarioOut, SuggestionOut
from kb.web.api.spec import documented
from kb.web.api.zones import zone_of


def _scenario_json(scenario, tolerable: int) -> dict:
    after = risk.score(scenario.residual_consequence, scenario.residual_likelihood)
    return scenario.model_dump(exclude={"updated_by", "updated_at"}) | {
        "risk_before": risk.score(scenario.consequence, scenario.likelihood),
        "risk_after": after,
        "above_line": after > tolerable,
    }


@bp.get("/zones/<int:zone_id>/risks")
@login_required
@documented(response=ScenarioList)
def zone_risks(zone_id: int) -> dict:
    """The zone's threat scenarios with their risk before and after the existing
    countermeasures, against the tolerable line of the assessment's risk matrix."""
    session, zone = zone_of(zone_id)
    view = risks.zone_risk(session, zone)
    return {
        "tolerable": view.matrix.tolerable,
        "count": len(view.scenarios),
        "scenarios": [_scenario_json(s, view.matrix.tolerable) for s in view.scenarios],
    }


@bp.post("/zones/<int:zone_id>/risks")
@login_required
@documented(body=ScenarioBody, status=201, response=ScenarioOut)
def zone_risk_add(zone_id: int):
    """Add a threat scenario: `{"title", "source", "frs", "consequence", "likelihood",
    "residual_consequence", "residual_likelihood", ...}`; 201."""
    session, zone = zone_of(zone_id, "editor")
    data = parsed(ScenarioBody, risks.with_threat_defaults(session, json_object()))
    scenario = risks.add_scenario(session, zone, data, g.user)
    session.commit()
    tolerable = risks.zone_risk(session, zone).matrix.tolerable
    return _scenario_json(scenario, tolerable), 201


@bp.get("/zones/<int:zone_id>/slt-suggestion")
@login_required
@documented(response=SuggestionOut)
def slt_suggestion(zone_id: int) -> dict:
    """The SL-T the zone's scenarios suggest and, per FR, the scenario that drives it
    (null where no scenario stays above the tolerable line)."""
    session, zone = zone_of(zone_id)
    view = risks.zone_risk(session, zone)
    drivers = view.suggestion.drivers
    return {
        "zone": zone.id,
        "suggested": view.suggestion.vector,
        "sl_t": zone.sl_t,
        "drivers": {
            f"FR {fr}": (
                {
                    "id": drivers[fr].id,
                    "title": drivers[fr].title,
                    "source": drivers[fr].source,
                }
                if fr in drivers
                else None
            )
            for fr in range(1, 8)
        },
    }
