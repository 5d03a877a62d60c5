"""Frameworks an organisation imports from an OSCAL catalog, and the mappings of our
requirements to their controls: upload, preview, apply, then map."""

from __future__ import annotations

import math

from flask import Blueprint, flash, g, render_template, request, url_for
from flask_login import login_required

from kb.db import get_session
from kb.errors import Conflict, InvalidInput, Problem
from kb.services import accounts, coverage
from kb.services.oscal import imports as service
from kb.services.oscal import mappings
from kb.vocabulary import CROSSWALK_RELATIONS
from kb.web.auditing import import_applied, note
from kb.web.htmx import see_other
from kb.web.imports import received

bp = Blueprint("frameworks", __name__, url_prefix="/orgs/<slug>/frameworks")
PAGE_SIZE = 100


def _trail(access, *more) -> list:
    return [
        ("My organisations", url_for("orgs.index")),
        (access.org.name, url_for("orgs.assessments", slug=access.org.slug)),
        ("Framework mappings", url_for("frameworks.index", slug=access.org.slug)),
        *more,
    ]


@bp.route("", methods=["GET", "POST"])
@login_required
def index(slug: str):
    """The organisation's imported frameworks, and the upload of an OSCAL catalog
    (read and previewed; nothing is kept until the person applies it)."""
    session = get_session()
    access = accounts.org_access(
        session, g.user, slug, "editor" if request.method == "POST" else "viewer"
    )
    problems: list[Problem] = []
    if request.method == "POST":
        done, problems = received(
            lambda sent: service.preview(
                session, access.org, sent.data, sent.filename, g.user
            ),
            "frameworks.run",
            slug=slug,
        )
        if done:
            return done
    return render_template(
        "frameworks/index.html",
        access=access,
        frameworks=mappings.frameworks(session, access.org),
        problems=problems,
        trail=_trail(access)[:-1] + [("Framework mappings", None)],
    ), (422 if problems else 200)


@bp.get("/imports/<int:run_id>")
@login_required
def run(slug: str, run_id: int):
    """What applying an uploaded catalog would do."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug)
    found = service.get_run(session, access.org, run_id)
    return render_template(
        "frameworks/run.html",
        access=access,
        run=found,
        catalog=found.plan["catalog"],
        replaces=found.plan["replaces"],
        trail=_trail(access, (found.filename, None)),
    )


@bp.post("/imports/<int:run_id>/apply")
@login_required
def apply(slug: str, run_id: int):
    """Write the previewed catalog, all of it or nothing."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug, "editor")
    found = service.get_run(session, access.org, run_id)
    try:
        framework = service.apply(session, access.org, found, g.user)
    except Conflict as error:
        session.rollback()
        flash(str(error))
        return see_other(url_for("frameworks.run", slug=slug, run_id=run_id))
    import_applied(session, access.org, found, controls=found.applied)
    session.commit()
    flash(f"Imported {framework.title}: {found.applied} controls to map to.")
    return see_other(url_for("frameworks.show", slug=slug, framework_id=framework.id))


@bp.get("/<int:framework_id>")
@login_required
def show(slug: str, framework_id: int, problems: list[Problem] | None = None):
    """A framework's controls, a page at a time, with what is mapped to each."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug)
    framework = mappings.get_framework(session, access.org, framework_id)
    query = request.args.get("q", "").strip()[:200]
    number = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = mappings.controls_page(
        session, framework, query, (number - 1) * PAGE_SIZE, PAGE_SIZE
    )
    return render_template(
        "frameworks/show.html",
        access=access,
        framework=framework,
        rows=rows,
        total=total,
        query=query,
        number=number,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        relations=[(r, r) for r in CROSSWALK_RELATIONS],
        control_choices=mappings.control_choices(session, framework),
        requirement_choices=coverage.requirements(session),
        problems=problems or [],
        errors={p.where: p.message for p in problems or []},
        form=request.form,
        trail=_trail(access, (framework.title, None)),
    ), (422 if problems else 200)


@bp.post("/<int:framework_id>/mappings")
@login_required
def add_mapping(slug: str, framework_id: int):
    """Map one of our requirements to a control: `control_id`, `requirement`,
    `relation`."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug, "editor")
    framework = mappings.get_framework(session, access.org, framework_id)
    try:
        mapping = mappings.add_mapping(
            session,
            framework,
            request.form.get("control_id", ""),
            request.form.get("requirement", ""),
            request.form.get("relation", ""),
            g.user,
        )
    except InvalidInput as error:
        session.rollback()
        return show(slug, framework_id, error.problems)
    note(
        session,
        "mapping added",
        f"{mapping.requirement_id} → {mapping.control_id}",
        org=access.org,
        framework=framework.title,
    )
    session.commit()
    flash(
        f"Mapped {mapping.requirement_id} to {mapping.control_id} ({mapping.relation})."
    )
    return see_other(
        url_for(
            "frameworks.show",
            slug=slug,
            framework_id=framework_id,
            q=mapping.control_id,
        )
    )


@bp.post("/<int:framework_id>/mappings/<int:mapping_id>/delete")
@login_required
def remove_mapping(slug: str, framework_id: int, mapping_id: int):
    """Remove one mapping."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug, "editor")
    framework = mappings.get_framework(session, access.org, framework_id)
    mapping = mappings.remove_mapping(session, framework, mapping_id)
    note(
        session,
        "mapping removed",
        f"{mapping.requirement_id} → {mapping.control_id}",
        org=access.org,
        framework=framework.title,
    )
    session.commit()
    flash(f"Removed the mapping of {mapping.requirement_id} to {mapping.control_id}.")
    return see_other(
        url_for(
            "frameworks.show",
            slug=slug,
            framework_id=framework_id,
            q=request.form.get("q") or None,
        )
    )


@bp.route("/<int:framework_id>/remove", methods=["GET", "POST"])
@login_required
def remove(slug: str, framework_id: int):
    """Remove an imported framework with its controls and mappings (admin), after a
    page that says what goes with it."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug, "admin")
    framework = mappings.get_framework(session, access.org, framework_id)
    if request.method == "GET":
        controls, mapped = mappings.sizes(session, framework)
        return render_template(
            "frameworks/remove.html",
            access=access,
            framework=framework,
            controls=controls,
            mapped=mapped,
            trail=_trail(
                access,
                (
                    framework.title,
                    url_for("frameworks.show", slug=slug, framework_id=framework.id),
                ),
                ("Remove", None),
            ),
        )
    title = framework.title
    dropped = mappings.remove_framework(session, framework)
    note(session, "framework removed", title, org=access.org, mappings=dropped)
    session.commit()
    flash(f"Removed {title} and its {dropped} mapping{'s' if dropped != 1 else ''}.")
    return see_other(url_for("frameworks.index", slug=slug))
