"""The frameworks an organisation imported from OSCAL catalogs, their controls, and
the mappings of our requirements to those controls."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, delete, func, select
from trestle.oscal import common as oscal
from trestle.oscal import mapping as mapping_model

from kb.errors import InvalidInput, NotFound, Problem
from kb.models import (
    ContentItem,
    FrameworkControl,
    FrameworkMapping,
    MappedFramework,
    Organisation,
    User,
)
from kb.services.catalogue import get_item
from kb.services.oscal.common import metadata, notice_resource, prop, stable_uuid, token
from kb.vocabulary import CROSSWALK_RELATIONS

# Our relation of a requirement to their control, as an OSCAL mapping's relationship
# (ours is the source): partial means the requirement meets part of the control.
RELATIONSHIPS = {
    "equivalent": "equivalent-to",
    "partial": "subset-of",
    "related": "intersects-with",
}


def frameworks(
    session: Session, org: Organisation
) -> list[tuple[MappedFramework, int, int]]:
    """The organisation's frameworks with their numbers of controls and mappings."""
    controls = (
        select(func.count())
        .where(FrameworkControl.framework_id == MappedFramework.id)
        .scalar_subquery()
    )
    mappings = (
        select(func.count())
        .where(FrameworkMapping.framework_id == MappedFramework.id)
        .scalar_subquery()
    )
    return list(
        session.exec(
            select(MappedFramework, controls, mappings)
            .where(MappedFramework.organisation_id == org.id)
            .order_by(MappedFramework.title, MappedFramework.id)
        )
    )


def get_framework(
    session: Session, org: Organisation, framework_id: int
) -> MappedFramework:
    framework = session.get(MappedFramework, framework_id)
    if framework is None or framework.organisation_id != org.id:
        raise NotFound(f"There is no framework {framework_id} here.")
    return framework


def control_choices(
    session: Session, framework: MappedFramework
) -> list[tuple[str, str]]:
    """(id, title) of every control of the framework, in its order."""
    return list(
        session.exec(
            select(FrameworkControl.control_id, FrameworkControl.title)
            .where(FrameworkControl.framework_id == framework.id)
            .order_by(FrameworkControl.position)
        )
    )


def sizes(session: Session, framework: MappedFramework) -> tuple[int, int]:
    """How many controls and how many mappings the framework has."""
    return tuple(
        session.exec(
            select(func.count())
            .select_from(table)
            .where(table.framework_id == framework.id)
        ).one()
        for table in (FrameworkControl, FrameworkMapping)
    )


def remove_framework(session: Session, framework: MappedFramework) -> int:
    """Delete the framework with its controls and mappings; return how many mappings
    went with it."""
    _controls, dropped = sizes(session, framework)
    for table in (FrameworkMapping, FrameworkControl):
        session.execute(delete(table).where(table.framework_id == framework.id))
    session.delete(framework)
    session.flush()
    return dropped


def add_mapping(
    session: Session,
    framework: MappedFramework,
    control_id: str,
    requirement_key: str,
    relation: str,
    user: User,
) -> FrameworkMapping:
    """Map one of our requirements to a control of the framework.

    Raises InvalidInput for a control the framework lacks, a requirement we lack, a
    relation outside CROSSWALK_RELATIONS, or a pair mapped already."""
    problems = []
    control = session.exec(
        select(FrameworkControl).where(
            FrameworkControl.framework_id == framework.id,
            FrameworkControl.control_id == control_id.strip(),
        )
    ).first()
    if control is None:
        problems.append(
            Problem(
                "control_id", f"'{control_id}' is not a control of {framework.title}"
            )
        )
    try:
        requirement: ContentItem | None = get_item(
            session, "requirement", requirement_key.strip()
        )
    except NotFound:
        requirement = None
        problems.append(
            Problem(
                "requirement",
                f"'{requirement_key}' is not one of our requirements: use an id such as "
                "SR 1.1 or SP.03.01 BR",
            )
        )
    if relation not in CROSSWALK_RELATIONS:
        problems.append(
            Problem("relation", f"choose one of {', '.join(CROSSWALK_RELATIONS)}")
        )
    if (
        not problems
        and session.exec(
            select(FrameworkMapping).where(
                FrameworkMapping.framework_id == framework.id,
                FrameworkMapping.control_id == control.control_id,
                FrameworkMapping.requirement_id == requirement.id,
            )
        ).first()
    ):
        problems.append(
            Problem(
                "requirement",
                f"{requirement.id} is mapped to {control.control_id} already",
            )
        )
    if problems:
        raise InvalidInput(problems)
    mapping = FrameworkMapping(
        framework_id=framework.id,
        control_id=control.control_id,
        requirement_id=requirement.id,
        relation=relation,
        created_by=user.id,
    )
    session.add(mapping)
    session.flush()
    return mapping


def remove_mapping(
    session: Session, framework: MappedFramework, mapping_id: int
) -> FrameworkMapping:
    """Delete a mapping of the framework; NotFound for any other id."""
    mapping = session.get(FrameworkMapping, mapping_id)
    if mapping is None or mapping.framework_id != framework.id:
        raise NotFound(f"There is no mapping {mapping_id} of this framework.")
    session.delete(mapping)
    session.flush()
    return mapping


@dataclass
class ControlRow:
    control: FrameworkControl
    mappings: list[tuple[FrameworkMapping, ContentItem]]


def controls_page(
    session: Session, framework: MappedFramework, query: str, offset: int, size: int
) -> tuple[list[ControlRow], int]:
    """A page of the framework's controls (those whose id or title contains `query`)
    with what is mapped to each, and how many controls match in all."""
    where = [FrameworkControl.framework_id == framework.id]
    if query:
        pattern = f"%{query.lower()}%"
        where.append(
            func.lower(FrameworkControl.control_id).like(pattern)
            | func.lower(FrameworkControl.title).like(pattern)
        )
    total = session.exec(
        select(func.count()).select_from(FrameworkControl).where(*where)
    ).one()
    controls = session.exec(
        select(FrameworkControl)
        .where(*where)
        .order_by(FrameworkControl.position)
        .offset(offset)
        .limit(size)
    ).all()
    rows = {c.control_id: ControlRow(c, []) for c in controls}
    for mapping, requirement in session.exec(
        select(FrameworkMapping, ContentItem)
        .join(ContentItem, ContentItem.id == FrameworkMapping.requirement_id)
        .where(
            FrameworkMapping.framework_id == framework.id,
            col(FrameworkMapping.control_id).in_(rows),
        )
        .order_by(ContentItem.sort_key)
    ):
        rows[mapping.control_id].mappings.append((mapping, requirement))
    return list(rows.values()), total


def mappings_of_requirement(
    session: Session, requirement_id: str, organisations: list[Organisation]
) -> list[tuple[MappedFramework, FrameworkControl, FrameworkMapping]]:
    """The controls of these organisations' frameworks that `requirement_id` is
    mapped to, by framework and control."""
    if not organisations:
        return []
    return list(
        session.exec(
            select(MappedFramework, FrameworkControl, FrameworkMapping)
            .join(FrameworkMapping, FrameworkMapping.framework_id == MappedFramework.id)
            .join(
                FrameworkControl,
                (FrameworkControl.framework_id == MappedFramework.id)
                & (FrameworkControl.control_id == FrameworkMapping.control_id),
            )
            .where(
                FrameworkMapping.requirement_id == requirement_id,
                col(MappedFramework.organisation_id).in_(
                    [org.id for org in organisations]
                ),
            )
            .order_by(MappedFramework.title, FrameworkControl.position)
        )
    )


def mapping_collection(
    session: Session, framework: MappedFramework, catalog_href: str
) -> mapping_model.MappingCollection:
    """The framework's mappings as an OSCAL mapping collection: our catalog (at
    `catalog_href`) is the source, the imported catalog the target. Raises NotFound
    while nothing is mapped (a mapping collection holds at least one map)."""
    rows = session.exec(
        select(FrameworkMapping, ContentItem)
        .join(ContentItem, ContentItem.id == FrameworkMapping.requirement_id)
        .where(FrameworkMapping.framework_id == framework.id)
        .order_by(FrameworkMapping.control_id, ContentItem.sort_key)
    ).all()
    if not rows:
        raise NotFound(
            f"Nothing is mapped to {framework.title} yet: map a requirement first."
        )
    key = stable_uuid("mappings", framework.catalog_uuid, framework.id)
    theirs = stable_uuid(key, "target")
    newest = max(m.created_at for m, _item in rows)
    return mapping_model.MappingCollection(
        uuid=stable_uuid(key, *(m.id for m, _item in rows)),
        metadata=metadata(
            f"IEC 62443 requirements mapped to {framework.title}"[:500],
            max(newest, framework.imported_at).isoformat(timespec="seconds"),
            max(newest, framework.imported_at),
        ),
        provenance=mapping_model.MappingProvenance(
            method="human",
            matching_rationale="semantic",
            status="draft",
            mapping_description=mapping_model.MappingDescription(
                "Which IEC 62443 requirements (csms-kb's planning summaries) meet "
                f"which controls of {framework.title}, as the organisation mapped them."
            ),
        ),
        mappings=[
            mapping_model.Mapping(
                uuid=stable_uuid(key, "mapping"),
                source_resource=mapping_model.MappingResourceReference(
                    type="catalog", href=catalog_href
                ),
                target_resource=mapping_model.MappingResourceReference(
                    type="catalog", href=f"#{theirs}"
                ),
                maps=[
                    mapping_model.Map(
                        uuid=stable_uuid(key, "map", m.id),
                        relationship=RELATIONSHIPS[m.relation],
                        sources=[
                            mapping_model.MappingItem(
                                type="control",
                                id_ref=token(item.slug),
                                props=[prop("label", item.id, ours=False)],
                            )
                        ],
                        targets=[
                            mapping_model.MappingItem(
                                type="control", id_ref=m.control_id
                            )
                        ],
                    )
                    for m, item in rows
                ],
            )
        ]
        if rows
        else [],
        back_matter=oscal.BackMatter(
            resources=[
                notice_resource("mappings"),
                oscal.Resource(
                    uuid=theirs,
                    title=framework.title,
                    description=(
                        f"The OSCAL catalog {framework.catalog_uuid}, version "
                        f"{framework.version}, as imported into csms-kb."
                    ),
                    props=[prop("catalog-uuid", framework.catalog_uuid)],
                ),
            ]
        ),
    )
