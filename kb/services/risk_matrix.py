"""An organisation's risk matrix for 62443-3-2: consequence and likelihood scales with
plain descriptions and a tolerable-risk line, versioned so that an assessment keeps the
matrix it was assessed with. Services add and flush; the caller commits."""

from __future__ import annotations

from sqlmodel import Session, col, select

from kb.errors import InvalidInput, Problem
from kb.models import Assessment, RiskMatrix

# csms-kb's starting matrix, in our own words; an organisation's admins change it.
DEFAULT_CONSEQUENCES = [
    {
        "name": "Minor",
        "safety": "first aid at most",
        "environment": "contained on site, no report needed",
        "production": "under an hour lost",
        "finance": "below 10 k",
        "reputation": "noticed inside the company only",
    },
    {
        "name": "Moderate",
        "safety": "an injury needing medical treatment",
        "environment": "a reportable release, cleaned up on site",
        "production": "up to a shift lost",
        "finance": "10 k to 100 k",
        "reputation": "local news or a customer complaint",
    },
    {
        "name": "Serious",
        "safety": "a lost-time injury",
        "environment": "a release off site with short-term harm",
        "production": "up to a week lost",
        "finance": "100 k to 1 M",
        "reputation": "regional news, a regulator asks questions",
    },
    {
        "name": "Major",
        "safety": "a permanent injury",
        "environment": "lasting harm off site",
        "production": "up to a month lost",
        "finance": "1 M to 10 M",
        "reputation": "national news, a regulator investigates",
    },
    {
        "name": "Catastrophic",
        "safety": "one or more deaths",
        "environment": "widespread, long-term harm",
        "production": "more than a month lost, or the site closes",
        "finance": "above 10 M",
        "reputation": "lasting loss of licence or trust",
    },
]
DEFAULT_LIKELIHOODS = [
    {"name": "Rare", "description": "not expected in the life of the system"},
    {"name": "Unlikely", "description": "once in 10 to 30 years"},
    {"name": "Possible", "description": "once in 3 to 10 years"},
    {"name": "Likely", "description": "about once a year to once in 3 years"},
    {"name": "Almost certain", "description": "more than once a year"},
]
DEFAULT_TOLERABLE = 6


def current_matrix(session: Session, organisation_id: int) -> RiskMatrix:
    """The organisation's latest risk matrix; csms-kb's default, unsaved (version 0),
    while it has none."""
    matrix = session.exec(
        select(RiskMatrix)
        .where(RiskMatrix.organisation_id == organisation_id)
        .order_by(col(RiskMatrix.version).desc())
    ).first()
    return matrix or RiskMatrix(
        organisation_id=organisation_id,
        version=0,
        consequences=DEFAULT_CONSEQUENCES,
        likelihoods=DEFAULT_LIKELIHOODS,
        tolerable=DEFAULT_TOLERABLE,
    )


def matrix_of(
    session: Session, assessment: Assessment, pin: bool = False
) -> RiskMatrix:
    """The matrix the assessment's risk assessment uses: the one it started with, or
    the organisation's current one. `pin` (on a write) makes the assessment keep it,
    saving the default as version 1 when the organisation has none yet."""
    if assessment.risk_matrix_id is not None:
        return session.get(RiskMatrix, assessment.risk_matrix_id)
    matrix = current_matrix(session, assessment.organisation_id)
    if pin:
        if matrix.id is None:
            matrix.version = 1
            session.add(matrix)
            session.flush()
        assessment.risk_matrix_id = matrix.id
        session.add(assessment)
        session.flush()
    return matrix


def save_matrix(
    session: Session,
    organisation_id: int,
    consequences: list[dict],
    likelihoods: list[dict],
    tolerable: int | None,
    user_id: int,
) -> RiskMatrix:
    """A new version of the organisation's matrix (assessments keep theirs).

    Raises InvalidInput (nothing written) for a level without a name, fewer than two
    levels on a scale, or a tolerable line that is missing or outside the matrix.
    """
    problems = []
    for scale, levels in (("consequence", consequences), ("likelihood", likelihoods)):
        if len(levels) < 2:
            problems.append(Problem(scale, "a scale needs at least two levels"))
        for number, level in enumerate(levels, start=1):
            if not str(level.get("name") or "").strip():
                problems.append(
                    Problem(f"{scale}_{number}_name", "give the level a name")
                )
    top = len(consequences) * len(likelihoods)
    if tolerable is None:
        problems.append(
            Problem("tolerable", "set the tolerable line: the highest tolerable risk")
        )
    elif not 1 <= tolerable < top:
        problems.append(
            Problem(
                "tolerable", f"{tolerable} is outside the matrix; use 1 to {top - 1}"
            )
        )
    if problems:
        raise InvalidInput(problems)
    latest = current_matrix(session, organisation_id)
    matrix = RiskMatrix(
        organisation_id=organisation_id,
        version=latest.version + 1,
        created_by=user_id,
        consequences=consequences,
        likelihoods=likelihoods,
        tolerable=tolerable,
    )
    session.add(matrix)
    session.flush()
    return matrix


def versions(session: Session, organisation_id: int) -> list[RiskMatrix]:
    return list(
        session.exec(
            select(RiskMatrix)
            .where(RiskMatrix.organisation_id == organisation_id)
            .order_by(col(RiskMatrix.version).desc())
        )
    )
