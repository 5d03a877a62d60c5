"""An assessment's roll-ups and snapshots."""

from __future__ import annotations

from datetime import date

from flask import g, request
from flask_login import login_required

from kb.db import get_session
from kb.services import assessments as assessment_service
from kb.services import snapshots as snapshot_service
from kb.web.api import bp, json_object, parsed
from kb.web.api.models import SnapshotBody
from kb.web.api.responses import RollupsOut, SnapshotList, SnapshotOut
from kb.web.api.spec import documented


@bp.get("/assessments/<int:assessment_id>/rollups")
@login_required
@documented(response=RollupsOut)
def rollups(assessment_id: int) -> dict:
    """Per control area, 2-4 functional area, part and FR, and for the whole assessment:
    requirements, assessed, at target, mean and minimum current level, gap, overdue;
    and how many evidence items on its rows are overdue for review."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    if snapshot_id := request.args.get("snapshot", type=int):
        return snapshot_service.get_snapshot(session, assessment, snapshot_id).data[
            "rollups"
        ]
    return snapshot_service.state_of(session, assessment, date.today())["rollups"]


def _snapshot_json(snapshot) -> dict:
    return {
        "id": snapshot.id,
        "label": snapshot.label,
        "automatic": snapshot.automatic,
        "taken_at": snapshot.taken_at.isoformat(),
        "assessment": snapshot.data["rollups"]["assessment"],
    }


@bp.get("/assessments/<int:assessment_id>/snapshots")
@login_required
@documented(response=SnapshotList)
def snapshots(assessment_id: int) -> dict:
    """The assessment's snapshots, oldest first, with their headline figures."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    rows = snapshot_service.list_snapshots(session, assessment)
    return {"count": len(rows), "snapshots": [_snapshot_json(s) for s in rows]}


@bp.post("/assessments/<int:assessment_id>/snapshots")
@login_required
@documented(body=SnapshotBody, status=201, response=SnapshotOut)
def snapshot_create(assessment_id: int):
    """Take a snapshot now: `{"label"}`; 201."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id, "editor"
    )
    data = parsed(SnapshotBody, json_object())
    snapshot = snapshot_service.take(
        session, assessment, g.user, data.label, date.today()
    )
    session.commit()
    return _snapshot_json(snapshot), 201
