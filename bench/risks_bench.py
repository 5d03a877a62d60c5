"""The risk register under load: 10 threat scenarios on each of the 30 zones that
zones_bench seeds; the register page (rows, filters, both heatmaps) is timed with wrk."""

from __future__ import annotations

import random

SCENARIOS_PER_ZONE = 10


def seed(env: dict[str, str], assessment_id: int) -> None:
    """Add the scenarios in one transaction (the matrix is pinned as a write does)."""
    from sqlmodel import select

    from kb import create_app
    from kb.db import get_session
    from kb.models import Assessment, RiskScenario, User, Zone
    from kb.services.risk_matrix import matrix_of
    from kb.vocabulary import THREAT_SOURCES

    app = create_app(
        {"DATABASE_URL": env["KB_DATABASE_URL"], "INDEX_DIR": env["KB_INDEX_DIR"]}
    )
    rng = random.Random(3_2)
    with app.app_context():
        session = get_session()
        assessment = session.get(Assessment, assessment_id)
        user = session.exec(select(User)).first()
        matrix_of(session, assessment, pin=True)
        zones = session.exec(
            select(Zone).where(Zone.assessment_id == assessment.id, Zone.kind == "zone")
        ).all()
        for zone in zones:
            for n in range(SCENARIOS_PER_ZONE):
                consequence, likelihood = rng.randint(1, 5), rng.randint(1, 5)
                session.add(
                    RiskScenario(
                        zone_id=zone.id,
                        title=f"Scenario {n} of {zone.name}",
                        source=rng.choice(list(THREAT_SOURCES)),
                        frs=sorted(rng.sample(range(1, 8), 2)),
                        consequence=consequence,
                        likelihood=likelihood,
                        residual_consequence=consequence,
                        residual_likelihood=max(1, likelihood - rng.randint(0, 2)),
                        countermeasures="Firewall between the zones",
                        updated_by=user.id,
                    )
                )
        session.commit()
    app.extensions["kb.db"].dispose()
