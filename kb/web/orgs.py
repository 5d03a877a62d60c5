"""An organisation's pages: its assessments and, for admins, its members."""

from __future__ import annotations

import math
from datetime import date

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from markupsafe import Markup

from kb.db import get_session, reads_only
from kb.errors import InvalidInput
from kb.models import Organisation
from kb.schemas import AssessmentCreate, MemberAdd, MemberRole
from kb.services import accounts, audit, overview, sso
from kb.services import assessments as assessment_service
from kb.services import evidence as evidence_service
from kb.services.charts import sparkline
from kb.vocabulary import AUDIT_ACTIONS
from kb.web.auditing import note
from kb.web.forms import as_errors, parse, parse_or_raise
from kb.web.fragments import fragment, whole_page
from kb.web.htmx import see_other

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


def _access(slug: str, need: str = "viewer") -> accounts.Access:
    """The reader's access to the organisation: from the memberships loaded with the
    user when they are a member (no query), else the query that refuses them."""
    for org, role in g.organisations:
        if org.slug == slug:
            return accounts.grant(org, g.user, role, need)
    return accounts.org_access(get_session(), g.user, slug, need)


@bp.get("/")
@login_required
def index() -> str:
    """List the organisations the user belongs to."""
    return render_template("orgs/index.html", orgs=g.organisations)


@bp.get("/<slug>/")
@login_required
def show(slug: str) -> str:
    """Every assessment with its headline figures and trend, overdue counts, and the
    latest changes."""
    found = _access(slug)
    return render_template(
        "orgs/show.html",
        access=found,
        content=fragment(found, ("overview",), lambda: _overview(found)),
    )


def _overview(found: accounts.Access) -> str:
    session = get_session()
    today = date.today()
    rows = overview.overview(session, found.org, today)
    evidence_overdue = evidence_service.overdue_count(session, found.org, today)
    return render_template(
        "orgs/_overview.html",
        access=found,
        rows=rows,
        sparklines={r.assessment.id: sparkline(r.trend) for r in rows},
        evidence_overdue=evidence_overdue,
        changes=overview.recent_changes(session, found.org),
    )


def _assessments_page(found, archived: bool, errors: dict, form, status: int = 200):
    """The list of assessments with their progress, and the form for a new one."""
    session = get_session()

    def content() -> str:
        return render_template(
            "orgs/_assessments.html",
            access=found,
            archived=archived,
            errors=errors,
            form=form,
            items=assessment_service.list_assessments(session, found.org, archived),
            figures={
                row.assessment.id: row.figures
                for row in overview.overview(session, found.org, date.today(), archived)
            },
        )

    # Kept rendered while nothing changes, except when it shows a person's faults.
    shown = (
        Markup(content())
        if errors
        else fragment(found, ("assessments", archived), content)
    )
    return render_template("orgs/assessments.html", access=found, content=shown), status


@bp.get("/<slug>/assessments")
@login_required
@reads_only
def assessments(slug: str):
    """List assessments with their progress; show archived ones on request (the whole
    page kept rendered until something it shows changes)."""
    found = _access(slug)
    archived = request.args.get("archived") == "1"
    return whole_page(
        found,
        ("assessments", archived),
        lambda: _assessments_page(found, archived, {}, {})[0],
    )


@bp.post("/<slug>/assessments")
@login_required
def create_assessment(slug: str):
    """Create an assessment (admin)."""
    found = _access(slug, "admin")
    session = get_session()
    data = parse(AssessmentCreate, request.form, lists=("parts",))
    if isinstance(data, dict):
        return _assessments_page(found, False, data, request.form, 422)
    assessment = assessment_service.create_assessment(session, found.org, data)
    note(
        session, "assessment created", assessment.name, org=found.org, id=assessment.id
    )
    session.commit()
    return see_other(url_for("assessments.show", assessment_id=assessment.id))


@bp.get("/<slug>/audit")
@login_required
def audit_log(slug: str) -> str:
    """Who did what and when in the organisation, newest first (admin); filter by
    action."""
    found = _access(slug, "admin")
    action = request.args.get("action")
    action = action if action in AUDIT_ACTIONS else None
    size = current_app.config["PAGE_SIZE"]
    number = max(1, request.args.get("page", 1, type=int) or 1)
    events, total = audit.events(
        get_session(), found.org, action=action, limit=size, offset=(number - 1) * size
    )
    return render_template(
        "orgs/audit.html",
        access=found,
        events=events,
        action=action,
        actions=AUDIT_ACTIONS,
        number=number,
        pages=max(1, math.ceil(total / size)),
        total=total,
    )


@bp.get("/<slug>/members")
@login_required
def members(slug: str) -> str:
    """List members with their roles (admin)."""
    found = _access(slug, "admin")
    return _members_page(found, {}, {})


def _members_page(found, errors: dict, form, status: int = 200):
    providers = current_app.extensions["kb.sso"]
    rows = [
        (user, membership, sso.sign_in_methods(user, providers))
        for user, membership in accounts.members(get_session(), found.org)
    ]
    return render_template(
        "orgs/members.html",
        access=found,
        rows=rows,
        providers=providers,
        errors=errors,
        form=form,
    ), status


@bp.post("/<slug>/members")
@login_required
def add_member(slug: str):
    """Add a member by email; a new person gets the initial password given (admin)."""
    found = _access(slug, "admin")
    session = get_session()
    data = parse(MemberAdd, request.form)
    if isinstance(data, dict):
        return _members_page(found, data, request.form, 422)
    user = accounts.find_user(session, data.email)
    if user is None:
        if not data.password:
            return _members_page(
                found,
                {
                    "password": "A new person needs an initial password "
                    "of at least 12 characters."
                },
                request.form,
                422,
            )
        user = accounts.create_user(session, data.email, data.password)
    accounts.set_membership(session, user, found.org, data.role)
    note(session, "member added", user.email, org=found.org, role=data.role)
    session.commit()
    flash(f"{user.email} is now {data.role} of {found.org.name}.")
    return see_other(url_for("orgs.members", slug=slug))


@bp.post("/<slug>/members/<int:user_id>")
@login_required
def change_member(slug: str, user_id: int):
    """Change a member's role (admin)."""
    found = _access(slug, "admin")
    session = get_session()
    data = parse_or_raise(MemberRole, request.form)
    user = accounts.member(session, found.org, user_id)
    accounts.set_membership(session, user, found.org, data.role)
    note(session, "member changed", user.email, org=found.org, role=data.role)
    session.commit()
    flash(f"{user.email} is now {data.role} of {found.org.name}.")
    return see_other(url_for("orgs.members", slug=slug))


@bp.post("/<slug>/members/<int:user_id>/delete")
@login_required
def remove_member(slug: str, user_id: int):
    """Remove a member (admin); the last admin cannot be removed."""
    found = _access(slug, "admin")
    session = get_session()
    email = accounts.member(session, found.org, user_id).email
    accounts.remove_membership(session, found.org, user_id)
    note(session, "member removed", email, org=found.org)
    session.commit()
    flash(f"{email} is no longer a member of {found.org.name}.")
    return see_other(url_for("orgs.members", slug=slug))


@bp.post("/<slug>/sign-in")
@login_required
def password_login(slug: str):
    """Let members log in with a password, or only through single sign-on (admin)."""
    found = _access(slug, "admin")
    session = get_session()
    org = session.get(Organisation, found.org.id)
    allowed = request.form.get("password_login") == "1"
    try:
        changed = sso.set_password_login(
            session, org, allowed, current_app.extensions["kb.sso"]
        )
    except InvalidInput as exc:
        return _members_page(found, as_errors(exc.problems), {}, 422)
    if changed:
        note(session, "password login changed", org=org, allowed=allowed)
        session.commit()
    flash(
        f"Members of {org.name} "
        + (
            "may log in with a password."
            if allowed
            else "sign in through single sign-on only."
        )
    )
    return see_other(url_for("orgs.members", slug=slug))
