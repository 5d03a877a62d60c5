"""Full-text search over the catalogue, on SQLite FTS5. Every search call lives here.

The index is a SQLite file in INDEX_DIR, built from the loaded catalogue (the database) by
`kb load` and at start-up when the loaded content changed, so each server has its own.
Queries are built from the user's words by our own small parser, never passed through as
FTS5 syntax, so no input can raise a syntax error. (whoosh served until it measured too
slow for the 20x catalogue: see docs/benchmarks.md.)
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

MAX_QUERY = 200
FACETS = ("kind", "part", "area", "level")
DIGEST_FILE = "content-digest"
INDEX_FILE = "search.sqlite"
MATCH_START, MATCH_END = "\x02", "\x03"
# bm25 weights of the fts columns: id words, title, summary, body, tags
WEIGHTS = (8.0, 4.0, 2.0, 1.0, 2.0)
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
"""


def title_key(text: str) -> str:
    """`Penetration Testing` and `penetration  testing` -> `penetration testing`."""
    return " ".join(re.findall(r"\w+", text.lower()))


def id_keys(item_id: str) -> list[str]:
    """Normal forms of an id: `SP.09.02 BR` -> `sp-9-2-br`, `sp-9-2`; `sr1.1` -> `sr-1-1`."""
    parts = re.findall(r"[a-z]+|\d+", item_id.lower())
    parts = [str(int(p)) if p.isdigit() else p for p in parts]
    keys = ["-".join(parts)]
    if len(parts) > 1 and parts[-1] == "br":
        keys.append("-".join(parts[:-1]))
    return keys


# -- building ------------------------------------------------------------------------


def build(index_dir: Path, documents: list[dict], digest: str) -> None:
    """Build a new index file beside the old one, then swap it in; record the digest."""
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
        db.execute("INSERT INTO fts (fts) VALUES ('optimize')")
        db.commit()
        db.close()
        os.replace(fresh, index_dir / INDEX_FILE)
        (index_dir / DIGEST_FILE).write_text(digest)
    logger.info("search index built: %d documents", len(documents))


def _plain(text: str) -> str:
    """Our highlight markers must not occur in indexed text."""
    return text.replace(MATCH_START, " ").replace(MATCH_END, " ")


def is_current(index_dir: Path, digest: str) -> bool:
    marker = index_dir / DIGEST_FILE
    return (
        marker.exists()
        and marker.read_text() == digest
        and (index_dir / INDEX_FILE).exists()
    )


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


# -- querying ------------------------------------------------------------------------


@dataclass
class Hit:
    id: str
    kind: str
    title: str
    url: str
    snippet: list[tuple[str, bool]]  # (text, is_match) segments; the template escapes

    @property
    def snippet_text(self) -> str:
        return "".join(text for text, _ in self.snippet)


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    exact: Hit | None = None  # the one item the query names by id
    suggestion: str | None = None  # a one-edit correction when nothing matched
    message: str | None = None


def clean(text: str) -> str:
    """Drop control characters, cap the length, balance the quotes."""
    text = "".join(ch if ch.isprintable() else " " for ch in text[: MAX_QUERY * 5])
    text = " ".join(text.split())[:MAX_QUERY]
    if text.count('"') % 2:
        text = text[::-1].replace('"', "", 1)[::-1]
    return text


def build_query(text: str, conjunction: str = " AND ") -> tuple[str | None, list[str]]:
    """An FTS5 query from the user's words, and the id keys the text may name.

    Every word and phrase is quoted, so nothing the user types is FTS5 syntax; the word
    being typed (the last, with no space after it) also matches as a prefix. When the text
    names an id ("sr 1.1 re 1"), its numbers and short id prefixes are left to the id
    lookup: as words they would match nearly every page.
    """
    keys = id_keys(text) if re.search(r"\d", text) else []
    phrases = re.findall(r'"([^"]*)"', text)
    rest = re.sub(r'"[^"]*"', " ", text)
    words = [
        w for w in re.findall(r"\w+", rest) if w.upper() not in ("AND", "OR", "NOT")
    ]
    if keys:
        words = [w for w in words if not w.isdigit() and len(w) > 3]
    typing = bool(words) and not text.endswith((" ", '"'))
    terms = [_quote(p) for p in phrases if re.search(r"\w", p)]
    for index, word in enumerate(words):
        last = typing and index == len(words) - 1
        terms.append(f"({_quote(word)} OR {_quote(word)}*)" if last else _quote(word))
    return (conjunction.join(terms) if terms else None), keys


def _quote(text: str) -> str:
    return '"' + " ".join(re.findall(r"\w+", text)) + '"'


_local = threading.local()


def _connect(index_dir: Path) -> sqlite3.Connection:
    """One read-only connection per thread and index file, reopened after a rebuild."""
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
        cache[path] = cached = (stamp, connection)
    return cached[1]


def search(
    index_dir: Path,
    text: str,
    filters: dict[str, str] | None = None,
    limit: int = 20,
    page: int = 1,
    summary: bool = True,
) -> Results:
    """Run a user's query; never raises for any text.

    Items the text names by id come first (the exact one, then its enhancements), then
    items whose title is the text, then the text matches by bm25; only the page shown is
    ranked and fetched. With `summary` (the results page, the API) it also counts the
    matches by facet and cuts snippets; the as-you-type list asks for neither.
    """
    text = clean(text)
    results = Results(query=text)
    if not text:
        results.message = "Type a word, a topic or an id such as SR 1.1 or SP.09.02."
        return results
    query, keys = build_query(text)
    if query is None and not keys:
        results.message = "Those characters do not make a search; try words or an id."
        return results
    db = _connect(index_dir)
    where, params = _filters(filters or {})
    named = _named(db, keys, where, params)
    named += [r for r in _titled(db, text, where, params) if r not in named]
    loose = build_query(text, conjunction=" OR ")[0]
    if summary:
        facet_rows = _facet_rows(db, query, named, where, params)
        if not facet_rows and query != loose:
            query = loose
            facet_rows = _facet_rows(db, query, named, where, params)
        results.total = sum(n for *_values, n in facet_rows)
        results.facets = _count(facet_rows)
    start = (max(1, page) - 1) * limit
    page_ids = _page(db, query, named, where, params, start, limit)
    if not summary and not page_ids and query != loose:
        query = loose
        page_ids = _page(db, query, named, where, params, start, limit)
    results.hits = _hits(db, query if summary else None, page_ids, snippets=summary)
    exact = _named(db, keys, "", [], exact_only=True)
    if len(exact) == 1:
        results.exact = _hits(db, None, exact, snippets=summary)[0]
    if not page_ids and page == 1:
        results.suggestion = _suggest(db, text)
    return results


def _page(
    db, query, named: list[int], where: str, params: list, start: int, limit: int
) -> list[int]:
    """The rowids of one page: named items first, then the ranked matches."""
    page_ids = named[start : start + limit]
    if query and len(page_ids) < limit:
        skip = max(0, start - len(named))
        page_ids += _ranked(
            db, query, named, where, params, limit - len(page_ids), skip
        )
    return page_ids


def _filters(filters: dict[str, str]) -> tuple[str, list[str]]:
    chosen = [
        (name, value) for name, value in filters.items() if value and name in FACETS
    ]
    where = "".join(f" AND d.{name} = ?" for name, _ in chosen)
    return where, [value for _, value in chosen]


def _named(
    db, keys: list[str], where: str, params: list, exact_only: bool = False
) -> list[int]:
    """Rows the text names by id: the exact item first, then items under it (its REs)."""
    if not keys:
        return []
    marks = ", ".join("?" * len(keys))
    exact = [
        r[0]
        for r in db.execute(
            f"SELECT DISTINCT d.rowid FROM idkey k JOIN doc d ON d.rowid = k.rowid "
            f"WHERE k.key IN ({marks}){where} ORDER BY d.id",
            [*keys, *params],
        )
    ]
    if exact_only:
        return exact
    under = [
        r[0]
        for r in db.execute(
            f"SELECT DISTINCT d.rowid FROM idkey k JOIN doc d ON d.rowid = k.rowid "
            f"WHERE k.key LIKE ? || '-%'{where} ORDER BY d.id",
            [keys[0], *params],
        )
        if r[0] not in exact
    ]
    return exact + under


def _titled(db, text: str, where: str, params: list) -> list[int]:
    """Rows whose title is exactly the text: a topic typed in full ranks its page first."""
    return [
        r[0]
        for r in db.execute(
            f"SELECT d.rowid FROM doc d WHERE d.title_key = ?{where} ORDER BY d.id",
            [title_key(text), *params],
        )
    ]


def _facet_rows(
    db, query: str | None, named: list[int], where: str, params: list
) -> list:
    """(kind, part, area, level, count) over the matches and the named items."""
    selects, args = [], []
    if query:
        selects.append(
            f"SELECT d.rowid AS rowid FROM fts JOIN doc d ON d.rowid = fts.rowid "
            f"WHERE fts MATCH ?{where}"
        )
        args += [query, *params]
    if named:
        selects.append(
            f"SELECT rowid FROM doc WHERE rowid IN ({', '.join('?' * len(named))})"
        )
        args += named
    if not selects:
        return []
    union = " UNION ".join(selects)
    return db.execute(
        f"SELECT kind, part, area, level, count(*) FROM doc "
        f"WHERE rowid IN ({union}) GROUP BY 1, 2, 3, 4",
        args,
    ).fetchall()


def _ranked(
    db, query: str, named: list[int], where: str, params: list, limit: int, offset: int
) -> list[int]:
    weights = ", ".join(str(w) for w in WEIGHTS)
    skip = f" AND d.rowid NOT IN ({', '.join('?' * len(named))})" if named else ""
    return [
        r[0]
        for r in db.execute(
            f"SELECT d.rowid FROM fts JOIN doc d ON d.rowid = fts.rowid "
            f"WHERE fts MATCH ?{where}{skip} ORDER BY bm25(fts, {weights}) LIMIT ? OFFSET ?",
            [query, *params, *named, limit, offset],
        )
    ]


def _count(rows: list[tuple]) -> dict[str, dict[str, int]]:
    facets = {}
    for position, name in enumerate(FACETS):
        counts: Counter[str] = Counter()
        for row in rows:
            if row[position]:
                counts[row[position]] += row[-1]
        facets[name] = dict(
            sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        )
    return facets


def _hits(
    db: sqlite3.Connection, query: str | None, rowids: list[int], snippets: bool = True
) -> list[Hit]:
    """Titles, links and (when asked) highlighted snippets of rows, in their order."""
    if not rowids:
        return []
    marks = ", ".join("?" * len(rowids))
    docs = {
        r[0]: r
        for r in db.execute(
            f"SELECT rowid, id, kind, title, url FROM doc WHERE rowid IN ({marks})",
            rowids,
        )
    }
    texts = _snippets(db, query, rowids) if snippets else {}
    return [
        Hit(docs[r][1], docs[r][2], docs[r][3], docs[r][4], _segments(texts.get(r, "")))
        for r in rowids
    ]


def _snippets(db: sqlite3.Connection, query: str | None, rowids: list[int]) -> dict:
    """The matched words in context, or the start of the summary where nothing matched."""
    marks = ", ".join("?" * len(rowids))
    if query:
        found = db.execute(
            f"SELECT fts.rowid, snippet(fts, -1, ?, ?, ' … ', 24) FROM fts "
            f"WHERE fts MATCH ? AND fts.rowid IN ({marks})",
            [MATCH_START, MATCH_END, query, *rowids],
        ).fetchall()
        snippets = dict(found)
    else:
        snippets = {}
    missing = [r for r in rowids if r not in snippets]
    if missing:
        more = ", ".join("?" * len(missing))
        snippets |= dict(
            db.execute(
                f"SELECT rowid, substr(summary, 1, 240) FROM fts WHERE rowid IN ({more})",
                missing,
            )
        )
    return snippets


def _segments(marked: str) -> list[tuple[str, bool]]:
    pieces = re.split(f"([{MATCH_START}{MATCH_END}])", marked)
    segments, inside = [], False
    for piece in pieces:
        if piece == MATCH_START:
            inside = True
        elif piece == MATCH_END:
            inside = False
        elif piece:
            segments.append((piece, inside))
    return segments


def _edits(word: str) -> set[str]:
    """Every string one edit from `word` (delete, swap, replace, insert)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    )


def _suggest(db: sqlite3.Connection, text: str) -> str | None:
    """Replace each unknown word by the most frequent known word one edit away."""
    changed, words = False, []
    for word in text.split():
        lower = word.lower()
        if (
            lower.isalpha()
            and len(lower) > 3
            and not db.execute("SELECT 1 FROM word WHERE word = ?", (lower,)).fetchone()
        ):
            candidates = sorted(_edits(lower))
            marks = ", ".join("?" * len(candidates))
            best = db.execute(
                f"SELECT word FROM word WHERE word IN ({marks}) "
                f"ORDER BY n DESC, word LIMIT 1",
                candidates,
            ).fetchone()
            if best:
                words.append(best[0])
                changed = True
                continue
        words.append(word)
    return " ".join(words) if changed else None
