"""Risk arithmetic of 62443-3-2: pure functions of plain values, no session.

Risk is the consequence level times the likelihood level of a risk matrix; it is
tolerable up to the matrix's tolerable line. A zone's suggested SL-T for an FR is the
level of the most capable threat source among its scenarios that bear on that FR and
whose residual risk (with the existing countermeasures) stays above the line: a
scenario the countermeasures bring under the line no longer drives the target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from kb.errors import Problem
from kb.vocabulary import THREAT_SOURCES


def score(consequence: int, likelihood: int) -> int:
    return consequence * likelihood


def above_line(consequence: int, likelihood: int, tolerable: int) -> bool:
    return score(consequence, likelihood) > tolerable


def level_problems(
    values: dict[str, int], consequences: int, likelihoods: int
) -> list[Problem]:
    """Each consequence or likelihood outside the matrix, named by its field;
    `values` maps a field to its level (fields with "likelihood" in their name are
    likelihoods)."""
    problems = []
    for name, value in values.items():
        top = likelihoods if "likelihood" in name else consequences
        if not 1 <= value <= top:
            problems.append(
                Problem(name, f"{value} is outside the risk matrix; use 1 to {top}")
            )
    return problems


class Scenario(Protocol):
    """What the suggestion needs of a threat scenario."""

    source: str
    frs: list[int]
    residual_consequence: int
    residual_likelihood: int


@dataclass
class Suggestion:
    """A zone's suggested SL-T and, per FR (1-7), the scenario that drives it."""

    vector: list[int]
    drivers: dict[int, Scenario] = field(default_factory=dict)


def suggest(scenarios: list[Scenario], tolerable: int) -> Suggestion:
    """The suggested SL-T: per FR, the highest source level among the scenarios that
    bear on it and stay above the tolerable line after the existing countermeasures
    (0 where none does). A tie keeps the first scenario as the driver."""
    suggestion = Suggestion([0] * 7)
    for scenario in scenarios:
        if not above_line(
            scenario.residual_consequence, scenario.residual_likelihood, tolerable
        ):
            continue
        level = THREAT_SOURCES[scenario.source][0]
        for fr in scenario.frs:
            if level > suggestion.vector[fr - 1]:
                suggestion.vector[fr - 1] = level
                suggestion.drivers[fr] = scenario
    return suggestion


def heatmap(pairs: list[tuple[int, int]], consequences: int, likelihoods: int):
    """How many scenarios sit in each cell: rows by consequence from the highest
    down, columns by likelihood from the lowest up (as a risk matrix is drawn)."""
    grid = [[0] * likelihoods for _ in range(consequences)]
    for consequence, likelihood in pairs:
        grid[consequences - consequence][likelihood - 1] += 1
    return grid
