"""Roll-up arithmetic against hand-computed examples."""

from __future__ import annotations

from datetime import date

from kb.services.rollups import (
    ScoreRow,
    figures,
    fr_rollup,
    largest_gaps,
    level_counts,
    rollup,
)

TODAY = date(2026, 11, 30)


def row(rid, area="CA-01", current=None, target=None, **kw) -> ScoreRow:
    return ScoreRow(
        rid,
        kw.pop("part", "62443-2-4"),
        area,
        kw.pop("function", "SP.01"),
        current=current,
        target=target,
        **kw,
    )


ROWS = [
    row("A", current=1, target=3),  # gap 2
    row("B", current=3, target=3),  # at target
    row("C", current=4, target=2),  # above target: at target, gap 0
    row("D", current=2),  # no target: assessed, no gap
    row("E", target=2),  # not assessed, no gap
    row("F", applicable=False, current=0, target=4),  # not applicable: ignored
    row(
        "G", area="CA-02", current=0, target=1, due=date(2026, 11, 1)
    ),  # gap 1, overdue
    row("H", area="CA-02", target=1, due=date(2026, 11, 1), status="verified"),
]


def test_figures_by_hand():
    f = figures(ROWS, TODAY)
    assert (f.requirements, f.applicable, f.assessed, f.not_assessed) == (8, 7, 5, 2)
    assert (f.at_target, f.below_target, f.gap) == (2, 2, 3)
    assert f.mean_current == 2.0  # (1 + 3 + 4 + 2 + 0) / 5
    assert f.mean_target == 2.0  # (3 + 3 + 2 + 2 + 1 + 1) / 6, D has no target
    assert f.min_current == 0
    assert f.overdue == 1  # G; H is done
    assert f.share_assessed == 5 / 7 and f.share_at_target == 2 / 7


def test_not_applicable_rows_count_only_as_requirements():
    f = figures(
        [row("F", applicable=False, current=0, target=4, due=date(2020, 1, 1))], TODAY
    )
    assert (f.requirements, f.applicable, f.assessed, f.gap, f.overdue) == (
        1,
        0,
        0,
        0,
        0,
    )
    assert f.share_assessed is None and f.mean_current is None and f.min_current is None


def test_an_empty_assessment_has_zero_figures_and_no_shares():
    f = figures([], TODAY)
    assert (f.requirements, f.assessed, f.gap, f.overdue) == (0, 0, 0, 0)
    assert f.share_assessed is None and f.share_at_target is None


def test_rollup_per_area_and_per_function():
    areas = rollup(ROWS, lambda r: r.area, TODAY)
    assert list(areas) == ["CA-01", "CA-02"]
    assert (areas["CA-01"].assessed, areas["CA-01"].gap) == (4, 2)
    assert (areas["CA-02"].assessed, areas["CA-02"].gap, areas["CA-02"].overdue) == (
        1,
        1,
        1,
    )
    functions = rollup(
        ROWS + [row("X", part="62443-2-1", function=None)], lambda r: r.function, TODAY
    )
    assert list(functions) == ["SP.01"] and functions["SP.01"].requirements == 8


def test_largest_gaps_ranked_then_by_id():
    ranked = largest_gaps(ROWS + [row("0", current=0, target=2)])
    assert [r.requirement_id for r in ranked] == ["0", "A", "G"]
    assert len(largest_gaps(ROWS, limit=1)) == 1


def test_level_counts_make_the_heatmap():
    counts = level_counts(ROWS, lambda r: r.area)
    # levels 0..4, then not assessed
    assert counts["CA-01"] == [0, 1, 1, 1, 1, 1]
    assert counts["CA-02"] == [1, 0, 0, 0, 0, 1]


def test_fr_rollup_over_zones():
    vectors = [([2, 2, 0, 1, 3, 1, 3], [1, 2, 4, 1, 0, 1, 3]), ([1] * 7, [4] * 7)]
    frs = fr_rollup(vectors)
    assert (frs[0].zones, frs[0].at_target, frs[0].gap) == (2, 1, 1)
    assert (frs[4].at_target, frs[4].gap, frs[4].mean_sl_t, frs[4].mean_sl_a) == (
        1,
        3,
        2.0,
        2.0,
    )
    assert fr_rollup([])[0].mean_sl_t is None


def test_the_api_gives_the_rollups_of_an_assessment(world, login, org_client, db):
    login("ed@acme.test")
    aid = world["assessment"].id
    for slug, current, target in (("sp-09-02-br", "1", "3"), ("sp-12-05-br", "2", "2")):
        org_client.post(
            f"/assessments/{aid}/scores/{slug}",
            data={
                "version": 0,
                "applicable": "true",
                "status": "in progress",
                "current": current,
                "target": target,
            },
        )
    org_client.post(
        f"/assessments/{aid}/scores/sp-09-02-br/evidence",
        data={"evidence_id": world["evidence"].id},
    )
    body = org_client.get(f"/api/v1/assessments/{aid}/rollups").json
    assert body["evidence_overdue"] == 0  # the world's item is due in three months
    whole = body["assessment"]
    assert (whole["requirements"], whole["assessed"], whole["at_target"]) == (2, 2, 1)
    assert (whole["mean_current"], whole["min_current"], whole["gap"]) == (1.5, 1, 2)
    assert body["areas"]["CA-02"]["gap"] == 2 and body["areas"]["CA-08"]["gap"] == 0
    assert set(body["functions"]) == {"SP.09", "SP.12"}
    assert body["parts"]["62443-2-4"]["requirements"] == 2
    # The world's zone, SL-T {2 2 0 1 3 1 3}, has nothing met in FR 1.
    assert body["frs"][0] == {
        "fr": 1,
        "zones": 1,
        "at_target": 0,
        "gap": 2,
        "mean_sl_t": 2.0,
        "mean_sl_a": 0.0,
    }

    from datetime import timedelta

    from tests import factories

    stale = factories.make_evidence(
        db,
        org=world["acme"],
        user=world["editor"],
        title="Stale",
        next_review=TODAY - timedelta(days=400),
    )
    db.commit()
    org_client.post(
        f"/assessments/{aid}/scores/sp-12-05-br/evidence",
        data={"evidence_id": stale.id},
    )
    again = org_client.get(f"/api/v1/assessments/{aid}/rollups").json
    assert again["evidence_overdue"] == 1
