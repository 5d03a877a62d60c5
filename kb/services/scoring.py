"""Saving one register row's score with its history, group targets, and the history of
changes. Services add and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from kb.errors import NotFound, StaleEdit
from kb.models import Assessment, ContentItem, Score, ScoreChange, User
from kb.schemas import ScoreUpdate
from kb.services.changes import apply_changes, record_changes, save_versioned
from kb.services.register import SCORED_FIELDS, RegisterFilter, Row, register
from kb.vocabulary import LEVEL_NAMES


def score_values(score: Score | None) -> dict:
    """A score's fields as a person edits them (read attribute by attribute: an expired
    row reloads, where model_dump would miss them); {} for a row never saved."""
    return {name: getattr(score, name) for name in SCORED_FIELDS} if score else {}


def score_of(
    session: Session, assessment: Assessment, requirement_id: str
) -> Score | None:
    return session.exec(
        select(Score).where(
            Score.assessment_id == assessment.id, Score.requirement_id == requirement_id
        )
    ).first()


def display(field_name: str, value) -> str:
    """How a stored value reads in history and messages."""
    if value is None or value == "":
        return ""
    if field_name in ("current", "target"):
        return f"{value} {LEVEL_NAMES[value]}"
    if field_name == "applicable":
        return "yes" if value else "no"
    return str(value)


NOT_READ = object()  # update_score reads the row itself


def update_score(
    session: Session,
    assessment: Assessment,
    requirement: ContentItem,
    data: ScoreUpdate,
    user: User,
    score: Score | None | object = NOT_READ,
) -> Score:
    """Apply one person's edit if it is based on the stored version; record each change.
    `score` is the row as the caller read it in this transaction, if it did.

    Raises StaleEdit when someone saved the row in between, even at the same moment;
    the session is then rolled back and nothing is written.
    """
    if score is NOT_READ:
        score = score_of(session, assessment, requirement.id)
    stored_version = score.version if score else 0
    if data.version != stored_version:
        raise StaleEdit(score)
    if score is None:
        score = Score(
            assessment_id=assessment.id, requirement_id=requirement.id, version=0
        )
    new = data.model_dump(include=set(SCORED_FIELDS))
    if new["applicable"]:
        new["na_reason"] = ""
    changed = apply_changes(score, new, display, new=score.id is None)
    if not changed and score.id is not None:
        return score
    save_versioned(
        session,
        score,
        stored_version,
        user.id,
        lambda: score_of(session, assessment, requirement.id),
    )
    record_changes(
        session,
        ScoreChange,
        changed,
        score_id=score.id,
        assessment_id=assessment.id,
        requirement_id=requirement.id,
        user_id=user.id,
        reason=data.reason or "",
    )
    return score


def group_rows(
    session: Session, assessment: Assessment, group: str, group_by: str
) -> list[Row]:
    """The rows of one group of the register; NotFound when there is no such group."""
    rows = [
        row
        for g in register(session, assessment, RegisterFilter(group_by=group_by))
        if g.key == group
        for row in g.rows
    ]
    if not rows:
        raise NotFound(f"There is no group '{group}' in this register.")
    return rows


def set_group_target(
    session: Session,
    assessment: Assessment,
    group: str,
    target: int,
    user: User,
    rows: list[Row],
) -> int:
    """Set `target` on `rows` of `group` (from its TargetPlan); return how many."""
    for row in rows:
        score = row.score
        base = score_values(score)
        update = ScoreUpdate.model_validate(
            {
                **base,
                "target": target,
                "version": score.version if score else 0,
                "reason": f"target set for the whole of {group}",
            }
        )
        update_score(session, assessment, row.requirement, update, user)
    return len(rows)


@dataclass
class HistoryFilter:
    requirement: str | None = None
    field: str | None = None
    user: str | None = None


def history(
    session: Session, assessment: Assessment, filters: HistoryFilter, limit: int = 500
) -> list[tuple[ScoreChange, str | None]]:
    """Changes newest first, with the email of who made them."""
    query = (
        select(ScoreChange, User.email)
        .join(User, ScoreChange.user_id == User.id, isouter=True)
        .where(ScoreChange.assessment_id == assessment.id)
    )
    if filters.requirement:
        query = query.where(ScoreChange.requirement_id == filters.requirement)
    if filters.field:
        query = query.where(ScoreChange.field == filters.field)
    if filters.user:
        query = query.where(User.email == filters.user)
    query = query.order_by(
        col(ScoreChange.changed_at).desc(), col(ScoreChange.id).desc()
    )
    return list(session.exec(query.limit(limit)))
