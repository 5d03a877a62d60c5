"""A provider's proposal for a client's assessment: its open gaps, the offerings that
address each, and a ranked suggestion of the fewest offerings that close the most gap.
`propose` is pure; `proposal_for` reads the assessment for it.

A gap is counted in levels: target minus current maturity for a process requirement
(where both are set), SL-T minus SL-A for an FR of a zone or conduit. What taking an
offering closes is stated once, in RULE, and shown on the page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from kb.models import Assessment
from kb.services import coverage, zone_states
from kb.services.coverage import Link, Offering
from kb.services.dashboard import score_rows
from kb.services.levels import FRS, Item, State, achieved
from kb.services.zones import list_zones
from kb.vocabulary import COVERAGES, FOUNDATIONAL_REQUIREMENTS

PARTIAL_STEP = 1
RULE = (
    "Full coverage closes a maturity gap to its target; partial coverage raises the "
    f"level by {PARTIAL_STEP}, however many offerings cover it partly; supporting "
    "coverage closes nothing. In a zone or conduit, an SR or RE counts as met only "
    "where an offering covers it fully, and SL-A is derived again from that."
)

CoverageOf = Callable[[str], str | None]


@dataclass(frozen=True)
class Gap:
    """One open gap: a process requirement's, or one FR's of a zone or conduit."""

    current: int
    target: int
    requirement_id: str | None = None  # a process requirement's gap
    title: str = ""
    url: str = ""
    zone_id: int | None = None  # or an FR's gap in a zone or conduit
    zone: str = ""
    fr: int | None = None
    items: tuple[Item, ...] = ()  # the FR's SRs and REs
    met: frozenset[str] = frozenset()  # those that count as met today

    @property
    def size(self) -> int:
        return self.target - self.current

    @property
    def kind(self) -> str:
        return "maturity" if self.requirement_id else "security level"

    @property
    def label(self) -> str:
        if self.requirement_id:
            return f"{self.requirement_id} {self.title}"
        return f"{self.zone}: FR {self.fr} {FOUNDATIONAL_REQUIREMENTS[self.fr - 1]}"

    @property
    def open_items(self) -> list[str]:
        """The requirement ids an offering must cover to close this gap."""
        if self.requirement_id:
            return [self.requirement_id]
        return [
            i.id for i in self.items if i.sl_min <= self.target and i.id not in self.met
        ]

    def closed(self, coverage_of: CoverageOf) -> int:
        """The levels of this gap closed where `coverage_of` gives each requirement's
        coverage by the offerings taken."""
        if self.requirement_id:
            given = coverage_of(self.requirement_id)
            if given == "full":
                return self.size
            return min(self.size, PARTIAL_STEP) if given == "partial" else 0
        met = self.met | {i for i in self.open_items if coverage_of(i) == "full"}
        level = achieved(list(self.items), {i: State("met") for i in met})[self.fr - 1]
        return max(0, min(self.target, level) - self.current)


@dataclass
class Option:
    """An offering that addresses a gap: how it covers its requirements, and how many
    levels it closes if the client takes it alone."""

    offering: Offering
    covers: list[tuple[str, str]]  # (requirement id, coverage)
    closes: int


@dataclass
class GapLine:
    gap: Gap
    options: list[Option]


@dataclass
class Step:
    """One offering of the ranked suggestion, with what it adds to those before it."""

    offering: Offering
    closes: int
    running_total: int
    gaps: list[tuple[Gap, int]] = field(default_factory=list)


@dataclass
class Proposal:
    gaps: list[GapLine]
    steps: list[Step]
    total_gap: int

    @property
    def closed(self) -> int:
        return self.steps[-1].running_total if self.steps else 0

    @property
    def unaddressed(self) -> list[Gap]:
        """Gaps that no offering addresses: they stay with the client."""
        return [line.gap for line in self.gaps if not line.options]


def _strongest(*values: str | None) -> str | None:
    return next((c for c in COVERAGES if c in values), None)


def propose(gaps: list[Gap], links: list[Link], offerings: list[Offering]) -> Proposal:
    """Each gap with the offerings that address it, and a greedy ranking: take next the
    offering that closes the most gap beyond those taken (ties go to the first by id);
    stop when none closes more."""
    by_offering: dict[str, dict[str, str]] = defaultdict(dict)
    for link in links:
        by_offering[link.offering_id][link.requirement_id] = link.coverage
    lines, affected = [], defaultdict(list)
    for index, gap in enumerate(sorted(gaps, key=lambda g: (-g.size, g.label))):
        options = []
        for offering in offerings:
            mine = by_offering[offering.id]
            covers = [(r, mine[r]) for r in gap.open_items if r in mine]
            if covers:
                options.append(Option(offering, covers, gap.closed(mine.get)))
                affected[offering.id].append(index)
        lines.append(GapLine(gap, options))
    return Proposal(
        lines, _rank(lines, by_offering, affected, offerings), sum(g.size for g in gaps)
    )


def _rank(lines, by_offering, affected, offerings) -> list[Step]:
    taken: dict[str, str] = {}
    closed = [0] * len(lines)
    steps: list[Step] = []
    remaining = [o for o in offerings if affected[o.id]]
    while remaining:
        best, best_moves = None, []
        for offering in remaining:
            mine = by_offering[offering.id]

            def with_it(r: str, mine=mine) -> str | None:
                return _strongest(taken.get(r), mine.get(r))

            moves = [
                (i, lines[i].gap.closed(with_it) - closed[i])
                for i in affected[offering.id]
            ]
            moves = [(i, n) for i, n in moves if n > 0]
            if sum(n for _i, n in moves) > sum(n for _i, n in best_moves):
                best, best_moves = offering, moves
        if best is None:
            break
        for requirement_id, given in by_offering[best.id].items():
            taken[requirement_id] = _strongest(taken.get(requirement_id), given)
        for i, n in best_moves:
            closed[i] += n
        gain = sum(n for _i, n in best_moves)
        running = (steps[-1].running_total if steps else 0) + gain
        steps.append(
            Step(best, gain, running, [(lines[i].gap, n) for i, n in best_moves])
        )
        remaining.remove(best)
    return steps


# -- reading an assessment ---------------------------------------------------------------


def gaps_of(session: Session, assessment: Assessment) -> list[Gap]:
    """The assessment's open gaps: its register rows below target, and the FRs of its
    live zones and conduits below SL-T."""
    rows, requirements = score_rows(session, assessment)
    gaps = [
        Gap(
            row.current,
            row.target,
            requirement_id=row.requirement_id,
            title=requirements[row.requirement_id].title,
            url=requirements[row.requirement_id].url,
        )
        for row in rows
        if row.gap
    ]
    zones = list_zones(session, assessment)
    items = [
        zone_states.as_item(r) for r in zone_states.technical_requirements(session)
    ]
    by_fr = {fr: tuple(i for i in items if i.fr == fr) for fr in FRS}
    states = zone_states.derivation_states(session, [z.id for z in zones])
    for zone in zones:
        met = frozenset(
            i for i, state in states[zone.id].items() if state.counts_as_met
        )
        sl_a = achieved(items, states[zone.id])
        for fr, current, target in zip(FRS, sl_a, zone.sl_t, strict=True):
            if target > current:
                gaps.append(
                    Gap(
                        current,
                        target,
                        zone_id=zone.id,
                        zone=zone.name,
                        fr=fr,
                        items=by_fr[fr],
                        met=met,
                    )
                )
    return gaps


def proposal_for(session: Session, assessment: Assessment) -> Proposal:
    return propose(
        gaps_of(session, assessment),
        coverage.links(session),
        coverage.offerings(session),
    )
