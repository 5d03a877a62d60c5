"""The coverage matrix's arithmetic against hand-computed examples (no database)."""

from __future__ import annotations

from kb.services.coverage import (
    Link,
    MatrixFilter,
    Offering,
    Requirement,
    build_matrix,
)

# Two parts; 2-4 has two areas. Hand-computed below.
REQUIREMENTS = [
    Requirement("SP.01.01 BR", "a", "62443-2-4", "CA-01", "/r/1"),
    Requirement("SP.01.02 BR", "b", "62443-2-4", "CA-01", "/r/2"),
    Requirement("SP.01.03 BR", "c", "62443-2-4", "CA-01", "/r/3"),
    Requirement("SP.02.01 BR", "d", "62443-2-4", "CA-02", "/r/4"),
    Requirement("SR 1.1", "e", "62443-3-3", "CA-02", "/r/5"),
    Requirement("SR 1.2", "f", "62443-3-3", "CA-02", "/r/6"),
]
OFFERINGS = [Offering("OFF-A", "A", "/o/a"), Offering("OFF-B", "B", "/o/b")]
LINKS = [
    Link("OFF-A", "SP.01.01 BR", "full"),
    Link("OFF-B", "SP.01.01 BR", "partial"),
    Link("OFF-B", "SP.01.02 BR", "supports"),
    Link("OFF-A", "SR 1.1", "partial"),
    Link("OFF-B", "SR 1.1", "full"),
    Link("OFF-GONE", "SR 1.2", "full"),  # not a live offering: ignored
]


def _areas(matrix):
    return {(p.part, a.area): a for p in matrix.parts for a in p.areas}


def test_shares_per_area_part_and_whole():
    matrix = build_matrix(REQUIREMENTS, LINKS, OFFERINGS)
    areas = _areas(matrix)
    ca01 = areas["62443-2-4", "CA-01"].share
    # SP.01.01 full (A), SP.01.02 only supported, SP.01.03 untouched.
    assert (ca01.requirements, ca01.full, ca01.covered, ca01.touched) == (3, 1, 1, 2)
    assert ca01.supports == 1 and ca01.partial == 0
    assert [r.id for r in ca01.blind_spots] == ["SP.01.03 BR"]
    assert round(ca01.covered_share, 3) == 0.333
    part24 = matrix.parts[0].share
    assert matrix.parts[0].part == "62443-2-4"
    assert (part24.requirements, part24.covered) == (4, 1)
    assert [r.id for r in part24.blind_spots] == ["SP.01.03 BR", "SP.02.01 BR"]
    part33 = matrix.parts[1].share
    assert (part33.requirements, part33.full, part33.covered) == (2, 1, 1)
    assert [r.id for r in part33.blind_spots] == ["SR 1.2"]  # OFF-GONE does not count
    assert matrix.whole.requirements == 6 and matrix.whole.covered == 2
    assert len(matrix.whole.blind_spots) == 3


def test_each_cell_and_the_strongest_coverage_of_a_row():
    rows = {
        r.requirement.id: r
        for a in _areas(build_matrix(REQUIREMENTS, LINKS, OFFERINGS)).values()
        for r in a.rows
    }
    assert rows["SP.01.01 BR"].cells == {"OFF-A": "full", "OFF-B": "partial"}
    assert rows["SP.01.01 BR"].best == "full"
    assert rows["SP.01.02 BR"].best == "supports"
    assert rows["SR 1.1"].best == "full"
    assert rows["SP.01.03 BR"].best is None


def test_coverage_filter_picks_rows_but_keeps_the_shares():
    matrix = build_matrix(REQUIREMENTS, LINKS, OFFERINGS, MatrixFilter(coverage="none"))
    shown = [r.requirement.id for p in matrix.parts for a in p.areas for r in a.rows]
    assert shown == ["SP.01.03 BR", "SP.02.01 BR", "SR 1.2"]
    assert matrix.shown == 3
    assert _areas(matrix)["62443-2-4", "CA-01"].share.requirements == 3
    supported = build_matrix(
        REQUIREMENTS, LINKS, OFFERINGS, MatrixFilter(coverage="supports")
    )
    assert supported.shown == 1


def test_part_and_area_filters_choose_the_groups():
    matrix = build_matrix(
        REQUIREMENTS, LINKS, OFFERINGS, MatrixFilter(part="62443-3-3", area="CA-02")
    )
    assert [(p.part, [a.area for a in p.areas]) for p in matrix.parts] == [
        ("62443-3-3", ["CA-02"])
    ]
    assert matrix.whole.requirements == 2


def test_one_offering_alone_gives_its_own_shares():
    matrix = build_matrix(REQUIREMENTS, LINKS, [OFFERINGS[1]])
    ca01 = _areas(matrix)["62443-2-4", "CA-01"].share
    # OFF-B: partial on SP.01.01, supports SP.01.02.
    assert (ca01.full, ca01.partial, ca01.supports) == (0, 1, 1)
    assert matrix.whole.covered == 2  # SP.01.01 partly, SR 1.1 fully
