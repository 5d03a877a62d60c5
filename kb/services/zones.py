"""Zones and conduits of an assessment: SL-T vectors, how each meets the SRs and REs
of 62443-3-3, the derived SL-A, and the history of every change. Services add and flush;
the caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from kb.errors import InvalidInput, NotFound, Problem, StaleEdit
from kb.models import (
    Assessment,
    ConduitLink,
    ContentItem,
    EvidenceItem,
    User,
    Zone,
    ZoneChange,
    ZoneEvidenceLink,
    ZoneRequirement,
)
from kb.schemas import ZoneInput, ZoneStateInput
from kb.services.changes import apply_changes, record_changes, save_versioned
from kb.services.levels import Derived, Item, State, derive

ZONE_FIELDS = (
    "name",
    "kind",
    "description",
    "assets",
    "criticality",
    "protocols",
    "sl_t",
)
STATE_FIELDS = ("state", "reason", "notes")


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


def list_zones(session: Session, assessment: Assessment) -> list[Zone]:
    """The assessment's live zones, then its conduits, each by name."""
    return list(
        session.exec(
            select(Zone)
            .where(Zone.assessment_id == assessment.id, col(Zone.retired).is_(False))
            .order_by(col(Zone.kind).desc(), Zone.name)
        )
    )


def get_zone(session: Session, assessment: Assessment, zone_id: int) -> Zone:
    """A zone of this assessment; NotFound for any other id."""
    zone = session.get(Zone, zone_id)
    if zone is None or zone.assessment_id != assessment.id:
        raise NotFound(f"There is no zone or conduit {zone_id} in this assessment.")
    return zone


def joins_of(session: Session, conduit_ids: list[int]) -> dict[int, list[int]]:
    """The zone ids each conduit joins."""
    joins: dict[int, list[int]] = {}
    for link in session.exec(
        select(ConduitLink)
        .where(col(ConduitLink.conduit_id).in_(conduit_ids))
        .order_by(col(ConduitLink.zone_id))
    ):
        joins.setdefault(link.conduit_id, []).append(link.zone_id)
    return joins


def _check(
    session: Session, assessment: Assessment, data: ZoneInput, zone: Zone | None
) -> list[Zone]:
    """Raise InvalidInput for a repeated name or bad joins; return the joined zones."""
    problems = []
    same_name = session.exec(
        select(Zone).where(Zone.assessment_id == assessment.id, Zone.name == data.name)
    ).first()
    if same_name is not None and (zone is None or same_name.id != zone.id):
        retired = "retired " if same_name.retired else ""
        problems.append(
            Problem(
                "name",
                f"this assessment has a {retired}{same_name.kind} '{data.name}' "
                "already; choose another name",
            )
        )
    joined: list[Zone] = []
    if data.kind == "zone" and data.joins:
        problems.append(Problem("joins", "only a conduit joins zones"))
    if data.kind == "conduit":
        if len(set(data.joins)) != len(data.joins):
            problems.append(
                Problem("joins", "a conduit joins a zone only once, not to itself")
            )
        for zone_id in dict.fromkeys(data.joins):
            other = session.get(Zone, zone_id)
            if other is None or other.assessment_id != assessment.id or other.retired:
                problems.append(
                    Problem("joins", f"{zone_id} is not a zone of this assessment")
                )
            elif other.kind != "zone":
                problems.append(
                    Problem(
                        "joins", f"'{other.name}' is a conduit; a conduit joins zones"
                    )
                )
            else:
                joined.append(other)
        if len(set(data.joins)) < 2:
            problems.append(Problem("joins", "a conduit joins at least two zones"))
    if problems:
        raise InvalidInput(problems)
    return joined


def display(field_name: str, value) -> str:
    """How a stored value reads in the history."""
    if field_name == "sl_t":
        return "{" + " ".join(map(str, value)) + "}"
    if field_name == "joins":
        return ", ".join(value)
    return "" if value is None else str(value)


def _record(session, zone, changed, user, reason="", requirement_id=None) -> None:
    record_changes(
        session,
        ZoneChange,
        changed,
        zone_id=zone.id,
        requirement_id=requirement_id,
        user_id=user.id,
        reason=reason,
    )


def _set_joins(session: Session, conduit: Zone, joined: list[Zone]) -> tuple[str, str]:
    old = [
        session.get(Zone, zid).name
        for zid in joins_of(session, [conduit.id]).get(conduit.id, [])
    ]
    for link in session.exec(
        select(ConduitLink).where(ConduitLink.conduit_id == conduit.id)
    ):
        session.delete(link)
    session.flush()
    for zone in joined:
        session.add(ConduitLink(conduit_id=conduit.id, zone_id=zone.id))
    return display("joins", sorted(old)), display(
        "joins", sorted(z.name for z in joined)
    )


def create_zone(
    session: Session, assessment: Assessment, data: ZoneInput, user: User
) -> Zone:
    """Add a zone or a conduit with its SL-T vector (and, for a conduit, its zones).

    Raises InvalidInput (nothing written) for a repeated name or bad joins.
    """
    joined = _check(session, assessment, data, None)
    zone = Zone(assessment_id=assessment.id, updated_by=user.id)
    changed = apply_changes(
        zone, data.model_dump(include=set(ZONE_FIELDS)), display, new=True
    )
    changed["sl_t"] = ("", display("sl_t", zone.sl_t))
    session.add(zone)
    session.flush()
    if joined:
        changed["joins"] = _set_joins(session, zone, joined)
    _record(session, zone, changed, user, data.reason or "created")
    return zone


def update_zone(session: Session, zone: Zone, data: ZoneInput, user: User) -> Zone:
    """Apply an edit based on the stored version; record each changed field.

    Raises StaleEdit or InvalidInput; either way nothing is written.
    """
    if data.version != zone.version:
        raise StaleEdit(zone)
    if data.kind != zone.kind:
        raise InvalidInput([Problem("kind", f"a {zone.kind} stays a {zone.kind}")])
    assessment = session.get(Assessment, zone.assessment_id)
    joined = _check(session, assessment, data, zone)
    changed = apply_changes(
        zone, data.model_dump(include=set(ZONE_FIELDS)), display, new=False
    )
    if zone.kind == "conduit":
        old, new = _set_joins(session, zone, joined)
        if old != new:
            changed["joins"] = (old, new)
    if changed:
        save_versioned(session, zone, data.version, user.id, lambda: zone)
        _record(session, zone, changed, user, data.reason or "")
    return zone


def set_retired(session: Session, zone: Zone, retired: bool, user: User) -> None:
    """Retire a zone or conduit (it leaves the tables and the diagram; its history and
    states stay), or bring it back."""
    if zone.retired == retired:
        return
    if retired and zone.kind == "zone":
        conduits = session.exec(
            select(Zone)
            .join(ConduitLink, ConduitLink.conduit_id == Zone.id)
            .where(ConduitLink.zone_id == zone.id, col(Zone.retired).is_(False))
        ).all()
        if conduits:
            names = ", ".join(c.name for c in conduits)
            raise InvalidInput(
                [
                    Problem(
                        "zone",
                        f"conduits join this zone ({names}); retire or change them first",
                    )
                ]
            )
    changed = apply_changes(zone, {"retired": retired}, display, new=False)
    save_versioned(session, zone, zone.version, user.id, lambda: zone)
    _record(session, zone, changed, user)


# -- SR and RE states ----------------------------------------------------------------


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
    data: ZoneStateInput,
    user: User,
) -> ZoneRequirement:
    """Record how the zone meets one SR or RE, if based on the stored version.

    A state for an item beyond the zone's SL-T is allowed (shown as beyond target).
    Raises StaleEdit (nothing written) when someone saved it in between, even at the
    same moment.
    """

    def stored() -> ZoneRequirement | None:
        return session.exec(
            select(ZoneRequirement).where(
                ZoneRequirement.zone_id == zone.id,
                ZoneRequirement.requirement_id == requirement.id,
            )
        ).first()

    row = stored()
    if data.version != (row.version if row else 0):
        raise StaleEdit(row)
    new = row is None
    if new:
        row = ZoneRequirement(
            zone_id=zone.id, requirement_id=requirement.id, state="", version=0
        )
    values = {
        "state": data.state,
        "reason": (data.reason or "") if data.state == "not applicable" else "",
        "notes": data.notes or "",
    }
    changed = apply_changes(row, values, display, new=new)
    if changed:
        save_versioned(session, row, data.version, user.id, stored)
        _record(session, zone, changed, user, requirement_id=requirement.id)
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
        )
        for zone in zones
    ]


def history(session: Session, zone: Zone) -> list[tuple[ZoneChange, str | None]]:
    """Every change of the zone and its states, newest first, with who made it."""
    return list(
        session.exec(
            select(ZoneChange, User.email)
            .join(User, ZoneChange.user_id == User.id, isouter=True)
            .where(ZoneChange.zone_id == zone.id)
            .order_by(col(ZoneChange.changed_at).desc(), col(ZoneChange.id).desc())
        )
    )


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

    Raises InvalidInput for a retired item.
    """
    if item.retired:
        raise InvalidInput(
            [
                Problem(
                    "evidence_id",
                    f"evidence item {item.id} is retired; bring it back first",
                )
            ]
        )
    key = (item.id, zone.id, requirement.id)
    if session.get(ZoneEvidenceLink, key) is None:
        session.add(
            ZoneEvidenceLink(
                evidence_id=item.id, zone_id=zone.id, requirement_id=requirement.id
            )
        )
        _record(
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
    _record(
        session,
        zone,
        {"evidence": (f"{item.title} (item {item.id})", "")},
        user,
        requirement_id=requirement.id,
    )
