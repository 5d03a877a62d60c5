"""Service offerings against the requirements they help meet: the coverage matrix, with
the share of requirements covered per part and control area and the blind spots (the
requirements no offering touches). `build_matrix` is pure; `load_matrix` reads the
catalogue for it.

Counting rules: a requirement is *covered* when some offering covers it fully or
partly, *touched* when some offering so much as supports it, and a *blind spot* when
none touches it. Group pages (FRs, practices) are not requirements here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from kb.content.kinds import PART_ORDER
from kb.models import ContentItem, ContentLink
from kb.vocabulary import COVERAGES

NO_COVERAGE = "none"  # the coverage filter's value for blind spots


@dataclass(frozen=True, slots=True)
class Requirement:
    id: str
    title: str
    part: str
    area: str
    url: str


@dataclass(frozen=True, slots=True)
class Offering:
    id: str
    title: str
    url: str
    origin: str = "ours"


@dataclass(frozen=True, slots=True)
class Link:
    offering_id: str
    requirement_id: str
    coverage: str


@dataclass
class Share:
    """How much of a group of requirements the offerings cover."""

    requirements: int = 0
    full: int = 0
    covered: int = 0
    touched: int = 0
    blind_spots: list[Requirement] = field(default_factory=list)

    @property
    def partial(self) -> int:
        """Covered partly and by no offering fully."""
        return self.covered - self.full

    @property
    def supports(self) -> int:
        """Only supported: touched, but covered by none."""
        return self.touched - self.covered

    @property
    def covered_share(self) -> float | None:
        return self.covered / self.requirements if self.requirements else None

    @property
    def full_share(self) -> float | None:
        return self.full / self.requirements if self.requirements else None

    def count(self, best: str | None, requirement: Requirement) -> None:
        self.requirements += 1
        if best is None:
            self.blind_spots.append(requirement)
            return
        self.touched += 1
        self.covered += best in ("full", "partial")
        self.full += best == "full"

    def as_dict(self) -> dict:
        return {
            "requirements": self.requirements,
            "full": self.full,
            "partial": self.partial,
            "supports": self.supports,
            "covered": self.covered,
            "covered_share": self.covered_share,
            "full_share": self.full_share,
            "blind_spots": [r.id for r in self.blind_spots],
        }


@dataclass
class Row:
    requirement: Requirement
    cells: dict[str, str]  # offering id -> coverage
    line: list[str | None]  # the coverage by each offering of the matrix, in order

    @property
    def best(self) -> str | None:
        """The strongest coverage any offering gives, or None for a blind spot."""
        return next((c for c in COVERAGES if c in self.cells.values()), None)


@dataclass
class AreaBlock:
    area: str
    share: Share
    rows: list[Row]  # the rows the coverage filter keeps; the share counts them all


@dataclass
class PartBlock:
    part: str
    share: Share
    areas: list[AreaBlock]


@dataclass
class MatrixFilter:
    part: str | None = None
    area: str | None = None
    coverage: str | None = None  # a COVERAGES value, or NO_COVERAGE

    def keeps(self, row: Row) -> bool:
        if not self.coverage:
            return True
        if self.coverage == NO_COVERAGE:
            return row.best is None
        return row.best == self.coverage

    def active(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class Matrix:
    offerings: list[Offering]
    parts: list[PartBlock]
    whole: Share

    @property
    def shown(self) -> int:
        return sum(len(a.rows) for p in self.parts for a in p.areas)


def build_matrix(
    requirements: Iterable[Requirement],
    links: Iterable[Link],
    offerings: list[Offering],
    filters: MatrixFilter | None = None,
) -> Matrix:
    """Group the requirements by part and area, with each one's coverage by each of
    `offerings` (links of other offerings are ignored) and the shares of each group.

    The part and area filters choose the groups, and the shares are theirs; the
    coverage filter only chooses the rows shown."""
    filters = filters or MatrixFilter()
    known = {o.id for o in offerings}
    cells: dict[str, dict[str, str]] = defaultdict(dict)
    for link in links:
        if link.offering_id in known:
            cells[link.requirement_id][link.offering_id] = link.coverage
    grouped: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for requirement in requirements:
        if filters.part in (None, requirement.part) and filters.area in (
            None,
            requirement.area,
        ):
            given = cells.get(requirement.id, {})
            row = Row(requirement, given, [given.get(o.id) for o in offerings])
            grouped[requirement.part][requirement.area].append(row)
    whole = Share()
    parts = []
    for part in sorted(grouped, key=_part_order):
        part_share = Share()
        areas = []
        for area, rows in sorted(grouped[part].items()):
            share = Share()
            for row in rows:
                for tally in (share, part_share, whole):
                    tally.count(row.best, row.requirement)
            areas.append(AreaBlock(area, share, [r for r in rows if filters.keeps(r)]))
        parts.append(PartBlock(part, part_share, areas))
    return Matrix(offerings, parts, whole)


def _part_order(part: str) -> int:
    return PART_ORDER.index(part) if part in PART_ORDER else len(PART_ORDER)


# -- reading the catalogue --------------------------------------------------------------


def requirements(session: Session) -> list[Requirement]:
    """Every live requirement and enhancement (not group pages), in catalogue order."""
    rows = session.exec(
        select(
            ContentItem.id,
            ContentItem.title,
            ContentItem.part,
            ContentItem.area_id,
            ContentItem.url,
        )
        .where(
            ContentItem.kind == "requirement",
            ContentItem.type != "group",
            col(ContentItem.retired).is_(False),
        )
        .order_by(ContentItem.sort_key)
    )
    return [Requirement(*row) for row in rows]


def offerings(session: Session, offering_id: str | None = None) -> list[Offering]:
    """The live offerings (or the one of `offering_id`), by id."""
    query = select(
        ContentItem.id, ContentItem.title, ContentItem.url, ContentItem.origin
    ).where(ContentItem.kind == "offering", col(ContentItem.retired).is_(False))
    if offering_id:
        query = query.where(ContentItem.id == offering_id)
    return [
        Offering(*row) for row in session.exec(query.order_by(ContentItem.sort_key))
    ]


def links(session: Session) -> list[Link]:
    """Every offering's coverage of a live requirement."""
    target = aliased(ContentItem)
    rows = session.exec(
        select(ContentLink.source_id, ContentLink.target_id, ContentLink.coverage)
        .join(target, ContentLink.target_id == target.id)
        .where(ContentLink.relation == "addresses", col(target.retired).is_(False))
        .order_by(ContentLink.source_id, target.sort_key)
    )
    return [Link(*row) for row in rows]


def load_matrix(
    session: Session,
    filters: MatrixFilter | None = None,
    offering_id: str | None = None,
) -> Matrix:
    """The matrix of every live offering, or of one (its own page)."""
    return build_matrix(
        requirements(session), links(session), offerings(session, offering_id), filters
    )
