"""Components of an assessment, assessed against 62443-4-2 the way a zone is against
62443-3-3: a target SL-C vector, and how the component meets each requirement."""

from __future__ import annotations

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from kb.models.base import Change, Versioned
from kb.vocabulary import ComponentType


class ComponentFields(SQLModel):
    """What a person says about a component; the form and the API derive from it."""

    name: str = Field(min_length=1, max_length=120)
    type: ComponentType = Field(sa_type=String(20))
    # The product version or firmware release assessed ("version" is the row's own).
    product_version: str = Field(default="", max_length=60)
    supplier: str = Field(default="", max_length=120)
    # The target SL-C: one level 0-4 per foundational requirement, FR 1 to FR 7.
    sl_t: list[int] = Field(default_factory=lambda: [0] * 7, sa_column=Column(JSON))


class Component(ComponentFields, Versioned, table=True):
    """A product component (an application, a device) in an assessment's scope."""

    __table_args__ = (UniqueConstraint("assessment_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    retired: bool = False


class ComponentRequirement(Versioned, table=True):
    """How one component meets one CR, RE or component-type requirement of 62443-4-2."""

    __table_args__ = (UniqueConstraint("component_id", "requirement_id"),)
    id: int | None = Field(default=None, primary_key=True)
    component_id: int = Field(foreign_key="component.id", index=True)
    requirement_id: str = Field(foreign_key="contentitem.id")
    state: str = Field(max_length=20)
    reason: str = Field(default="", max_length=500)
    notes: str = Field(default="", max_length=10000)


class ComponentChange(Change, table=True):
    """Append-only history of a component: its fields and its requirement states."""

    id: int | None = Field(default=None, primary_key=True)
    component_id: int = Field(foreign_key="component.id", index=True)
    requirement_id: str | None = Field(default=None, foreign_key="contentitem.id")
