"""Record an audit event from a view: who (the logged-in user) and from where (the
request's address) come from the request."""

from __future__ import annotations

from flask import g, request
from sqlmodel import Session

from kb.models import Organisation, User
from kb.services import audit


def note(
    session: Session,
    action: str,
    target: str = "",
    *,
    org: Organisation | None = None,
    user: User | None = None,
    **detail,
) -> None:
    """Record `action` in `org`, or in every organisation of the user when none is
    given (logins, tokens). The caller commits."""
    user = user or g.get("user")
    org_ids = [org.id] if org else audit.organisations_of(session, user)
    if g.get("api_token") is not None:
        detail["token"] = g.api_token.name
    audit.record(
        session, org_ids, user, action, target, request.remote_addr or "", **detail
    )


def import_applied(session: Session, org: Organisation, run, **counts) -> None:
    """Record an applied import run (a workbook, a table, an evidence list)."""
    note(session, "import applied", run.filename, org=org, run=run.id, **counts)
