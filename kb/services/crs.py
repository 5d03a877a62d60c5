"""The cybersecurity requirements specification (ZCR 6) of an assessment and the asset
owner's approval of it (ZCR 7). The document is built from the assessment (zones and
conduits, their characteristics, SL-T with its justification, the requirements that
follow, the tolerable risk) and the draft's words; approving it freezes a copy as the
next version, which never changes. Services add and flush; the caller commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kb.errors import Conflict, InvalidInput, NotFound, Problem, StaleEdit
from kb.models import (
    Assessment,
    CrsDraft,
    CrsVersion,
    Organisation,
    TargetDecision,
    User,
    utcnow,
)
from kb.schemas import CrsApproval, CrsInput
from kb.services import risks
from kb.services.changes import apply_changes, save_versioned
from kb.services.levels import required
from kb.services.zone_states import as_item, technical_requirements
from kb.services.zones import display, joins_of, list_zones

TEXT_FIELDS = (
    "suc_description",
    "assumptions",
    "threat_environment",
    "policies",
    "regulatory",
)


def draft_of(session: Session, assessment: Assessment) -> CrsDraft:
    """The assessment's CRS draft (an empty, unsaved one until it is first saved)."""
    draft = session.exec(
        select(CrsDraft).where(CrsDraft.assessment_id == assessment.id)
    ).first()
    return draft or CrsDraft(assessment_id=assessment.id, version=0)


def save_draft(
    session: Session, assessment: Assessment, data: CrsInput, user: User
) -> CrsDraft:
    """Save the draft's words if nobody saved them in between.

    Raises StaleEdit (nothing written) otherwise. An approved version is never
    touched: the draft becomes the next version when it is approved.
    """
    draft = draft_of(session, assessment)
    if data.version != draft.version:
        raise StaleEdit(draft)
    changed = apply_changes(
        draft, data.model_dump(include=set(TEXT_FIELDS)), display, new=draft.id is None
    )
    if changed or draft.id is None:
        save_versioned(
            session, draft, data.version, user.id, lambda: draft_of(session, assessment)
        )
    return draft


def _decisions(session: Session, zone_ids: list[int]) -> dict[int, TargetDecision]:
    latest: dict[int, TargetDecision] = {}
    for decision in session.exec(
        select(TargetDecision)
        .where(col(TargetDecision.zone_id).in_(zone_ids))
        .order_by(TargetDecision.id)
    ):
        latest[decision.zone_id] = decision
    return latest


def document(session: Session, assessment: Assessment) -> dict[str, Any]:
    """The CRS as it stands, as plain data (what an approval freezes)."""
    zones = list_zones(session, assessment)
    ids = [z.id for z in zones]
    names = {z.id: z.name for z in zones}
    joins = joins_of(session, ids)
    decisions = _decisions(session, ids)
    initial = {
        row.zone.id if row.zone else None: row
        for row in risks.initial_rows(session, assessment, zones)
    }
    scenarios = risks.scenarios_of(session, ids)
    items = [as_item(r) for r in technical_requirements(session)]
    matrix = risks.matrix_of(session, assessment)
    draft = draft_of(session, assessment)
    organisation = session.get(Organisation, assessment.organisation_id)

    def zone_entry(zone) -> dict[str, Any]:
        decision = decisions.get(zone.id)
        row = initial.get(zone.id)
        return {
            "id": zone.id,
            "name": zone.name,
            "kind": zone.kind,
            "description": zone.description,
            "assets": zone.assets,
            "criticality": zone.criticality,
            "protocols": zone.protocols,
            "joins": [names[i] for i in joins.get(zone.id, []) if i in names],
            "sl_t": zone.sl_t,
            "suggested": decision.suggested if decision else None,
            "reasons": decision.reasons if decision else {},
            "initial_risk": row.score if row and row.entry else None,
            "scenarios": sum(1 for s in scenarios if s.zone_id == zone.id),
            "requirements": [i.id for i in required(items, zone.sl_t)],
        }

    system = initial.get(None)
    return {
        "organisation": organisation.name,
        "assessment": assessment.name,
        "built_at": utcnow().isoformat(timespec="seconds"),
        **{name: getattr(draft, name) for name in TEXT_FIELDS},
        "system_risk": system.score if system and system.entry else None,
        "tolerable": {
            "matrix_version": matrix.version,
            "tolerable": matrix.tolerable,
            "consequences": [c["name"] for c in matrix.consequences],
            "likelihoods": [c["name"] for c in matrix.likelihoods],
        },
        "zones": [zone_entry(z) for z in zones],
    }


def unassessed(session: Session, assessment: Assessment) -> list[str]:
    """What keeps the CRS from approval: the system without an initial assessment,
    and each zone or conduit without one, or above the tolerable line without threat
    scenarios and an SL-T decided from them."""
    missing = []
    zones = list_zones(session, assessment)
    decided = _decisions(session, [z.id for z in zones])
    scenarios = {s.zone_id for s in risks.scenarios_of(session, [z.id for z in zones])}
    for row in risks.initial_rows(session, assessment, zones):
        name = row.zone.name if row.zone else "the system under consideration"
        if row.entry is None:
            missing.append(f"{name}: no initial assessment")
        elif row.zone and row.above_line:
            if row.zone.id not in scenarios:
                missing.append(f"{name}: above the tolerable line, no threat scenario")
            elif row.zone.id not in decided:
                missing.append(f"{name}: no SL-T decided from its scenarios")
    return missing


def approve(
    session: Session,
    assessment: Assessment,
    data: CrsApproval,
    user: User,
    diagram_svg: str,
) -> CrsVersion:
    """Freeze the CRS as the next version with the asset owner's approval.

    Raises InvalidInput (nothing written) listing every zone not yet assessed, and
    Conflict when another approval took the same number at the same moment.
    """
    missing = unassessed(session, assessment)
    if missing:
        raise InvalidInput([Problem("zones", text) for text in missing])
    number = len(versions(session, assessment)) + 1
    version = CrsVersion(
        assessment_id=assessment.id,
        number=number,
        approved_by=data.approved_by,
        approved_on=data.approved_on,
        reference=data.reference,
        recorded_by=user.id,
        document=document(session, assessment) | {"diagram": diagram_svg},
    )
    session.add(version)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            f"Another approval was recorded as version {number} at the same moment; "
            "open the CRS again to see it."
        ) from None
    return version


def versions(session: Session, assessment: Assessment) -> list[CrsVersion]:
    return list(
        session.exec(
            select(CrsVersion)
            .where(CrsVersion.assessment_id == assessment.id)
            .order_by(col(CrsVersion.number).desc())
        )
    )


def get_version(session: Session, assessment: Assessment, number: int) -> CrsVersion:
    """An approved version of this assessment's CRS; NotFound for any other."""
    version = session.exec(
        select(CrsVersion).where(
            CrsVersion.assessment_id == assessment.id, CrsVersion.number == number
        )
    ).first()
    if version is None:
        raise NotFound(f"This assessment has no approved CRS version {number}.")
    return version
