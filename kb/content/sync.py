"""Write a checked catalogue into the database: one transaction, idempotent."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from sqlalchemy import insert
from sqlmodel import Session, delete, select

from kb.content.kinds import Crosswalk, Requirement, slugify, sort_key, url_of
from kb.content.loader import WIKILINK, Catalogue, summary_of
from kb.markdown import make_renderer
from kb.models import (
    ContentItem,
    ContentLink,
    ContentState,
    ContentTag,
    CrosswalkPair,
    utcnow,
)

logger = logging.getLogger(__name__)

DIGEST_KEY = "content_digest"
SYNONYMS_KEY = "synonyms"  # the synonym groups as JSON, for the search index
CHANGED_AT_KEY = "content_changed_at"  # when a load last changed the digest (ISO 8601)


@dataclass
class LoadResult:
    added: int
    updated: int
    retired: int
    links: int


SCORING_LINE = re.compile(r"^- ML ([1-4]): (.+)$", re.M)


def scoring_of(body: str) -> dict[str, str]:
    """The `- ML n: ...` guidance lines of a requirement body, by level."""
    return {
        level: WIKILINK.sub(r"\1", text).replace("**", "").strip()
        for level, text in SCORING_LINE.findall(body)
    }


def item_url(kind: str, model) -> str:
    if isinstance(model, Crosswalk):
        return url_of("framework", model.framework) + "#crosswalk"
    return url_of(kind, model.id)


def load(session: Session, catalogue: Catalogue) -> LoadResult:
    """Upsert every entry, replace every link, retire rows whose file is gone.

    The caller commits. A catalogue with problems must not be passed in.
    """
    assert not catalogue.problems, "check the catalogue before loading it"
    index = {
        e.model.id: (item_url(e.kind, e.model), e.model.heading)
        for e in catalogue.entries
    }
    render = make_renderer(index.get)
    existing = {item.id: item for item in session.exec(select(ContentItem))}
    added = updated = 0
    for model_table in (ContentLink, ContentTag, CrosswalkPair):
        session.execute(delete(model_table))
    for entry in catalogue.entries:
        model = entry.model
        values = {
            "kind": entry.kind,
            "slug": slugify(model.id),
            "url": index[model.id][0],
            "title": model.heading,
            "summary": summary_of(entry.doc.body),
            "body_html": render(entry.doc.body),
            "body_md": entry.doc.body.strip(),
            "meta": model.model_dump(mode="json", exclude_defaults=True),
            "sort_key": sort_key(model.id),
            "path": entry.path,
            "origin": entry.origin,
            "retired": False,
        }
        if isinstance(model, Requirement):
            values |= {
                "part": model.part,
                "edition": model.edition,
                "type": model.kind_of_item,
                "area_id": model.area,
                "parent_id": model.parent,
                "sl_min": min(model.levels.sl) if model.levels.sl else None,
                "fr": model.fr,
                "provisional": model.provisional,
                "scoring": scoring_of(entry.doc.body),
            }
        item = existing.get(model.id)
        if item is None:
            session.add(ContentItem(id=model.id, **values))
            added += 1
        elif any(getattr(item, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(item, key, value)
            updated += 1
    session.flush()
    links: dict[tuple, dict] = {}
    tags, pairs = [], []
    for entry in catalogue.entries:
        source = entry.model.id
        for relation, target, _loc, coverage in entry.model.targets():
            links.setdefault(
                (source, target, relation),
                {
                    "source_id": source,
                    "target_id": target,
                    "relation": relation,
                    "coverage": coverage,
                },
            )
        tags += [{"item_id": source, "tag": tag} for tag in set(entry.model.tags)]
        if isinstance(entry.model, Crosswalk):
            pairs += [
                {
                    "crosswalk_id": source,
                    "framework_id": entry.model.framework,
                    "requirement_id": pair.ours,
                    "their_id": pair.theirs,
                    "their_title": pair.theirs_title,
                    "relation": pair.relation,
                    "basis": pair.basis,
                }
                for pair in entry.model.pairs
            ]
    for table, rows in (
        (ContentLink, list(links.values())),
        (ContentTag, tags),
        (CrosswalkPair, pairs),
    ):
        if rows:
            session.execute(insert(table), rows)
    retired = 0
    for item_id, item in existing.items():
        if item_id not in index and not item.retired:
            item.retired = True
            retired += 1
    digest = session.get(ContentState, DIGEST_KEY)
    if (
        digest is None
        or digest.value != catalogue.digest
        or session.get(ContentState, CHANGED_AT_KEY) is None
    ):
        session.merge(ContentState(key=CHANGED_AT_KEY, value=utcnow().isoformat()))
    for key, value in (
        (DIGEST_KEY, catalogue.digest),
        (SYNONYMS_KEY, json.dumps(catalogue.synonyms)),
    ):
        state = session.get(ContentState, key) or ContentState(key=key, value="")
        state.value = value
        session.add(state)
    session.flush()
    logger.info(
        "loaded %d items (%d new, %d changed, %d retired)",
        len(index),
        added,
        updated,
        retired,
    )
    return LoadResult(added, updated, retired, len(links))
