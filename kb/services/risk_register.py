"""The risk register of an assessment (62443-3-2): every threat scenario of its zones
and conduits with its risk before and after the existing countermeasures, filtered, and
the heatmaps of what it shows. A read: it writes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from kb.models import Assessment, RiskMatrix, RiskScenario, Zone
from kb.services import risk
from kb.services.risk_matrix import matrix_of
from kb.services.risks import scenarios_of
from kb.services.zones import list_zones
from kb.vocabulary import THREAT_SOURCES


@dataclass
class RegisterRow:
    scenario: RiskScenario
    zone: Zone
    level: int  # of its threat source, 1-4
    before: int  # unmitigated risk
    after: int  # residual risk
    above_line: bool


@dataclass
class Register:
    matrix: RiskMatrix
    zones: list[Zone]  # the live zones and conduits, as list_zones gives them
    rows: list[RegisterRow]
    before: list[list[int]]  # heatmap cells, unmitigated
    after: list[list[int]]  # with the existing countermeasures


def register(
    session: Session,
    assessment: Assessment,
    zone_id: int | None = None,
    level: int | None = None,
    state: str | None = None,
) -> Register:
    """Every threat scenario of the assessment's live zones and conduits with its risk
    before and after the existing countermeasures, filtered by zone, source level and
    state ("above" the tolerable line or "tolerable"); the heatmaps count the rows
    shown."""
    matrix = matrix_of(session, assessment)
    listed = list_zones(session, assessment)
    zones = {z.id: z for z in listed}
    rows = []
    for scenario in scenarios_of(session, list(zones)):
        after = risk.score(scenario.residual_consequence, scenario.residual_likelihood)
        row = RegisterRow(
            scenario,
            zones[scenario.zone_id],
            THREAT_SOURCES[scenario.source][0],
            risk.score(scenario.consequence, scenario.likelihood),
            after,
            after > matrix.tolerable,
        )
        if (
            (zone_id is None or row.zone.id == zone_id)
            and (level is None or row.level == level)
            and (state is None or row.above_line == (state == "above"))
        ):
            rows.append(row)
    size = len(matrix.consequences), len(matrix.likelihoods)
    return Register(
        matrix,
        listed,
        rows,
        risk.heatmap(
            [(r.scenario.consequence, r.scenario.likelihood) for r in rows], *size
        ),
        risk.heatmap(
            [
                (r.scenario.residual_consequence, r.scenario.residual_likelihood)
                for r in rows
            ],
            *size,
        ),
    )
