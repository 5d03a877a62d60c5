"""Compare a workbook's Register rows and zone states with the database's: pure, no
session.

A field whose value in the file differs from the stored one is a change when the row's
version in the file is the stored version (nobody saved the row since the export), and
a conflict otherwise: the person importing decides whether the file's value or the
application's stands. Equal values are neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from pydantic import TypeAdapter

from importers.columns import EDITABLE
from kb.models import ScoreFields

# How each field's value is read back from JSON.
_TYPES = {
    name: TypeAdapter(info.annotation)
    for name, info in ScoreFields.model_fields.items()
}
_TYPES["evidence"] = TypeAdapter(list[int])


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
    states: list[StateChange] = field(default_factory=list)
    state_conflicts: list[StateConflict] = field(default_factory=list)
    state_versions: dict[str, int] = field(default_factory=dict)  # by state_key

    def as_json(self) -> dict:
        """The plan as JSON, kept with its import run between preview and apply."""

        def plain(record) -> dict:
            return {
                k: v.isoformat() if isinstance(v, date) else v
                for k, v in asdict(record).items()
            }

        return {
            "changes": [plain(c) for c in self.changes],
            "conflicts": [plain(c) for c in self.conflicts],
            "versions": self.versions,
            "states": [asdict(c) for c in self.states],
            "state_conflicts": [asdict(c) for c in self.state_conflicts],
            "state_versions": self.state_versions,
        }

    @classmethod
    def from_json(cls, data: dict) -> Plan:
        """The plan that `as_json` wrote, its values typed again (dates as dates)."""

        def typed(name: str, value: Any) -> Any:
            return _TYPES[name].validate_python(value)

        return cls(
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
            states=[StateChange(**c) for c in data.get("states", [])],
            state_conflicts=[
                StateConflict(**c) for c in data.get("state_conflicts", [])
            ],
            state_versions=data.get("state_versions", {}),
        )


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


# -- zone states ------------------------------------------------------------------


@dataclass(frozen=True)
class StateChange:
    zone_id: int
    requirement_id: str
    old: str | None  # None: no state saved yet
    new: str


@dataclass(frozen=True)
class StateConflict:
    zone_id: int
    requirement_id: str
    app: str | None
    file: str


def state_key(zone_id: int, requirement_id: str) -> str:
    return f"{zone_id} {requirement_id}"


def diff_states(
    plan: Plan, file_states: Iterable[Any], stored: Mapping[tuple[int, str], Stored]
) -> None:
    """Add to `plan` the zone states of the file that differ from the stored ones
    (`stored` by (zone id, requirement id); its values are (state,)), by the same
    rule as the register's rows: a change when the exported version is the stored
    one, a conflict otherwise."""
    for found in file_states:
        key = (found.zone_id, found.requirement_id)
        now = stored.get(key)
        old = now.values[0] if now else None
        if found.state == old:
            continue
        version = now.version if now else 0
        if found.version == version:
            plan.states.append(StateChange(*key, old, found.state))
        else:
            plan.state_conflicts.append(StateConflict(*key, old, found.state))
        plan.state_versions[state_key(*key)] = version
