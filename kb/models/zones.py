"""Zones and conduits of 62443-3-3, with their SR and RE states."""

from __future__ import annotations

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from kb.models.base import Change, Versioned
from kb.vocabulary import Criticality, ZoneKind


class ZoneFields(SQLModel):
    """What a person says about a zone or conduit; the form and the API derive from it."""

    name: str = Field(min_length=1, max_length=120)
    kind: ZoneKind = Field(default="zone", sa_type=String(10))
    description: str = Field(default="", max_length=2000)
    assets: str = Field(default="", max_length=2000)
    criticality: Criticality = Field(default="", sa_type=String(10))
    protocols: str = Field(default="", max_length=500)
    # SL-T: one target level 0-4 per foundational requirement, FR 1 to FR 7.
    sl_t: list[int] = Field(default_factory=lambda: [0] * 7, sa_column=Column(JSON))


class Zone(ZoneFields, Versioned, table=True):
    """A zone or a conduit of an assessment."""

    __table_args__ = (UniqueConstraint("assessment_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    retired: bool = False


class ConduitLink(SQLModel, table=True):
    """A zone that a conduit joins."""

    conduit_id: int = Field(foreign_key="zone.id", primary_key=True)
    zone_id: int = Field(foreign_key="zone.id", primary_key=True, index=True)


class ZoneRequirement(Versioned, table=True):
    """How one zone or conduit meets one SR or RE of 62443-3-3."""

    __table_args__ = (UniqueConstraint("zone_id", "requirement_id"),)
    id: int | None = Field(default=None, primary_key=True)
    zone_id: int = Field(foreign_key="zone.id", index=True)
    requirement_id: str = Field(foreign_key="contentitem.id")
    state: str = Field(max_length=20)
    reason: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=10000)


class ZoneEvidenceLink(SQLModel, table=True):
    """An evidence item shown on one SR or RE of a zone or conduit."""

    evidence_id: int = Field(foreign_key="evidenceitem.id", primary_key=True)
    zone_id: int = Field(foreign_key="zone.id", primary_key=True, index=True)
    requirement_id: str = Field(foreign_key="contentitem.id", primary_key=True)


class ZoneChange(Change, table=True):
    """Append-only history of a zone: its fields, and its SR and RE states."""

    id: int | None = Field(default=None, primary_key=True)
    zone_id: int = Field(foreign_key="zone.id", index=True)
    requirement_id: str | None = Field(default=None, foreign_key="contentitem.id")
