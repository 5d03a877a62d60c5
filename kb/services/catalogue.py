"""Read the loaded catalogue: items, their links in both directions, filtered lists."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from kb.content.kinds import PART_ORDER, slugify
from kb.errors import NotFound
from kb.models import ContentItem, ContentLink, ContentTag, CrosswalkPair

KIND_NAMES = {
    "framework": "framework",
    "area": "control area",
    "requirement": "requirement",
    "evidence": "evidence artefact type",
    "policy": "policy",
    "offering": "service offering",
    "sector": "sector",
    "threat": "threat scenario",
}


@dataclass
class Linked:
    item: ContentItem
    coverage: str | None = None


@dataclass
class Links:
    """An item's links: `out[relation]` and `back[relation]`, each a list of Linked."""

    out: dict[str, list[Linked]] = field(default_factory=dict)
    back: dict[str, list[Linked]] = field(default_factory=dict)


@dataclass
class RequirementFilter:
    part: str | None = None
    area: str | None = None
    level: int | None = None
    tag: str | None = None
    page: int = 1

    def active(self) -> dict[str, str | int]:
        """The filters that are set, for URLs that keep them."""
        return {k: v for k, v in vars(self).items() if v and k != "page"}


@dataclass
class Page:
    items: list[ContentItem]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))


def get_item(session: Session, kind: str, key: str) -> ContentItem:
    """Return the live item of `kind` whose id or slug is `key`; raise NotFound."""
    item = session.exec(
        select(ContentItem).where(
            ContentItem.kind == kind,
            ContentItem.slug == slugify(key),
            col(ContentItem.retired).is_(False),
        )
    ).first()
    if item is None:
        raise NotFound(f"There is no {KIND_NAMES.get(kind, kind)} with the id '{key}'.")
    return item


def list_items(session: Session, kind: str) -> list[ContentItem]:
    return list(
        session.exec(
            select(ContentItem)
            .where(ContentItem.kind == kind, col(ContentItem.retired).is_(False))
            .order_by(ContentItem.sort_key)
        )
    )


def links_of(session: Session, item_id: str) -> Links:
    """Load both directions of an item's links in two queries, sorted by id."""
    links = Links()
    for direction, mine, theirs in (
        ("out", "source_id", "target_id"),
        ("back", "target_id", "source_id"),
    ):
        other = aliased(ContentItem)
        rows = session.exec(
            select(ContentLink, other)
            .join(other, getattr(ContentLink, theirs) == other.id)
            .where(getattr(ContentLink, mine) == item_id, col(other.retired).is_(False))
            .order_by(other.sort_key)
        )
        groups: dict[str, list[Linked]] = defaultdict(list)
        for link, linked in rows:
            groups[link.relation].append(Linked(linked, link.coverage))
        setattr(links, direction, dict(groups))
    return links


def crosswalk_pairs(
    session: Session,
    *,
    requirement_id: str | None = None,
    framework_id: str | None = None,
) -> list[tuple[CrosswalkPair, ContentItem]]:
    """Crosswalk pairs of one requirement or of one external framework, with the other end."""
    other_id = (
        CrosswalkPair.framework_id if requirement_id else CrosswalkPair.requirement_id
    )
    query = select(CrosswalkPair, ContentItem).join(
        ContentItem, other_id == ContentItem.id
    )
    if requirement_id:
        query = query.where(CrosswalkPair.requirement_id == requirement_id)
    if framework_id:
        query = query.where(CrosswalkPair.framework_id == framework_id)
    return list(
        session.exec(query.order_by(ContentItem.sort_key, CrosswalkPair.their_id))
    )


def _requirement_query(filters: RequirementFilter):
    query = select(ContentItem).where(
        ContentItem.kind == "requirement",
        col(ContentItem.retired).is_(False),
        ContentItem.type != "group",
    )
    if filters.part:
        query = query.where(ContentItem.part == filters.part)
    if filters.area:
        query = query.where(ContentItem.area_id == filters.area)
    if filters.level:
        # SL n needs every item that applies from SL 1 up to SL n.
        query = query.where(
            col(ContentItem.sl_min).is_not(None),
            col(ContentItem.sl_min) <= filters.level,
        )
    if filters.tag:
        query = query.where(
            col(ContentItem.id).in_(
                select(ContentTag.item_id).where(ContentTag.tag == filters.tag)
            )
        )
    return query


def find_requirements(session: Session, filters: RequirementFilter, size: int) -> Page:
    """Return one page of the requirements that match every filter, in catalogue order."""
    query = _requirement_query(filters)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    number = min(max(1, filters.page), max(1, math.ceil(total / size)))
    items = session.exec(
        query.order_by(ContentItem.part, ContentItem.sort_key)
        .offset((number - 1) * size)
        .limit(size)
    )
    return Page(list(items), total, number, size)


def requirement_facets(session: Session) -> dict[str, list]:
    """The values each requirement filter can take, from what is loaded."""
    live = (ContentItem.kind == "requirement", col(ContentItem.retired).is_(False))
    parts = set(session.exec(select(ContentItem.part).where(*live).distinct()))
    tags = session.exec(
        select(ContentTag.tag)
        .join(ContentItem, ContentTag.item_id == ContentItem.id)
        .where(*live)
        .distinct()
        .order_by(ContentTag.tag)
    )
    return {
        "parts": [p for p in PART_ORDER if p in parts],
        "areas": list_items(session, "area"),
        "levels": [1, 2, 3, 4],
        "tags": list(tags),
    }
