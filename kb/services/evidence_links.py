"""Evidence on register rows: which items an assessment's rows show, linking and
unlinking them, and the items a requirement's named evidence types suggest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from kb.errors import NotFound
from kb.models import (
    Assessment,
    ContentItem,
    ContentLink,
    EvidenceItem,
    EvidenceLink,
    Organisation,
    User,
)
from kb.services.evidence import EvidenceFilter, check_linkable, list_items, record
from kb.services.review import review_state


def link(
    session: Session,
    assessment: Assessment,
    requirement: ContentItem,
    item: EvidenceItem,
    user: User,
) -> None:
    """Show `item` on the register row of `requirement`; linking twice is a no-op.

    Raises NotFound for an item of another organisation, InvalidInput for a retired one.
    """
    check_linkable(item, assessment.organisation_id)
    key = (item.id, assessment.id, requirement.id)
    if session.get(EvidenceLink, key) is None:
        session.add(
            EvidenceLink(
                evidence_id=item.id,
                assessment_id=assessment.id,
                requirement_id=requirement.id,
                linked_by=user.id,
            )
        )
        record(
            session,
            item,
            {"linked to": ("", f"{requirement.id} in {assessment.name}")},
            user,
            "",
        )


def unlink(
    session: Session,
    assessment: Assessment,
    requirement: ContentItem,
    item: EvidenceItem,
    user: User,
) -> None:
    """Take `item` off the register row; NotFound when it was not on it."""
    found = session.get(EvidenceLink, (item.id, assessment.id, requirement.id))
    if found is None:
        raise NotFound("That evidence item is not linked to this requirement.")
    session.delete(found)
    record(
        session,
        item,
        {"linked to": (f"{requirement.id} in {assessment.name}", "")},
        user,
        "",
    )


@dataclass
class OnRow:
    """An evidence item as a register row shows it."""

    item: EvidenceItem
    state: str | None


def linked_items(
    session: Session,
    assessment: Assessment,
    today: date,
    requirement_id: str | None = None,
) -> dict[str, list[OnRow]]:
    """Items on the assessment's register rows, by requirement id, in one query."""
    query = (
        select(EvidenceLink.requirement_id, EvidenceItem)
        .join(EvidenceItem, EvidenceItem.id == EvidenceLink.evidence_id)
        .where(
            EvidenceLink.assessment_id == assessment.id,
            col(EvidenceItem.retired).is_(False),
        )
        .order_by(EvidenceItem.title)
    )
    if requirement_id:
        query = query.where(EvidenceLink.requirement_id == requirement_id)
    out: dict[str, list[OnRow]] = {}
    for requirement, item in session.exec(query):
        state = review_state(item.next_review, item.status, item.retired, today)
        out.setdefault(requirement, []).append(OnRow(item, state))
    return out


def rows_of(
    session: Session, item: EvidenceItem
) -> list[tuple[Assessment, ContentItem]]:
    """The register rows (assessment, requirement) that show the item."""
    return list(
        session.exec(
            select(Assessment, ContentItem)
            .join(EvidenceLink, EvidenceLink.assessment_id == Assessment.id)
            .join(ContentItem, ContentItem.id == EvidenceLink.requirement_id)
            .where(EvidenceLink.evidence_id == item.id)
            .order_by(Assessment.name, ContentItem.sort_key)
        )
    )


def suggestions(
    session: Session,
    org: Organisation,
    requirement: ContentItem,
    exclude: list[int],
    limit: int = 50,
) -> list[EvidenceItem]:
    """The organisation's live items of the evidence types the requirement names."""
    types = select(ContentLink.target_id).where(
        ContentLink.source_id == requirement.id, ContentLink.relation == "evidence"
    )
    return list(
        session.exec(
            select(EvidenceItem)
            .where(
                EvidenceItem.organisation_id == org.id,
                col(EvidenceItem.retired).is_(False),
                EvidenceItem.status != "superseded",
                col(EvidenceItem.type).in_(types),
                col(EvidenceItem.id).not_in(exclude),
            )
            .order_by(EvidenceItem.title)
            .limit(limit)
        )
    )


def named_types(session: Session, requirement: ContentItem) -> list[tuple[str, str]]:
    """(id, title) of the evidence types the requirement names."""
    return list(
        session.exec(
            select(ContentItem.id, ContentItem.title)
            .join(ContentLink, ContentLink.target_id == ContentItem.id)
            .where(
                ContentLink.source_id == requirement.id,
                ContentLink.relation == "evidence",
            )
            .order_by(ContentItem.title)
        )
    )


def items_with_requirements(
    session: Session, org: Organisation, today: date
) -> list[tuple[EvidenceItem, str | None, list[str]]]:
    """Every live item of the organisation by title, with its review state and the
    requirements it is on in any assessment, in two queries."""
    listed = list_items(session, org, EvidenceFilter(sort="title"), 100_000, today).rows
    on: dict[int, set[str]] = {}
    for evidence_id, requirement_id in session.exec(
        select(EvidenceLink.evidence_id, EvidenceLink.requirement_id)
        .join(EvidenceItem, EvidenceItem.id == EvidenceLink.evidence_id)
        .where(EvidenceItem.organisation_id == org.id)
    ):
        on.setdefault(evidence_id, set()).add(requirement_id)
    return [(e.item, e.state, sorted(on.get(e.item.id, ()))) for e in listed]
