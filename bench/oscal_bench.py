"""OSCAL: building the whole catalogue as an OSCAL catalog through compliance-trestle's
models, beside dumping the same rows as plain JSON."""

from __future__ import annotations

import json
import statistics
import time

ROUNDS = 5


def figures(env: dict[str, str]) -> dict[str, float]:
    """Median ms of building and serialising the whole catalog, of the plain JSON of
    the same rows, and the number of controls."""
    from kb import create_app
    from kb.db import get_session
    from kb.services.oscal import catalog

    app = create_app(
        {"DATABASE_URL": env["KB_DATABASE_URL"], "INDEX_DIR": env["KB_INDEX_DIR"]}
    )
    with app.test_request_context(base_url="http://bench.example"):
        rows = catalog.load(get_session(), None)

        def oscal() -> bytes:
            return catalog.build(
                rows, None, "http://bench.example", lambda p: f"/{p}.json"
            ).oscal_serialize_json_bytes()

        def plain() -> bytes:
            return json.dumps(
                [
                    {
                        "id": i.id,
                        "title": i.title,
                        "summary": i.summary,
                        "guidance": i.body_md,
                        "meta": i.meta,
                        "scoring": i.scoring,
                        "links": rows.links.get(i.id, []),
                    }
                    for i in rows.items
                ]
            ).encode()

        out = {}
        for name, make in (("oscal", oscal), ("plain", plain)):
            times = []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                make()
                times.append((time.perf_counter() - start) * 1000)
            out[name] = statistics.median(times)
        out["controls"] = sum(1 for i in rows.items if i.type != "group")
    app.extensions["kb.db"].dispose()
    return out
