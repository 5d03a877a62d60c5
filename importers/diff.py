"""Compare a workbook's Register rows with the database's: pure, no session.

A field whose value in the file differs from the stored one is a change when the row's
version in the file is the stored version (nobody saved the row since the export), and
a conflict otherwise: the person importing decides whether the file's value or the
application's stands. Equal values are neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from importers.columns import EDITABLE


@dataclass(frozen=True, slots=True)
class Stored:
    """A register row as the database holds it (version 0: never saved); its values
    in the order of EDITABLE."""

    version: int
    values: tuple


@dataclass(frozen=True)
class Change:
    requirement_id: str
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Conflict:
    requirement_id: str
    field: str
    app: Any  # what the application holds now
    file: Any  # what the file says


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    # The stored version of every row the plan touches, to see at apply time whether
    # anything moved since the preview.
    versions: dict[str, int] = field(default_factory=dict)


def diff(file_rows: Iterable[Any], stored: Mapping[str, Stored]) -> Plan:
    """The changes and conflicts of `file_rows` (FileRows, read one at a time)
    against `stored` (by requirement id, every row in scope), in the file's order."""
    plan = Plan()
    for row in file_rows:
        requirement_id = row.requirement_id
        now = stored[requirement_id]
        for name, new, old in zip(EDITABLE, row.values, now.values, strict=True):
            if new == old:
                continue
            if row.version == now.version:
                plan.changes.append(Change(requirement_id, name, old, new))
            else:
                plan.conflicts.append(Conflict(requirement_id, name, old, new))
            plan.versions[requirement_id] = now.version
    return plan
