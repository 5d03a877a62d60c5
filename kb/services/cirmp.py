"""The Australian CIRMP annual evidence pack of an assessment, for one financial year:
maturity per control area against target, the four CIRMP hazard groups with the
requirements and evidence that address each (from the XW-CIRMP crosswalk), the evidence
register, the changes made during the year, and the board's approval record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from kb.errors import InvalidInput, Problem
from kb.models import (
    Assessment,
    ContentItem,
    CrosswalkPair,
    EvidenceItem,
    Organisation,
    Score,
    ScoreChange,
    User,
)
from kb.services import dashboard
from kb.services.evidence_links import OnRow, items_with_requirements, linked_items
from kb.services.rollups import Figures

CROSSWALK = "XW-CIRMP"
HAZARDS = (
    "Cyber and information security hazards",
    "Personnel hazards",
    "Supply chain hazards",
    "Physical security hazards and natural hazards",
)
FIRST_YEAR = 2024  # the first annual report covered 1 July 2023 to 30 June 2024


def financial_year(value: str | None, today: date) -> int:
    """The financial year asked for (named by the year it ends in), or the last one
    that has ended. Raises InvalidInput for anything else."""
    latest = today.year if today.month >= 7 else today.year - 1
    if value in (None, ""):
        return latest
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= latest + 1:
        raise InvalidInput(
            [
                Problem(
                    "year",
                    f"{value!r} is not a financial year here; give the year it ends in, "
                    f"from {FIRST_YEAR} to {latest + 1} (2026 means 1 July 2025 to "
                    "30 June 2026)",
                )
            ]
        )
    return int(value)


@dataclass
class HazardRow:
    requirement: ContentItem
    relation: str
    their_title: str
    in_scope: bool  # the requirement's part is assessed here
    score: Score | None
    evidence: list[OnRow]

    @property
    def standing(self) -> str:
        """Where the assessment stands on it, in words."""
        if not self.in_scope:
            return "not in this assessment's parts"
        if self.requirement.part == "62443-3-3":
            return "assessed per zone (see the Zones sheet of the assessment)"
        score = self.score
        if score is None or score.current is None:
            return "not assessed"
        if not score.applicable:
            return f"not applicable: {score.na_reason}"
        target = f" of target {score.target}" if score.target is not None else ""
        return f"level {score.current}{target}, {score.status}"


@dataclass
class Pack:
    org: Organisation
    assessment: Assessment
    year: int
    start: date
    end: date
    areas: dict[str, Figures]
    whole: Figures
    hazards: dict[str, list[HazardRow]]
    evidence: list[tuple[EvidenceItem, str | None, list[str]]]  # item, review, on
    changes: list[tuple[ScoreChange, str | None]]

    @property
    def period(self) -> str:
        return f"1 July {self.year - 1} to 30 June {self.year}"


def pack(
    session: Session, assessment: Assessment, org: Organisation, year: int, today: date
) -> Pack:
    """Everything the pack shows, in a fixed number of queries."""
    start, end = date(year - 1, 7, 1), date(year, 6, 30)
    rows, _requirements = dashboard.score_rows(session, assessment)
    rollups = dashboard.rollups(rows, [], today)
    scores = {
        s.requirement_id: s
        for s in session.exec(select(Score).where(Score.assessment_id == assessment.id))
    }
    linked = linked_items(session, assessment, today)
    hazards: dict[str, list[HazardRow]] = {name: [] for name in HAZARDS}
    for pair, requirement in session.exec(
        select(CrosswalkPair, ContentItem)
        .join(ContentItem, ContentItem.id == CrosswalkPair.requirement_id)
        .where(CrosswalkPair.crosswalk_id == CROSSWALK)
        .order_by(ContentItem.sort_key)
    ):
        if pair.their_id in hazards:
            hazards[pair.their_id].append(
                HazardRow(
                    requirement,
                    pair.relation,
                    pair.their_title,
                    requirement.part in assessment.parts,
                    scores.get(requirement.id),
                    linked.get(requirement.id, []),
                )
            )
    evidence = items_with_requirements(session, org, today)
    changes = list(
        session.exec(
            select(ScoreChange, User.email)
            .join(User, User.id == ScoreChange.user_id, isouter=True)
            .where(
                ScoreChange.assessment_id == assessment.id,
                col(ScoreChange.changed_at) >= datetime.combine(start, time(), UTC),
                col(ScoreChange.changed_at)
                < datetime.combine(date(year, 7, 1), time(), UTC),
            )
            .order_by(col(ScoreChange.changed_at), col(ScoreChange.id))
        )
    )
    return Pack(
        org,
        assessment,
        year,
        start,
        end,
        rollups.areas,
        rollups.assessment,
        hazards,
        evidence,
        changes,
    )
