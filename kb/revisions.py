"""Every committed change to an organisation's records gives it a new revision.

Pages kept rendered (kb.web.fragments) are kept under the organisation's revision, so
they can never outlive a change. The rule lives in session events rather than in each
service, so no write can forget it: whatever a session adds, changes or deletes is traced
to its organisation, and the commit sets those organisations' revisions in the same
transaction as the change itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlmodel import Session

from kb.models import Assessment, Component, EvidenceItem, Organisation, Zone
from kb.models import new_revision as _new_revision

# How a record names its owner, nearest first: the organisation itself, or a parent.
_OWNERS: tuple[tuple[str, type | None], ...] = (
    ("organisation_id", None),
    ("assessment_id", Assessment),
    ("zone_id", Zone),
    ("conduit_id", Zone),
    ("component_id", Component),
    ("evidence_id", EvidenceItem),
)
_PENDING = "kb.revisions.pending"


def organisation_of(session: Session, record: Any) -> int | None:
    """The id of the organisation that `record` belongs to; None for shared records
    (the catalogue, users, login attempts)."""
    if isinstance(record, Organisation):
        return record.id
    for attribute, parent in _OWNERS:
        value = getattr(record, attribute, None)
        if value is None:
            continue
        if parent is None:
            return value
        owner = session.get(parent, value)
        return organisation_of(session, owner) if owner is not None else None
    return None


def changed(session: Session, *records: Any) -> None:
    """Note that `records` change in this transaction. The flush notes what it writes
    itself; a write that bypasses it (an UPDATE statement) calls this."""
    pending = session.info.setdefault(_PENDING, set())
    with session.no_autoflush:
        for record in records:
            org_id = organisation_of(session, record)
            if org_id is not None:
                pending.add(org_id)


def _note_changes(session: Session, _context, _instances) -> None:
    changed(session, *session.new, *session.dirty, *session.deleted)


def _set_revisions(session: Session) -> None:
    session.flush()
    pending = session.info.pop(_PENDING, set())
    if pending:
        session.execute(
            update(Organisation)
            .where(Organisation.id.in_(sorted(pending)))
            .values(revision=_new_revision())
            .execution_options(synchronize_session=False)
        )


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def watch() -> None:
    """Keep revisions in every session of the process (idempotent)."""
    for name, listener in (
        ("before_flush", _note_changes),
        ("before_commit", _set_revisions),
        ("after_rollback", _forget),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
