"""Serve an app with gunicorn (2 sync workers) and load it with wrk over loopback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(target: str, env: dict[str, str] | None = None, workers: int = 2):
    """Run `gunicorn target` on a free port until the block ends; yield its base URL."""
    port = free_port()
    command = [
        GUNICORN,
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        target,
    ]
    if (
        "--no-control-socket"
        in subprocess.run([GUNICORN, "--help"], capture_output=True, text=True).stdout
    ):
        command.insert(1, "--no-control-socket")
    process = subprocess.Popen(command, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


PERCENTILES = str(Path(__file__).with_name("percentiles.lua"))


@dataclass
class Load:
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    def __str__(self) -> str:
        return (
            f"{self.rps:8.0f} req/s  p50 {self.p50_ms:6.2f} ms  "
            f"p95 {self.p95_ms:6.2f} ms  p99 {self.p99_ms:6.2f} ms  "
            f"errors {self.errors}"
        )


def wrk(
    url: str, seconds: int = 10, connections: int = 16, headers: list[str] | None = None
) -> Load:
    """Load `url` for a bounded time; return throughput and latency percentiles."""
    extra = [arg for header in headers or [] for arg in ("-H", header)]
    subprocess.run(
        ["wrk", "-t1", "-c4", "-d1s", *extra, url], capture_output=True
    )  # warm up
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            PERCENTILES,
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    percentiles = {
        int(p): int(us) / 1000
        for p, us in re.findall(r"^percentile (\d+) (\d+)$", out, re.M)
    }
    if set(percentiles) != {50, 95, 99}:
        raise RuntimeError(f"wrk printed no percentiles:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return Load(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=percentiles[50],
        p95_ms=percentiles[95],
        p99_ms=percentiles[99],
        errors=(int(errors.group(1)) if errors else 0)
        + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    )
