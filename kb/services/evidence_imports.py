"""Importing an evidence list from another tool (a CSV, or the first sheet of an
.xlsx) into an organisation's evidence register: the table is kept as a run, the
person says which column is which, the preview lists the items to add (and those that
exist already), and applying adds them. Services add and flush; the caller commits."""

from __future__ import annotations

from typing import Any

from openpyxl.utils import get_column_letter
from pydantic import ValidationError
from sqlmodel import Session, col, select

from importers.rows import read_date
from importers.table import check_mapping, normal
from kb.errors import Conflict, InvalidInput, NotFound, Problem
from kb.models import (
    EvidenceFields,
    EvidenceItem,
    ImportRun,
    Organisation,
    User,
    utcnow,
)
from kb.schemas import EvidenceInput
from kb.services import evidence as evidence_service
from kb.services import imports

# The fields a list may give, in the order of the mapping page, with the words other
# tools use for each in their headers.
FIELDS = tuple(EvidenceFields.model_fields)
ALIASES = {
    "type": ("evidence type", "type", "kind", "category"),
    "title": ("title", "name", "evidence", "document", "artefact", "artifact"),
    "owner": ("owner", "responsible", "custodian"),
    "collected_on": ("collected on", "collected", "date", "evidence date"),
    "next_review": ("next review", "review date", "review due", "expires"),
    "status": ("status", "state"),
    "url": ("web address", "url", "link", "location", "path"),
}
DATES = ("collected_on", "next_review")
REQUIRED = ("type", "title", "url")


def label(field: str) -> str:
    return EvidenceFields.model_fields[field].title or field


def start(
    session: Session, org: Organisation, data: bytes, filename: str, user: User
) -> ImportRun:
    """Keep the list as a run waiting for its columns to be named; raises as
    `imports.start_table` does."""
    return imports.start_table(session, data, filename, user, organisation_id=org.id)


def get_run(session: Session, org: Organisation, run_id: int) -> ImportRun:
    run = session.get(ImportRun, run_id)
    if (
        run is None
        or run.organisation_id != org.id
        or run.assessment_id is not None
        or run.kind
    ):
        raise NotFound(f"There is no evidence import {run_id} here.")
    return run


def preview(
    session: Session, org: Organisation, run: ImportRun, mapping: dict[str, int]
) -> ImportRun:
    """Read every row as an evidence item with the columns the person named; keep
    the items to add, and those that the register has already (same title and type).

    Raises InvalidInput naming each faulty cell, or a bad choice of columns.
    """
    table = imports.table_of(run)
    check_mapping(
        table,
        mapping,
        {
            needed: f"choose the column of the {label(needed).lower()}"
            for needed in REQUIRED
        },
        {name: label(name) for name in FIELDS},
    )
    types = _types(session)
    existing = {
        (title.lower(), type_id)
        for title, type_id in session.exec(
            select(EvidenceItem.title, EvidenceItem.type).where(
                EvidenceItem.organisation_id == org.id,
                col(EvidenceItem.retired).is_(False),
            )
        )
    }
    letters = {f: get_column_letter(i + 1) for f, i in mapping.items()}
    add, known, seen, problems = [], [], {}, []
    for number, row in enumerate(table.rows, start=2):
        values = {f: row[i] if i < len(row) else None for f, i in mapping.items()}
        if all(v in (None, "") for v in values.values()):
            continue
        found, row_problems = _item(values, types, letters, table.name, number)
        if row_problems:
            problems += row_problems
            continue
        key = (found["title"].lower(), found["type"])
        if key in seen:
            problems.append(
                Problem(
                    f"{table.name}!{letters['title']}{number}",
                    f"the same item as row {seen[key]}; keep one row per item",
                )
            )
            continue
        seen[key] = number
        (known if key in existing else add).append(found)
    if problems:
        raise InvalidInput(problems)
    run.plan = {"add": add, "known": known}
    run.status = "previewed"
    session.add(run)
    session.flush()
    return run


def _types(session: Session) -> dict[str, str]:
    """Evidence types by their id and by their title, as other tools write them."""
    out = {}
    for type_id, title in evidence_service.evidence_types(session):
        out[normal(type_id)] = type_id
        out[normal(title)] = type_id
    return out


def _item(values, types, letters, sheet, number) -> tuple[dict | None, list[Problem]]:
    problems = []
    item: dict[str, Any] = {}
    for field, value in values.items():
        where = f"{sheet}!{letters[field]}{number}"
        if value in (None, ""):
            continue
        if field == "type":
            found = types.get(normal(value))
            if found is None:
                problems.append(
                    Problem(
                        where,
                        f"{value!r} is not an evidence type of the catalogue; "
                        "use its id (EV-...) or its title",
                    )
                )
            item["type"] = found
        elif field in DATES:
            try:
                item[field] = read_date(value)
            except ValueError as error:
                problems.append(Problem(where, str(error)))
        elif field == "status":
            item[field] = str(value).strip().lower()
        else:
            item[field] = str(value).strip()
    if problems:
        return None, problems
    try:
        checked = EvidenceInput.model_validate(item)
    except ValidationError as error:
        return None, [
            Problem(
                f"{sheet}!{letters.get(str(e['loc'][0]), 'A')}{number}",
                e["msg"].removeprefix("Value error, "),
            )
            for e in error.errors()
        ]
    return checked.model_dump(include=set(FIELDS), mode="json"), []


def apply(
    session: Session, org: Organisation, run: ImportRun, user: User, store
) -> int:
    """Add the run's new items; returns how many.

    Raises Conflict when the run was applied already or is not previewed.
    """
    if run.status == "applied":
        raise Conflict("This import was applied already.")
    if run.status != "previewed":
        raise Conflict("Say which column is which first.")
    for values in run.plan["add"]:
        data = EvidenceInput.model_validate(
            {**values, "reason": f"imported from {run.filename}"}
        )
        evidence_service.create_item(session, org, data, None, user, store)
    run.status = "applied"
    run.applied_by = user.id
    run.applied_at = utcnow()
    run.applied = len(run.plan["add"])
    session.add(run)
    session.flush()
    return run.applied
