"""Frameworks an organisation imported (from an OSCAL catalog) so that its people can
map our requirements to them: the framework, its controls, and the mappings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

from kb.models.base import utcnow
from kb.vocabulary import CrosswalkRelation


class MappedFramework(SQLModel, table=True):
    """One imported catalog. A later import of the same catalog (its OSCAL uuid)
    replaces its controls and keeps the mappings of the controls that remain."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    title: str = Field(max_length=500)
    version: str = Field(max_length=200)  # the catalog's own metadata version
    oscal_version: str = Field(max_length=20)
    catalog_uuid: str = Field(max_length=36)
    import_run_id: int | None = Field(default=None, foreign_key="importrun.id")
    imported_at: datetime = Field(default_factory=utcnow)


class FrameworkControl(SQLModel, table=True):
    """A control of an imported catalog, in the catalog's order."""

    __table_args__ = (UniqueConstraint("framework_id", "control_id"),)
    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="mappedframework.id", index=True)
    control_id: str = Field(max_length=255)
    title: str = Field(max_length=1000)
    group_title: str = Field(default="", max_length=1000)
    parent_id: str | None = Field(default=None, max_length=255)  # a child control's
    position: int


class FrameworkMapping(SQLModel, table=True):
    """One of our requirements mapped to a control of an imported framework. Keyed by
    the control's id, so that it survives a re-import that keeps the control."""

    __table_args__ = (UniqueConstraint("framework_id", "control_id", "requirement_id"),)
    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="mappedframework.id", index=True)
    control_id: str = Field(max_length=255)
    requirement_id: str = Field(foreign_key="contentitem.id")
    relation: CrosswalkRelation = Field(sa_type=AutoString)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
