"""Corrections of misspelt words: each word that matches nothing in the index becomes
the most frequent indexed word one edit away (two for a long word)."""

from __future__ import annotations

import sqlite3

from kb.search.index import matches
from kb.search.query import quote


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


def suggest(db: sqlite3.Connection, text: str) -> str | None:
    """The text with each word that matches nothing in the index replaced by the most
    frequent indexed word one edit away (two for a long word); None if none changed."""
    changed, words = False, []
    for word in text.split():
        lower = word.lower()
        if lower.isalpha() and len(lower) > 3 and not matches(db, quote(lower), "", []):
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
