"""Search latency: kb.search beside the raw FTS5 queries on the same index."""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path

from kb import search

QUERIES = [
    "SR 1.1",
    "sp 9.2",
    "sr 3.3 re 1",
    "SP.12.05",
    "ZCR 3",
    "default passwords",
    "backup restore test",
    "remote access",
    "patch",
    "acc",
    "firew",
    "malware protection",
    '"zone and conduit"',
    "incident response plan",
    "acount",
    "wireless",
    "audit log",
    "cryptographic key",
    "training records",
    "se",
]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def timed(run, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for query in QUERIES:
            start = time.perf_counter()
            run(query)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def build_index(index_dir: Path, documents: list[dict]) -> float:
    start = time.perf_counter()
    search.build(index_dir, documents, "bench")
    return time.perf_counter() - start


def kb_search(index_dir: Path, rounds: int) -> list[float]:
    search.search(index_dir, "warm up")
    return timed(lambda q: search.search(index_dir, q), rounds)


def raw_fts5(index_dir: Path, rounds: int) -> list[float]:
    """The library alone: the same FTS5 queries on the same index file, top 20 by
    bm25, no facets, snippets, id lookup or typo hints."""
    db = sqlite3.connect(index_dir / search.INDEX_FILE)
    queries = {q: search.build_query(search.clean(q))[0] for q in QUERIES}
    weights = ", ".join(str(w) for w in search.WEIGHTS)
    sql = f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, {weights}) LIMIT 20"
    return timed(lambda q: db.execute(sql, (queries[q],)).fetchall(), rounds)
