"""Roll-ups of an assessment's register: pure functions of plain rows, no session.

Counting rules, the same everywhere (dashboard, API, workbook):
- a requirement is *assessed* when it applies and has a current level;
- a *gap* exists only where it applies and both current and target are set, and is
  target minus current when that is positive; *at target* means current >= target;
- a not-applicable requirement counts in `requirements` and nowhere else;
- *overdue*: applies, has a due date before today, and is not implemented or verified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

DONE = ("implemented", "verified")


@dataclass(slots=True)
class ScoreRow:
    """One register row as the arithmetic needs it (slots: overviews build thousands)."""

    requirement_id: str
    part: str
    area: str
    function: str | None  # the 2-4 functional area (SP.01 .. SP.12), else None
    applicable: bool = True
    current: int | None = None
    target: int | None = None
    due: date | None = None
    status: str = "not started"
    owner: str = ""

    @property
    def gap(self) -> int | None:
        if not self.applicable or self.current is None or self.target is None:
            return None
        return max(0, self.target - self.current)

    def overdue(self, today: date) -> bool:
        return bool(
            self.applicable
            and self.due
            and self.due < today
            and self.status not in DONE
        )


@dataclass(frozen=True)
class Figures:
    requirements: int
    applicable: int
    assessed: int
    at_target: int
    below_target: int
    mean_current: float | None
    min_current: int | None
    mean_target: float | None
    gap: int
    overdue: int

    @property
    def not_assessed(self) -> int:
        return self.applicable - self.assessed

    @property
    def share_assessed(self) -> float | None:
        return self.assessed / self.applicable if self.applicable else None

    @property
    def share_at_target(self) -> float | None:
        return self.at_target / self.applicable if self.applicable else None

    def as_dict(self) -> dict:
        return {
            "requirements": self.requirements,
            "applicable": self.applicable,
            "assessed": self.assessed,
            "not_assessed": self.not_assessed,
            "at_target": self.at_target,
            "below_target": self.below_target,
            "mean_current": self.mean_current,
            "min_current": self.min_current,
            "mean_target": self.mean_target,
            "gap": self.gap,
            "overdue": self.overdue,
            "share_assessed": self.share_assessed,
            "share_at_target": self.share_at_target,
        }


def figures(rows: Iterable[ScoreRow], today: date) -> Figures:
    """The headline figures of a set of register rows (one pass: an organisation's
    overview counts thousands)."""
    requirements = applicable = at_target = below_target = gap = overdue = 0
    currents: list[int] = []
    targets: list[int] = []
    for row in rows:
        requirements += 1
        if not row.applicable:
            continue
        applicable += 1
        current, target = row.current, row.target
        if current is not None:
            currents.append(current)
        if target is not None:
            targets.append(target)
            if current is not None:
                gap += max(0, target - current)
                if current >= target:
                    at_target += 1
                else:
                    below_target += 1
        if row.overdue(today):
            overdue += 1
    return Figures(
        requirements=requirements,
        applicable=applicable,
        assessed=len(currents),
        at_target=at_target,
        below_target=below_target,
        mean_current=_mean(currents),
        min_current=min(currents) if currents else None,
        mean_target=_mean(targets),
        gap=gap,
        overdue=overdue,
    )


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def rollup(
    rows: Iterable[ScoreRow], key: Callable[[ScoreRow], str | None], today: date
) -> dict[str, Figures]:
    """Figures per group, in key order; rows whose key is None are left out."""
    groups: dict[str, list[ScoreRow]] = {}
    for row in rows:
        group = key(row)
        if group is not None:
            groups.setdefault(group, []).append(row)
    return {group: figures(groups[group], today) for group in sorted(groups)}


def largest_gaps(rows: Iterable[ScoreRow], limit: int = 10) -> list[ScoreRow]:
    """The rows furthest below target, largest first, then by id."""
    below = [r for r in rows if r.gap]
    return sorted(below, key=lambda r: (-r.gap, r.requirement_id))[:limit]


def level_counts(
    rows: Iterable[ScoreRow], key: Callable[[ScoreRow], str | None]
) -> dict[str, list[int]]:
    """Per group, how many applicable rows sit at each current level 0-4, then how many
    are not assessed (six counts): the heatmap of area by maturity level."""
    out: dict[str, list[int]] = {}
    for row in rows:
        group = key(row)
        if group is None or not row.applicable:
            continue
        counts = out.setdefault(group, [0] * 6)
        counts[5 if row.current is None else row.current] += 1
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class FrFigures:
    """One foundational requirement across an assessment's zones and conduits."""

    zones: int
    at_target: int
    gap: int
    mean_sl_t: float | None
    mean_sl_a: float | None


def fr_rollup(vectors: list[tuple[list[int], list[int]]]) -> list[FrFigures]:
    """Per FR 1-7 over (SL-T, SL-A) pairs: how many zones reach their target, the summed
    gap, and the mean levels."""
    out = []
    for fr in range(7):
        targets = [t[fr] for t, _a in vectors]
        achieved = [a[fr] for _t, a in vectors]
        out.append(
            FrFigures(
                zones=len(vectors),
                at_target=sum(
                    1 for t, a in zip(targets, achieved, strict=True) if a >= t
                ),
                gap=sum(max(0, t - a) for t, a in zip(targets, achieved, strict=True)),
                mean_sl_t=_mean(targets),
                mean_sl_a=_mean(achieved),
            )
        )
    return out
