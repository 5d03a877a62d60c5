"""Snapshots of an assessment: taken by hand or on the first change of each month, read
back for the trend, and compared with each other or with another assessment."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from kb.errors import NotFound
from kb.models import Assessment, Snapshot, User
from kb.services import components as component_states
from kb.services import zone_states
from kb.services.dashboard import rollups, score_rows
from kb.services.evidence_links import linked_items


def state_of(session: Session, assessment: Assessment, today: date) -> dict:
    """The assessment as data: every register row, every zone's and component's
    vectors and states, the roll-ups."""
    rows, requirements = score_rows(session, assessment)
    zones = zone_states.vector_table(session, assessment)
    components = component_states.vector_table(session, assessment)
    return {
        "scores": {
            r.requirement_id: {
                "title": requirements[r.requirement_id].title,
                "part": r.part,
                "area": r.area,
                "function": r.function,
                "applicable": r.applicable,
                "current": r.current,
                "target": r.target,
                "status": r.status,
                "owner": r.owner,
                "due": r.due.isoformat() if r.due else None,
            }
            for r in rows
        },
        "zones": [
            {
                "id": z.zone.id,
                "name": z.zone.name,
                "kind": z.zone.kind,
                "sl_t": z.derived.sl_t,
                "sl_a": z.derived.sl_a,
                "gap": z.derived.gap,
                "states": _states(z.states),
            }
            for z in zones
        ],
        "components": [
            {
                "id": c.component.id,
                "name": c.component.name,
                "type": c.component.type,
                "sl_t": c.derived.sl_t,
                "sl_c": c.derived.sl_a,
                "gap": c.derived.gap,
                "states": _states(c.states),
            }
            for c in components
        ],
        "rollups": rollups(
            rows, [(z.derived.sl_t, z.derived.sl_a) for z in zones], today
        ).as_dict()
        | {"evidence_overdue": _evidence_overdue(session, assessment, today)},
    }


def _states(states: dict) -> dict:
    """A zone's or component's states as data: state and reason by requirement."""
    return {rid: {"state": st.state, "reason": st.reason} for rid, st in states.items()}


def _evidence_overdue(session: Session, assessment: Assessment, today: date) -> int:
    """How many evidence items on the assessment's register rows are overdue."""
    linked = linked_items(session, assessment, today)
    return len(
        {
            on.item.id
            for items in linked.values()
            for on in items
            if on.state == "overdue"
        }
    )


def take(
    session: Session,
    assessment: Assessment,
    user: User | None,
    label: str,
    today: date,
    automatic: bool = False,
    now: datetime | None = None,
) -> Snapshot:
    """Freeze the assessment as it is now."""
    data = state_of(session, assessment, today)
    snapshot = Snapshot(
        assessment_id=assessment.id,
        label=label,
        automatic=automatic,
        taken_by=user.id if user else None,
        data=data,
        headline=data["rollups"]["assessment"],
    )
    if now is not None:
        snapshot.taken_at = now
    session.add(snapshot)
    session.flush()
    return snapshot


# (database, assessment id, month) seen with its automatic snapshot. Snapshots are
# never deleted, so once seen it stays true, and the month's later saves skip the
# query. Only committed snapshots are remembered (one this transaction takes is not).
_months_taken: set[tuple[str, int, datetime]] = set()


def forget_months() -> None:
    """Forget what `monthly` remembered (the tests roll transactions back)."""
    _months_taken.clear()


def monthly(
    session: Session, assessment: Assessment, user: User, now: datetime
) -> Snapshot | None:
    """Before the first change of a calendar month, freeze the assessment as the month
    found it; later changes that month take none. Returns the snapshot taken, if any."""
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    seen = (str(session.get_bind().engine.url), assessment.id, month_start)
    if seen in _months_taken:
        return None
    taken = session.exec(
        select(Snapshot.id).where(
            Snapshot.assessment_id == assessment.id,
            col(Snapshot.automatic).is_(True),
            col(Snapshot.taken_at) >= month_start,
        )
    ).first()
    if taken is not None:
        _months_taken.add(seen)
        return None
    label = f"Start of {now:%B %Y} (automatic)"
    return take(session, assessment, user, label, now.date(), automatic=True, now=now)


def list_snapshots(session: Session, assessment: Assessment) -> list[Snapshot]:
    """The assessment's snapshots, oldest first."""
    return list(
        session.exec(
            select(Snapshot)
            .where(Snapshot.assessment_id == assessment.id)
            .order_by(col(Snapshot.taken_at), col(Snapshot.id))
        )
    )


def get_snapshot(
    session: Session, assessment: Assessment, snapshot_id: int
) -> Snapshot:
    """A snapshot of this assessment; NotFound for any other id."""
    snapshot = session.get(Snapshot, snapshot_id)
    if snapshot is None or snapshot.assessment_id != assessment.id:
        raise NotFound(f"There is no snapshot {snapshot_id} of this assessment.")
    return snapshot
