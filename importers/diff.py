"""Compare a workbook's Register rows with the database's: pure, no session.

A field whose value in the file differs from the stored one is a change when the row's
version in the file is the stored version (nobody saved the row since the export), and
a conflict otherwise: the person importing decides whether the file's value or the
application's stands. Equal values are neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Stored:
    """A register row as the database holds it (version 0: never saved)."""

    version: int
    values: dict[str, Any]


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


def diff(file_rows: Mapping[str, Any], stored: Mapping[str, Stored]) -> Plan:
    """The changes and conflicts of `file_rows` (FileRow by requirement id) against
    `stored` (by requirement id, with every row in scope), in the file's order."""
    plan = Plan()
    for requirement_id, row in file_rows.items():
        now = stored[requirement_id]
        for name, new in row.values.items():
            old = now.values[name]
            if new == old:
                continue
            if row.version == now.version:
                plan.changes.append(Change(requirement_id, name, old, new))
            else:
                plan.conflicts.append(Conflict(requirement_id, name, old, new))
            plan.versions[requirement_id] = now.version
    return plan
