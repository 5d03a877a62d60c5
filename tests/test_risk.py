"""Risk arithmetic of 62443-3-2 against hand-worked cases (pure, no database)."""

from __future__ import annotations

from dataclasses import dataclass

from kb.services.risk import above_line, heatmap, level_problems, score, suggest


@dataclass
class S:
    source: str
    frs: list[int]
    residual_consequence: int
    residual_likelihood: int


TOLERABLE = 6  # of a 5 x 5 matrix: up to 6 is tolerable


def test_risk_is_consequence_times_likelihood_against_the_line():
    assert score(3, 4) == 12
    assert above_line(3, 3, TOLERABLE)  # 9 > 6
    assert not above_line(2, 3, TOLERABLE)  # 6 is on the line: tolerable
    assert not above_line(1, 1, TOLERABLE)


def test_levels_outside_the_matrix_are_named():
    problems = level_problems({"consequence": 6, "likelihood": 0}, 5, 5)
    assert [str(p) for p in problems] == [
        "consequence: 6 is outside the risk matrix; use 1 to 5",
        "likelihood: 0 is outside the risk matrix; use 1 to 5",
    ]
    assert level_problems({"residual_likelihood": 4}, 5, 4) == []


def test_no_scenario_above_the_line_suggests_nothing():
    tolerable = [S("extended", [1, 2, 3], 2, 3), S("simple", [5], 1, 1)]
    assert suggest(tolerable, TOLERABLE).vector == [0] * 7
    assert suggest([], TOLERABLE).vector == [0] * 7


def test_one_sophisticated_source_on_fr_5_suggests_3():
    found = suggest([S("sophisticated", [5], 4, 4)], TOLERABLE)
    assert found.vector == [0, 0, 0, 0, 3, 0, 0]
    assert found.drivers[5].source == "sophisticated"


def test_of_two_sources_the_higher_wins_per_fr():
    simple = S("simple", [1, 5], 4, 4)
    extended = S("extended", [5, 7], 5, 3)
    found = suggest([simple, extended], TOLERABLE)
    assert found.vector == [2, 0, 0, 0, 4, 0, 4]
    assert found.drivers[1] is simple and found.drivers[5] is extended


def test_a_scenario_countermeasures_bring_under_the_line_stops_counting():
    treated = S("extended", [3], 3, 2)  # residual 6: tolerable now
    casual = S("casual", [3], 2, 4)  # residual 8: still above
    assert suggest([treated, casual], TOLERABLE).vector == [0, 0, 1, 0, 0, 0, 0]


def test_the_heatmap_counts_cells_as_a_matrix_is_drawn():
    grid = heatmap([(5, 1), (5, 1), (1, 5), (3, 2)], 5, 5)
    assert grid[0] == [2, 0, 0, 0, 0]  # consequence 5, likelihood 1
    assert grid[4] == [0, 0, 0, 0, 1]  # consequence 1, likelihood 5
    assert grid[2] == [0, 1, 0, 0, 0]
    assert sum(map(sum, grid)) == 4
