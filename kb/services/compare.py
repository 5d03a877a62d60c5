"""Comparing two states of an assessment (snapshots, now, or another assessment):
pure functions of the snapshot data, no session."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("improved", "regressed", "changed", "new", "removed", "same")


@dataclass(frozen=True)
class Change:
    requirement_id: str
    title: str
    area: str
    before: dict | None
    after: dict | None
    kind: str  # one of KINDS


def _level(score: dict) -> int:
    """Not applicable or not assessed sorts below level 0."""
    if not score.get("applicable", True) or score.get("current") is None:
        return -1
    return score["current"]


def classify(before: dict | None, after: dict | None) -> str:
    """`new` or `removed` when one side lacks the requirement; `improved` or `regressed`
    by current level; `changed` when only the target, applicability or status moved."""
    if before is None:
        return "new"
    if after is None:
        return "removed"
    if _level(after) > _level(before):
        return "improved"
    if _level(after) < _level(before):
        return "regressed"
    fields = ("applicable", "target", "status")
    if any(before.get(f) != after.get(f) for f in fields):
        return "changed"
    return "same"


def compare_scores(before: dict[str, dict], after: dict[str, dict]) -> list[Change]:
    """Every requirement of either side, classified, in id order."""
    changes = []
    for rid in sorted(set(before) | set(after)):
        b, a = before.get(rid), after.get(rid)
        either = a or b
        changes.append(
            Change(rid, either["title"], either["area"], b, a, classify(b, a))
        )
    return changes


@dataclass(frozen=True)
class AreaDelta:
    area: str
    mean_before: float | None
    mean_after: float | None
    at_target_before: int
    at_target_after: int

    @property
    def delta(self) -> float | None:
        if self.mean_before is None or self.mean_after is None:
            return None
        return round(self.mean_after - self.mean_before, 2)


def compare_areas(before: dict[str, dict], after: dict[str, dict]) -> list[AreaDelta]:
    """Per control area, mean current level and count at target on each side."""
    return [
        AreaDelta(
            area,
            before.get(area, {}).get("mean_current"),
            after.get(area, {}).get("mean_current"),
            before.get(area, {}).get("at_target", 0),
            after.get(area, {}).get("at_target", 0),
        )
        for area in sorted(set(before) | set(after))
    ]


def counts(changes: list[Change]) -> dict[str, int]:
    """How many requirements of each kind of change."""
    return {kind: sum(1 for c in changes if c.kind == kind) for kind in KINDS}
