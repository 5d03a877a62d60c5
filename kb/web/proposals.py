"""A provider's proposal for a client's assessment: the open gaps, the offerings that
address each, and the ranked suggestion (page, printable, and workbook)."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import login_required

from importers.providers import proposal_workbook
from kb.models import utcnow
from kb.services.proposal import RULE, proposal_for
from kb.web.access import load_assessment
from kb.web.fragments import kept
from kb.web.workbooks import xlsx_response

bp = Blueprint("proposals", __name__, url_prefix="/assessments/<int:assessment_id>")


def _load(assessment_id: int):
    session, assessment, access = load_assessment(assessment_id)
    found = kept(
        access.org,
        ("proposal", assessment.id),
        lambda: proposal_for(session, assessment),
    )
    return assessment, access, found


@bp.get("/proposal")
@login_required
def show(assessment_id: int):
    """The gaps, the offerings for each, and the fewest offerings that close the most."""
    assessment, access, proposal = _load(assessment_id)
    return render_template(
        "proposals/show.html",
        assessment=assessment,
        access=access,
        proposal=proposal,
        rule=RULE,
        now=utcnow(),
    )


@bp.get("/proposal.xlsx")
@login_required
def workbook(assessment_id: int):
    """The same proposal as a workbook: About, Suggestion, Gaps."""
    assessment, access, proposal = _load(assessment_id)
    data = proposal_workbook(
        proposal, access.org.name, assessment.name, g.user.email, utcnow()
    )
    return xlsx_response(data, f"proposal-assessment-{assessment.id}.xlsx", access.org)
