"""Geometry of the bar charts and the heatmap: pure functions that place shapes on a
0-4 level scale; the SVG macros in templates/_charts.html only draw them."""

from __future__ import annotations

from dataclasses import dataclass

CHART_H, LEVEL_H, BAR_W, GROUP_W, LEFT = 150, 30, 16, 56, 40


@dataclass(frozen=True)
class Bar:
    label: str
    series: int  # 0: the target, 1: what is achieved or current
    value: float
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: float
    ticks: list[tuple[int, float]]  # (level, y)
    labels: list[tuple[str, float]]  # (label, x of its centre)


def paired_bars(
    labels: list[str], targets: list[float | None], actuals: list[float | None]
) -> BarChart:
    """Per label a target bar and an actual bar side by side, on a 0-4 scale; a missing
    value draws no bar."""
    bars = []
    for index, (label, target, actual) in enumerate(
        zip(labels, targets, actuals, strict=True)
    ):
        left = LEFT + index * GROUP_W
        for series, value in enumerate((target, actual)):
            if value is None:
                continue
            height = value * LEVEL_H
            bars.append(
                Bar(
                    label,
                    series,
                    value,
                    left + series * (BAR_W + 2),
                    10 + CHART_H - height,
                    BAR_W,
                    height,
                )
            )
    ticks = [(n, 10 + CHART_H - n * LEVEL_H) for n in range(5)]
    centres = [
        (label, LEFT + i * GROUP_W + BAR_W + 1) for i, label in enumerate(labels)
    ]
    return BarChart(bars, LEFT + len(labels) * GROUP_W, ticks, centres)


@dataclass(frozen=True)
class Cell:
    row: str
    column: int
    count: int
    x: float
    y: float
    shade: float  # 0 (none) to 1 (the largest count of the map)


CELL_W, CELL_H, ROW_LABEL_W = 52, 26, 70


def heat_cells(counts: dict[str, list[int]]) -> tuple[list[Cell], float, float]:
    """One cell per (row, column) of the counts, shaded by its share of the largest
    count; returns the cells and the map's width and height."""
    largest = max((c for row in counts.values() for c in row), default=0) or 1
    cells = [
        Cell(
            row,
            column,
            count,
            ROW_LABEL_W + column * CELL_W,
            24 + index * CELL_H,
            round(count / largest, 2),
        )
        for index, (row, values) in enumerate(counts.items())
        for column, count in enumerate(values)
    ]
    columns = max((len(v) for v in counts.values()), default=0)
    return cells, ROW_LABEL_W + columns * CELL_W, 24 + len(counts) * CELL_H


@dataclass(frozen=True)
class Line:
    name: str
    points: list[tuple[float, float, float]]  # (x, y, value)

    @property
    def path(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _v in self.points)


@dataclass(frozen=True)
class LineChart:
    lines: list[Line]
    labels: list[tuple[str, float]]  # (label, x)
    ticks: list[tuple[float, float]]  # (value, y)
    width: float


STEP, PLOT_H = 90, 150


def line_chart(
    labels: list[str], series: dict[str, list[float | None]], top: float
) -> LineChart:
    """One polyline per series over the labels (snapshots in time order), on a 0-`top`
    scale; a missing value leaves a gap in the points."""

    def y(value: float) -> float:
        return 10 + PLOT_H - value / top * PLOT_H if top else 10 + PLOT_H

    lines = [
        Line(
            name,
            [
                (LEFT + i * STEP, round(y(v), 1), v)
                for i, v in enumerate(values)
                if v is not None
            ],
        )
        for name, values in series.items()
    ]
    ticks = [(round(top * k / 4, 2), round(y(top * k / 4), 1)) for k in range(5)]
    return LineChart(
        lines,
        [(label, LEFT + i * STEP) for i, label in enumerate(labels)],
        ticks,
        LEFT + max(len(labels) - 1, 1) * STEP + 40,
    )


def sparkline(
    values: list[float | None], top: float = 100, width: float = 120, height: float = 28
) -> str:
    """The points of a small line over `values` (0-`top`), for an SVG polyline."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if not known:
        return ""
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{round(i * step, 1)},{round(height - 2 - v / top * (height - 4), 1)}"
        for i, v in known
    )
