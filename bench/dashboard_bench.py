"""The dashboard and the organisation overview: 50 assessments of all process parts,
scores on most rows, 12 monthly snapshots each."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime

ASSESSMENTS, MONTHS = 50, 12


def seed(env: dict[str, str], org_slug: str) -> int:
    """Add the assessments, scores and snapshots; return one assessment's id."""
    from sqlmodel import select

    from kb import create_app
    from kb.db import get_session
    from kb.models import Assessment, Score, User
    from kb.services import snapshots
    from kb.services.accounts import get_org
    from kb.services.register import RegisterFilter, register

    app = create_app(
        {"DATABASE_URL": env["KB_DATABASE_URL"], "INDEX_DIR": env["KB_INDEX_DIR"]}
    )
    rng = random.Random(2)
    with app.app_context():
        session = get_session()
        org = get_org(session, org_slug)
        user = session.exec(select(User)).first()
        first = None
        for n in range(ASSESSMENTS):
            assessment = Assessment(
                organisation_id=org.id,
                name=f"Site {n:02d}",
                parts=["62443-2-4", "62443-2-1", "62443-3-2"],
            )
            session.add(assessment)
            session.flush()
            first = first or assessment.id
            rows = [
                r
                for g in register(session, assessment, RegisterFilter())
                for r in g.rows
            ]
            for row in rows:
                if rng.random() < 0.7:
                    session.add(
                        Score(
                            assessment_id=assessment.id,
                            requirement_id=row.requirement.id,
                            current=rng.randint(0, 4),
                            target=rng.randint(2, 4),
                            owner=rng.choice(["Priya", "Sam", ""]),
                        )
                    )
            session.flush()
            for month in range(1, MONTHS + 1):
                snapshots.take(
                    session,
                    assessment,
                    user,
                    f"Month {month}",
                    date.today(),
                    automatic=True,
                    now=datetime(2026, month, 1, tzinfo=UTC),
                )
        session.commit()
    app.extensions["kb.db"].dispose()
    return first


def reads_after_changes(
    browser, register_path: str, slug: str, urls: dict[str, str], rounds: int = 20
) -> dict[str, tuple[float, float]]:
    """Read each page right after a change to the organisation's data (a score saved
    on one register row), so that nothing kept rendered can serve it; return the p50
    and p95 of those reads in ms."""
    headers = {
        "X-CSRFToken": browser.token(f"{register_path}/scores/{slug}/edit"),
        "HX-Request": "true",
    }
    times: dict[str, list[float]] = {label: [] for label in urls}
    version = 0
    for _ in range(rounds):
        for label, url in urls.items():
            status, _ = browser.post(
                f"{register_path}/scores/{slug}",
                {
                    "version": version,
                    "applicable": "true",
                    "current": version % 5,
                    "target": 3,
                    "status": "in progress",
                },
                headers,
            )
            if status != 200:
                raise RuntimeError(f"the change before a read failed with {status}")
            version += 1
            start = time.perf_counter()
            browser.get(url)
            times[label].append((time.perf_counter() - start) * 1000)
    return {
        label: (statistics.median(found), sorted(found)[int(0.95 * (len(found) - 1))])
        for label, found in times.items()
    }
