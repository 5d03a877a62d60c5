"""An assessment in OSCAL: a profile of the requirements in its scope, and assessment
results of its state now or of a snapshot.

A register row becomes an observation (its current and target levels, status, owner and
due date, when it was taken) and, where both levels are set, a finding: satisfied when
the current level reaches the target. A zone's or conduit's SR state becomes an
observation and a finding the same way (met is satisfied), and so is a 4-2
component's CR state; the zones' SL-T and SL-A and the components' target and achieved
SL-C are properties of the result."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select
from trestle.oscal import assessment_results as results_model
from trestle.oscal import common as oscal
from trestle.oscal import profile as profile_model

from kb.models import Assessment, ContentItem
from kb.services.levels import vector_text
from kb.services.oscal.common import (
    metadata,
    notice_resource,
    one_line,
    prop,
    stable_uuid,
    token,
)
from kb.services.register import in_scope
from kb.vocabulary import TECHNICAL_PARTS

SATISFIED = oscal.ObjectiveStatusStateValidValues.satisfied
NOT_SATISFIED = oscal.ObjectiveStatusStateValidValues.not_satisfied
# How a zone's SR state or a component's CR state reads as a finding; "not
# applicable" makes none.
STATE_FINDINGS = {
    "met": SATISFIED,
    "partly met": NOT_SATISFIED,
    "not met": NOT_SATISFIED,
}
# The vectors of each kind: a zone's target and achieved SL, a component's target and
# achieved SL-C.
VECTORS = {"component": ("sl_t", "sl_c")}


def scope(session: Session, assessment: Assessment) -> list[ContentItem]:
    """The requirements an assessment covers: its register's, and every requirement
    of a technical part it assesses per zone or component."""
    process = {item.id for item in session.exec(in_scope(assessment))}
    technical = [p for p in assessment.parts if p in TECHNICAL_PARTS]
    return list(
        session.exec(
            select(ContentItem)
            .where(
                col(ContentItem.id).in_(process)
                | (
                    col(ContentItem.part).in_(technical)
                    & (ContentItem.kind == "requirement")
                    & (ContentItem.type != "group")
                    & col(ContentItem.retired).is_(False)
                )
            )
            .order_by(ContentItem.sort_key)
        )
    )


def profile(
    assessment: Assessment, items: list[ContentItem], catalog_href: str, now: datetime
) -> profile_model.Profile:
    """The profile that selects `items` (the assessment's scope) from the catalog."""
    return profile_model.Profile(
        uuid=stable_uuid("profile", assessment.id, *(i.id for i in items)),
        metadata=metadata(
            f"{assessment.name}: the IEC 62443 requirements in scope", "1", now
        ),
        imports=[
            profile_model.Import2(
                href=catalog_href,
                include_controls=[
                    profile_model.SelectControl(with_ids=[token(i.slug) for i in items])
                ],
            )
        ],
        back_matter=oscal.BackMatter(resources=[notice_resource("profile")]),
    )


def slugs(session: Session) -> dict[str, str]:
    """Every requirement's slug by its id, retired ones too: a snapshot may name them."""
    return dict(
        session.exec(
            select(ContentItem.id, ContentItem.slug).where(
                ContentItem.kind == "requirement"
            )
        ).all()
    )


def results(
    assessment: Assessment,
    state: dict,
    label: str,
    taken_at: datetime,
    slug_of: dict[str, str],
    profile_href: str,
) -> results_model.AssessmentResults:
    """Assessment results of `state` (kb.services.snapshots.state_of, or a snapshot's
    data) as it stood at `taken_at`."""
    key = stable_uuid("results", assessment.id, label, taken_at.isoformat())
    observations: list[oscal.Observation] = []
    findings: list[oscal.Finding] = []

    def record(rid: str, facts: list[tuple[str, object]], text: str, state_=None):
        observation = oscal.Observation(
            uuid=stable_uuid(key, "observation", len(observations)),
            title=rid,
            description=text,
            methods=[oscal.Methods.EXAMINE],
            collected=taken_at,
            props=[
                prop(name, value)
                for name, value in facts
                if value is not None and str(value).strip()
            ]
            or None,
        )
        observations.append(observation)
        if state_ is not None and rid in slug_of:
            findings.append(
                oscal.Finding(
                    uuid=stable_uuid(key, "finding", len(findings)),
                    title=rid,
                    description=text,
                    target=oscal.FindingTarget(
                        type=oscal.FindingTargetTypeValidValues.objective_id,
                        target_id=token(slug_of[rid]),
                        status=oscal.ObjectiveStatus(state=state_),
                    ),
                    related_observations=[
                        oscal.RelatedObservation(observation_uuid=observation.uuid)
                    ],
                )
            )

    for rid, row in state.get("scores", {}).items():
        current, target = row.get("current"), row.get("target")
        verdict = None
        if row.get("applicable", True) and current is not None and target is not None:
            verdict = SATISFIED if current >= target else NOT_SATISFIED
        record(
            rid,
            [
                ("applicable", str(row.get("applicable", True)).lower()),
                ("current-level", current),
                ("target-level", target),
                ("status", row.get("status")),
                ("owner", row.get("owner")),
                ("due", row.get("due")),
            ],
            _score_text(row),
            verdict,
        )
    held = [(zone["kind"], zone) for zone in state.get("zones", [])] + [
        ("component", component) for component in state.get("components", [])
    ]
    for kind, holder in held:
        for rid, st in holder.get("states", {}).items():
            record(
                rid,
                [(kind, holder["name"]), ("state", st["state"])],
                f"{kind.capitalize()} {holder['name']}: {st['state']}"
                + (f" ({st['reason']})" if st.get("reason") else ""),
                STATE_FINDINGS.get(st["state"]),
            )
    plan = stable_uuid(key, "no-plan")
    return results_model.AssessmentResults(
        uuid=key,
        metadata=metadata(f"{assessment.name}: {label}", "1", taken_at),
        import_ap=results_model.ImportAp(href=f"#{plan}"),
        results=[
            results_model.Result(
                uuid=stable_uuid(key, "result"),
                title=one_line(f"{assessment.name}: {label}"),
                description=(
                    "Maturity levels of the register's requirements, and the state of "
                    "each zone's and conduit's system requirements and of each "
                    "component's requirements, as recorded in csms-kb."
                ),
                start=taken_at,
                end=taken_at,
                props=[
                    prop(
                        f"{kind}-{which.replace('_', '-')}",
                        f"{holder['name']} {vector_text(holder[which])}",
                    )
                    for kind, holder in held
                    for which in VECTORS.get(kind, ("sl_t", "sl_a"))
                ]
                or None,
                reviewed_controls=oscal.ReviewedControls(
                    control_selections=[
                        oscal.ControlSelectionsAll(include_all=oscal.IncludeAll())
                    ]
                ),
                observations=observations or None,
                findings=findings or None,
            )
        ],
        back_matter=oscal.BackMatter(
            resources=[
                notice_resource("results"),
                oscal.Resource(
                    uuid=plan,
                    title="The assessment's scope",
                    description=(
                        "csms-kb keeps no OSCAL assessment plan: the requirements in "
                        "scope are the assessment's profile."
                    ),
                    rlinks=[oscal.Rlink(href=profile_href)],
                ),
            ]
        ),
    )


def _score_text(row: dict) -> str:
    if not row.get("applicable", True):
        return "Does not apply to this assessment."

    def level(value) -> str:
        return "not assessed" if value is None else f"ML {value}"

    return (
        f"Current {level(row.get('current'))}, target {level(row.get('target'))}; "
        f"{row.get('status') or 'not started'}."
    )
