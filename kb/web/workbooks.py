"""Workbooks: an assessment's export, its import with the preview, the CIRMP evidence
pack; an organisation's evidence register and all its assessments."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, g, render_template, request, url_for
from flask_login import login_required

from importers.cirmp import IEC_62443_NOTE, pack_workbook
from importers.columns import REGISTER
from importers.organisation import evidence_workbook, organisation_workbook
from importers.table import MAPPABLE, guess
from importers.writer import Exported, assessment_workbook
from kb.db import get_session
from kb.errors import Conflict, InvalidInput, Problem
from kb.models import utcnow
from kb.services import accounts, cirmp, snapshots
from kb.services import assessments as assessment_service
from kb.services import imports as service
from kb.services.zones import list_zones
from kb.web.forms import uploaded_file
from kb.web.htmx import see_other

bp = Blueprint("workbooks", __name__)
ASSESSMENT = "/assessments/<int:assessment_id>"

HEADERS = {column.field: column.header for column in REGISTER}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _load(assessment_id: int, need: str = "viewer"):
    session = get_session()
    assessment, access = assessment_service.get_assessment(
        session, g.user, assessment_id, need
    )
    return session, assessment, access


def xlsx_response(data: bytes, filename: str) -> Response:
    """A workbook as a download that a browser saves rather than shows."""
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get(ASSESSMENT + "/export.xlsx")
@login_required
def export(assessment_id: int):
    """The assessment's workbook: About, Register, Zones, Evidence, Summary."""
    session, assessment, access = _load(assessment_id)
    exported = Exported(assessment, access.org, g.user, utcnow(), request.url_root)
    data = assessment_workbook(session, exported, date.today())
    return xlsx_response(data, exported.filename)


def _received(start, then: str) -> tuple[Response | None, list[Problem]]:
    """Hand the uploaded file to `start`, which makes an import run of it. Then go to
    the page `then` of the new run; or, when the file is refused, return its problems
    with nothing kept."""
    session = get_session()
    try:
        sent = uploaded_file()
        if sent is None:
            raise InvalidInput([Problem("file", "choose the file to import")])
        found = start(sent)
    except InvalidInput as error:
        session.rollback()
        return None, error.problems
    session.commit()
    target = url_for(then, assessment_id=found.assessment_id, run_id=found.id)
    return see_other(target), []


@bp.route(ASSESSMENT + "/import", methods=["GET", "POST"])
@login_required
def upload(assessment_id: int):
    """Upload a filled-in workbook; it is read and compared, and nothing is saved
    until the person confirms the preview."""
    session, assessment, access = _load(assessment_id, "editor")
    problems: list[Problem] = []
    if request.method == "POST":
        done, problems = _received(
            lambda sent: service.preview(
                session, assessment, access.org, sent.data, sent.filename, g.user
            ),
            "workbooks.run",
        )
        if done:
            return done
    return render_template(
        "workbooks/import.html",
        assessment=assessment,
        access=access,
        problems=problems,
        runs=service.recent_runs(session, assessment),
    ), (422 if problems else 200)


@bp.route(ASSESSMENT + "/import/table", methods=["GET", "POST"])
@login_required
def table(assessment_id: int):
    """Upload a register exported from another tool (CSV, or the first sheet of an
    .xlsx); the next page asks which column is which."""
    session, assessment, access = _load(assessment_id, "editor")
    problems: list[Problem] = []
    if request.method == "POST":
        done, problems = _received(
            lambda sent: service.start_table(
                session, assessment, sent.data, sent.filename, g.user
            ),
            "workbooks.columns",
        )
        if done:
            return done
    return render_template(
        "workbooks/table.html", assessment=assessment, access=access, problems=problems
    ), (422 if problems else 200)


@bp.route(ASSESSMENT + "/imports/<int:run_id>/columns", methods=["GET", "POST"])
@login_required
def columns(assessment_id: int, run_id: int):
    """Say which of the table's columns holds which field; then the preview."""
    session, assessment, access = _load(assessment_id, "editor")
    found = service.get_run(session, assessment, run_id)
    if found.status != "mapping":
        return see_other(
            url_for("workbooks.run", assessment_id=assessment.id, run_id=found.id)
        )
    table_ = service.table_of(found)
    mapping = guess(table_.headers)
    problems: list[Problem] = []
    if request.method == "POST":
        mapping = {
            column.field: int(request.form[column.field])
            for column in MAPPABLE
            if request.form.get(column.field, "").isdigit()
        }
        try:
            service.preview_table(session, assessment, found, mapping)
        except InvalidInput as error:
            session.rollback()
            problems = error.problems
        else:
            session.commit()
            return see_other(
                url_for("workbooks.run", assessment_id=assessment.id, run_id=found.id)
            )
    return render_template(
        "workbooks/columns.html",
        assessment=assessment,
        access=access,
        run=found,
        table=table_,
        fields=MAPPABLE,
        mapping=mapping,
        problems=problems,
    ), (422 if problems else 200)


@bp.get(ASSESSMENT + "/imports/<int:run_id>")
@login_required
def run(assessment_id: int, run_id: int):
    """The preview of an upload: every change and every conflict, to confirm."""
    session, assessment, access = _load(assessment_id)
    found = service.get_run(session, assessment, run_id)
    if found.status == "mapping":
        return see_other(
            url_for("workbooks.columns", assessment_id=assessment.id, run_id=found.id)
        )
    plan = service.plan_of(found)
    zones = {z.id: z.name for z in list_zones(session, assessment)}
    return render_template(
        "workbooks/run.html",
        assessment=assessment,
        access=access,
        run=found,
        changes=[
            (
                c.requirement_id,
                HEADERS[c.field],
                service.shown(c.field, c.old),
                service.shown(c.field, c.new),
            )
            for c in plan.changes
        ],
        conflicts=[
            (
                c.requirement_id,
                HEADERS[c.field],
                service.shown(c.field, c.app),
                service.shown(c.field, c.file),
            )
            for c in plan.conflicts
        ],
        states=[
            (zones.get(c.zone_id, c.zone_id), c.requirement_id, c.old or "", c.new)
            for c in plan.states
        ],
        state_conflicts=[
            (zones.get(c.zone_id, c.zone_id), c.requirement_id, c.app or "", c.file)
            for c in plan.state_conflicts
        ],
    )


@bp.post(ASSESSMENT + "/imports/<int:run_id>/apply")
@login_required
def apply(assessment_id: int, run_id: int):
    """Write the previewed changes, and the file's value where the person chose it."""
    session, assessment, access = _load(assessment_id, "editor")
    found = service.get_run(session, assessment, run_id)
    plan = service.plan_of(found)
    take_file = {
        (c.requirement_id, c.field)
        for n, c in enumerate(plan.conflicts)
        if request.form.get(f"conflict-{n}") == "file"
    }
    take_states = {
        (c.zone_id, c.requirement_id)
        for n, c in enumerate(plan.state_conflicts)
        if request.form.get(f"state-conflict-{n}") == "file"
    }
    snapshots.monthly(session, assessment, g.user, utcnow())
    try:
        count = service.apply(
            session, assessment, found, take_file, g.user, take_states
        )
    except Conflict as error:
        session.rollback()
        flash(str(error))
        return see_other(
            url_for("workbooks.run", assessment_id=assessment.id, run_id=found.id)
        )
    session.commit()
    flash(f"Imported {count} value{'s' if count != 1 else ''} from {found.filename}.")
    return see_other(url_for("assessments.show", assessment_id=assessment.id))


def _pack(assessment_id: int):
    session, assessment, access = _load(assessment_id)
    today = date.today()
    year = cirmp.financial_year(request.args.get("year"), today)
    return access, cirmp.pack(session, assessment, access.org, year, today)


@bp.get(ASSESSMENT + "/cirmp.xlsx")
@login_required
def cirmp_workbook(assessment_id: int):
    """The CIRMP evidence pack of a financial year (`?year=2026`: 1 July 2025 to
    30 June 2026; by default the last year that has ended)."""
    _access, found = _pack(assessment_id)
    data = pack_workbook(found, g.user.email, utcnow())
    return xlsx_response(data, f"cirmp-evidence-pack-FY{found.year}.xlsx")


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
    return xlsx_response(data, f"{access.org.slug}-assessments.xlsx")


@bp.get("/orgs/<slug>/evidence/export.xlsx")
@login_required
def evidence(slug: str):
    """The organisation's evidence register alone."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug)
    data = evidence_workbook(session, access.org, g.user, utcnow(), date.today())
    return xlsx_response(data, f"{access.org.slug}-evidence.xlsx")
