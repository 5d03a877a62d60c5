"""Snapshots of an assessment, its trend over them, and comparisons."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, render_template, request, url_for
from flask_login import login_required

from kb.errors import InvalidInput, NotFound, Problem
from kb.schemas import SnapshotInput
from kb.services import assessments as assessment_service
from kb.services import compare as compare_service
from kb.services import snapshots as service
from kb.services.charts import line_chart
from kb.web.access import load_assessment
from kb.web.forms import as_errors, validate
from kb.web.htmx import see_other

bp = Blueprint("snapshots", __name__, url_prefix="/assessments/<int:assessment_id>")


def _index(session, assessment, access, errors=None, status=200):
    return render_template(
        "snapshots/index.html",
        assessment=assessment,
        access=access,
        snapshots=list(reversed(service.list_snapshots(session, assessment))),
        others=[
            a
            for a in assessment_service.list_assessments(session, access.org, True)
            if a.id != assessment.id
        ],
        errors=errors or {},
    ), status


@bp.get("/snapshots")
@login_required
def index(assessment_id: int):
    """The assessment's snapshots, newest first, with forms to take one and compare."""
    return _index(*load_assessment(assessment_id))


@bp.post("/snapshots")
@login_required
def create(assessment_id: int):
    """Take a snapshot now, with a label (editor)."""
    session, assessment, access = load_assessment(assessment_id, "editor")
    try:
        data = validate(SnapshotInput, {"label": request.form.get("label", "")})
    except InvalidInput as exc:
        return _index(session, assessment, access, as_errors(exc.problems), 422)
    snapshot = service.take(session, assessment, g.user, data.label, date.today())
    session.commit()
    return see_other(
        url_for("snapshots.show", assessment_id=assessment.id, snapshot_id=snapshot.id)
    )


@bp.get("/snapshots/<int:snapshot_id>")
@login_required
def show(assessment_id: int, snapshot_id: int):
    """One snapshot, read-only: its figures per area and every requirement as it was."""
    session, assessment, access = load_assessment(assessment_id)
    return render_template(
        "snapshots/show.html",
        assessment=assessment,
        access=access,
        snapshot=service.get_snapshot(session, assessment, snapshot_id),
    )


@bp.get("/trend")
@login_required
def trend(assessment_id: int):
    """Each headline figure and each area's mean over the snapshots, and now."""
    session, assessment, access = load_assessment(assessment_id)
    points = [
        (s.taken_at.strftime("%Y-%m-%d"), s.data["rollups"])
        for s in service.list_snapshots(session, assessment)
    ]
    points.append(
        ("now", service.state_of(session, assessment, date.today())["rollups"])
    )
    labels = [label for label, _ in points]
    shares = {
        "Assessed (%)": [
            _percent(r["assessment"]["share_assessed"]) for _, r in points
        ],
        "At target (%)": [
            _percent(r["assessment"]["share_at_target"]) for _, r in points
        ],
    }
    areas = sorted({area for _, r in points for area in r["areas"]})
    means = {
        area: [r["areas"].get(area, {}).get("mean_current") for _, r in points]
        for area in areas
    }
    return render_template(
        "snapshots/trend.html",
        assessment=assessment,
        access=access,
        shares=line_chart(labels, shares, 100),
        share_rows=shares,
        means=line_chart(labels, means, 4),
        mean_rows=means,
        labels=labels,
    )


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _side(session, assessment, key: str | None, access):
    """("label", data) for `now`, a snapshot id, or another assessment's `a<id>`."""
    if not key or key == "now":
        return f"{assessment.name}, now", service.state_of(
            session, assessment, date.today()
        )
    if key.startswith("a") and key[1:].isdigit():
        other, _ = assessment_service.get_assessment(session, g.user, int(key[1:]))
        if other.organisation_id != access.org.id:
            raise NotFound(f"There is no assessment {key[1:]} to compare with.")
        return f"{other.name}, now", service.state_of(session, other, date.today())
    if not key.isdigit():
        raise InvalidInput(
            [
                Problem(
                    "a",
                    f"'{key[:40]}' is not a snapshot; use now, a snapshot id or a<assessment id>",
                )
            ]
        )
    snapshot = service.get_snapshot(session, assessment, int(key))
    return f"{snapshot.label} ({snapshot.taken_at:%Y-%m-%d})", snapshot.data


@bp.get("/compare")
@login_required
def compare(assessment_id: int):
    """Two states side by side (`a`, `b`: now, a snapshot id, or a<assessment id>):
    per area and per requirement what improved, regressed or is new."""
    session, assessment, access = load_assessment(assessment_id)
    a_label, a = _side(session, assessment, request.args.get("a"), access)
    b_label, b = _side(session, assessment, request.args.get("b", "now"), access)
    changes = compare_service.compare_scores(a["scores"], b["scores"])
    only_changes = request.args.get("changes") == "1"
    return render_template(
        "snapshots/compare.html",
        assessment=assessment,
        access=access,
        a_label=a_label,
        b_label=b_label,
        areas=compare_service.compare_areas(
            a["rollups"]["areas"], b["rollups"]["areas"]
        ),
        counts=compare_service.counts(changes),
        changes=[c for c in changes if c.kind != "same"] if only_changes else changes,
        only_changes=only_changes,
    )
