"""One row of an assessment's register: as it reads, its edit form with the scoring
guidance, saving it (with the conflict view when someone saved in between), and the
evidence items shown on it."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, render_template, request, url_for
from flask_login import login_required
from htmx_flask import make_response as htmx_response

from kb.db import get_session
from kb.errors import StaleEdit
from kb.models import Score, utcnow
from kb.schemas import EvidenceLinkInput, ScoreUpdate
from kb.services import evidence as evidence_service
from kb.services import evidence_links, scoring, snapshots
from kb.services import register as register_service
from kb.web.access import load_assessment
from kb.web.forms import parse, parse_or_raise
from kb.web.htmx import is_fragment_request, render, see_other

bp = Blueprint("scores", __name__, url_prefix="/assessments/<int:assessment_id>/scores")


def _row_context(assessment_id: int, key: str, need: str = "viewer"):
    session, assessment, access = load_assessment(assessment_id, need)
    requirement = register_service.requirement_in_scope(session, assessment, key)
    score = scoring.score_of(session, assessment, requirement.id)
    linked = evidence_links.linked_items(
        session, assessment, date.today(), requirement.id
    )
    row = register_service.Row(
        requirement, score, requirement.area_id, linked.get(requirement.id, [])
    )
    return assessment, access, row


def _picker(assessment, access, row) -> dict:
    """What the evidence picker of a row's edit form offers."""
    session = get_session()
    return {
        "suggested": evidence_links.suggestions(
            session,
            access.org,
            row.requirement,
            exclude=[linked.item.id for linked in row.evidence],
        ),
        "named_types": evidence_links.named_types(session, row.requirement),
    }


@bp.get("/<key>")
@login_required
def row(assessment_id: int, key: str):
    """One register row as it reads (used to cancel an edit)."""
    assessment, access, row = _row_context(assessment_id, key)
    return render(
        "assessments/row.html",
        "assessments/_row.html",
        assessment=assessment,
        access=access,
        row=row,
    )


@bp.get("/<key>/edit")
@login_required
def edit(assessment_id: int, key: str):
    """The edit form of one row, with the requirement's scoring guidance beside it."""
    assessment, access, row = _row_context(assessment_id, key, "editor")
    return render(
        "assessments/edit.html",
        "assessments/_row_edit.html",
        assessment=assessment,
        access=access,
        row=row,
        form=_form_of(row.score),
        errors={},
        **_picker(assessment, access, row),
    )


def _form_of(score: Score | None) -> dict:
    if score is None:
        return {"version": 0, "applicable": "true", "status": "not started"}
    values = score.model_dump()
    values["applicable"] = "true" if score.applicable else "false"
    return values


@bp.post("/<key>")
@login_required
def update(assessment_id: int, key: str):
    """Save one row if nobody saved it in between; otherwise show both versions."""
    assessment, access, row = _row_context(assessment_id, key, "editor")
    context = {"assessment": assessment, "access": access, "row": row}
    data = parse(ScoreUpdate, request.form)
    if isinstance(data, dict):
        return render(
            "assessments/edit.html",
            "assessments/_row_edit.html",
            status=422,
            form=request.form,
            errors=data,
            **context,
            **_picker(assessment, access, row),
        )
    session = get_session()
    try:
        snapshots.monthly(session, assessment, g.user, utcnow())
        row.score = scoring.update_score(
            session, assessment, row.requirement, data, g.user, row.score
        )
    except StaleEdit as stale:
        session.rollback()
        return render(
            "assessments/edit.html",
            "assessments/_row_conflict.html",
            status=409,
            form=request.form,
            theirs=stale.current,
            retry=_form_of(stale.current)
            | dict(request.form.items())
            | {"version": stale.current.version if stale.current else 0},
            errors={},
            **context,
        )
    # The saved row is rendered before the commit, which would expire what it shows.
    saved_row = render_template("assessments/_row.html", **context)
    requirement_id, slug = row.requirement.id, row.requirement.slug
    session.commit()
    if not is_fragment_request():
        return see_other(
            url_for("assessments.show", assessment_id=assessment.id) + f"#row-{slug}"
        )
    response = htmx_response(saved_row, trigger={"scoreSaved": requirement_id})
    response.vary.add("HX-Request")
    return response


def _evidence_changed(assessment, access, row):
    """After a link or unlink: the row's evidence section for htmx, else the edit page."""
    if not is_fragment_request():
        return see_other(
            url_for(
                "scores.edit",
                assessment_id=assessment.id,
                key=row.requirement.slug,
            )
        )
    return render(
        "assessments/edit.html",
        "assessments/_row_evidence.html",
        assessment=assessment,
        access=access,
        row=row,
        **_picker(assessment, access, row),
    )


@bp.post("/<key>/evidence")
@login_required
def link_evidence(assessment_id: int, key: str):
    """Show one of the organisation's evidence items on this register row."""
    assessment, access, row = _row_context(assessment_id, key, "editor")
    session = get_session()
    data = parse_or_raise(EvidenceLinkInput, request.form)
    item = evidence_service.get_item(session, access.org, data.evidence_id)
    evidence_links.link(session, assessment, row.requirement, item, g.user)
    session.commit()
    assessment, access, row = _row_context(assessment_id, key, "editor")
    return _evidence_changed(assessment, access, row)


@bp.post("/<key>/evidence/<int:evidence_id>/delete")
@login_required
def unlink_evidence(assessment_id: int, key: str, evidence_id: int):
    """Take an evidence item off this register row (the item itself stays)."""
    assessment, access, row = _row_context(assessment_id, key, "editor")
    session = get_session()
    item = evidence_service.get_item(session, access.org, evidence_id)
    evidence_links.unlink(session, assessment, row.requirement, item, g.user)
    session.commit()
    assessment, access, row = _row_context(assessment_id, key, "editor")
    return _evidence_changed(assessment, access, row)
