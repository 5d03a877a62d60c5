"""The proposal's arithmetic against small worked examples (no database)."""

from __future__ import annotations

from kb.services.coverage import Link, Offering
from kb.services.levels import Item
from kb.services.proposal import PARTIAL_STEP, RULE, Gap, propose

A, B, C = (Offering(f"OFF-{x}", x, f"/o/{x}") for x in "ABC")

# FR 1 of a zone: SR 1.1 (SL 1), SR 1.1 RE(1) (SL 2), SR 1.2 (SL 3).
FR1 = (Item("SR 1.1", 1, 1), Item("SR 1.1 RE(1)", 1, 2), Item("SR 1.2", 1, 3))


def process(rid: str, current: int, target: int) -> Gap:
    return Gap(current, target, requirement_id=rid, title=rid.lower())


def zone_gap(met=(), target=3) -> Gap:
    return Gap(
        0, target, zone_id=1, zone="Control LAN", fr=1, items=FR1, met=frozenset(met)
    )


def test_full_closes_to_target_partial_by_one_step_supports_none():
    gap = process("ORG 1.1", 1, 4)
    assert gap.closed({"ORG 1.1": "full"}.get) == 3
    assert gap.closed({"ORG 1.1": "partial"}.get) == PARTIAL_STEP == 1
    assert gap.closed({"ORG 1.1": "supports"}.get) == 0
    assert gap.closed({}.get) == 0
    assert "partial coverage raises the level by 1" in RULE


def test_a_zone_gap_closes_as_far_as_fully_covered_items_lift_sl_a():
    gap = zone_gap()
    assert gap.open_items == ["SR 1.1", "SR 1.1 RE(1)", "SR 1.2"]
    assert gap.closed({"SR 1.1": "full"}.get) == 1  # SL-A 0 -> 1
    assert gap.closed({"SR 1.1": "full", "SR 1.1 RE(1)": "partial"}.get) == 1
    assert gap.closed({"SR 1.1": "full", "SR 1.1 RE(1)": "full"}.get) == 2
    # SR 1.2 alone lifts nothing: SR 1.1 still blocks SL 1.
    assert gap.closed({"SR 1.2": "full"}.get) == 0
    # Already met items count; SL-A never passes SL-T.
    assert zone_gap(met={"SR 1.1", "SR 1.1 RE(1)"}, target=2).open_items == []
    met_two = zone_gap(met={"SR 1.1", "SR 1.1 RE(1)"}, target=3)
    assert met_two.closed({"SR 1.2": "full"}.get) == 3


def test_the_ranking_takes_the_largest_gain_first_and_shows_the_running_total():
    gaps = [process("ORG 1.1", 1, 4), process("ORG 1.2", 2, 3), zone_gap(target=2)]
    links = [
        # A: full on ORG 1.1 (3 levels).
        Link("OFF-A", "ORG 1.1", "full"),
        # B: partial on ORG 1.1 (1 alone) and full on ORG 1.2 (1) and SR 1.1 (1).
        Link("OFF-B", "ORG 1.1", "partial"),
        Link("OFF-B", "ORG 1.2", "full"),
        Link("OFF-B", "SR 1.1", "full"),
        # C: full on SR 1.1 RE(1): nothing alone, 1 more after B.
        Link("OFF-C", "SR 1.1 RE(1)", "full"),
        Link("OFF-C", "ORG 1.2", "supports"),
    ]
    proposal = propose(gaps, links, [A, B, C])
    assert proposal.total_gap == 3 + 1 + 2
    # Alone: A closes 3, B closes 1 + 1 + 1 = 3 (tie: A first by id), C closes 0.
    # After A, B adds 2 (ORG 1.1 is already full); after B, C adds 1.
    assert [(s.offering.id, s.closes, s.running_total) for s in proposal.steps] == [
        ("OFF-A", 3, 3),
        ("OFF-B", 2, 5),
        ("OFF-C", 1, 6),
    ]
    assert proposal.closed == 6
    first = {line.gap.label: line for line in proposal.gaps}
    options = {o.offering.id: o.closes for o in first["ORG 1.1 org 1.1"].options}
    assert options == {"OFF-A": 3, "OFF-B": 1}
    zone_options = first["Control LAN: FR 1 IAC"].options
    assert [(o.offering.id, o.covers, o.closes) for o in zone_options] == [
        ("OFF-B", [("SR 1.1", "full")], 1),
        ("OFF-C", [("SR 1.1 RE(1)", "full")], 0),
    ]
    assert proposal.unaddressed == []


def test_gaps_no_offering_addresses_stay_with_the_client():
    gaps = [process("ORG 1.1", 1, 2), process("ORG 9.9", 0, 2)]
    proposal = propose(gaps, [Link("OFF-A", "ORG 1.1", "supports")], [A])
    assert proposal.steps == []  # supporting coverage closes nothing
    assert [g.requirement_id for g in proposal.unaddressed] == ["ORG 9.9"]
    assert proposal.gaps[0].gap.requirement_id == "ORG 9.9"  # largest gap first
