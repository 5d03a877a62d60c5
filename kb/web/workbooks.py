"""An assessment as a workbook: the export, and (soon) the import with its preview."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, g, request
from flask_login import login_required

from importers.writer import Exported, assessment_workbook
from kb.db import get_session
from kb.models import utcnow
from kb.services import assessments as assessment_service

bp = Blueprint("workbooks", __name__, url_prefix="/assessments/<int:assessment_id>")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> Response:
    """A workbook as a download that a browser saves rather than shows."""
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/export.xlsx")
@login_required
def export(assessment_id: int):
    """The assessment's workbook: About, Register, Zones, Evidence, Summary."""
    session = get_session()
    assessment, access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    exported = Exported(assessment, access.org, g.user, utcnow(), request.url_root)
    data = assessment_workbook(session, exported, date.today())
    return xlsx_response(data, exported.filename)
