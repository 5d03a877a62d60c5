"""The assessment a view works on, found with the reader's access to it."""

from __future__ import annotations

from flask import g
from sqlmodel import Session

from kb.db import get_session
from kb.models import Assessment
from kb.services.accounts import Access
from kb.services.assessments import get_assessment


def load_assessment(
    assessment_id: int, need: str = "viewer"
) -> tuple[Session, Assessment, Access]:
    """The request's session, the assessment, and the reader's access to it. Raises
    NotFound or Forbidden as `get_assessment` does when the reader lacks `need`."""
    session = get_session()
    assessment, access = get_assessment(session, g.user, assessment_id, need)
    return session, assessment, access
