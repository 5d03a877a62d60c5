"""The assessment workbook's sheets as column specs. The writer and the reader use the
same specs, and the reader matches columns by their header, not their position.

The Register's editable columns come from `ScoreFields` (kb/models.py): a field's
`title` is its header, and its type says how a cell is written and read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args

from kb.models import ScoreFields

FORMAT_VERSION = 1

Kind = Literal["text", "yesno", "level", "date", "choice", "ids", "url", "version"]


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: Kind = "text"
    width: int = 14
    editable: bool = True
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    hidden: bool = False


def _score_column(name: str) -> Column:
    """The Register column of one ScoreFields field, from its type and limits."""
    info = ScoreFields.model_fields[name]
    annotation = info.annotation
    max_length = next(
        (m.max_length for m in info.metadata if getattr(m, "max_length", None)), None
    )
    if annotation is bool:
        return Column(info.title, name, "yesno", 9, choices=("Yes", "No"))
    if annotation == date | None:
        return Column(info.title, name, "date", 12)
    if annotation == int | None:
        return Column(info.title, name, "level", 10)
    choices = tuple(get_args(annotation))
    if choices:
        return Column(info.title, name, "choice", 14, choices=choices)
    width = 48 if (max_length or 0) > 1000 else 24 if (max_length or 0) > 200 else 16
    return Column(info.title, name, "text", width, max_length=max_length)


REGISTER = (
    Column("Requirement", "requirement_id", width=16, editable=False),
    Column("Title", "title", width=44, editable=False),
    Column("Part", "part", width=11, editable=False),
    Column("Area", "area", width=8, editable=False),
    *(_score_column(name) for name in ScoreFields.model_fields),
    Column("Evidence ids", "evidence", "ids", 14),
    Column("Page", "url", "url", 34, editable=False),
    Column("Row version", "version", "version", 8, editable=False, hidden=True),
)
REGISTER_BY_HEADER = {column.header: column for column in REGISTER}
REGISTER_BY_FIELD = {column.field: column for column in REGISTER}
# What a person may change, in this order wherever a row's values are a tuple (a
# tuple, not a dict: an import holds two of them for each of 10,000 rows).
EDITABLE = tuple(column.field for column in REGISTER if column.editable)

# The Zones sheet: the SRs and REs down, one column per zone or conduit, found by the
# zone's id in its header; each state's version sits on a hidden sheet beside it.
ZONE_HEADER = re.compile(r"\(zone id (\d+)\)$")
ZONE_VERSIONS = "Zone versions"


def zone_header(zone_id: int) -> str:
    return f"State (zone id {zone_id})"


# The About sheet: a label in column A, its value in column B.
ABOUT_FORMAT = "Format version"
ABOUT_ASSESSMENT_ID = "Assessment id"
ABOUT_ORGANISATION = "Organisation slug"

# Text that a spreadsheet would take for a formula if a person typed it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def register_values(row) -> dict[str, Any]:
    """A register row's values by column field, as the workbook holds them."""
    score, requirement = row.score, row.requirement
    values: dict[str, Any] = {
        "requirement_id": requirement.id,
        "title": requirement.title,
        "part": requirement.part,
        "area": requirement.area_id,
        "evidence": sorted(linked.item.id for linked in row.evidence),
        "url": requirement.url,
        "version": score.version if score else 0,
    }
    for column in REGISTER:
        if column.editable and column.field != "evidence":
            values[column.field] = (
                getattr(score, column.field)
                if score
                else ScoreFields.model_fields[column.field].default
            )
    return values


def editable_values(row) -> tuple:
    """What a person may change on a register row, as the workbook holds it, in the
    order of EDITABLE."""
    values = register_values(row)
    return tuple(values[name] for name in EDITABLE)


def as_cell(column: Column, value: Any) -> Any:
    """A row's value as the sheet shows it."""
    if value is None:
        return None
    if column.kind == "yesno":
        return "Yes" if value else "No"
    if column.kind == "ids":
        return ", ".join(str(v) for v in value) or None
    return value


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)
