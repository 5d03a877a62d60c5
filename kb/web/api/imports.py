"""Workbook imports for automation: preview (201 with the plan, or 422 with every
problem as {sheet, cell, message}) and apply (409 when a row moved since)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, request
from flask_login import login_required

from kb.db import get_session
from kb.errors import InvalidInput, Problem
from kb.models import utcnow
from kb.services import assessments as assessment_service
from kb.services import imports as service
from kb.services import snapshots
from kb.web.api import bp
from kb.web.api.responses import ImportRunOut
from kb.web.api.spec import documented
from kb.web.auditing import import_applied
from kb.web.errors import problem_response
from kb.web.forms import uploaded_file


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _problem(problem: Problem) -> dict:
    sheet, _, cell = problem.where.partition("!")
    if problem.where == "file":
        sheet = cell = None
    return {"sheet": sheet, "cell": cell or None, "message": problem.message}


def _run_json(run) -> dict:
    plan = service.plan_of(run)
    return {
        "id": run.id,
        "filename": run.filename,
        "sha256": run.sha256,
        "status": run.status,
        "applied": run.applied,
        "changes": [
            {
                "requirement": c.requirement_id,
                "field": c.field,
                "old": _plain(c.old),
                "new": _plain(c.new),
            }
            for c in plan.changes
        ],
        "conflicts": [
            {
                "requirement": c.requirement_id,
                "field": c.field,
                "app": _plain(c.app),
                "file": _plain(c.file),
            }
            for c in plan.conflicts
        ],
        "zone_changes": [
            {
                "zone": c.zone_id,
                "requirement": c.requirement_id,
                "old": c.old,
                "new": c.new,
            }
            for c in plan.states
        ],
        "zone_conflicts": [
            {
                "zone": c.zone_id,
                "requirement": c.requirement_id,
                "app": c.app,
                "file": c.file,
            }
            for c in plan.state_conflicts
        ],
        "problems": [],
    }


@bp.post("/assessments/<int:assessment_id>/imports")
@login_required
@documented(response=ImportRunOut, status=201)
def import_preview(assessment_id: int):
    """Read a workbook (the multipart field `file`) and keep its plan; nothing is
    saved to the register until the run is applied."""
    session = get_session()
    assessment, access = assessment_service.get_assessment(
        session, g.user, assessment_id, "editor"
    )
    try:
        sent = uploaded_file()
        if sent is None:
            raise InvalidInput(
                [Problem("file", "send the workbook as the field 'file'")]
            )
        run = service.preview(
            session, assessment, access.org, sent.data, sent.filename, g.user
        )
    except InvalidInput as error:
        session.rollback()
        return problem_response(
            422,
            "Invalid input",
            "The workbook cannot be imported: see each problem.",
            [_problem(p) for p in error.problems],
        )
    session.commit()
    return _run_json(run), 201


@bp.post("/assessments/<int:assessment_id>/imports/<int:run_id>/apply")
@login_required
@documented(response=ImportRunOut)
def import_apply(assessment_id: int, run_id: int):
    """Apply a previewed run. Optional JSON `{"take_file": [{"requirement", "field"}
    or {"zone", "requirement"}]}` takes the file's value for those conflicts (of the
    register, or of zone states); the others keep the application's.
    409 when a row it touches was saved since the preview, or it was applied already."""
    session = get_session()
    assessment, access = assessment_service.get_assessment(
        session, g.user, assessment_id, "editor"
    )
    run = service.get_run(session, assessment, run_id)
    body = request.get_json(silent=True) or {}
    chosen = body.get("take_file", []) if isinstance(body, dict) else []
    if not isinstance(chosen, list) or not all(
        isinstance(c, dict) and "requirement" in c and ("field" in c or "zone" in c)
        for c in chosen
    ):
        raise InvalidInput(
            [
                Problem(
                    "take_file",
                    'give a list of {"requirement", "field"} or {"zone", '
                    '"requirement"} objects',
                )
            ]
        )
    take_file = {(c["requirement"], c["field"]) for c in chosen if "field" in c}
    take_states = {(c["zone"], c["requirement"]) for c in chosen if "zone" in c}
    snapshots.monthly(session, assessment, g.user, utcnow())
    count = service.apply(session, assessment, run, take_file, g.user, take_states)
    import_applied(session, access.org, run, values=count)
    session.commit()
    return _run_json(run)
