"""The catalogue as OSCAL catalogs: one per part, or all parts in one.

A part's own groups (FRs, functional areas, practices, ZCR groups, elements) are OSCAL
groups, each requirement a control and each requirement enhancement a child control.
Our summary is the `overview` part, the rest of the page the `guidance` part, the ML
1-4 scoring lines a part of our own; the ML or SL applicability, area and FR are
properties. Related requirements are links; evidence types and policies are back-matter
resources that the controls link to."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select
from trestle.oscal import catalog as model
from trestle.oscal import common as oscal

from kb.content.kinds import PART_ORDER
from kb.content.loader import WIKILINK
from kb.content.sync import CHANGED_AT_KEY, DIGEST_KEY
from kb.errors import NotFound
from kb.models import ContentItem, ContentLink, ContentState, utcnow
from kb.services.oscal.common import (
    NS,
    metadata,
    notice_resource,
    prop,
    stable_uuid,
    token,
)
from kb.vocabulary import PART_LABELS

# What a link to an evidence type or a policy is called, by our link relation.
RESOURCE_RELATIONS = {"evidence": "evidence-type", "policy": "policy"}


@dataclass(frozen=True)
class Catalogue:
    """The rows a catalog is built from, read in four queries."""

    items: list[ContentItem]  # the part's requirements, in catalogue order
    links: dict[str, list[tuple[str, str]]]  # id -> [(relation, target id)]
    resources: dict[str, ContentItem]  # evidence types and policies linked to
    where: dict[str, tuple[str, str, str | None]]  # any id -> (slug, url, part)
    changed_at: datetime
    digest: str


def check_part(part: str | None) -> None:
    """NotFound for a part the catalogue does not have (None: every part)."""
    if part is not None and part not in PART_ORDER:
        raise NotFound(
            f"There is no part '{part}': use one of {', '.join(PART_ORDER)}."
        )


def load(session: Session, part: str | None) -> Catalogue:
    """The catalogue rows of `part` (None: every part); NotFound for another part."""
    check_part(part)
    query = select(ContentItem).where(
        ContentItem.kind == "requirement", col(ContentItem.retired).is_(False)
    )
    if part is not None:
        query = query.where(ContentItem.part == part)
    items = list(session.exec(query.order_by(ContentItem.sort_key)))
    ids = [item.id for item in items]
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for source, relation, target in session.exec(
        select(ContentLink.source_id, ContentLink.relation, ContentLink.target_id)
        .where(
            col(ContentLink.source_id).in_(ids),
            col(ContentLink.relation).in_(("related", *RESOURCE_RELATIONS)),
        )
        .order_by(ContentLink.source_id, ContentLink.relation, ContentLink.target_id)
    ):
        links[source].append((relation, target))
    wanted = {t for pairs in links.values() for r, t in pairs if r != "related"}
    resources = {
        item.id: item
        for item in session.exec(
            select(ContentItem)
            .where(col(ContentItem.id).in_(wanted))
            .order_by(ContentItem.sort_key)
        )
    }
    where = {
        row[0]: row[1:]
        for row in session.exec(
            select(ContentItem.id, ContentItem.slug, ContentItem.url, ContentItem.part)
        )
    }
    return Catalogue(items, links, resources, where, *loaded(session))


def loaded(session: Session) -> tuple[datetime, str]:
    """When the content last changed, and its digest."""
    states = {
        s.key: s.value
        for s in session.exec(
            select(ContentState).where(
                col(ContentState.key).in_((CHANGED_AT_KEY, DIGEST_KEY))
            )
        )
    }
    changed = states.get(CHANGED_AT_KEY)
    return (
        datetime.fromisoformat(changed) if changed else utcnow(),
        states.get(DIGEST_KEY, "unloaded"),
    )


def build(
    rows: Catalogue, part: str | None, site: str, catalog_href: Callable[[str], str]
) -> model.Catalog:
    """The OSCAL catalog of `rows`. `site` is the absolute address of csms-kb (pages
    are linked from there), and `catalog_href(part)` the address of a part's catalog,
    for related requirements of other parts."""
    here = {item.id for item in rows.items}

    def href(item_id: str) -> str:
        slug, url, item_part = rows.where[item_id]
        if item_id in here:
            return f"#{token(slug)}"
        if item_part:
            return f"{catalog_href(item_part)}#{token(slug)}"
        return site + url

    def prose(markdown: str) -> str:
        return WIKILINK.sub(
            lambda m: f"[{m[1]}]({href(m[1])})" if m[1] in rows.where else m[1],
            markdown,
        )

    children: dict[str | None, list[ContentItem]] = defaultdict(list)
    for item in rows.items:
        children[item.parent_id if item.parent_id in here else None].append(item)

    def control(item: ContentItem) -> model.Control:
        return model.Control(
            id=token(item.slug),
            class_="requirement" if item.type != "enhancement" else "enhancement",
            title=item.title,
            props=_props(item),
            links=_links(item, rows, href, site) or None,
            parts=_parts(item, prose),
            controls=[control(c) for c in children[item.id]] or None,
        )

    def group(item: ContentItem) -> model.Group1 | model.Group2:
        return _group(
            id=token(item.slug),
            class_="group",
            title=item.title,
            props=_props(item),
            links=_links(item, rows, href, site) or None,
            parts=_parts(item, prose),
            **tree(children[item.id]),
        )

    def tree(items: list[ContentItem]) -> dict:
        """A group's content: OSCAL 1.2 gives a group either groups or controls, and
        in our catalogue no group has both."""
        if any(i.type == "group" for i in items):
            return {"groups": [group(i) for i in items]}
        return {"controls": [control(i) for i in items]}

    roots = children[None]
    if part is None:
        parts = [p for p in PART_ORDER if any(r.part == p for r in roots)]
        top = {
            "groups": [
                _group(
                    id=f"iec-{p}",
                    class_="part",
                    title=PART_LABELS[p],
                    props=[prop("part", p)],
                    **tree([r for r in roots if r.part == p]),
                )
                for p in parts
            ]
        }
        title = "IEC 62443: planning summaries of every part (csms-kb)"
    else:
        top = tree(roots)
        title = f"{PART_LABELS[part]}: planning summaries (csms-kb)"
    return model.Catalog(
        uuid=stable_uuid("catalog", part or "all", rows.digest),
        metadata=metadata(title, rows.digest[:12], rows.changed_at),
        back_matter=oscal.BackMatter(
            resources=[
                notice_resource("catalog"),
                *(_resource(r, site) for r in rows.resources.values()),
            ]
        ),
        **top,
    )


def _group(**fields) -> model.Group1 | model.Group2:
    return model.Group1(**fields) if "groups" in fields else model.Group2(**fields)


def _props(item: ContentItem) -> list[oscal.Property]:
    props = [
        prop("label", item.id, ours=False),
        prop("sort-id", item.sort_key, ours=False),
        prop("part", item.part),
        prop("edition", item.edition),
    ]
    if item.area_id:
        props.append(prop("area", item.area_id))
    if item.fr:
        props.append(prop("foundational-requirement", f"FR {item.fr}"))
    levels = item.meta.get("levels", {})
    props += [prop("maturity-level", n) for n in levels.get("ml", [])]
    props += [prop("security-level", n) for n in levels.get("sl", [])]
    if item.provisional:
        props.append(prop("provisional", "true"))
    return props


def _links(item, rows: Catalogue, href, site: str) -> list[oscal.Link]:
    out = [oscal.Link(href=site + item.url, rel="alternate", media_type="text/html")]
    for relation, target in rows.links.get(item.id, []):
        if relation == "related" and target in rows.where:
            out.append(oscal.Link(href=href(target), rel="related"))
        elif target in rows.resources:
            out.append(
                oscal.Link(
                    href=f"#{stable_uuid('resource', target)}",
                    rel=RESOURCE_RELATIONS[relation],
                )
            )
    return out


def _parts(item: ContentItem, prose: Callable[[str], str]) -> list[oscal.Part] | None:
    """The summary as `overview`, the rest of the page as `guidance`, the ML scoring
    lines, and what is still to be verified."""
    slug = token(item.slug)
    parts = []
    if item.summary:
        parts.append(oscal.Part(id=f"{slug}_ovw", name="overview", prose=item.summary))
    _first, _, rest = item.body_md.partition("\n\n")
    if rest.strip():
        parts.append(oscal.Part(id=f"{slug}_gdn", name="guidance", prose=prose(rest)))
    if item.scoring:
        parts.append(
            oscal.Part(
                id=f"{slug}_ml",
                name="maturity-levels",
                ns=NS,
                title="What each maturity level looks like",
                parts=[
                    oscal.Part(
                        id=f"{slug}_ml{level}",
                        name="maturity-level",
                        ns=NS,
                        title=f"ML {level}",
                        props=[prop("level", level)],
                        prose=line,
                    )
                    for level, line in sorted(item.scoring.items())
                ],
            )
        )
    if verify := item.meta.get("verify"):
        parts.append(
            oscal.Part(id=f"{slug}_vfy", name="to-verify", ns=NS, prose=verify)
        )
    return parts or None


def _resource(item: ContentItem, site: str) -> oscal.Resource:
    return oscal.Resource(
        uuid=stable_uuid("resource", item.id),
        title=item.title,
        description=item.summary or None,
        props=[prop("label", item.id, ours=False), prop("kind", item.kind)],
        rlinks=[oscal.Rlink(href=site + item.url, media_type="text/html")],
    )
