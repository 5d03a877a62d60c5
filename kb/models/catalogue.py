"""The loaded catalogue: content rows keyed by their content id, their links, tags,
crosswalk pairs and the digest of what was loaded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from kb.vocabulary import BORROWED_SCALE


class ContentItem(SQLModel, table=True):
    """One entity of the catalogue (requirement, evidence type, policy, ...)."""

    id: str = Field(primary_key=True)
    kind: str = Field(index=True)
    slug: str = Field(index=True)
    url: str = ""
    title: str
    summary: str = ""
    body_html: str = ""
    # The body's Markdown as written, for formats that carry Markdown (OSCAL prose).
    body_md: str = ""
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    sort_key: str = Field(index=True)
    path: str = ""
    # Requirement columns, kept as columns because the catalogue filters on them.
    part: str | None = Field(default=None, index=True)
    edition: str | None = None
    type: str | None = None
    area_id: str | None = Field(default=None, index=True)
    parent_id: str | None = None
    sl_min: int | None = None
    # The foundational requirement (1-7) of a 62443-3-3 item, for SL derivation.
    fr: int | None = None
    # ML 1-4 scoring guidance of a process requirement: {"1": "...", ...}
    scoring: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    provisional: bool = False
    retired: bool = False
    # csms-kb's own, or from the deployment's extra content folder (kb.vocabulary.ORIGINS)
    origin: str = "ours"

    @property
    def tags(self) -> list[str]:
        return self.meta.get("tags", [])

    @property
    def borrows_scale(self) -> bool:
        """Scored with maturity levels that its own part does not define."""
        return bool({(self.part, None), (self.part, self.edition)} & BORROWED_SCALE)


class ContentLink(SQLModel, table=True):
    """A typed link between two catalogue items, shown on both ends."""

    source_id: str = Field(foreign_key="contentitem.id", primary_key=True)
    target_id: str = Field(foreign_key="contentitem.id", primary_key=True, index=True)
    relation: str = Field(primary_key=True)
    coverage: str | None = None


class ContentTag(SQLModel, table=True):
    item_id: str = Field(foreign_key="contentitem.id", primary_key=True)
    tag: str = Field(primary_key=True, index=True)


class CrosswalkPair(SQLModel, table=True):
    """A mapping from one of our requirements to an item of an external framework."""

    id: int | None = Field(default=None, primary_key=True)
    crosswalk_id: str = Field(foreign_key="contentitem.id", index=True)
    framework_id: str = Field(foreign_key="contentitem.id", index=True)
    requirement_id: str = Field(foreign_key="contentitem.id", index=True)
    their_id: str
    their_title: str = ""
    relation: str
    basis: str


class ContentState(SQLModel, table=True):
    """The hash of the content tree last loaded, so start-up can tell if it changed."""

    key: str = Field(primary_key=True)
    value: str
