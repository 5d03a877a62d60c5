"""The cybersecurity requirements specification of an assessment (62443-3-2 ZCR 6) and
its approval (ZCR 7): the draft, its approved versions, each printable and as a
workbook."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    flash,
    g,
    get_template_attribute,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from importers.crs import SECTIONS, crs_workbook
from kb.errors import InvalidInput, StaleEdit
from kb.schemas import CrsApproval, CrsInput
from kb.services import crs, zone_states
from kb.web.access import load_assessment
from kb.web.forms import as_errors, validate
from kb.web.htmx import see_other
from kb.web.workbooks import xlsx_response
from kb.web.zones import diagram_of

bp = Blueprint("crs", __name__, url_prefix="/assessments/<int:assessment_id>/crs")


def _diagram(session, assessment) -> str:
    """The zone and conduit drawing (ZCR 6.3) as inline SVG."""
    draw = get_template_attribute("zones/_macros.html", "diagram_svg")
    rows = zone_states.vector_table(session, assessment)
    return str(draw(diagram_of(rows), f"Zones and conduits of {assessment.name}"))


def _draft_page(
    session, assessment, access, errors=None, form=None, status=200, refused=()
):
    draft = crs.draft_of(session, assessment)
    return render_template(
        "crs/draft.html",
        assessment=assessment,
        access=access,
        doc=crs.document(session, assessment),
        diagram=_diagram(session, assessment),
        sections=SECTIONS,
        draft=draft,
        form=form
        or {name: getattr(draft, name) for name in crs.TEXT_FIELDS}
        | {"version": draft.version},
        missing=crs.unassessed(session, assessment),
        versions=crs.versions(session, assessment),
        errors=errors or {},
        refused=refused,
        today=date.today().isoformat(),
    ), status


@bp.get("")
@login_required
def draft(assessment_id: int):
    """The CRS as it stands, its words to edit, and the approval form."""
    session, assessment, access = load_assessment(assessment_id)
    return _draft_page(session, assessment, access)


@bp.post("")
@login_required
def save(assessment_id: int):
    """Save the draft's words (an approved version stays as it was approved)."""
    session, assessment, access = load_assessment(assessment_id, "editor")
    try:
        data = validate(CrsInput, request.form)
        crs.save_draft(session, assessment, data, g.user)
    except InvalidInput as exc:
        session.rollback()
        return _draft_page(
            session, assessment, access, as_errors(exc.problems), request.form, 422
        )
    except StaleEdit:
        session.rollback()
        message = (
            "Someone else saved the draft after you opened it. Your text is below, "
            "not saved; save again to put it over theirs."
        )
        current = crs.draft_of(session, assessment)
        form = request.form.to_dict() | {"version": current.version}
        return _draft_page(session, assessment, access, {"form": message}, form, 409)
    session.commit()
    flash("The CRS draft is saved.")
    return see_other(url_for("crs.draft", assessment_id=assessment_id))


@bp.post("/approve")
@login_required
def approve(assessment_id: int):
    """Record the asset owner's approval: the draft is frozen as the next version."""
    session, assessment, access = load_assessment(assessment_id, "editor")
    try:
        data = validate(CrsApproval, request.form)
        version = crs.approve(
            session, assessment, data, g.user, _diagram(session, assessment)
        )
    except InvalidInput as exc:
        session.rollback()
        refused = [p.message for p in exc.problems if p.where == "zones"]
        errors = {p.where: p.message for p in exc.problems if p.where != "zones"}
        return _draft_page(
            session, assessment, access, errors, status=422, refused=refused
        )
    session.commit()
    flash(f"Version {version.number} of the CRS is approved and frozen.")
    return see_other(
        url_for("crs.version", assessment_id=assessment_id, number=version.number)
    )


@bp.get("/<int:number>")
@login_required
def version(assessment_id: int, number: int):
    """An approved version, exactly as it was approved."""
    session, assessment, access = load_assessment(assessment_id)
    found = crs.get_version(session, assessment, number)
    return render_template(
        "crs/version.html",
        assessment=assessment,
        access=access,
        version=found,
        doc=found.document,
        sections=SECTIONS,
    )


@bp.get("/crs.xlsx")
@login_required
def workbook(assessment_id: int):
    """The draft, or an approved version (?version=n), as a workbook."""
    session, assessment, access = load_assessment(assessment_id)
    number = request.args.get("version", type=int)
    if number:
        found = crs.get_version(session, assessment, number)
        doc, status = found.document, f"approved version {number}"
    else:
        doc, status = crs.document(session, assessment), "draft, not approved"
    name = f"crs-{assessment.id}-{'v' + str(number) if number else 'draft'}.xlsx"
    return xlsx_response(crs_workbook(doc, status), name, access.org)
