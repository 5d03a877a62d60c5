"""Search latency: kb.search beside raw whoosh on the same index and SQLite FTS5."""

from __future__ import annotations

import re
import sqlite3
import statistics
import time
from pathlib import Path

from whoosh import index

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


def raw_whoosh(index_dir: Path, rounds: int) -> list[float]:
    """The library alone: the same query objects, one searcher, top 20, no facets."""
    ix = index.open_dir(str(index_dir))
    queries = {q: search.build_query(search.clean(q))[0] for q in QUERIES}
    with ix.searcher() as searcher:
        return timed(lambda q: list(searcher.search(queries[q], limit=20)), rounds)


def fts5(documents: list[dict], rounds: int) -> list[float]:
    """SQLite FTS5 on the same documents: the reference of what is possible."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE doc USING fts5(id, title, summary, body, "
        "tokenize='porter unicode61')"
    )
    db.executemany(
        "INSERT INTO doc VALUES (?, ?, ?, ?)",
        [(d["id"], d["title"], d["summary"], d["body"]) for d in documents],
    )

    def run(query: str) -> None:
        words = re.findall(r"\w+", query)
        match = " ".join(f'"{w}"' for w in words[:-1]) + (
            f' "{words[-1]}"*' if words else ""
        )
        db.execute(
            "SELECT id, snippet(doc, 2, '[', ']', '…', 12) FROM doc WHERE doc MATCH ? "
            "ORDER BY bm25(doc, 10.0, 4.0, 2.0, 1.0) LIMIT 20",
            (match,),
        ).fetchall()

    return timed(run, rounds)
