"""Zones under load: an assessment with 30 zones and 60 conduits, each with states for
the SRs and REs its SL-T requires; the vector table and a zone page are timed with wrk."""

from __future__ import annotations

import random

ZONES, CONDUITS = 30, 60


def seed(env: dict[str, str], assessment_id: int) -> int:
    """Add the zones, conduits and states in one transaction; return one zone's id."""
    from sqlmodel import select

    from kb import create_app
    from kb.db import get_session
    from kb.models import Assessment, ConduitLink, User, Zone, ZoneRequirement
    from kb.services.zone_states import technical_requirements

    app = create_app(
        {"DATABASE_URL": env["KB_DATABASE_URL"], "INDEX_DIR": env["KB_INDEX_DIR"]}
    )
    rng = random.Random(62443)
    with app.app_context():
        session = get_session()
        assessment = session.get(Assessment, assessment_id)
        user = session.exec(select(User)).first()
        requirements = technical_requirements(session)
        zones = []
        for n in range(ZONES + CONDUITS):
            kind = "zone" if n < ZONES else "conduit"
            zone = Zone(
                assessment_id=assessment.id,
                name=f"{kind.capitalize()} {n:03d}",
                kind=kind,
                sl_t=[rng.randint(1, 4) for _ in range(7)],
                updated_by=user.id,
            )
            session.add(zone)
            zones.append(zone)
        session.flush()
        for conduit in zones[ZONES:]:
            for zone in rng.sample(zones[:ZONES], 2):
                session.add(ConduitLink(conduit_id=conduit.id, zone_id=zone.id))
        for zone in zones:
            for requirement in requirements:
                if requirement.sl_min <= zone.sl_t[requirement.fr - 1]:
                    session.add(
                        ZoneRequirement(
                            zone_id=zone.id,
                            requirement_id=requirement.id,
                            state=rng.choice(
                                ["met", "met", "met", "partly met", "not met"]
                            ),
                        )
                    )
        session.commit()
        first = zones[0].id
    app.extensions["kb.db"].dispose()
    return first
