"""Imports: a filled-in assessment workbook, a register or an evidence list from
another tool; each is read, previewed, and saved only when the person confirms."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from importers.columns import REGISTER
from importers.table import MAPPABLE, guess
from kb.db import get_session
from kb.errors import Conflict, InvalidInput, Problem
from kb.models import utcnow
from kb.services import accounts, evidence_imports, snapshots
from kb.services import imports as service
from kb.services.zones import list_zones
from kb.web.access import load_assessment
from kb.web.auditing import import_applied
from kb.web.forms import uploaded_file
from kb.web.htmx import see_other

bp = Blueprint("imports", __name__)
ASSESSMENT = "/assessments/<int:assessment_id>"
HEADERS = {column.field: column.header for column in REGISTER}


def _trail(access, assessment, *more) -> list:
    """The breadcrumbs of a page under an assessment."""
    return [
        (access.org.name, url_for("orgs.assessments", slug=access.org.slug)),
        (assessment.name, url_for("assessments.show", assessment_id=assessment.id)),
        *more,
    ]


def received(start, then: str, **args) -> tuple[Response | None, list[Problem]]:
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
    return see_other(url_for(then, run_id=found.id, **args)), []


@bp.route(ASSESSMENT + "/import", methods=["GET", "POST"])
@login_required
def upload(assessment_id: int):
    """Upload a filled-in workbook; it is read and compared, and nothing is saved
    until the person confirms the preview."""
    session, assessment, access = load_assessment(assessment_id, "editor")
    problems: list[Problem] = []
    if request.method == "POST":
        done, problems = received(
            lambda sent: service.preview(
                session, assessment, access.org, sent.data, sent.filename, g.user
            ),
            "imports.run",
            assessment_id=assessment.id,
        )
        if done:
            return done
    return render_template(
        "imports/upload.html",
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
    session, assessment, access = load_assessment(assessment_id, "editor")
    problems: list[Problem] = []
    if request.method == "POST":
        done, problems = received(
            lambda sent: service.start_table(
                session, sent.data, sent.filename, g.user, assessment_id=assessment.id
            ),
            "imports.columns",
            assessment_id=assessment.id,
        )
        if done:
            return done
    return render_template(
        "imports/table.html",
        access=access,
        problems=problems,
        heading="Import a table from another tool",
        lede="A register exported from a spreadsheet or another tool, one "
        "requirement per row.",
        trail=_trail(access, assessment, ("Import a table from another tool", None)),
    ), (422 if problems else 200)


@bp.route(ASSESSMENT + "/imports/<int:run_id>/columns", methods=["GET", "POST"])
@login_required
def columns(assessment_id: int, run_id: int):
    """Say which of the table's columns holds which field; then the preview."""
    session, assessment, access = load_assessment(assessment_id, "editor")
    found = service.get_run(session, assessment, run_id)
    if found.status != "mapping":
        return see_other(
            url_for("imports.run", assessment_id=assessment.id, run_id=found.id)
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
                url_for("imports.run", assessment_id=assessment.id, run_id=found.id)
            )
    return render_template(
        "imports/columns.html",
        access=access,
        run=found,
        table=table_,
        fields=[(c.field, c.header, c.field == "requirement_id") for c in MAPPABLE],
        keeps=True,
        mapping=mapping,
        problems=problems,
        trail=_trail(
            access,
            assessment,
            (
                "Import a table from another tool",
                url_for("imports.table", assessment_id=assessment.id),
            ),
            (found.filename, None),
        ),
    ), (422 if problems else 200)


@bp.get(ASSESSMENT + "/imports/<int:run_id>")
@login_required
def run(assessment_id: int, run_id: int):
    """The preview of an upload: every change and every conflict, to confirm."""
    session, assessment, access = load_assessment(assessment_id)
    found = service.get_run(session, assessment, run_id)
    if found.status == "mapping":
        return see_other(
            url_for("imports.columns", assessment_id=assessment.id, run_id=found.id)
        )
    plan = service.plan_of(found)
    zones = {z.id: z.name for z in list_zones(session, assessment)}
    return render_template(
        "imports/run.html",
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
    session, assessment, access = load_assessment(assessment_id, "editor")
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
            url_for("imports.run", assessment_id=assessment.id, run_id=found.id)
        )
    import_applied(session, access.org, found, values=count)
    session.commit()
    flash(f"Imported {count} value{'s' if count != 1 else ''} from {found.filename}.")
    return see_other(url_for("assessments.show", assessment_id=assessment.id))


EVIDENCE_IMPORTS = "/orgs/<slug>/evidence/imports"


def _evidence_trail(access, *more) -> list:
    return [
        (access.org.name, url_for("orgs.assessments", slug=access.org.slug)),
        ("Evidence", url_for("evidence_items.index", slug=access.org.slug)),
        *more,
    ]


@bp.route("/orgs/<slug>/evidence/import", methods=["GET", "POST"])
@login_required
def evidence_table(slug: str):
    """Upload an evidence list from another tool; the next page asks which column is
    which."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug, "editor")
    problems: list[Problem] = []
    if request.method == "POST":
        done, problems = received(
            lambda sent: evidence_imports.start(
                session, access.org, sent.data, sent.filename, g.user
            ),
            "imports.evidence_columns",
            slug=slug,
        )
        if done:
            return done
    return render_template(
        "imports/table.html",
        access=access,
        problems=problems,
        heading="Import an evidence list",
        lede="A list of evidence items kept in a spreadsheet or another tool, one "
        "item per row, each with its evidence type, title and web address.",
        trail=_evidence_trail(access, ("Import an evidence list", None)),
    ), (422 if problems else 200)


@bp.route(EVIDENCE_IMPORTS + "/<int:run_id>/columns", methods=["GET", "POST"])
@login_required
def evidence_columns(slug: str, run_id: int):
    """Say which column holds which field of an evidence item; then the preview."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug, "editor")
    found = evidence_imports.get_run(session, access.org, run_id)
    if found.status != "mapping":
        return see_other(url_for("imports.evidence_run", slug=slug, run_id=run_id))
    table_ = service.table_of(found)
    mapping = guess(table_.headers, evidence_imports.ALIASES)
    problems: list[Problem] = []
    if request.method == "POST":
        mapping = {
            name: int(request.form[name])
            for name in evidence_imports.FIELDS
            if request.form.get(name, "").isdigit()
        }
        try:
            evidence_imports.preview(session, access.org, found, mapping)
        except InvalidInput as error:
            session.rollback()
            problems = error.problems
        else:
            session.commit()
            return see_other(url_for("imports.evidence_run", slug=slug, run_id=run_id))
    return render_template(
        "imports/columns.html",
        access=access,
        run=found,
        table=table_,
        fields=_evidence_fields(),
        keeps=False,
        mapping=mapping,
        problems=problems,
        trail=_evidence_trail(
            access,
            ("Import an evidence list", url_for("imports.evidence_table", slug=slug)),
            (found.filename, None),
        ),
    ), (422 if problems else 200)


def _evidence_fields() -> list[tuple[str, str, bool]]:
    return [
        (name, evidence_imports.label(name), name in evidence_imports.REQUIRED)
        for name in evidence_imports.FIELDS
    ]


@bp.get(EVIDENCE_IMPORTS + "/<int:run_id>")
@login_required
def evidence_run(slug: str, run_id: int):
    """The items an evidence list adds, and those the register has already."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug)
    found = evidence_imports.get_run(session, access.org, run_id)
    if found.status == "mapping":
        return see_other(url_for("imports.evidence_columns", slug=slug, run_id=run_id))
    return render_template(
        "imports/evidence_run.html",
        access=access,
        run=found,
        fields=_evidence_fields(),
        apply_url=url_for("imports.evidence_apply", slug=slug, run_id=run_id),
        trail=_evidence_trail(
            access,
            ("Import an evidence list", url_for("imports.evidence_table", slug=slug)),
            (found.filename, None),
        ),
    )


@bp.post(EVIDENCE_IMPORTS + "/<int:run_id>/apply")
@login_required
def evidence_apply(slug: str, run_id: int):
    """Add the previewed items to the register."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug, "editor")
    found = evidence_imports.get_run(session, access.org, run_id)
    try:
        count = evidence_imports.apply(
            session, access.org, found, g.user, current_app.extensions["kb.files"]
        )
    except Conflict as error:
        session.rollback()
        flash(str(error))
        return see_other(url_for("imports.evidence_run", slug=slug, run_id=run_id))
    import_applied(session, access.org, found, items=count)
    session.commit()
    flash(
        f"Added {count} evidence item{'s' if count != 1 else ''} from {found.filename}."
    )
    return see_other(url_for("evidence_items.index", slug=slug))
