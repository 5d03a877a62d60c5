"""The search index: a SQLite FTS5 file in INDEX_DIR, built from the loaded catalogue
by `kb load` and at start-up when the loaded content changed (so each server has its
own), and opened read-only once per thread."""

from __future__ import annotations

import fcntl
import logging
import os
import re
import sqlite3
import threading
from collections import Counter
from pathlib import Path

from kb.search.query import Synonyms, id_keys, quote

logger = logging.getLogger(__name__)

DIGEST_FILE = "content-digest"
INDEX_FILE = "search.sqlite"
# Raised whenever the index's tables change, so that servers rebuild an older one.
INDEX_FORMAT = 2
MATCH_START, MATCH_END = "\x02", "\x03"
SCHEMA = """
CREATE TABLE doc (rowid INTEGER PRIMARY KEY, id TEXT, kind TEXT, part TEXT, area TEXT,
                  level TEXT, title TEXT, url TEXT, title_key TEXT);
CREATE INDEX doc_title_key ON doc (title_key);
CREATE VIRTUAL TABLE fts USING fts5(
    ids, title, summary, body, tags,
    tokenize = 'porter unicode61 remove_diacritics 2', prefix = '2 3 4');
CREATE TABLE idkey (key TEXT, rowid INTEGER);
CREATE INDEX idkey_key ON idkey (key);
CREATE TABLE word (word TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID;
CREATE TABLE synonym (grp INTEGER, term TEXT);
"""


def title_key(text: str) -> str:
    """`Penetration Testing` and `penetration  testing` -> `penetration testing`."""
    return " ".join(re.findall(r"\w+", text.lower()))


def build(
    index_dir: Path, documents: list[dict], digest: str, synonyms: list[list[str]] = ()
) -> None:
    """Build a new index file beside the old one, then swap it in; record the digest.
    `synonyms` are groups of terms that queries treat as one (content/synonyms.yaml)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with _lock(index_dir):
        fresh = index_dir / (INDEX_FILE + ".new")
        fresh.unlink(missing_ok=True)
        db = sqlite3.connect(fresh)
        db.executescript(SCHEMA)
        words: Counter[str] = Counter()
        for rowid, doc in enumerate(documents, 1):
            db.execute(
                "INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    rowid,
                    doc["id"],
                    doc["kind"],
                    doc.get("part") or "",
                    doc.get("area") or "",
                    f"SL {doc['sl_min']}" if doc.get("sl_min") else "",
                    doc["title"],
                    doc["url"],
                    title_key(doc["title"]),
                ),
            )
            db.execute(
                "INSERT INTO fts (rowid, ids, title, summary, body, tags) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    rowid,
                    doc["id"],
                    doc["title"],
                    _plain(doc["summary"]),
                    _plain(doc["body"]),
                    " ".join(doc["tags"]),
                ),
            )
            db.executemany(
                "INSERT INTO idkey VALUES (?, ?)",
                [(key, rowid) for key in id_keys(doc["id"])],
            )
            words.update(
                re.findall(r"[a-z]{4,}", f"{doc['title']} {doc['summary']}".lower())
            )
        db.executemany("INSERT INTO word VALUES (?, ?)", words.items())
        db.executemany(
            "INSERT INTO synonym VALUES (?, ?)",
            [(n, term) for n, group in enumerate(synonyms) for term in group],
        )
        db.execute("INSERT INTO fts (fts) VALUES ('optimize')")
        db.commit()
        db.close()
        os.replace(fresh, index_dir / INDEX_FILE)
        (index_dir / DIGEST_FILE).write_text(_marker(digest))
    logger.info("search index built: %d documents", len(documents))


def _plain(text: str) -> str:
    """Our highlight markers must not occur in indexed text."""
    return text.replace(MATCH_START, " ").replace(MATCH_END, " ")


def is_current(index_dir: Path, digest: str) -> bool:
    """Whether the index holds this content, built by this version of the code."""
    marker = index_dir / DIGEST_FILE
    return (
        marker.exists()
        and marker.read_text() == _marker(digest)
        and (index_dir / INDEX_FILE).exists()
    )


def _marker(digest: str) -> str:
    return f"{digest} format {INDEX_FORMAT}"


class _lock:
    """An exclusive file lock, so that two workers starting together build once."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir.parent / (index_dir.name + ".lock")

    def __enter__(self):
        self.file = open(self.path, "w")  # noqa: SIM115
        fcntl.flock(self.file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


_local = threading.local()


def connect(index_dir: Path) -> tuple[sqlite3.Connection, Synonyms]:
    """One read-only connection per thread and index file, reopened after a rebuild,
    with the index's synonym groups."""
    path = index_dir / INDEX_FILE
    stamp = (index_dir / DIGEST_FILE).stat().st_mtime_ns
    cache = getattr(_local, "connections", None)
    if cache is None:
        cache = _local.connections = {}
    cached = cache.get(path)
    if cached is None or cached[0] != stamp:
        if cached is not None:
            cached[1].close()
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        cache[path] = cached = (stamp, connection, synonyms_of(connection))
    return cached[1], cached[2]


def matches(db, query: str, where: str, params: list) -> bool:
    """Whether anything matches `query` under the filters."""
    return bool(
        db.execute(
            f"SELECT 1 FROM fts JOIN doc d ON d.rowid = fts.rowid "
            f"WHERE fts MATCH ?{where} LIMIT 1",
            [query, *params],
        ).fetchone()
    )


def synonyms_of(db: sqlite3.Connection) -> Synonyms:
    """The index's synonym groups, by the words of each term."""
    groups: dict[int, list[str]] = {}
    for number, term in db.execute("SELECT grp, term FROM synonym ORDER BY rowid"):
        groups.setdefault(number, []).append(term)
    out: Synonyms = {}
    for terms in groups.values():
        either = "(" + " OR ".join(quote(term) for term in terms) + ")"
        for term in terms:
            out[tuple(re.findall(r"\w+", term))] = either
    return out
