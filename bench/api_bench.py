"""The JSON API beside the HTML forms: a token, the register read as JSON, and all its
rows saved in one bulk update against the same rows saved one form at a time."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.register_bench import Browser
from kb.content.kinds import slugify

ROUNDS = 5


def token(env: dict[str, str]) -> str:
    """A token for the bench's admin, made as a person without a browser would."""
    kb = str(Path(sys.executable).with_name("kb"))
    done = subprocess.run(
        [kb, "create-token", "admin@bench.test", "--name", "bench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.splitlines()[0]


def _call(base: str, secret: str, method: str, path: str, body=None) -> dict:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def bulk_against_forms(base: str, secret: str, browser: Browser, path: str) -> dict:
    """Median seconds to save every row of the register: one bulk request, and one
    form POST per row (as the register page sends them)."""
    assessment = path.rsplit("/", 1)[1]
    scores = f"/api/v1/assessments/{assessment}/scores"
    rows = _call(base, secret, "GET", scores)["scores"]
    bulk, forms = [], []
    csrf = browser.token(path)
    failures = 0
    for round_ in range(ROUNDS):
        level = round_ % 4
        versions = {
            r["requirement"]: r["version"]
            for r in _call(base, secret, "GET", scores)["scores"]
        }
        body = {
            "rows": [
                {"requirement": rid, "version": v, "current": level, "target": 3}
                for rid, v in versions.items()
            ]
        }
        start = time.perf_counter()
        _call(base, secret, "POST", scores + "/bulk", body)
        bulk.append(time.perf_counter() - start)
        versions = {
            r["requirement"]: r["version"]
            for r in _call(base, secret, "GET", scores)["scores"]
        }
        start = time.perf_counter()
        for rid, version in versions.items():
            status, _ = browser.post(
                f"{path}/scores/{slugify(rid)}",
                {
                    "version": version,
                    "applicable": "true",
                    "current": level + 1,
                    "target": 3,
                    "status": "in progress",
                },
                {"X-CSRFToken": csrf, "HX-Request": "true"},
            )
            failures += status != 200
        forms.append(time.perf_counter() - start)
    return {
        "rows": len(rows),
        "bulk": statistics.median(bulk),
        "forms": statistics.median(forms),
        "failures": failures,
    }
