"""Geometry of the zone-and-conduit diagram: pure functions that place shapes; the
SVG template only draws them.

The layout is deterministic (zones on a grid in name order, conduits as straight lines,
a conduit that joins three or more zones through a hub at their centre), so the same
model always draws the same picture and a reviewer can diff it. No layout library is
needed for the tens of zones an assessment has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kb.services.levels import vector_text

BOX_W, BOX_H = 210, 84
GAP_X, GAP_Y = 230, 150
MARGIN = 30


@dataclass(frozen=True)
class Box:
    id: int
    name: str
    sl_t: str  # "SL-T {2 2 0 1 3 1 3}"
    sl_a: str
    x: float
    y: float
    w: float = BOX_W
    h: float = BOX_H

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Wire:
    """A conduit: its segments, where its label goes, and whether it has a hub."""

    id: int
    name: str
    label: str
    segments: list[Segment]
    label_x: float
    label_y: float
    hub: bool


@dataclass(frozen=True)
class Diagram:
    width: float
    height: float
    boxes: list[Box]
    wires: list[Wire]


def layout(
    zones: list[tuple[int, str, list[int], list[int]]],
    conduits: list[tuple[int, str, list[int], list[int], list[int]]],
) -> Diagram:
    """Place zones (id, name, SL-T, SL-A) on a grid and draw conduits (id, name, SL-T,
    SL-A, joined zone ids) between their centres."""
    columns = max(1, math.ceil(math.sqrt(len(zones))))
    boxes = []
    for index, (zone_id, name, sl_t, sl_a) in enumerate(
        sorted(zones, key=lambda z: z[1])
    ):
        row, column = divmod(index, columns)
        boxes.append(
            Box(
                zone_id,
                name,
                f"SL-T {vector_text(sl_t)}",
                f"SL-A {vector_text(sl_a)}",
                MARGIN + column * (BOX_W + GAP_X),
                MARGIN + row * (BOX_H + GAP_Y),
            )
        )
    centres = {box.id: box.centre for box in boxes}
    wires = []
    for conduit_id, name, sl_t, sl_a, joins in conduits:
        points = [centres[z] for z in joins if z in centres]
        if len(points) < 2:
            continue
        hub_x = sum(x for x, _ in points) / len(points)
        hub_y = sum(y for _, y in points) / len(points)
        if len(points) == 2:
            (x1, y1), (x2, y2) = points
            segments = [Segment(x1, y1, x2, y2)]
        else:
            segments = [Segment(hub_x, hub_y, x, y) for x, y in points]
        wires.append(
            Wire(
                conduit_id,
                name,
                f"SL-T {vector_text(sl_t)} · SL-A {vector_text(sl_a)}",
                segments,
                hub_x,
                hub_y + (GAP_Y / 4 if len(points) == 2 else 0),
                len(points) > 2,
            )
        )
    rows = max(1, math.ceil(len(boxes) / columns))
    return Diagram(
        width=2 * MARGIN + columns * BOX_W + (columns - 1) * GAP_X,
        height=2 * MARGIN + rows * BOX_H + (rows - 1) * GAP_Y,
        boxes=boxes,
        wires=wires,
    )
