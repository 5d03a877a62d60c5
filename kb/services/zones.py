"""Zones and conduits of an assessment: their fields and SL-T vectors, the zones a
conduit joins, retiring, and the history of every change. How each zone meets the SRs
and REs is in zone_states. Services add and flush; the caller commits."""

from __future__ import annotations

from sqlmodel import Session, col, select

from kb.errors import InvalidInput, NotFound, Problem, StaleEdit
from kb.models import Assessment, ConduitLink, User, Zone, ZoneChange
from kb.schemas import ZoneInput
from kb.services.changes import apply_changes, record_changes, save_versioned

ZONE_FIELDS = (
    "name",
    "kind",
    "description",
    "assets",
    "criticality",
    "protocols",
    "sl_t",
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


def record(session, zone, changed, user, reason="", requirement_id=None) -> None:
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
    record(session, zone, changed, user, data.reason or "created")
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
        record(session, zone, changed, user, data.reason or "")
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
    record(session, zone, changed, user)


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
