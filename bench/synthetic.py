"""A synthetic catalogue N times the real one, for search at scale.

Each copy keeps the real documents' vocabulary but shuffles sentences between documents, so
term frequencies grow like a larger catalogue's rather than repeating identical documents.
"""

from __future__ import annotations

import random


def multiply(documents: list[dict], factor: int, seed: int = 62443) -> list[dict]:
    rng = random.Random(seed)
    sentences = [s for doc in documents for s in doc["body"].split(". ") if s.strip()]
    out = list(documents)
    for copy in range(1, factor):
        for doc in documents:
            body = ". ".join(rng.sample(sentences, k=min(12, len(sentences))))
            out.append(
                doc
                | {
                    "id": f"{doc['id']} X{copy}",
                    "body": body,
                    "url": f"{doc['url']}-x{copy}",
                }
            )
    return out
