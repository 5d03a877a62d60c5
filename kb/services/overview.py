"""An organisation's overview: every assessment with its headline figures and trend,
and the most recent changes, in a fixed number of queries however many there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from kb.models import Assessment, Organisation, Score, ScoreChange, Snapshot, User
from kb.services.assessments import list_assessments
from kb.services.register import scope_size
from kb.services.rollups import Figures, ScoreRow, figures


@dataclass
class Overview:
    assessment: Assessment
    figures: Figures
    # Share at target (0-100) at each snapshot, oldest first, then now.
    trend: list[float | None] = field(default_factory=list)


def _headline(scores: list[ScoreRow], in_scope: int, today: date) -> Figures:
    """Figures from the scored rows, the unscored ones counted as not assessed."""
    unscored = max(0, in_scope - len(scores))
    blank = ScoreRow("", "", "", None)
    return figures(scores + [blank] * unscored, today)


def overview(
    session: Session, org: Organisation, today: date, archived: bool = False
) -> list[Overview]:
    """Every active assessment of the organisation (and the archived ones when asked),
    newest first."""
    assessments = list_assessments(session, org, archived)
    ids = [a.id for a in assessments]
    rows: dict[int, list[ScoreRow]] = {i: [] for i in ids}
    for aid, applicable, current, target, due, status in session.exec(
        select(
            Score.assessment_id,
            Score.applicable,
            Score.current,
            Score.target,
            Score.due,
            Score.status,
        ).where(col(Score.assessment_id).in_(ids))
    ):
        rows[aid].append(
            ScoreRow("", "", "", None, applicable, current, target, due, status)
        )
    trends: dict[int, list[float | None]] = {i: [] for i in ids}
    for aid, headline in session.exec(
        select(Snapshot.assessment_id, Snapshot.headline)
        .where(col(Snapshot.assessment_id).in_(ids))
        .order_by(col(Snapshot.taken_at))
    ):
        trends[aid].append(_percent(headline.get("share_at_target")))
    sizes: dict[tuple, int] = {}
    out = []
    for assessment in assessments:
        parts = tuple(sorted(assessment.parts))
        if parts not in sizes:
            sizes[parts] = scope_size(session, assessment)
        headline = _headline(rows[assessment.id], sizes[parts], today)
        trend = trends[assessment.id] + [_percent(headline.share_at_target)]
        out.append(Overview(assessment, headline, trend))
    return out


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def recent_changes(
    session: Session, org: Organisation, limit: int = 10
) -> list[tuple[ScoreChange, Assessment, str | None]]:
    """The organisation's latest score changes, newest first, with who made them."""
    return list(
        session.exec(
            select(ScoreChange, Assessment, User.email)
            .join(Assessment, Assessment.id == ScoreChange.assessment_id)
            .join(User, User.id == ScoreChange.user_id, isouter=True)
            .where(Assessment.organisation_id == org.id)
            .order_by(col(ScoreChange.changed_at).desc(), col(ScoreChange.id).desc())
            .limit(limit)
        )
    )
