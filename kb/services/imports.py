"""Importing an assessment workbook: preview (read, check, compare, keep the plan as an
ImportRun) and apply (write the plan, with the person's choice for each conflict, in
the caller's transaction). Services add and flush; the caller commits."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import asdict
from typing import Any

from sqlmodel import Session, col, select

from importers.columns import editable_values
from importers.diff import (
    Change,
    Conflict,
    Plan,
    StateChange,
    Stored,
    diff,
    diff_states,
    state_key,
)
from importers.reader import WorkbookReader
from importers.table import Table, check_register_mapping, read_table, table_rows
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
    User,
    utcnow,
)
from kb.schemas import StateInput
from kb.services import evidence_links, zone_states
from kb.services.changes import save_versioned
from kb.services.register import RegisterFilter, register
from kb.services.scoring import display
from kb.services.zones import list_zones

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
    zones = {z.id: z for z in list_zones(session, assessment)}
    technical = {r.id for r in zone_states.technical_requirements(session)}
    reader = WorkbookReader(
        data, assessment.id, org.slug, set(stored), set(zones), technical
    )
    plan = diff(reader.rows(), stored)
    states = zone_states.states_of(session, list(zones))
    diff_states(
        plan,
        reader.states,
        {
            (zone_id, rid): Stored(row.version, (row.state,))
            for zone_id, rows in states.items()
            for rid, row in rows.items()
        },
    )
    _check_evidence(session, org, plan, reader)
    _check_not_applicable(plan, states, reader)
    run = ImportRun(
        assessment_id=assessment.id,
        filename=filename[:255] or "workbook.xlsx",
        sha256=hashlib.sha256(data).hexdigest(),
        created_by=user.id,
        plan=plan.as_json(),
    )
    session.add(run)
    session.flush()
    return run


def start_table(
    session: Session, data: bytes, filename: str, user: User, **owner: int
) -> ImportRun:
    """Keep a table from another tool as a run waiting for its columns to be named;
    `owner` is the run's `assessment_id` (a register) or `organisation_id` (an
    evidence list).

    Raises InvalidInput when the file is not a table that can be read.
    """
    found = read_table(data, filename)
    run = ImportRun(
        **owner,
        filename=filename[:255] or "table",
        sha256=hashlib.sha256(data).hexdigest(),
        created_by=user.id,
        status="mapping",
        plan={"table": asdict(found)},
    )
    session.add(run)
    session.flush()
    return run


def table_of(run: ImportRun) -> Table:
    return Table(**run.plan["table"])


def preview_table(
    session: Session, assessment: Assessment, run: ImportRun, mapping: dict[str, int]
) -> ImportRun:
    """Read the run's table with the columns the person named, and keep the plan.

    Raises InvalidInput for a bad choice of columns or any fault in the rows.
    """
    found = table_of(run)
    check_register_mapping(found, mapping)
    stored = stored_rows(session, assessment)
    problems: list[Problem] = []
    plan = diff(table_rows(found, mapping, stored, problems), stored)
    if problems:
        raise InvalidInput(problems)
    run.plan = plan.as_json()
    run.status = "previewed"
    session.add(run)
    session.flush()
    return run


def _check_evidence(
    session: Session, org: Organisation, plan: Plan, reader: WorkbookReader
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


def _check_not_applicable(plan: Plan, states, reader: WorkbookReader) -> None:
    """A zone's SR or RE that the file says does not apply needs the reason saved on
    the zone's page (the sheet has no room for one)."""
    where = {(s.zone_id, s.requirement_id): s.where for s in reader.states}
    problems = [
        Problem(
            where[(c.zone_id, c.requirement_id)],
            "a requirement that does not apply to a zone needs a reason; set it on "
            "the zone's page",
        )
        for c in (*plan.states, *plan.state_conflicts)
        if (c.new if isinstance(c, StateChange) else c.file) == "not applicable"
        and not getattr(states[c.zone_id].get(c.requirement_id), "reason", "")
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
    return Plan.from_json(run.plan)


def apply(
    session: Session,
    assessment: Assessment,
    run: ImportRun,
    take_file: set[tuple[str, str]],
    user: User,
    take_states: frozenset[tuple[int, str]] = frozenset(),
) -> int:
    """Write the run's changes, and the file's value of each conflict in `take_file`
    ((requirement id, field) pairs) and `take_states` ((zone id, requirement id)
    pairs); the other conflicts keep the application's value. Returns how many values
    were written.

    Raises Conflict when the run was applied already or a row it touches was saved
    since the preview (the session is rolled back: nothing is written).
    """
    if run.status == "applied":
        raise ConflictError("This import was applied already.")
    if run.status != "previewed":
        raise ConflictError("Say which column is which first.")
    plan = plan_of(run)
    writes: dict[str, list[Change]] = defaultdict(list)
    for change in plan.changes:
        writes[change.requirement_id].append(change)
    for conflict in plan.conflicts:
        if (conflict.requirement_id, conflict.field) in take_file:
            writes[conflict.requirement_id].append(_taken(conflict))
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
    count += _apply_states(session, assessment, plan, take_states, user, reason)
    run.status, run.applied_by, run.applied_at, run.applied = (
        "applied",
        user.id,
        utcnow(),
        count,
    )
    session.add(run)
    session.flush()
    return count


def _apply_states(session, assessment, plan: Plan, take_states, user, reason) -> int:
    """Write the zone states of the plan through the zone pages' own service (its
    version check and history); raises Conflict when one moved since the preview."""
    writes = [*plan.states] + [
        StateChange(c.zone_id, c.requirement_id, c.app, c.file)
        for c in plan.state_conflicts
        if (c.zone_id, c.requirement_id) in take_states
    ]
    if not writes:
        return 0
    zones = {z.id: z for z in list_zones(session, assessment)}
    states = zone_states.states_of(session, list(zones))
    requirements = {r.id: r for r in zone_states.technical_requirements(session)}
    for change in writes:
        row = states.get(change.zone_id, {}).get(change.requirement_id)
        data = StateInput(
            version=plan.state_versions[
                state_key(change.zone_id, change.requirement_id)
            ],
            state=change.new,
            reason=row.reason if row else None,
            notes=row.notes if row else None,
        )
        try:
            zone_states.set_state(
                session,
                zones[change.zone_id],
                requirements[change.requirement_id],
                data,
                user,
                reason,
            )
        except (StaleEdit, KeyError):
            raise ConflictError(
                _moved([f"{change.requirement_id} of a zone"])
            ) from None
    return len(writes)


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
