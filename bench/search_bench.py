"""Search latency: kb.search beside the raw FTS5 queries on the same index."""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path

from kb import search
from kb.search.index import INDEX_FILE

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
    "authentcaton",  # two edits: corrected, then run
    "firewal rule reveiw",
    "MFA",  # a synonym group
    "security update",
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


def build_index(
    index_dir: Path, documents: list[dict], synonyms: list[list[str]]
) -> float:
    start = time.perf_counter()
    search.build(index_dir, documents, "bench", synonyms)
    return time.perf_counter() - start


def kb_search(index_dir: Path, rounds: int, summary: bool = True) -> list[float]:
    search.search(index_dir, "warm up")
    return timed(lambda q: search.search(index_dir, q, summary=summary), rounds)


def raw_fts5(index_dir: Path, rounds: int) -> list[float]:
    """The library alone: the same FTS5 queries on the same index file, top 20 by
    bm25, no facets, snippets, id lookup or typo hints."""
    db = sqlite3.connect(index_dir / INDEX_FILE)
    queries = {q: search.build_query(search.clean(q)) for q in QUERIES}
    weights = ", ".join(str(w) for w in search.WEIGHTS)
    words = f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, {weights}) LIMIT 20"

    def run(q: str) -> None:
        match, keys = queries[q]
        if keys:  # an id: the raw lookup is the key index
            marks = ", ".join("?" * len(keys))
            db.execute(
                f"SELECT rowid FROM idkey WHERE key IN ({marks})", keys
            ).fetchall()
        if match:
            db.execute(words, (match,)).fetchall()

    return timed(run, rounds)


def raw_whoosh(
    work: Path, documents: list[dict], rounds: int
) -> tuple[float, list[float]]:
    """The library the stack first named, alone: whoosh-reloaded on the same documents,
    its own query parser over the same fields, top 20. Returns build seconds and times."""
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser

    schema = Schema(
        id=ID(stored=True),
        ids=TEXT(),
        title=TEXT(analyzer=StemmingAnalyzer()),
        summary=TEXT(analyzer=StemmingAnalyzer()),
        body=TEXT(analyzer=StemmingAnalyzer()),
        tags=TEXT(),
    )
    folder = work / f"whoosh-{len(documents)}"
    folder.mkdir()
    start = time.perf_counter()
    ix = index.create_in(str(folder), schema)
    writer = ix.writer(limitmb=256, procs=2, multisegment=True)
    for doc in documents:
        writer.add_document(
            id=doc["id"],
            ids=doc["id"],
            title=doc["title"],
            summary=doc["summary"],
            body=doc["body"],
            tags=" ".join(doc["tags"]),
        )
    writer.commit()
    built = time.perf_counter() - start
    parser = MultifieldParser(["ids", "title", "summary", "body", "tags"], schema)
    queries = {q: parser.parse(search.clean(q)) for q in QUERIES}
    with ix.searcher() as searcher:
        return built, timed(
            lambda q: list(searcher.search(queries[q], limit=20)), rounds
        )
