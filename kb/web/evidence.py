"""An organisation's evidence register: list, add, edit, retire, download, due for review."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import partial
from io import BytesIO

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from kb.db import get_session
from kb.errors import InvalidInput, Problem, StaleEdit
from kb.schemas import EvidenceInput
from kb.services import accounts
from kb.services import assessments as assessment_service
from kb.services import evidence as service
from kb.services import evidence_links as links
from kb.services import register as register_service
from kb.storage import FileStore, Upload
from kb.vocabulary import EVIDENCE_STATUSES, REVIEW_STATES
from kb.web.forms import as_errors, uploaded_file, validate
from kb.web.fragments import kept
from kb.web.htmx import render, see_other

bp = Blueprint("evidence_items", __name__, url_prefix="/orgs/<slug>/evidence")


def file_store() -> FileStore:
    """The file store that create_app set up from FILE_STORE."""
    return current_app.extensions["kb.files"]


def _access(slug: str, need: str = "viewer") -> accounts.Access:
    return accounts.org_access(get_session(), g.user, slug, need)


def filters_from(args: MultiDict) -> service.EvidenceFilter:
    """The register's filters from a query string; unknown values are ignored."""
    sort = args.get("sort", "next_review")
    return service.EvidenceFilter(
        type=args.get("type") or None,
        owner=(args.get("owner") or "").strip()[:120] or None,
        requirement=(args.get("requirement") or "").strip()[:40] or None,
        status=args.get("status") if args.get("status") in EVIDENCE_STATUSES else None,
        review=args.get("review") if args.get("review") in REVIEW_STATES else None,
        retired=args.get("retired") == "1",
        sort=sort if sort.removeprefix("-") in service.SORTS else "next_review",
        page=args.get("page", default=1, type=int) or 1,
    )


def submitted(values: Mapping) -> tuple[EvidenceInput, Upload | None]:
    """The submitted item and its file, checked together.

    Raises InvalidInput naming every fault of the fields and of the file at once.
    """
    problems, upload = [], None
    try:
        upload = uploaded_file()
    except InvalidInput as exc:
        problems += exc.problems
    try:
        data = validate(EvidenceInput, values)
    except InvalidInput as exc:
        problems += exc.problems
    if problems:
        raise InvalidInput(problems)
    return data, upload


@bp.get("")
@login_required
def index(slug: str):
    """The register: filter by type, owner, requirement, status, review state; sort; page."""
    found = _access(slug)
    session = get_session()
    filters = filters_from(request.args)
    page = service.list_items(
        session,
        found.org,
        filters,
        current_app.config["EVIDENCE_PAGE_SIZE"],
        date.today(),
    )
    return render(
        "evidence_items/index.html",
        "evidence_items/_table.html",
        access=found,
        filters=filters,
        page=page,
        types=service.evidence_types(session),
    )


@bp.get("/due")
@login_required
def due(slug: str):
    """Items overdue for review, then those due within 30 days."""
    found = _access(slug)
    session = get_session()
    today = date.today()
    sections = [
        (
            state,
            service.list_items(
                session,
                found.org,
                service.EvidenceFilter(review=state, sort="next_review"),
                1000,
                today,
            ),
        )
        for state in ("overdue", "due")
    ]
    return render_template(
        "evidence_items/due.html",
        access=found,
        sections=sections,
    )


def _form_page(found, form, errors, item=None, status=200, **extra):
    return render_template(
        "evidence_items/form.html",
        access=found,
        form=form,
        errors=errors,
        item=item,
        types=service.evidence_types(get_session()),
        **extra,
    ), status


def _row_target(found) -> tuple | None:
    """The register row a new item is for (`assessment`, `requirement`), if any."""
    assessment_id = request.values.get("assessment", type=int)
    key = request.values.get("requirement")
    if not assessment_id or not key:
        return None
    session = get_session()
    assessment, _ = assessment_service.get_assessment(
        session, g.user, assessment_id, "editor"
    )
    if assessment.organisation_id != found.org.id:
        raise InvalidInput(
            [Problem("assessment", "that assessment is not this organisation's")]
        )
    return assessment, register_service.requirement_in_scope(session, assessment, key)


@bp.get("/new")
@login_required
def new(slug: str):
    """The form for a new item; `type`, `assessment` and `requirement` may prefill it."""
    found = _access(slug, "editor")
    form = {"type": request.args.get("type", ""), "status": "current"}
    return _form_page(found, form, {}, row_target=_row_target(found))


@bp.post("")
@login_required
def create(slug: str):
    """Add an item with its file or web address; from a register row, link it there."""
    found = _access(slug, "editor")
    session = get_session()
    target = _row_target(found)
    try:
        data, upload = submitted(request.form)
        item = service.create_item(
            session, found.org, data, upload, g.user, file_store()
        )
        if target:
            links.link(session, target[0], target[1], item, g.user)
    except InvalidInput as exc:
        session.rollback()
        return _form_page(
            found, request.form, as_errors(exc.problems), status=422, row_target=target
        )
    session.commit()
    flash(f"Evidence item {item.id} “{item.title}” added.")
    if target:
        return see_other(
            url_for("assessments.show", assessment_id=target[0].id)
            + f"#row-{target[1].slug}"
        )
    return see_other(url_for("evidence_items.show", slug=slug, evidence_id=item.id))


@bp.get("/<int:evidence_id>")
@login_required
def show(slug: str, evidence_id: int):
    """One item: where it is, its files, the register rows it serves, its history."""
    found = _access(slug)
    session = get_session()
    item = service.get_item(session, found.org, evidence_id)
    return render_template(
        "evidence_items/show.html",
        access=found,
        row=service.listed(session, [item], date.today())[0],
        files=service.files_of(session, item),
        rows=links.rows_of(session, item),
        changes=service.history(session, item),
    )


@bp.get("/<int:evidence_id>/edit")
@login_required
def edit(slug: str, evidence_id: int):
    """The edit form of one item."""
    found = _access(slug, "editor")
    item = service.get_item(get_session(), found.org, evidence_id)
    return _form_page(found, item.model_dump(), {}, item=item)


@bp.post("/<int:evidence_id>")
@login_required
def update(slug: str, evidence_id: int):
    """Save an edit if nobody saved the item in between; otherwise show theirs."""
    found = _access(slug, "editor")
    session = get_session()
    item = service.get_item(session, found.org, evidence_id)
    try:
        data, upload = submitted(request.form)
        service.update_item(session, item, data, upload, g.user, file_store())
    except InvalidInput as exc:
        session.rollback()
        item = service.get_item(session, found.org, evidence_id)
        return _form_page(
            found, request.form, as_errors(exc.problems), item=item, status=422
        )
    except StaleEdit:
        session.rollback()
        item = service.get_item(session, found.org, evidence_id)
        return _form_page(
            found,
            request.form,
            {
                "form": "Someone else saved this item after you opened it. Your "
                "changes are below, not saved; their version is on the right."
            },
            item=item,
            status=409,
            theirs=item.model_dump(),
        )
    session.commit()
    flash(f"Evidence item {item.id} saved.")
    return see_other(url_for("evidence_items.show", slug=slug, evidence_id=item.id))


@bp.post("/<int:evidence_id>/retire")
@login_required
def retire(slug: str, evidence_id: int):
    """Retire an item (it keeps its history), or bring it back with retired=0."""
    found = _access(slug, "editor")
    session = get_session()
    item = service.get_item(session, found.org, evidence_id)
    retired = request.form.get("retired", "1") == "1"
    service.set_retired(
        session, item, retired, g.user, (request.form.get("reason") or "")[:500]
    )
    session.commit()
    flash(f"Evidence item {item.id} {'retired' if retired else 'brought back'}.")
    return see_other(url_for("evidence_items.show", slug=slug, evidence_id=item.id))


@bp.get("/<int:evidence_id>/file")
@login_required
def file(slug: str, evidence_id: int):
    """Download the item's file (or an earlier one, `?version=<file id>`), always as an
    attachment, never shown inline."""
    found = _access(slug)
    session = get_session()
    item = service.get_item(session, found.org, evidence_id)
    stored = service.get_file(session, item, request.args.get("version", type=int))
    data = file_store().load(session, stored.storage_name)
    response = send_file(
        BytesIO(data),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
        etag=stored.sha256,
        max_age=0,
    )
    # One body, not the file wrapper's 8 KiB blocks: the bytes are in memory already.
    response.direct_passthrough = False
    response.set_data(data)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def overdue_for_user() -> list[tuple[str, str, int]]:
    """(slug, name, count) of overdue evidence for the page header, for each of the
    user's organisations that has some; asked only when a full page is rendered."""
    if not g.get("user"):
        return []
    session, today = get_session(), date.today()
    badges = []
    for org, _role in g.organisations:
        count = kept(
            org, "overdue evidence", partial(service.overdue_count, session, org, today)
        )
        if count:
            badges.append((org.slug, org.name, count))
    return badges
