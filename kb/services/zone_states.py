"""How a zone or conduit meets the SRs and REs of 62443-3-3: their states, the SL-A
derived from them, each zone's page and the assessment's vector table, and the evidence
on each SR or RE. Services add and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from kb.errors import NotFound
from kb.models import (
    Assessment,
    ContentItem,
    EvidenceItem,
    User,
    Zone,
    ZoneEvidenceLink,
    ZoneRequirement,
)
from kb.schemas import StateInput
from kb.services.changes import save_state
from kb.services.evidence import check_linkable
from kb.services.levels import Derived, Item, State, derive
from kb.services.zones import joins_of, list_zones, record


def technical_requirements(session: Session) -> list[ContentItem]:
    """Every SR and RE of 62443-3-3 (not the FR group pages), in catalogue order."""
    return list(
        session.exec(
            select(ContentItem)
            .where(
                ContentItem.part == "62443-3-3",
                ContentItem.type != "group",
                col(ContentItem.retired).is_(False),
                col(ContentItem.fr).is_not(None),
                col(ContentItem.sl_min).is_not(None),
            )
            .order_by(ContentItem.sort_key)
        )
    )


def as_item(requirement: ContentItem) -> Item:
    return Item(
        requirement.id,
        requirement.fr,
        requirement.sl_min,
        bool(requirement.meta.get("verify")),
    )


def states_of(
    session: Session, zone_ids: list[int]
) -> dict[int, dict[str, ZoneRequirement]]:
    """Each zone's states by requirement id, in one query."""
    out: dict[int, dict[str, ZoneRequirement]] = {zid: {} for zid in zone_ids}
    for row in session.exec(
        select(ZoneRequirement).where(col(ZoneRequirement.zone_id).in_(zone_ids))
    ):
        out[row.zone_id][row.requirement_id] = row
    return out


def derivation_states(
    session: Session, zone_ids: list[int]
) -> dict[int, dict[str, State]]:
    """What the derivation needs of each zone's states, as plain tuples: loading
    thousands of ORM rows for a vector table costs ten times more."""
    out: dict[int, dict[str, State]] = {zid: {} for zid in zone_ids}
    for zone_id, requirement_id, state, reason in session.exec(
        select(
            ZoneRequirement.zone_id,
            ZoneRequirement.requirement_id,
            ZoneRequirement.state,
            ZoneRequirement.reason,
        ).where(col(ZoneRequirement.zone_id).in_(zone_ids))
    ):
        out[zone_id][requirement_id] = State(state, reason)
    return out


def _derive(
    items: list[Item], rows: dict[str, ZoneRequirement], sl_t: list[int]
) -> Derived:
    states = {rid: State(row.state, row.reason) for rid, row in rows.items()}
    return derive(items, states, sl_t)


def requirement_of(session: Session, key: str) -> ContentItem:
    """An SR or RE of 62443-3-3 by id or slug; NotFound for anything else."""
    from kb.content.kinds import slugify

    item = session.exec(
        select(ContentItem).where(
            ContentItem.slug == slugify(key),
            ContentItem.part == "62443-3-3",
            ContentItem.type != "group",
            col(ContentItem.retired).is_(False),
        )
    ).first()
    if item is None:
        raise NotFound(f"'{key}' is not an SR or RE of IEC 62443-3-3.")
    return item


def set_state(
    session: Session,
    zone: Zone,
    requirement: ContentItem,
    data: StateInput,
    user: User,
    reason: str = "",
) -> ZoneRequirement:
    """Record how the zone meets one SR or RE, if based on the stored version;
    `reason` is why, for the zone's history.

    A state for an item beyond the zone's SL-T is allowed (shown as beyond target).
    Raises StaleEdit (nothing written) when someone saved it in between, even at the
    same moment.
    """

    row, changed = save_state(
        session, ZoneRequirement, {"zone_id": zone.id}, requirement.id, data, user.id
    )
    if changed:
        record(session, zone, changed, user, reason, requirement_id=requirement.id)
    return row


@dataclass
class ZoneRow:
    """One SR or RE as a zone's page shows it."""

    requirement: ContentItem
    state: ZoneRequirement | None
    in_target: bool
    evidence: list[EvidenceItem] = field(default_factory=list)

    @property
    def beyond_target(self) -> bool:
        return not self.in_target and self.state is not None


@dataclass
class ZoneView:
    zone: Zone
    derived: Derived
    joins: list[Zone]
    rows_by_fr: dict[int, list[ZoneRow]]
    blockers: dict[int, list[ContentItem]]


def zone_view(session: Session, zone: Zone) -> ZoneView:
    """A zone's page: vectors, what blocks each FR, and every SR and RE its SL-T requires
    (plus those beyond it that have a state), in a fixed number of queries."""
    requirements = technical_requirements(session)
    by_id = {r.id: r for r in requirements}
    items = [as_item(r) for r in requirements]
    rows = states_of(session, [zone.id])[zone.id]
    derived = _derive(items, rows, zone.sl_t)
    evidence = zone_evidence(session, zone)
    rows_by_fr: dict[int, list[ZoneRow]] = {fr: [] for fr in range(1, 8)}
    for requirement in requirements:
        in_target = requirement.sl_min <= zone.sl_t[requirement.fr - 1]
        state = rows.get(requirement.id)
        if in_target or state is not None:
            rows_by_fr[requirement.fr].append(
                ZoneRow(requirement, state, in_target, evidence.get(requirement.id, []))
            )
    joined = joins_of(session, [zone.id]).get(zone.id, [])
    return ZoneView(
        zone=zone,
        derived=derived,
        joins=[session.get(Zone, zid) for zid in joined],
        rows_by_fr=rows_by_fr,
        blockers={
            fr: [by_id[i.id] for i in items_] for fr, items_ in derived.blockers.items()
        },
    )


def zone_row(session: Session, zone: Zone, requirement: ContentItem) -> ZoneRow:
    """One SR or RE of a zone, as its row shows it."""
    state = states_of(session, [zone.id])[zone.id].get(requirement.id)
    evidence = zone_evidence(session, zone, requirement.id).get(requirement.id, [])
    in_target = requirement.sl_min <= zone.sl_t[requirement.fr - 1]
    return ZoneRow(requirement, state, in_target, evidence)


@dataclass
class VectorRow:
    zone: Zone
    derived: Derived
    joins: list[Zone]
    states: dict[str, State]  # what the derivation read, by requirement


def vector_table(session: Session, assessment: Assessment) -> list[VectorRow]:
    """Every live zone and conduit with SL-T, SL-A and gap, in four queries."""
    zones = list_zones(session, assessment)
    items = [as_item(r) for r in technical_requirements(session)]
    states = derivation_states(session, [z.id for z in zones])
    joins = joins_of(session, [z.id for z in zones if z.kind == "conduit"])
    by_id = {z.id: z for z in zones}
    return [
        VectorRow(
            zone,
            derive(items, states[zone.id], zone.sl_t),
            [by_id[zid] for zid in joins.get(zone.id, []) if zid in by_id],
            states[zone.id],
        )
        for zone in zones
    ]


# -- evidence on a zone's SR or RE ----------------------------------------------------


def zone_evidence(
    session: Session, zone: Zone, requirement_id: str | None = None
) -> dict[str, list[EvidenceItem]]:
    """Live evidence items on a zone's SRs and REs, by requirement id."""
    query = (
        select(ZoneEvidenceLink.requirement_id, EvidenceItem)
        .join(EvidenceItem, EvidenceItem.id == ZoneEvidenceLink.evidence_id)
        .where(
            ZoneEvidenceLink.zone_id == zone.id, col(EvidenceItem.retired).is_(False)
        )
        .order_by(EvidenceItem.title)
    )
    if requirement_id:
        query = query.where(ZoneEvidenceLink.requirement_id == requirement_id)
    out: dict[str, list[EvidenceItem]] = {}
    for rid, item in session.exec(query):
        out.setdefault(rid, []).append(item)
    return out


def link_evidence(
    session: Session,
    zone: Zone,
    requirement: ContentItem,
    item: EvidenceItem,
    user: User,
) -> None:
    """Show an evidence item on a zone's SR or RE; linking twice is a no-op.

    Raises NotFound for another organisation's item, InvalidInput for a retired one.
    """
    assessment = session.get(Assessment, zone.assessment_id)
    check_linkable(item, assessment.organisation_id)
    key = (item.id, zone.id, requirement.id)
    if session.get(ZoneEvidenceLink, key) is None:
        session.add(
            ZoneEvidenceLink(
                evidence_id=item.id, zone_id=zone.id, requirement_id=requirement.id
            )
        )
        record(
            session,
            zone,
            {"evidence": ("", f"{item.title} (item {item.id})")},
            user,
            requirement_id=requirement.id,
        )


def unlink_evidence(
    session: Session,
    zone: Zone,
    requirement: ContentItem,
    item: EvidenceItem,
    user: User,
) -> None:
    """Take an evidence item off a zone's SR or RE; NotFound when it was not on it."""
    link = session.get(ZoneEvidenceLink, (item.id, zone.id, requirement.id))
    if link is None:
        raise NotFound("That evidence item is not linked to this requirement here.")
    session.delete(link)
    record(
        session,
        zone,
        {"evidence": (f"{item.title} (item {item.id})", "")},
        user,
        requirement_id=requirement.id,
    )
