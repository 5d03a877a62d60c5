"""A service offering in OSCAL: a component definition with one service component
whose implemented requirements are the requirements the offering addresses, per part,
each with how fully (full, partial or supports)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, select
from trestle.oscal import common as oscal
from trestle.oscal import component as model

from kb.content.kinds import PART_ORDER
from kb.models import ContentItem
from kb.services.coverage import links
from kb.services.oscal.common import metadata, notice_resource, prop, stable_uuid, token

COVERAGE_TEXT = {
    "full": "The offering meets this requirement in full.",
    "partial": "The offering meets part of this requirement.",
    "supports": "The offering supports meeting this requirement; it does not meet it.",
}


def component_definition(
    session: Session,
    offering: ContentItem,
    site: str,
    catalog_href: Callable[[str], str],
    changed_at: datetime,
) -> model.ComponentDefinition:
    """The component definition of `offering` (a live catalogue offering)."""
    coverage = {
        link.requirement_id: link.coverage
        for link in links(session)
        if link.offering_id == offering.id
    }
    requirements = session.exec(
        select(ContentItem)
        .where(ContentItem.id.in_(coverage))  # type: ignore[attr-defined]
        .order_by(ContentItem.sort_key)
    ).all()
    key = stable_uuid("offering", offering.id)
    implementations = [
        model.ControlImplementation(
            uuid=stable_uuid(key, part),
            source=catalog_href(part),
            description=f"What {offering.title} does for the requirements of IEC {part}.",
            implemented_requirements=[
                model.ImplementedRequirement(
                    uuid=stable_uuid(key, item.id),
                    control_id=token(item.slug),
                    description=COVERAGE_TEXT[coverage[item.id]],
                    props=[
                        prop("label", item.id, ours=False),
                        prop("coverage", coverage[item.id]),
                    ],
                )
                for item in requirements
                if item.part == part
            ],
        )
        for part in PART_ORDER
        if any(item.part == part for item in requirements)
    ]
    return model.ComponentDefinition(
        uuid=stable_uuid(key, *sorted(coverage.items())),
        metadata=metadata(f"{offering.title} (csms-kb offering)", "1", changed_at),
        components=[
            model.DefinedComponent(
                uuid=key,
                type="service",
                title=offering.title,
                description=offering.summary or offering.title,
                props=[prop("label", offering.id, ours=False)],
                links=[
                    oscal.Link(
                        href=site + offering.url,
                        rel="alternate",
                        media_type="text/html",
                    )
                ],
                control_implementations=implementations or None,
            )
        ],
        back_matter=oscal.BackMatter(resources=[notice_resource("offering")]),
    )
