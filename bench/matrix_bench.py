"""The coverage matrix at the real catalogue's size and at N times it: a copy of the
database whose requirements (with the offerings' links to them) are multiplied."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlmodel import Session, col, select

from bench.register_bench import set_up
from kb.models import ContentItem, ContentLink

COPIED = ("kind", "title", "summary", "url", "part", "edition", "type", "area_id")


def catalogue(work: Path, name: str, factor: int) -> dict[str, str]:
    """A database of the real catalogue with its requirements `factor` times, and a
    member to log in as; return its environment."""
    env = {
        "KB_DATABASE_URL": f"sqlite:///{work / f'{name}.sqlite'}",
        "KB_INDEX_DIR": str(work / f"index-{name}"),
        "KB_SECRET_KEY": "bench",
    }
    kb = str(Path(sys.executable).with_name("kb"))
    full = {**os.environ, **env}
    subprocess.run([kb, "load"], env=full, check=True, capture_output=True)
    if factor > 1:
        _multiply(env["KB_DATABASE_URL"], factor)
    set_up(full)
    return env


def _multiply(url: str, factor: int) -> None:
    engine = create_engine(url)
    with Session(engine) as session:
        requirements = session.exec(
            select(ContentItem).where(
                ContentItem.kind == "requirement",
                ContentItem.type != "group",
                col(ContentItem.retired).is_(False),
            )
        ).all()
        links = session.exec(
            select(ContentLink).where(ContentLink.relation == "addresses")
        ).all()
        items, copies = [], []
        for n in range(1, factor):
            for r in requirements:
                items.append(
                    {key: getattr(r, key) for key in COPIED}
                    | {
                        "id": f"{r.id} X{n}",
                        "slug": f"{r.slug}-x{n}",
                        "url": f"{r.url}-x{n}",
                        "sort_key": f"{r.sort_key} x{n:03}",
                        "meta": {},
                        "scoring": {},
                        "body_html": "",
                        "path": "",
                        "provisional": False,
                        "retired": False,
                        "origin": "ours",
                    }
                )
            copies += [
                {
                    "source_id": link.source_id,
                    "target_id": f"{link.target_id} X{n}",
                    "relation": link.relation,
                    "coverage": link.coverage,
                }
                for link in links
            ]
        session.execute(insert(ContentItem), items)
        session.execute(insert(ContentLink), copies)
        session.commit()
    engine.dispose()
