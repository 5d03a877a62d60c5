"""An assessment (read, rename, archive), its register rows as scores (list, read,
update one, update many at once) and their history."""

from __future__ import annotations

import re

from flask import g, make_response, request
from flask_login import login_required

from kb.content.kinds import slugify
from kb.db import get_session
from kb.errors import Conflict, InvalidInput, Problem, StaleEdit
from kb.models import Assessment, Score, ScoreFields
from kb.services import assessments as assessment_service
from kb.services import register as register_service
from kb.services import scoring
from kb.services.register import Row
from kb.services.scoring import HistoryFilter
from kb.web.api import bp, json_object, next_cursor, page_args, parsed
from kb.web.api.models import AssessmentPatch, BulkBody, BulkRow, ScoreBody
from kb.web.api.orgs import assessment_json
from kb.web.api.responses import (
    AssessmentOut,
    BulkOut,
    ChangeList,
    ChangeOut,
    ScoreList,
    ScoreOut,
)
from kb.web.api.spec import documented
from kb.web.assessments import register_filters
from kb.web.auditing import note
from kb.web.fragments import kept

DEFAULTS = ScoreFields().model_dump()  # what a row never saved reads as
IF_MATCH = re.compile(r'^\s*(?:W/)?"v(\d+)"\s*$')


def _load(assessment_id: int, need: str = "viewer"):
    session = get_session()
    assessment, access = assessment_service.get_assessment(
        session, g.user, assessment_id, need
    )
    return session, assessment, access


def score_json(requirement, score: Score | None) -> dict:
    row = Row(requirement, score, "")
    stored = scoring.score_values(score)
    return ScoreOut(
        requirement=requirement.id,
        title=requirement.title,
        part=requirement.part,
        area=requirement.area_id,
        gap=row.as_score_row.gap,
        version=score.version if score else 0,
        updated_at=score.updated_at if score else None,
        **(DEFAULTS | stored),
    ).model_dump(mode="json")


@bp.get("/assessments/<int:assessment_id>")
@login_required
@documented(response=AssessmentOut)
def assessment(assessment_id: int) -> dict:
    """One assessment."""
    _session, found, access = _load(assessment_id)
    return assessment_json(found, access.org.slug)


@bp.patch("/assessments/<int:assessment_id>")
@login_required
@documented(body=AssessmentPatch, response=AssessmentOut)
def assessment_update(assessment_id: int) -> dict:
    """Rename an assessment, archive it or bring it back (editors and admins)."""
    session, found, access = _load(assessment_id, "editor")
    data = parsed(AssessmentPatch, json_object())
    if data.name is not None:
        assessment_service.rename(session, found, data.name)
    if data.status is not None and data.status != found.status:
        assessment_service.set_archived(session, found, data.status == "archived")
        action = "archived" if data.status == "archived" else "restored"
        note(session, f"assessment {action}", found.name, org=access.org, id=found.id)
    session.commit()
    return assessment_json(found, access.org.slug)


@bp.get("/assessments/<int:assessment_id>/scores")
@login_required
@documented(response=ScoreList)
def scores(assessment_id: int) -> dict:
    """Every requirement in scope with its score, filtered and sorted as the register
    is (`area`, `status`, `gap=1`, `overdue=1`, `owner`, `sort`); pages by `limit`
    and `cursor`."""
    session, found, access = _load(assessment_id)
    limit, offset = page_args(default=500)
    filters = register_filters()

    def listed() -> dict:
        rows = [
            row
            for group in register_service.register(session, found, filters)
            for row in group.rows
        ]
        return {
            "scores": [
                score_json(r.requirement, r.score)
                for r in rows[offset : offset + limit]
            ],
            "total": len(rows),
            "next_cursor": next_cursor(offset, limit, len(rows)),
        }

    # kept until the organisation's data changes, as the register page is
    query = tuple(sorted(request.args.items(multi=True)))
    return kept(access.org, ("api scores", found.id, query), listed)


def _one(session, found: Assessment, key: str):
    requirement = register_service.requirement_in_scope(session, found, key)
    return requirement, scoring.score_of(session, found, requirement.id)


@bp.get("/assessments/<int:assessment_id>/scores/<key>")
@login_required
@documented(response=ScoreOut)
def score(assessment_id: int, key: str):
    """One requirement's score, by its id or slug; the ETag is its version."""
    session, found, _access = _load(assessment_id)
    requirement, stored = _one(session, found, key)
    body = score_json(requirement, stored)
    response = make_response(body)
    response.set_etag(f"v{body['version']}")
    return response


def _merged(stored: Score | None, sent: dict) -> dict:
    """The stored fields with those sent on top: a field not sent keeps its value."""
    return scoring.score_values(stored) | sent


def _stale(requirement, stored: Score | None, sent_version: int) -> Conflict:
    now = score_json(requirement, stored)
    return Conflict(
        f"{requirement.id} changed since version {sent_version}: it is at version "
        f"{now['version']} now (current {now['current']}, target {now['target']}, "
        f"status {now['status']}). Read it again and send your change on top."
    )


@bp.put("/assessments/<int:assessment_id>/scores/<key>")
@login_required
@documented(body=ScoreBody, response=ScoreOut)
def score_update(assessment_id: int, key: str):
    """Update one score (editors and admins), with the row `version` in the body or
    `If-Match: "v<version>"`; 409 when the row changed since."""
    session, found, _access = _load(assessment_id, "editor")
    requirement, stored = _one(session, found, key)
    sent = json_object()
    if "version" not in sent and (
        match := IF_MATCH.match(request.headers.get("If-Match", ""))
    ):
        sent["version"] = int(match[1])
    if "version" not in sent:
        raise InvalidInput(
            [Problem("version", 'send the row version, or If-Match: "v<version>"')]
        )
    data = parsed(ScoreBody, _merged(stored, sent))
    try:
        saved = scoring.update_score(session, found, requirement, data, g.user)
    except StaleEdit:
        raise _stale(
            requirement,
            scoring.score_of(session, found, requirement.id),
            data.version,
        ) from None
    session.commit()
    return score_json(requirement, saved)


@bp.post("/assessments/<int:assessment_id>/scores/bulk")
@login_required
@documented(body=BulkBody, response=BulkOut)
def scores_bulk(assessment_id: int):
    """Update many scores in one transaction (editors and admins): every row is
    checked first, and one bad or stale row refuses them all (422 or 409, each fault
    at `rows.<n>.<field>`)."""
    session, found, _access = _load(assessment_id, "editor")
    body = parsed(BulkBody, json_object())
    in_scope = {
        r.requirement.slug: r
        for group in register_service.register(
            session, found, register_service.RegisterFilter()
        )
        for r in group.rows
    }
    problems, stale, plan = [], [], []
    for n, sent in enumerate(body.rows):
        where = f"rows.{n}"
        row = in_scope.get(slugify(str(sent.get("requirement", ""))))
        if not isinstance(sent.get("requirement"), str) or row is None:
            problems.append(
                Problem(
                    f"{where}.requirement",
                    "not a requirement in this assessment's scope",
                )
            )
            continue
        try:
            data = parsed(BulkRow, _merged(row.score, sent), where)
        except InvalidInput as exc:
            problems += exc.problems
            continue
        if data.version != (row.score.version if row.score else 0):
            stale.append(
                Problem(
                    f"{where}.version",
                    str(_stale(row.requirement, row.score, data.version)),
                )
            )
        plan.append((row, data))
    if problems:
        raise InvalidInput(problems)
    if stale:
        raise Conflict("; ".join(p.message for p in stale))
    changed = 0
    saved = []
    try:
        for row, data in plan:  # the rows as checked above: none is read again
            version = row.score.version if row.score else 0
            score = scoring.update_score(
                session, found, row.requirement, data, g.user, row.score
            )
            changed += score.version != version
            saved.append(score_json(row.requirement, score))
    except StaleEdit:
        session.rollback()
        raise Conflict(
            "A row changed while the update ran; nothing was saved. Try again."
        ) from None
    session.commit()
    return {"saved": len(saved), "changed": changed, "scores": saved}


@bp.get("/assessments/<int:assessment_id>/history")
@login_required
@documented(response=ChangeList)
def history(assessment_id: int) -> dict:
    """Every change to the scores, newest first; `requirement`, `field` and `user`
    (an email) filter; pages by `limit` and `cursor`."""
    session, found, _access = _load(assessment_id)
    limit, offset = page_args()
    args = request.args
    changes = scoring.history(
        session,
        found,
        HistoryFilter(args.get("requirement"), args.get("field"), args.get("user")),
        limit=offset + limit + 1,
    )
    return ChangeList(
        changes=[
            ChangeOut(
                id=change.id,
                requirement=change.requirement_id,
                field=change.field,
                old=change.old,
                new=change.new,
                reason=change.reason,
                by=email,
                at=change.changed_at,
            )
            for change, email in changes[offset : offset + limit]
        ],
        next_cursor=next_cursor(offset, limit, len(changes)),
    ).model_dump(mode="json")
