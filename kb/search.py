"""Full-text search over the catalogue. Every whoosh call of the app lives here.

The index is built from the loaded catalogue (the database), into INDEX_DIR, by `kb load`
and at start-up when the loaded content changed. Queries are built from the user's words by
our own small parser (never whoosh's query language), so no input can raise a syntax error.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import highlight, index, sorting
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, NGRAMWORDS, STORED, TEXT, Schema
from whoosh.query import And, Or, Phrase, Term
from whoosh.searching import Searcher

logger = logging.getLogger(__name__)

MAX_QUERY = 200
FACETS = ("kind", "part", "area", "level")
DIGEST_FILE = "content-digest"
MATCH_START, MATCH_END = "\x02", "\x03"

SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    idkey=KEYWORD(lowercase=True),
    kind=ID(stored=True, sortable=True),
    part=ID(stored=True, sortable=True),
    area=ID(stored=True, sortable=True),
    level=ID(stored=True, sortable=True),  # the lowest SL an item applies from, "SL 2"
    title=TEXT(analyzer=StemmingAnalyzer(), stored=True, field_boost=4.0),
    summary=TEXT(analyzer=StemmingAnalyzer(), stored=True, field_boost=2.0),
    body=TEXT(analyzer=StemmingAnalyzer()),
    tags=KEYWORD(lowercase=True, scorable=True, field_boost=2.0),
    prefix=NGRAMWORDS(minsize=2, maxsize=12, at="start", field_boost=1.5),
    words=TEXT(analyzer=StandardAnalyzer(stoplist=None)),
    url=STORED,
)
TEXT_FIELDS = ("title", "summary", "body", "tags")


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
    """Rebuild the index from scratch with one writer; record the content digest."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with _lock(index_dir):
        ix = index.create_in(str(index_dir), SCHEMA)
        # Two processes halve the build of the real catalogue; forking costs more than
        # it saves on a small one.
        procs = min(2, os.cpu_count() or 1) if len(documents) > 200 else 1
        writer = ix.writer(limitmb=128, procs=procs, multisegment=procs > 1)
        for doc in documents:
            text = " ".join([doc["id"], doc["title"], " ".join(doc["tags"])])
            writer.add_document(
                id=doc["id"],
                idkey=" ".join(id_keys(doc["id"])),
                kind=doc["kind"],
                part=doc.get("part") or "",
                area=doc.get("area") or "",
                level=f"SL {doc['sl_min']}" if doc.get("sl_min") else "",
                title=doc["title"],
                summary=doc["summary"],
                body=doc["body"],
                tags=" ".join(doc["tags"]),
                prefix=text,
                words=" ".join([doc["title"], doc["summary"]]),
                url=doc["url"],
            )
        writer.commit()
        (index_dir / DIGEST_FILE).write_text(digest)
    logger.info("search index built: %d documents", len(documents))


def is_current(index_dir: Path, digest: str) -> bool:
    marker = index_dir / DIGEST_FILE
    return (
        marker.exists()
        and marker.read_text() == digest
        and index.exists_in(str(index_dir))
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
    text = "".join(ch if ch.isprintable() else " " for ch in text)[: MAX_QUERY * 5]
    text = " ".join(text.split())[:MAX_QUERY]
    if text.count('"') % 2:
        text = text[::-1].replace('"', "", 1)[::-1]
    return text


def _terms(field_name: str, text: str) -> list[str]:
    analyzer = SCHEMA[field_name].analyzer
    return [token.text for token in analyzer(text)]


def _word_query(word: str, typing: bool):
    """Match one word in any text field; the word being typed also matches as a prefix."""
    options = []
    for name in TEXT_FIELDS:
        options += [Term(name, term) for term in _terms(name, word)]
    if typing and len(word) >= 2:
        options.append(Term("prefix", word.lower()[:12]))
    return Or(options) if options else None


def _phrase_query(phrase: str):
    options = []
    for name in ("title", "summary", "body"):
        terms = _terms(name, phrase)
        if len(terms) > 1:
            options.append(Phrase(name, terms))
        elif terms:
            options.append(Term(name, terms[0]))
    return Or(options) if options else None


def build_query(text: str, conjunction=And):
    """Words must all match (`And`) or any (`Or`); quoted phrases match in order."""
    phrases = re.findall(r'"([^"]*)"', text)
    rest = re.sub(r'"[^"]*"', " ", text)
    words = re.findall(r"[\w.()\-]+", rest)
    words = [
        w
        for w in (w.strip(".()-") for w in words)
        if w and w.upper() not in ("AND", "OR", "NOT")
    ]
    typing = bool(words) and not text.endswith((" ", '"'))
    parts = [_phrase_query(p) for p in phrases]
    parts += [
        _word_query(w, typing and i == len(words) - 1) for i, w in enumerate(words)
    ]
    parts = [p for p in parts if p is not None]
    keys = id_keys(text) if re.search(r"\d", text) else []
    id_query = Or([Term("idkey", key, boost=50.0) for key in keys]) if keys else None
    main = conjunction(parts) if parts else None
    queries = [q for q in (id_query, main) if q is not None]
    return (Or(queries) if len(queries) > 1 else queries[0]) if queries else None, keys


def _filter(filters: dict[str, str]):
    terms = [
        Term(name, value) for name, value in filters.items() if value and name in FACETS
    ]
    return And(terms) if terms else None


def _snippet(hit, searcher: Searcher) -> list[tuple[str, bool]]:
    text = hit.get("summary", "")
    marked = hit.highlights("summary", text=text, top=2) or text[:240]
    segments = []
    for index_, piece in enumerate(re.split(f"[{MATCH_START}{MATCH_END}]", marked)):
        if piece:
            segments.append((piece, index_ % 2 == 1))
    return segments


class _Marker(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return MATCH_START + highlight.get_text(text, token, replace) + MATCH_END


def search(
    index_dir: Path,
    text: str,
    filters: dict[str, str] | None = None,
    limit: int = 20,
    page: int = 1,
) -> Results:
    """Run a user's query; never raises for any text."""
    text = clean(text)
    results = Results(query=text)
    if not text:
        results.message = "Type a word, a topic or an id such as SR 1.1 or SP.09.02."
        return results
    query, keys = build_query(text)
    if query is None:
        results.message = "Those characters do not make a search; try words or an id."
        return results
    with _searcher(index_dir) as searcher:
        page_hits = _run(searcher, query, filters or {}, limit, page, results)
        if results.total == 0:
            loose, _ = build_query(text, conjunction=Or)
            page_hits = _run(searcher, loose, filters or {}, limit, page, results)
        if results.total == 0:
            results.suggestion = _suggest(searcher, text)
        results.hits = [_to_hit(hit, searcher) for hit in page_hits]
        if keys:
            exact = searcher.search(Or([Term("idkey", key) for key in keys]), limit=2)
            if len(exact) == 1:
                results.exact = _to_hit(exact[0], searcher)
    return results


_open_searchers: dict[Path, tuple[float, Searcher, threading.Lock]] = {}


@contextmanager
def _searcher(index_dir: Path):
    """One searcher per process and index, reopened after a rebuild.

    Opening a reader costs more than most queries, so it is kept; a lock serialises its
    use for threaded servers.
    """
    stamp = (index_dir / DIGEST_FILE).stat().st_mtime
    cached = _open_searchers.get(index_dir)
    if cached is None or cached[0] != stamp:
        if cached is not None:
            cached[1].close()
        searcher = index.open_dir(str(index_dir)).searcher()
        _open_searchers[index_dir] = cached = (stamp, searcher, threading.Lock())
    with cached[2]:
        yield cached[1]


def _run(searcher, query, filters, limit, page, results: Results):
    facets = {name: sorting.FieldFacet(name, maptype=sorting.Count) for name in FACETS}
    hits = searcher.search_page(
        query,
        max(1, page),
        pagelen=limit,
        filter=_filter(filters),
        groupedby=facets,
        terms=True,
    )
    hits.results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
    hits.results.formatter = _Marker()
    results.total = len(hits.results)
    results.facets = {
        name: dict(
            sorted(
                (
                    (str(value), count)
                    for value, count in hits.results.groups(name).items()
                    if value
                ),
                key=lambda pair: (-pair[1], pair[0]),
            )
        )
        for name in FACETS
    }
    return list(hits)


def _to_hit(hit, searcher) -> Hit:
    return Hit(
        hit["id"], hit["kind"], hit["title"], hit["url"], _snippet(hit, searcher)
    )


def _suggest(searcher: Searcher, text: str) -> str | None:
    """Replace each unknown word by the closest known word one edit away."""
    corrector = searcher.corrector("words")
    reader = searcher.reader()
    changed, words = False, []
    for word in text.split():
        lower = word.lower()
        if len(lower) > 3 and not reader.frequency("words", lower):
            found = corrector.suggest(lower, limit=1, maxdist=1)
            if found:
                words.append(found[0])
                changed = True
                continue
        words.append(word)
    return " ".join(words) if changed else None
