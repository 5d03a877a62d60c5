"""An assessment's dashboard: reads the register, the zones, the components and the
evidence, and hands the rows to the pure roll-ups of kb.services.rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from kb.models import Assessment, ContentItem, Organisation
from kb.services import components, zone_states
from kb.services import evidence as evidence_service
from kb.services.register import RegisterFilter, register
from kb.services.rollups import (
    Figures,
    FrFigures,
    ScoreRow,
    figures,
    fr_rollup,
    largest_gaps,
    level_counts,
    rollup,
)


def score_rows(
    session: Session, assessment: Assessment
) -> tuple[list[ScoreRow], dict[str, ContentItem]]:
    """Every register row as a ScoreRow, and the requirements by id (for titles)."""
    rows, requirements = [], {}
    for group in register(session, assessment, RegisterFilter(group_by="function")):
        for row in group.rows:
            requirements[row.requirement.id] = row.requirement
            rows.append(row.as_score_row)
    return rows, requirements


@dataclass
class Rollups:
    assessment: Figures
    areas: dict[str, Figures]
    functions: dict[str, Figures]
    parts: dict[str, Figures]
    frs: list[FrFigures]

    def as_dict(self) -> dict:
        return {
            "assessment": self.assessment.as_dict(),
            "areas": {k: v.as_dict() for k, v in self.areas.items()},
            "functions": {k: v.as_dict() for k, v in self.functions.items()},
            "parts": {k: v.as_dict() for k, v in self.parts.items()},
            "frs": [vars(fr) | {"fr": n} for n, fr in enumerate(self.frs, start=1)],
        }


def rollups(
    rows: list[ScoreRow], vectors: list[tuple[list[int], list[int]]], today: date
) -> Rollups:
    """Every roll-up of the dashboard and the API, from the rows alone."""
    return Rollups(
        assessment=figures(rows, today),
        areas=rollup(rows, lambda r: r.area, today),
        functions=rollup(rows, lambda r: r.function, today),
        parts=rollup(rows, lambda r: r.part, today),
        frs=fr_rollup(vectors),
    )


@dataclass
class Dashboard:
    rollups: Rollups
    gaps: list[tuple[ScoreRow, ContentItem]]
    heatmap: dict[str, list[int]]
    zones: list[zone_states.VectorRow]
    components: list[components.ComponentSummary]
    evidence_due: list[evidence_service.Listed]
    evidence_overdue: int


def dashboard(
    session: Session, assessment: Assessment, org: Organisation, today: date
) -> Dashboard:
    """Everything the dashboard page shows, in a fixed number of queries."""
    rows, requirements = score_rows(session, assessment)
    zones = zone_states.vector_table(session, assessment)
    vectors = [(z.derived.sl_t, z.derived.sl_a) for z in zones]
    due = evidence_service.list_items(
        session,
        org,
        evidence_service.EvidenceFilter(review="due"),
        10,
        today,
    )
    overdue = evidence_service.list_items(
        session,
        org,
        evidence_service.EvidenceFilter(review="overdue"),
        10,
        today,
    )
    return Dashboard(
        rollups=rollups(rows, vectors, today),
        gaps=[(r, requirements[r.requirement_id]) for r in largest_gaps(rows)],
        heatmap=level_counts(rows, lambda r: r.area),
        zones=zones,
        components=components.vector_table(session, assessment),
        evidence_due=overdue.rows + due.rows,
        evidence_overdue=overdue.total,
    )
