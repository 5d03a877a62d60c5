"""An assessment's dashboard: headline figures, charts, the largest gaps, zones,
components and evidence due, on one page that prints as a board summary."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_login import login_required

from kb.services import dashboard as service
from kb.services.charts import heat_cells, paired_bars
from kb.vocabulary import LEVEL_NAMES
from kb.web.access import load_assessment
from kb.web.fragments import fragment

bp = Blueprint("dashboard", __name__, url_prefix="/assessments/<int:assessment_id>")
HEAT_COLUMNS = [f"ML {n}" for n in LEVEL_NAMES] + ["Not set"]


@bp.get("/dashboard")
@login_required
def show(assessment_id: int):
    """Where the assessment stands: figures per area, gaps, zones, components, evidence
    due (kept rendered until the organisation's data changes)."""
    session, assessment, access = load_assessment(assessment_id)
    return render_template(
        "dashboard/show.html",
        assessment=assessment,
        access=access,
        content=fragment(
            access,
            ("dashboard", assessment.id),
            lambda: _board(session, assessment, access),
        ),
    )


def _board(session, assessment, access) -> str:
    board = service.dashboard(session, assessment, access.org, date.today())
    areas = board.rollups.areas
    cells, width, height = heat_cells(board.heatmap)
    return render_template(
        "dashboard/_board.html",
        assessment=assessment,
        access=access,
        board=board,
        today=date.today(),
        area_chart=paired_bars(
            list(areas),
            [f.mean_target for f in areas.values()],
            [f.mean_current for f in areas.values()],
        ),
        heat=(cells, width, height),
        heat_columns=HEAT_COLUMNS,
    )
