"""The register under load: the page for every process requirement, and inline updates.

The page is loaded with wrk (a logged-in session cookie). Updates come from Python threads,
each owning one requirement and sending the version it last saw, so every update is a real
write; their latency therefore includes this client's own time on the same two cores.
"""

from __future__ import annotations

import http.cookiejar
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

PASSWORD = "bench-password-long-enough"
PARTS = ("62443-2-4", "62443-2-1", "62443-3-2")


def set_up(env: dict[str, str]) -> None:
    """Create an organisation and an admin through the CLI, as a person would."""
    kb = str(Path(sys.executable).with_name("kb"))
    subprocess.run(
        [kb, "create-org", "Bench Water"], env=env, check=True, capture_output=True
    )
    subprocess.run(
        [
            kb,
            "create-user",
            "admin@bench.test",
            "--org",
            "Bench Water",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )


class Browser:
    """A cookie-keeping HTTP client that logs in and follows the app's forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar)
        )

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path).read().decode()

    def post(
        self, path: str, data: dict, headers: dict | None = None
    ) -> tuple[int, str]:
        """POST a form; return the status and the path it ended on (after redirects)."""
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, body, headers or {})
        try:
            response = self.opener.open(request)
            response.read()
            return response.status, urllib.parse.urlsplit(response.geturl()).path
        except urllib.error.HTTPError as error:
            error.read()
            return error.code, path

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path)).group(1)

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def log_in(base: str) -> Browser:
    """A browser logged in as the admin that set_up made."""
    browser = Browser(base)
    browser.post(
        "/login",
        {
            "email": "admin@bench.test",
            "password": PASSWORD,
            "csrf_token": browser.token("/login"),
        },
    )
    return browser


def log_in_and_create(base: str) -> tuple[Browser, str, list[str]]:
    """Log in, create an assessment of every process part; return its URL and row slugs."""
    browser = log_in(base)
    token = browser.token("/orgs/bench-water/assessments")
    _status, path = browser.post(
        "/orgs/bench-water/assessments",
        {"name": "Bench", "parts": list(PARTS), "csrf_token": token},
    )
    slugs = re.findall(r'<tr id="row-([a-z0-9-]+)"', browser.get(path))
    return browser, path, slugs


def updates(
    browser: Browser, path: str, slugs: list[str], seconds: float, clients: int = 16
) -> dict:
    """Closed-loop inline updates from `clients` threads for `seconds`."""
    token = browser.token(f"{path}/scores/{slugs[0]}/edit")
    headers = {"X-CSRFToken": token, "HX-Request": "true"}
    latencies: list[float] = []
    failures = []
    deadline = time.perf_counter() + seconds

    def client(slug: str) -> None:
        version, level = 0, 0
        while time.perf_counter() < deadline:
            level = (level + 1) % 5
            start = time.perf_counter()
            status, _ = browser.post(
                f"{path}/scores/{slug}",
                {
                    "version": version,
                    "applicable": "true",
                    "current": level,
                    "target": 3,
                    "status": "in progress",
                },
                headers,
            )
            latencies.append((time.perf_counter() - start) * 1000)
            if status == 200:
                version += 1
            else:
                failures.append(status)

    threads = [
        threading.Thread(target=client, args=(slug,)) for slug in slugs[:clients]
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered),
        "p99": ordered[int(0.99 * (len(ordered) - 1))],
        "failures": len(failures),
    }
