"""Full-text search over the catalogue, on SQLite FTS5. Every search call lives in this
package: `index` builds and opens the index, `query` turns a user's text into an FTS5
query, `corrections` mends misspelt words, and `search` here ranks and fetches the
results. (whoosh served until it measured too slow for the 20x catalogue: see
docs/benchmarks.md.)
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kb.search.corrections import suggest
from kb.search.index import (
    DIGEST_FILE,
    MATCH_END,
    MATCH_START,
    build,
    connect,
    is_current,
    matches,
    title_key,
)
from kb.search.query import build_query, clean

__all__ = ["DIGEST_FILE", "FACETS", "Hit", "Results", "build", "is_current", "search"]

FACETS = ("kind", "part", "area", "level")
SNIPPET = 240  # characters of a summary shown where no matched words are
# bm25 weights of the fts columns: id words, title, summary, body, tags
WEIGHTS = (8.0, 4.0, 2.0, 1.0, 2.0)
# A topic's requirements rank above the evidence types, policies and offerings that
# serve them: those score at this share of their bm25 (an exact title still comes first).
OTHER_KINDS = 0.5
# The component parts (4-1 for product suppliers, 4-2 per component) rank a little below
# the programme parts where both match: a 4-2 CR that shares a 3-3 SR's title comes
# after it, and a supplier's practice after the service provider's requirement.
COMPONENT_PARTS = {"62443-4-1": 0.6, "62443-4-2": 0.6}
# Typed text this long (and of two words or more) ranks first the titles it begins.
PREFIX_TITLE = 8


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
    db, synonyms = connect(index_dir)
    query, keys = build_query(text, synonyms=synonyms)
    if query is None and not keys:
        results.message = "Those characters do not make a search; try words or an id."
        return results
    where, params = _filters(filters or {})
    named = _named(db, keys, where, params)
    typing = not summary and not text.endswith((" ", '"'))  # the as-you-type box
    named += [r for r in _titled(db, text, where, params, typing) if r not in named]
    if correct and query and not named and not matches(db, query, where, params):
        corrected = suggest(db, text)
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
        results.suggestion = suggest(db, text)
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
            f"ORDER BY d.title_key != ?, length(d.title_key), "
            f"d.part IN ({', '.join(repr(p) for p in COMPONENT_PARTS)}), d.id",
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
    parts = " ".join(f"WHEN '{p}' THEN {w}" for p, w in COMPONENT_PARTS.items())
    return [
        r[0]
        for r in db.execute(
            f"SELECT d.rowid FROM fts JOIN doc d ON d.rowid = fts.rowid "
            f"WHERE fts MATCH ?{where}{skip} ORDER BY bm25(fts, {weights}) * "
            f"(CASE d.kind WHEN 'requirement' THEN 1 ELSE {OTHER_KINDS} END) * "
            f"(CASE d.part {parts} ELSE 1 END) "
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
