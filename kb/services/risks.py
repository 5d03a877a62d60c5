"""The risk assessment of an assessment's zones and conduits (62443-3-2): the
organisation's risk matrix and its versions, the initial assessment (ZCR 2, ZCR 4),
threat scenarios (ZCR 5), the risk register and each zone's SL-T decision. The
arithmetic is in kb.services.risk. Services add and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from kb.errors import InvalidInput, NotFound, Problem, StaleEdit
from kb.models import (
    Assessment,
    ContentItem,
    InitialRisk,
    RiskMatrix,
    RiskScenario,
    TargetDecision,
    User,
    Zone,
)
from kb.schemas import InitialRiskInput, ScenarioInput, TargetInput
from kb.services import risk
from kb.services.changes import apply_changes, save_versioned
from kb.services.risk_matrix import matrix_of
from kb.services.zones import display, record
from kb.vocabulary import THREAT_SOURCES


def _check_levels(matrix: RiskMatrix, values: dict[str, int]) -> None:
    problems = risk.level_problems(
        values, len(matrix.consequences), len(matrix.likelihoods)
    )
    if problems:
        raise InvalidInput(problems)


# -- the initial assessment ---------------------------------------------------------


@dataclass
class InitialRow:
    """The system or one zone in the initial assessment, as its table shows it."""

    zone: Zone | None  # None: the system under consideration
    entry: InitialRisk | None
    above_line: bool | None  # None until assessed

    @property
    def score(self) -> int | None:
        return (
            risk.score(self.entry.consequence, self.entry.likelihood)
            if self.entry
            else None
        )


def initial_rows(
    session: Session, assessment: Assessment, zones: list[Zone]
) -> list[InitialRow]:
    """The system first, then each of `zones` (the live ones, as list_zones gives
    them), with their entries."""
    matrix = matrix_of(session, assessment)
    entries = {
        e.zone_id: e
        for e in session.exec(
            select(InitialRisk).where(InitialRisk.assessment_id == assessment.id)
        )
    }

    def row(zone):
        entry = entries.get(zone.id if zone else None)
        above = (
            risk.above_line(entry.consequence, entry.likelihood, matrix.tolerable)
            if entry
            else None
        )
        return InitialRow(zone, entry, above)

    return [row(None), *(row(z) for z in zones)]


def set_initial(
    session: Session,
    assessment: Assessment,
    zone: Zone | None,
    data: InitialRiskInput,
    user: User,
) -> InitialRisk:
    """Record the worst unmitigated case of the system (`zone` None) or a zone.

    Raises InvalidInput for a level outside the matrix, StaleEdit when someone saved
    it in between; nothing is written either way.
    """
    matrix = matrix_of(session, assessment, pin=True)
    _check_levels(
        matrix, {"consequence": data.consequence, "likelihood": data.likelihood}
    )
    zone_id = zone.id if zone else None

    def stored():
        return session.exec(
            select(InitialRisk).where(
                InitialRisk.assessment_id == assessment.id,
                InitialRisk.zone_id == zone_id,
            )
        ).first()

    entry = stored()
    if data.version != (entry.version if entry else 0):
        raise StaleEdit(entry)
    if entry is None:
        entry = InitialRisk(
            assessment_id=assessment.id,
            zone_id=zone_id,
            consequence=data.consequence,
            likelihood=data.likelihood,
            version=0,
        )
    changed = apply_changes(
        entry,
        data.model_dump(include={"consequence", "likelihood", "notes"}),
        display,
        new=entry.id is None,
    )
    if changed or entry.id is None:
        save_versioned(session, entry, data.version, user.id, stored)
    return entry


# -- threat scenarios ----------------------------------------------------------------


def threat_catalogue(session: Session) -> list[ContentItem]:
    """The threat scenarios of the catalogue, to start a zone's scenario from."""
    return list(
        session.exec(
            select(ContentItem)
            .where(ContentItem.kind == "threat", col(ContentItem.retired).is_(False))
            .order_by(ContentItem.title)
        )
    )


def with_threat_defaults(session: Session, values: dict) -> dict:
    """A scenario's submitted values with the blanks filled from the catalogue threat
    it starts from: its title, the FRs it bears on, its most capable typical source."""
    threat = session.get(ContentItem, values.get("threat_id") or "")
    if threat is None or threat.kind != "threat":
        return values
    meta = threat.meta
    defaults = {
        "title": threat.title,
        "frs": [int(fr.split()[1]) for fr in meta.get("bears_on", [])],
        "source": max(meta.get("sources", []), key=lambda s: THREAT_SOURCES[s][0]),
        "countering_srs": ", ".join(meta.get("counters", [])),
    }
    return values | {k: v for k, v in defaults.items() if not values.get(k)}


def scenarios_of(session: Session, zone_ids: list[int]) -> list[RiskScenario]:
    return list(
        session.exec(
            select(RiskScenario)
            .where(col(RiskScenario.zone_id).in_(zone_ids))
            .order_by(RiskScenario.zone_id, RiskScenario.id)
        )
    )


def get_scenario(session: Session, zone: Zone, scenario_id: int) -> RiskScenario:
    """A scenario of this zone; NotFound for any other id."""
    scenario = session.get(RiskScenario, scenario_id)
    if scenario is None or scenario.zone_id != zone.id:
        raise NotFound(f"There is no threat scenario {scenario_id} in this zone.")
    return scenario


def _check_scenario(session: Session, matrix: RiskMatrix, data: ScenarioInput) -> None:
    problems = risk.level_problems(
        {
            "consequence": data.consequence,
            "likelihood": data.likelihood,
            "residual_consequence": data.residual_consequence,
            "residual_likelihood": data.residual_likelihood,
        },
        len(matrix.consequences),
        len(matrix.likelihoods),
    )
    if data.threat_id is not None:
        threat = session.get(ContentItem, data.threat_id)
        if threat is None or threat.kind != "threat":
            problems.append(
                Problem(
                    "threat_id", f"'{data.threat_id}' is not in the threat catalogue"
                )
            )
    known = set(
        session.exec(
            select(ContentItem.id).where(
                col(ContentItem.id).in_(data.countering_srs),
                ContentItem.part == "62443-3-3",
            )
        )
    )
    for sr in data.countering_srs:
        if sr not in known:
            problems.append(
                Problem("countering_srs", f"'{sr}' is not an SR or RE of 62443-3-3")
            )
    if problems:
        raise InvalidInput(problems)


SCENARIO_FIELDS = set(ScenarioInput.model_fields) - {"version"}


def add_scenario(
    session: Session, zone: Zone, data: ScenarioInput, user: User
) -> RiskScenario:
    """Add a threat scenario to a zone or conduit.

    Raises InvalidInput (nothing written) for a level outside the matrix, an unknown
    threat or an unknown SR.
    """
    assessment = session.get(Assessment, zone.assessment_id)
    _check_scenario(session, matrix_of(session, assessment, pin=True), data)
    scenario = RiskScenario(
        zone_id=zone.id, updated_by=user.id, **data.model_dump(include=SCENARIO_FIELDS)
    )
    session.add(scenario)
    session.flush()
    record(session, zone, {"threat scenario": ("", scenario.title)}, user, "added")
    return scenario


def update_scenario(
    session: Session, scenario: RiskScenario, data: ScenarioInput, user: User
) -> RiskScenario:
    """Apply an edit based on the stored version.

    Raises StaleEdit or InvalidInput; either way nothing is written.
    """
    if data.version != scenario.version:
        raise StaleEdit(scenario)
    zone = session.get(Zone, scenario.zone_id)
    assessment = session.get(Assessment, zone.assessment_id)
    _check_scenario(session, matrix_of(session, assessment, pin=True), data)
    changed = apply_changes(
        scenario, data.model_dump(include=SCENARIO_FIELDS), display, new=False
    )
    if changed:
        save_versioned(session, scenario, data.version, user.id, lambda: scenario)
        record(
            session,
            zone,
            {"threat scenario": (scenario.title, scenario.title)},
            user,
            "changed",
        )
    return scenario


def delete_scenario(session: Session, scenario: RiskScenario, user: User) -> None:
    zone = session.get(Zone, scenario.zone_id)
    record(session, zone, {"threat scenario": (scenario.title, "")}, user, "removed")
    session.delete(scenario)
    session.flush()


# -- the suggestion and the decision ------------------------------------------------


@dataclass
class ZoneRisk:
    matrix: RiskMatrix
    scenarios: list[RiskScenario]
    suggestion: risk.Suggestion
    decision: TargetDecision | None  # the latest


def zone_risk(session: Session, zone: Zone) -> ZoneRisk:
    """A zone's scenarios, its suggested SL-T with what drives each FR, and the latest
    decision taken from it."""
    assessment = session.get(Assessment, zone.assessment_id)
    matrix = matrix_of(session, assessment)
    scenarios = scenarios_of(session, [zone.id])
    decision = session.exec(
        select(TargetDecision)
        .where(TargetDecision.zone_id == zone.id)
        .order_by(col(TargetDecision.id).desc())
    ).first()
    return ZoneRisk(
        matrix, scenarios, risk.suggest(scenarios, matrix.tolerable), decision
    )


def decide_target(
    session: Session, zone: Zone, data: TargetInput, user: User
) -> TargetDecision:
    """Make the accepted vector the zone's SL-T, keeping the suggestion and the reasons
    beside it; the zone's history records the change.

    Raises InvalidInput (nothing written) for an FR set apart from the suggestion
    without a reason, StaleEdit when the zone changed after the page was opened.
    """
    if data.version != zone.version:
        raise StaleEdit(zone)
    suggestion = zone_risk(session, zone).suggestion.vector
    apart = [fr for fr in range(1, 8) if data.sl_t[fr - 1] != suggestion[fr - 1]]
    reasons = {
        f"FR {fr}": data.reasons[fr].strip()
        for fr in apart
        if data.reasons.get(fr, "").strip()
    }
    missing = [
        Problem(
            f"reason_{fr}",
            f"FR {fr}: say why {data.sl_t[fr - 1]} and not the suggested "
            f"{suggestion[fr - 1]}",
        )
        for fr in apart
        if f"FR {fr}" not in reasons
    ]
    if missing:
        raise InvalidInput(missing)
    decision = TargetDecision(
        zone_id=zone.id,
        decided_by=user.id,
        suggested=suggestion,
        accepted=data.sl_t,
        reasons=reasons,
    )
    session.add(decision)
    changed = apply_changes(zone, {"sl_t": data.sl_t}, display, new=False)
    if changed:
        save_versioned(session, zone, data.version, user.id, lambda: zone)
        record(session, zone, changed, user, "from the risk assessment")
    session.flush()
    return decision
