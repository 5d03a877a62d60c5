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
# Raised whenever the index's tables change, so that servers rebuild an older one.
INDEX_FORMAT = 2
MATCH_START, MATCH_END = "\x02", "\x03"
SNIPPET = 240  # characters of a summary shown where no matched words are
# bm25 weights of the fts columns: id words, title, summary, body, tags
WEIGHTS = (8.0, 4.0, 2.0, 1.0, 2.0)
# A topic's requirements rank above the evidence types, policies and offerings that
# serve them: those score at this share of their bm25 (an exact title still comes first).
OTHER_KINDS = 0.5
# Typed text this long (and of two words or more) ranks first the titles it begins.
PREFIX_TITLE = 8
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


def id_keys(item_id: str) -> list[str]:
    """Normal forms of an id: `SP.09.02 BR` -> `sp-9-2-br`, `sp-9-2`; `sr1.1` -> `sr-1-1`."""
    parts = re.findall(r"[a-z]+|\d+", item_id.lower())
    parts = [str(int(p)) if p.isdigit() else p for p in parts]
    keys = ["-".join(parts)]
    if len(parts) > 1 and parts[-1] == "br":
        keys.append("-".join(parts[:-1]))
    return keys


# -- building ------------------------------------------------------------------------


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
    suggestion: str | None = None  # a correction, when nothing matched even corrected
    message: str | None = None
    corrected_from: str | None = None  # what was typed, when `query` is its correction


def clean(text: str) -> str:
    """Drop control characters, cap the length, balance the quotes."""
    text = "".join(ch if ch.isprintable() else " " for ch in text[: MAX_QUERY * 5])
    text = " ".join(text.split())[:MAX_QUERY]
    if text.count('"') % 2:
        text = text[::-1].replace('"', "", 1)[::-1]
    return text


Synonyms = dict[tuple[str, ...], str]  # a term's words -> its group as an FTS5 OR


def build_query(
    text: str, conjunction: str = " AND ", synonyms: Synonyms | None = None
) -> tuple[str | None, list[str]]:
    """An FTS5 query from the user's words, and the id keys the text may name.

    Every word and phrase is quoted, so nothing the user types is FTS5 syntax; the word
    being typed (the last, with no space after it) also matches as a prefix. Words that
    make a term of a synonym group match any term of the group. When the text names an
    id ("sr 1.1 re 1"), its numbers and short id prefixes are left to the id lookup: as
    words they would match nearly every page.
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
    longest = max(map(len, synonyms), default=0) if synonyms else 0
    index = 0
    while index < len(words):
        for size in range(min(longest, len(words) - index), 0, -1):
            group = synonyms.get(tuple(w.lower() for w in words[index : index + size]))
            if group:
                terms.append(group)
                index += size
                break
        else:
            word = words[index]
            last = typing and index == len(words) - 1
            terms.append(
                f"({_quote(word)} OR {_quote(word)}*)" if last else _quote(word)
            )
            index += 1
    return (conjunction.join(terms) if terms else None), keys


def _synonyms(db: sqlite3.Connection) -> Synonyms:
    """The index's synonym groups, by the words of each term."""
    groups: dict[int, list[str]] = {}
    for number, term in db.execute("SELECT grp, term FROM synonym ORDER BY rowid"):
        groups.setdefault(number, []).append(term)
    out: Synonyms = {}
    for terms in groups.values():
        either = "(" + " OR ".join(_quote(term) for term in terms) + ")"
        for term in terms:
            out[tuple(re.findall(r"\w+", term))] = either
    return out


def _quote(text: str) -> str:
    return '"' + " ".join(re.findall(r"\w+", text)) + '"'


_local = threading.local()


def _connect(index_dir: Path) -> tuple[sqlite3.Connection, Synonyms]:
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
        cache[path] = cached = (stamp, connection, _synonyms(connection))
    return cached[1], cached[2]


def search(
    index_dir: Path,
    text: str,
    filters: dict[str, str] | None = None,
    limit: int = 20,
    page: int = 1,
    summary: bool = True,
    correct: bool = True,
) -> Results:
    """Run a user's query; never raises for any text.

    Items the text names by id come first (the exact one, then its enhancements), then
    items whose title is the text, then the text matches by bm25; only the page shown is
    ranked and fetched. With `summary` (the results page, the API) it also counts the
    matches by facet and cuts snippets; the as-you-type list asks for neither.

    When every word must match and nothing does, each word that matches nothing in the
    index is corrected (`correct`); if the corrected text finds something, that is run
    instead, and `corrected_from` keeps what was typed. Otherwise any word may match.
    """
    text = clean(text)
    results = Results(query=text)
    if not text:
        results.message = "Type a word, a topic or an id such as SR 1.1 or SP.09.02."
        return results
    db, synonyms = _connect(index_dir)
    query, keys = build_query(text, synonyms=synonyms)
    if query is None and not keys:
        results.message = "Those characters do not make a search; try words or an id."
        return results
    where, params = _filters(filters or {})
    named = _named(db, keys, where, params)
    typing = not summary and not text.endswith((" ", '"'))  # the as-you-type box
    named += [r for r in _titled(db, text, where, params, typing) if r not in named]
    if correct and query and not named and not _matches(db, query, where, params):
        corrected = _suggest(db, text)
        if corrected:
            found = search(
                index_dir, corrected, filters, limit, page, summary, correct=False
            )
            if found.hits:
                found.corrected_from = text
                return found
    loose = build_query(text, conjunction=" OR ", synonyms=synonyms)[0]
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


def _matches(db, query: str, where: str, params: list) -> bool:
    """Whether anything matches `query` under the filters."""
    return bool(
        db.execute(
            f"SELECT 1 FROM fts JOIN doc d ON d.rowid = fts.rowid "
            f"WHERE fts MATCH ?{where} LIMIT 1",
            [query, *params],
        ).fetchone()
    )


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


def _titled(db, text: str, where: str, params: list, typing: bool) -> list[int]:
    """Rows whose title is exactly the text, or (while a title of two words or more is
    being typed) starts with it: a topic typed in full ranks its page first."""
    key = title_key(text)
    prefix = typing and " " in key and len(key) >= PREFIX_TITLE
    return [
        r[0]
        for r in db.execute(
            f"SELECT d.rowid FROM doc d WHERE (d.title_key = ? OR (? AND "
            f"d.title_key LIKE ? ESCAPE '\\')){where} "
            f"ORDER BY d.title_key != ?, length(d.title_key), d.id",
            [key, prefix, _like(key) + "%", *params, key],
        )
    ]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
            f"WHERE fts MATCH ?{where}{skip} ORDER BY bm25(fts, {weights}) * "
            f"(CASE d.kind WHEN 'requirement' THEN 1 ELSE {OTHER_KINDS} END) "
            "LIMIT ? OFFSET ?",
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
        snippets |= {
            rowid: _cut(summary)
            for rowid, summary in db.execute(
                f"SELECT rowid, substr(summary, 1, {SNIPPET + 40}) FROM fts "
                f"WHERE rowid IN ({more})",
                missing,
            )
        }
    return snippets


def _cut(text: str, length: int = SNIPPET) -> str:
    """The start of a text, cut at a word boundary with an ellipsis."""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(",;:") + " …"


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


LONG_WORD = 8  # letters from which a word may be two edits from what was meant


def _suggest(db: sqlite3.Connection, text: str) -> str | None:
    """The text with each word that matches nothing in the index replaced by the most
    frequent indexed word one edit away (two for a long word); None if none changed."""
    changed, words = False, []
    for word in text.split():
        lower = word.lower()
        if (
            lower.isalpha()
            and len(lower) > 3
            and not _matches(db, _quote(lower), "", [])
        ):
            best = _closest(db, lower)
            if best:
                words.append(best)
                changed = True
                continue
        words.append(word)
    return " ".join(words) if changed else None


def _closest(db: sqlite3.Connection, word: str) -> str | None:
    candidates = sorted(_edits(word))
    marks = ", ".join("?" * len(candidates))
    best = db.execute(
        f"SELECT word FROM word WHERE word IN ({marks}) ORDER BY n DESC, word LIMIT 1",
        candidates,
    ).fetchone()
    if best or len(word) < LONG_WORD:
        return best[0] if best else None
    near = db.execute(
        "SELECT word FROM word WHERE length(word) BETWEEN ? AND ? ORDER BY n DESC, word",
        (len(word) - 2, len(word) + 2),
    )
    return next((w for (w,) in near if _distance(word, w, 2) <= 2), None)


def _distance(a: str, b: str, limit: int) -> int:
    """Edits (delete, insert, replace, swap of neighbours) from `a` to `b`, counted up
    to `limit` + 1."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]
