"""A user's text as an FTS5 query: cleaned, every word and phrase quoted (so nothing
typed is FTS5 syntax), ids left to the id lookup, synonym groups expanded."""

from __future__ import annotations

import re

MAX_QUERY = 200


def id_keys(item_id: str) -> list[str]:
    """Normal forms of an id: `SP.09.02 BR` -> `sp-9-2-br`, `sp-9-2`; `sr1.1` -> `sr-1-1`."""
    parts = re.findall(r"[a-z]+|\d+", item_id.lower())
    parts = [str(int(p)) if p.isdigit() else p for p in parts]
    keys = ["-".join(parts)]
    if len(parts) > 1 and parts[-1] == "br":
        keys.append("-".join(parts[:-1]))
    return keys


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
    terms = [quote(p) for p in phrases if re.search(r"\w", p)]
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
            terms.append(f"({quote(word)} OR {quote(word)}*)" if last else quote(word))
            index += 1
    return (conjunction.join(terms) if terms else None), keys


def quote(text: str) -> str:
    return '"' + " ".join(re.findall(r"\w+", text)) + '"'
