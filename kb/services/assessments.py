"""Assessments of an organisation: create, find, rename, archive, duplicate. Their
register (scores per requirement) is in kb.services.register, saving a score in
kb.services.scoring."""

from __future__ import annotations

from sqlmodel import Session, col, select

from kb.errors import NotFound
from kb.models import Assessment, Membership, Organisation, Score, User
from kb.schemas import AssessmentCreate
from kb.services.accounts import Access, grant, membership_of


def list_assessments(
    session: Session, org: Organisation, archived: bool = False
) -> list[Assessment]:
    statuses = ("active", "archived") if archived else ("active",)
    return list(
        session.exec(
            select(Assessment)
            .where(
                Assessment.organisation_id == org.id,
                col(Assessment.status).in_(statuses),
            )
            .order_by(col(Assessment.created_at).desc())
        )
    )


def create_assessment(
    session: Session, org: Organisation, data: AssessmentCreate
) -> Assessment:
    assessment = Assessment(organisation_id=org.id, **data.model_dump())
    session.add(assessment)
    session.flush()
    return assessment


def get_assessment(
    session: Session, user: User | None, assessment_id: int, need: str = "viewer"
) -> tuple[Assessment, Access]:
    """Load an assessment the user may reach; NotFound hides other organisations' ones."""
    found = session.exec(
        select(Assessment, Organisation, Membership.role)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .outerjoin(Membership, membership_of(user))
        .where(Assessment.id == assessment_id)
    ).first()
    if found is None:
        raise NotFound(f"There is no assessment {assessment_id}.")
    assessment, org, role = found
    try:
        return assessment, grant(org, user, role, need)
    except NotFound:
        raise NotFound(f"There is no assessment {assessment_id}.") from None


def rename(session: Session, assessment: Assessment, name: str) -> None:
    assessment.name = name
    session.add(assessment)


def set_archived(session: Session, assessment: Assessment, archived: bool) -> None:
    assessment.status = "archived" if archived else "active"
    session.add(assessment)


def duplicate(session: Session, assessment: Assessment, user: User) -> Assessment:
    """Start a new assessment from this one's scores (next year's from this year's)."""
    copy = Assessment(
        organisation_id=assessment.organisation_id,
        name=f"{assessment.name} (copy)",
        scope=assessment.scope,
        parts=list(assessment.parts),
        assessed_on=None,
    )
    session.add(copy)
    session.flush()
    for score in session.exec(
        select(Score).where(Score.assessment_id == assessment.id)
    ):
        values = score.model_dump(
            exclude={"id", "assessment_id", "version", "updated_at", "updated_by"}
        )
        session.add(Score(assessment_id=copy.id, updated_by=user.id, **values))
    session.flush()
    return copy
