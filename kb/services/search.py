"""Keep the search index in step with the loaded catalogue, and query it."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from sqlalchemy import inspect
from sqlmodel import Session, col, select

from kb import search
from kb.content.sync import DIGEST_KEY, SYNONYMS_KEY
from kb.models import ContentItem, ContentState, ContentTag

TAG_RE = re.compile(r"<[^>]+>")


def documents(session: Session) -> list[dict]:
    """Every live catalogue item as a search document."""
    tags: dict[str, list[str]] = {}
    for item_id, tag in session.exec(select(ContentTag.item_id, ContentTag.tag)):
        tags.setdefault(item_id, []).append(tag)
    items = session.exec(
        select(ContentItem).where(
            col(ContentItem.retired).is_(False), ContentItem.kind != "crosswalk"
        )
    )
    return [
        {
            "id": item.id,
            "kind": item.kind,
            "part": item.part,
            "area": item.area_id,
            "sl_min": item.sl_min,
            "title": item.title,
            "summary": item.summary,
            "body": html.unescape(TAG_RE.sub(" ", item.body_html)),
            "tags": tags.get(item.id, []),
            "url": item.url,
        }
        for item in items
    ]


def synonyms(session: Session) -> list[list[str]]:
    """The synonym groups loaded with the catalogue (content/synonyms.yaml)."""
    state = session.get(ContentState, SYNONYMS_KEY)
    return json.loads(state.value) if state else []


def loaded_digest(session: Session) -> str | None:
    if not inspect(session.get_bind()).has_table(ContentState.__tablename__):
        return None
    state = session.get(ContentState, DIGEST_KEY)
    return state.value if state else None


def refresh(session: Session, index_dir: Path, force: bool = False) -> bool:
    """Rebuild the index when the loaded content changed (or when forced)."""
    digest = loaded_digest(session)
    if digest is None or (not force and search.is_current(index_dir, digest)):
        return False
    search.build(index_dir, documents(session), digest, synonyms(session))
    return True
