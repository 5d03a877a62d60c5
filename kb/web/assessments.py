"""An assessment: its register (each row's own routes are in kb.web.scores), group
targets, the print view, history, and admin actions."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, g, render_template, request, url_for
from flask_login import login_required
from markupsafe import Markup

from kb.db import reads_only
from kb.models import utcnow
from kb.schemas import AssessmentRename, GroupTarget
from kb.services import assessments as service
from kb.services import register as register_service
from kb.services import scoring, snapshots
from kb.services.rollups import figures, rollup
from kb.vocabulary import LEVEL_NAMES, STATUSES
from kb.web.access import load_assessment
from kb.web.auditing import note
from kb.web.forms import parse_or_raise
from kb.web.fragments import fragment
from kb.web.htmx import page_or_region, render, see_other

bp = Blueprint("assessments", __name__, url_prefix="/assessments")


def register_filters() -> register_service.RegisterFilter:
    args = request.args
    sort = args.get("sort", "id")
    return register_service.RegisterFilter(
        group_by="function" if args.get("group_by") == "function" else "area",
        area=args.get("area") or None,
        status=args.get("status") if args.get("status") in STATUSES else None,
        gap=args.get("gap") == "1",
        overdue=args.get("overdue") == "1",
        owner=(args.get("owner") or "").strip()[:120] or None,
        sort=sort if sort.removeprefix("-") in register_service.SORTS else "id",
    )


def _register_region(session, assessment, access, filters) -> str:
    """The register's summary and rows, as the filters select and sort them."""
    groups = register_service.register(session, assessment, filters)
    return render_template(
        "assessments/_register.html",
        assessment=assessment,
        access=access,
        groups=groups,
        filters=filters,
        summary=figures(
            (row.as_score_row for group in groups for row in group.rows), date.today()
        ),
    )


@bp.get("/<int:assessment_id>")
@login_required
@reads_only
def show(assessment_id: int):
    """The register: every process requirement in scope, grouped, filtered, sorted.

    An htmx request (a filter or sort) gets the register region alone; both are kept
    rendered (kb.web.fragments) until the organisation's data changes."""
    session, assessment, access = load_assessment(assessment_id)
    filters = register_filters()
    # The register's links carry the query as given, so it is part of the key.
    state = (assessment.id, tuple(sorted(request.args.items(multi=True))))

    def region() -> str:
        return fragment(
            access,
            ("register", state),
            lambda: _register_region(session, assessment, access, filters),
        )

    def region_and_sort() -> str:
        """The region for htmx, with the page's "Sort by" control swapped out of band,
        so that a header click and the control keep one sort state."""
        return region() + Markup(
            render_template("assessments/_sort.html", filters=filters, oob=True)
        )

    def page() -> str:
        below_breadcrumbs = fragment(
            access,
            ("register page", state),
            lambda: render_template(
                "assessments/_page.html",
                assessment=assessment,
                access=access,
                filters=filters,
                register=region(),
            ),
        )
        return render_template(
            "assessments/show.html",
            assessment=assessment,
            access=access,
            content=below_breadcrumbs,
        )

    return page_or_region(page, region_and_sort)


@bp.post("/<int:assessment_id>/targets")
@login_required
def group_target(assessment_id: int):
    """Set one target for a group. Rows without a target get it; when some rows have
    a target of their own, the person is asked first whether to overwrite them."""
    session, assessment, access = load_assessment(assessment_id, "editor")
    data = parse_or_raise(GroupTarget, request.form)
    group_by = "function" if request.form.get("group_by") == "function" else "area"
    rows = scoring.group_rows(session, assessment, data.group, group_by)
    plan = register_service.target_plan(rows, data.target)
    choice = request.form.get("overwrite")  # absent until the person has been asked
    if plan.differing and choice not in ("0", "1"):
        return render_template(
            "assessments/group_target.html",
            assessment=assessment,
            access=access,
            data=data,
            group_by=group_by,
            plan=plan,
        )
    chosen = plan.empty + (plan.differing if choice == "1" else [])
    snapshots.monthly(session, assessment, g.user, utcnow())
    count = scoring.set_group_target(
        session, assessment, data.group, data.target, g.user, chosen
    )
    session.commit()
    kept = len(plan.differing) - (len(plan.differing) if choice == "1" else 0)
    flash(
        f"Target {data.target} {LEVEL_NAMES[data.target]} set for {count} "
        f"requirement{'' if count == 1 else 's'} of {data.group}."
        + (
            f" {kept} kept {'its' if kept == 1 else 'their'} own target."
            if kept
            else ""
        )
    )
    return see_other(
        url_for(
            "assessments.show",
            assessment_id=assessment.id,
            group_by=group_by,
            _anchor=f"group-{data.group}",
        )
    )


@bp.get("/<int:assessment_id>/print")
@login_required
def print_view(assessment_id: int):
    """The assessment on paper: who, when, the figures, a table per control area and
    every row, without the editing controls."""
    session, assessment, access = load_assessment(assessment_id)
    today = date.today()
    groups = register_service.register(
        session, assessment, register_service.RegisterFilter()
    )
    rows = [row.as_score_row for group in groups for row in group.rows]
    return render_template(
        "assessments/print.html",
        assessment=assessment,
        access=access,
        groups=groups,
        today=today,
        summary=figures(rows, today),
        areas=rollup(rows, lambda r: r.area, today),
    )


@bp.post("/<int:assessment_id>/rename")
@login_required
def rename(assessment_id: int):
    """Rename an assessment (admin)."""
    session, assessment, _access = load_assessment(assessment_id, "admin")
    data = parse_or_raise(AssessmentRename, request.form)
    service.rename(session, assessment, data.name)
    session.commit()
    flash(f"Renamed to “{data.name}”.")
    return see_other(url_for("assessments.show", assessment_id=assessment.id))


@bp.post("/<int:assessment_id>/archive")
@login_required
def archive(assessment_id: int):
    """Archive an assessment, or bring it back with archived=0 (admin)."""
    session, assessment, access = load_assessment(assessment_id, "admin")
    archived = request.form.get("archived", "1") == "1"
    service.set_archived(session, assessment, archived)
    action = "assessment archived" if archived else "assessment restored"
    note(session, action, assessment.name, org=access.org, id=assessment.id)
    session.commit()
    flash(f"“{assessment.name}” {'archived' if archived else 'restored'}.")
    return see_other(url_for("orgs.assessments", slug=access.org.slug))


@bp.post("/<int:assessment_id>/duplicate")
@login_required
def duplicate(assessment_id: int):
    """Copy an assessment with its scores, to start the next one from it (admin)."""
    session, assessment, access = load_assessment(assessment_id, "admin")
    copy = service.duplicate(session, assessment, g.user)
    note(
        session,
        "assessment duplicated",
        assessment.name,
        org=access.org,
        id=assessment.id,
        copy=copy.id,
    )
    session.commit()
    flash(f"“{copy.name}” starts from the scores of “{assessment.name}”.")
    return see_other(url_for("assessments.show", assessment_id=copy.id))


@bp.get("/<int:assessment_id>/history")
@login_required
def history(assessment_id: int):
    """Every change of every score, newest first, filtered by requirement, field, person."""
    session, assessment, access = load_assessment(assessment_id)
    args = request.args
    filters = scoring.HistoryFilter(
        requirement=args.get("requirement") or None,
        field=args.get("field") or None,
        user=args.get("user") or None,
    )
    return render(
        "assessments/history.html",
        "assessments/_history.html",
        assessment=assessment,
        access=access,
        filters=filters,
        changes=scoring.history(session, assessment, filters),
        fields=register_service.SCORED_FIELDS,
    )
