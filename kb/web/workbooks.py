"""Workbooks to download: an assessment's export, the CIRMP evidence pack, and an
organisation's evidence register and assessments. Imports are in kb.web.imports."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, g, render_template, request
from flask_login import login_required

from importers.cirmp import IEC_62443_NOTE, pack_workbook
from importers.organisation import evidence_workbook, organisation_workbook
from importers.writer import Exported, assessment_workbook
from kb.db import get_session
from kb.models import utcnow
from kb.services import accounts, cirmp
from kb.web.access import load_assessment
from kb.web.auditing import note

bp = Blueprint("workbooks", __name__)
ASSESSMENT = "/assessments/<int:assessment_id>"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str, org=None) -> Response:
    """A workbook as a download that a browser saves rather than shows; the download
    of an organisation's data (`org`) goes into its audit log."""
    if org is not None:
        session = get_session()
        note(session, "export downloaded", filename, org=org)
        session.commit()
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get(ASSESSMENT + "/export.xlsx")
@login_required
def export(assessment_id: int):
    """The assessment's workbook: About, Register, Zones, Evidence, Summary."""
    session, assessment, access = load_assessment(assessment_id)
    exported = Exported(assessment, access.org, g.user, utcnow(), request.url_root)
    data = assessment_workbook(session, exported, date.today())
    return xlsx_response(data, exported.filename, access.org)


def _pack(assessment_id: int):
    session, assessment, access = load_assessment(assessment_id)
    today = date.today()
    year = cirmp.financial_year(request.args.get("year"), today)
    return access, cirmp.pack(session, assessment, access.org, year, today)


@bp.get(ASSESSMENT + "/cirmp.xlsx")
@login_required
def cirmp_workbook(assessment_id: int):
    """The CIRMP evidence pack of a financial year (`?year=2026`: 1 July 2025 to
    30 June 2026; by default the last year that has ended)."""
    access, found = _pack(assessment_id)
    data = pack_workbook(found, g.user.email, utcnow())
    return xlsx_response(data, f"cirmp-evidence-pack-FY{found.year}.xlsx", access.org)


@bp.get(ASSESSMENT + "/cirmp")
@login_required
def cirmp_page(assessment_id: int):
    """The same pack as a page that prints."""
    access, found = _pack(assessment_id)
    return render_template(
        "workbooks/cirmp.html",
        assessment=found.assessment,
        access=access,
        pack=found,
        note=IEC_62443_NOTE,
    )


@bp.get("/orgs/<slug>/export.xlsx")
@login_required
def organisation(slug: str):
    """Every active assessment of the organisation, and its evidence, in one workbook."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug)
    data = organisation_workbook(
        session, access.org, g.user, utcnow(), request.url_root, date.today()
    )
    return xlsx_response(data, f"{access.org.slug}-assessments.xlsx", access.org)


@bp.get("/orgs/<slug>/evidence/export.xlsx")
@login_required
def evidence(slug: str):
    """The organisation's evidence register alone."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug)
    data = evidence_workbook(session, access.org, g.user, utcnow(), date.today())
    return xlsx_response(data, f"{access.org.slug}-evidence.xlsx", access.org)


# -- an organisation's evidence list from another tool -------------------------------
