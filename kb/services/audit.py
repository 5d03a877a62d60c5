"""An organisation's audit log: append-only events for its admins. Services add and
flush; the caller commits, so an event is kept only with the change it records."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from kb.models import AuditEvent, Membership, Organisation, User
from kb.vocabulary import AUDIT_ACTIONS


def record(
    session: Session,
    org_ids: list[int],
    user: User | None,
    action: str,
    target: str = "",
    address: str = "",
    **detail,
) -> None:
    """One event per organisation of `org_ids`."""
    assert action in AUDIT_ACTIONS, action
    for org_id in org_ids:
        session.add(
            AuditEvent(
                organisation_id=org_id,
                user_id=user.id if user else None,
                actor=user.email if user else "",
                address=address or "",
                action=action,
                target=target[:300],
                detail=detail,
            )
        )
    session.flush()


def organisations_of(session: Session, user: User) -> list[int]:
    """The organisations a user's own events (logins, tokens) are recorded in."""
    return list(
        session.exec(
            select(Membership.organisation_id).where(Membership.user_id == user.id)
        )
    )


def events(
    session: Session,
    org: Organisation,
    *,
    action: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEvent], int]:
    """One page of the organisation's events, newest first, and how many there are."""
    query = select(AuditEvent).where(AuditEvent.organisation_id == org.id)
    if action:
        query = query.where(AuditEvent.action == action)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    query = query.order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query)), total
