"""Importing an assessment workbook: preview (read, check, compare, keep the plan as an
ImportRun) and apply (write the plan, with the person's choice for each conflict, in
the caller's transaction). Services add and flush; the caller commits."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict
from datetime import date
from typing import Any

from pydantic import TypeAdapter
from sqlmodel import Session, col, select

from importers.columns import editable_values
from importers.diff import Change, Conflict, Plan, Stored, diff
from importers.reader import RegisterReader
from kb.errors import Conflict as ConflictError
from kb.errors import InvalidInput, NotFound, Problem, StaleEdit
from kb.models import (
    Assessment,
    ContentItem,
    EvidenceItem,
    ImportRun,
    Organisation,
    Score,
    ScoreChange,
    ScoreFields,
    User,
    utcnow,
)
from kb.services import evidence_links
from kb.services.changes import save_versioned
from kb.services.register import RegisterFilter, display, register

EVIDENCE = "evidence"


def stored_rows(session: Session, assessment: Assessment) -> dict[str, Stored]:
    """Every register row in scope as the workbook would hold it now."""
    return {
        row.requirement.id: Stored(
            row.score.version if row.score else 0, editable_values(row)
        )
        for group in register(session, assessment, RegisterFilter())
        for row in group.rows
    }


def preview(
    session: Session,
    assessment: Assessment,
    org: Organisation,
    data: bytes,
    filename: str,
    user: User,
) -> ImportRun:
    """Read the workbook, compare it with the register and keep the plan as a run.

    Raises InvalidInput with every problem in the file; nothing is kept then.
    """
    stored = stored_rows(session, assessment)
    reader = RegisterReader(data, assessment.id, org.slug, set(stored))
    plan = diff(reader.rows(), stored)
    _check_evidence(session, org, plan, reader)
    run = ImportRun(
        assessment_id=assessment.id,
        filename=filename[:255] or "workbook.xlsx",
        sha256=hashlib.sha256(data).hexdigest(),
        created_by=user.id,
        plan=_encode(plan),
    )
    session.add(run)
    session.flush()
    return run


def _check_evidence(
    session: Session, org: Organisation, plan: Plan, reader: RegisterReader
) -> None:
    """Every evidence id the file adds to a row is a live item of this organisation."""
    added = [
        (change.requirement_id, item_id)
        for change in (*plan.changes, *(_taken(c) for c in plan.conflicts))
        if change.field == EVIDENCE
        for item_id in set(change.new) - set(change.old)
    ]
    live = set(
        session.exec(
            select(EvidenceItem.id).where(
                col(EvidenceItem.id).in_({item_id for _rid, item_id in added}),
                EvidenceItem.organisation_id == org.id,
                col(EvidenceItem.retired).is_(False),
            )
        )
    )
    problems = [
        Problem(
            reader.where(requirement_id, EVIDENCE),
            f"there is no live evidence item {item_id} in this organisation; use the "
            "ids of the Evidence register (retired items cannot be linked)",
        )
        for requirement_id, item_id in added
        if item_id not in live
    ]
    if problems:
        raise InvalidInput(problems)


def _taken(conflict: Conflict) -> Change:
    """The change a conflict makes when the file's value is taken."""
    return Change(conflict.requirement_id, conflict.field, conflict.app, conflict.file)


def get_run(session: Session, assessment: Assessment, run_id: int) -> ImportRun:
    run = session.get(ImportRun, run_id)
    if run is None or run.assessment_id != assessment.id:
        raise NotFound(f"There is no import {run_id} of this assessment.")
    return run


def recent_runs(session: Session, assessment: Assessment, limit: int = 10):
    """The assessment's latest imports, newest first."""
    return list(
        session.exec(
            select(ImportRun)
            .where(ImportRun.assessment_id == assessment.id)
            .order_by(col(ImportRun.id).desc())
            .limit(limit)
        )
    )


def plan_of(run: ImportRun) -> Plan:
    return _decode(run.plan)


def apply(
    session: Session,
    assessment: Assessment,
    run: ImportRun,
    take_file: set[tuple[str, str]],
    user: User,
) -> int:
    """Write the run's changes, and the file's value of each conflict in `take_file`
    ((requirement id, field) pairs; the others keep the application's value).
    Returns how many values were written.

    Raises Conflict when the run was applied already or a row it touches was saved
    since the preview (the session is rolled back: nothing is written).
    """
    if run.status != "previewed":
        raise ConflictError("This import was applied already.")
    plan = plan_of(run)
    writes: dict[str, list[Change]] = defaultdict(list)
    for change in plan.changes:
        writes[change.requirement_id].append(change)
    for conflict in plan.conflicts:
        if (conflict.requirement_id, conflict.field) in take_file:
            writes[conflict.requirement_id].append(
                Change(
                    conflict.requirement_id, conflict.field, conflict.app, conflict.file
                )
            )
    scores = {
        s.requirement_id: s
        for s in session.exec(select(Score).where(Score.assessment_id == assessment.id))
    }
    moved = [
        rid
        for rid, version in plan.versions.items()
        if (scores[rid].version if rid in scores else 0) != version
    ]
    if moved:
        raise ConflictError(_moved(moved))
    requirements = {
        r.id: r
        for r in session.exec(
            select(ContentItem).where(col(ContentItem.id).in_(list(writes)))
        )
    }
    items = _items(session, writes)
    reason = f"imported from {run.filename}"
    count = 0
    for rid, changes in writes.items():
        score = scores.get(rid) or Score(
            assessment_id=assessment.id, requirement_id=rid, version=0
        )
        seen = score.version
        for change in changes:
            if change.field != EVIDENCE:
                setattr(score, change.field, change.new)
        try:
            save_versioned(session, score, seen, user.id, lambda: None)
        except StaleEdit:
            raise ConflictError(_moved([rid])) from None
        for change in changes:
            if change.field == EVIDENCE:
                _relink(session, assessment, requirements[rid], change, items, user)
            session.add(
                ScoreChange(
                    score_id=score.id,
                    assessment_id=assessment.id,
                    requirement_id=rid,
                    user_id=user.id,
                    field=change.field,
                    old=shown(change.field, change.old),
                    new=shown(change.field, change.new),
                    reason=reason,
                    import_run_id=run.id,
                )
            )
            count += 1
    run.status, run.applied_by, run.applied_at, run.applied = (
        "applied",
        user.id,
        utcnow(),
        count,
    )
    session.add(run)
    session.flush()
    return count


def _moved(requirement_ids: list[str]) -> str:
    shown = ", ".join(requirement_ids[:5]) + (
        " and more" if len(requirement_ids) > 5 else ""
    )
    return (
        f"Someone saved {shown} after this preview; upload the file again to see "
        "the changes against what is saved now."
    )


def _items(session: Session, writes) -> dict[int, EvidenceItem]:
    ids = {
        i
        for changes in writes.values()
        for c in changes
        if c.field == EVIDENCE
        for i in (*c.old, *c.new)
    }
    return {
        item.id: item
        for item in session.exec(
            select(EvidenceItem).where(col(EvidenceItem.id).in_(ids))
        )
    }


def _relink(session, assessment, requirement, change: Change, items, user) -> None:
    for item_id in sorted(set(change.new) - set(change.old)):
        evidence_links.link(session, assessment, requirement, items[item_id], user)
    for item_id in sorted(set(change.old) - set(change.new)):
        evidence_links.unlink(session, assessment, requirement, items[item_id], user)


def shown(field: str, value: Any) -> str:
    """A value as the history and the preview show it."""
    if field == EVIDENCE:
        return ", ".join(map(str, value))
    return display(field, value)


# -- the plan as JSON ----------------------------------------------------------------

_TYPES = {
    name: TypeAdapter(info.annotation)
    for name, info in ScoreFields.model_fields.items()
}
_TYPES[EVIDENCE] = TypeAdapter(list[int])


def _encode(plan: Plan) -> dict:
    def plain(record) -> dict:
        return {
            k: v.isoformat() if isinstance(v, date) else v
            for k, v in asdict(record).items()
        }

    return {
        "changes": [plain(c) for c in plan.changes],
        "conflicts": [plain(c) for c in plan.conflicts],
        "versions": plan.versions,
    }


def _decode(data: dict) -> Plan:
    def typed(field: str, value: Any) -> Any:
        return _TYPES[field].validate_python(value)

    return Plan(
        changes=[
            Change(
                c["requirement_id"],
                c["field"],
                typed(c["field"], c["old"]),
                typed(c["field"], c["new"]),
            )
            for c in data["changes"]
        ],
        conflicts=[
            Conflict(
                c["requirement_id"],
                c["field"],
                typed(c["field"], c["app"]),
                typed(c["field"], c["file"]),
            )
            for c in data["conflicts"]
        ],
        versions=data["versions"],
    )
