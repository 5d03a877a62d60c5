"""The risk assessment of 62443-3-2: an organisation's risk matrix (versioned), the
initial assessment of the system under consideration and of each zone, the threat
scenarios of the detailed assessment, and each zone's SL-T decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from kb.models.base import Versioned, utcnow
from kb.vocabulary import ThreatSource


class RiskMatrix(SQLModel, table=True):
    """Consequence and likelihood scales with a tolerable-risk line. Never edited in
    place: a change is a new version, so an assessment keeps the matrix it used."""

    __table_args__ = (UniqueConstraint("organisation_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    version: int
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    # One entry per level, lowest first: {"name", and per consequence dimension
    # (kb.vocabulary.CONSEQUENCE_DIMENSIONS) a description}.
    consequences: list[dict[str, Any]] = Field(sa_column=Column(JSON))
    # One entry per level, lowest first: {"name", "description"}.
    likelihoods: list[dict[str, Any]] = Field(sa_column=Column(JSON))
    # The highest risk (consequence level x likelihood level) that is tolerable.
    tolerable: int


class InitialRiskFields(SQLModel):
    """The initial assessment (ZCR 2, ZCR 4) of the system or of one zone: its worst
    unmitigated case."""

    consequence: int = Field(ge=1)
    likelihood: int = Field(ge=1)
    notes: str = Field(default="", max_length=2000)


class InitialRisk(InitialRiskFields, Versioned, table=True):
    """`zone_id` None is the system under consideration as a whole."""

    __table_args__ = (UniqueConstraint("assessment_id", "zone_id"),)
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    zone_id: int | None = Field(default=None, foreign_key="zone.id")


class ScenarioFields(SQLModel):
    """A threat scenario of a zone or conduit's detailed assessment (ZCR 5)."""

    title: str = Field(min_length=1, max_length=200)
    threat_id: str | None = Field(default=None, foreign_key="contentitem.id")
    source: ThreatSource = Field(sa_type=String(20))
    # The FRs (1-7) it bears on.
    frs: list[int] = Field(default_factory=list, sa_column=Column(JSON))
    vulnerabilities: str = Field(default="", max_length=2000)
    consequence: int = Field(ge=1)
    likelihood: int = Field(ge=1)  # unmitigated
    # Existing countermeasures, and the SRs of 62443-3-3 they rely on.
    countermeasures: str = Field(default="", max_length=2000)
    countering_srs: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # Re-evaluated with the existing countermeasures in place.
    residual_consequence: int = Field(ge=1)
    residual_likelihood: int = Field(ge=1)
    additional: str = Field(default="", max_length=2000)  # more countermeasures
    owner: str = Field(default="", max_length=120)


class RiskScenario(ScenarioFields, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    zone_id: int = Field(foreign_key="zone.id", index=True)


class TargetDecision(SQLModel, table=True):
    """A zone's SL-T as decided from its risk assessment: the suggestion, what was
    accepted, and the reason for every level set apart from the suggestion.
    Append-only: the latest is the zone's current reasoning."""

    id: int | None = Field(default=None, primary_key=True)
    zone_id: int = Field(foreign_key="zone.id", index=True)
    decided_at: datetime = Field(default_factory=utcnow)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    suggested: list[int] = Field(sa_column=Column(JSON))
    accepted: list[int] = Field(sa_column=Column(JSON))
    # {"FR n": reason} for each FR where accepted differs from suggested.
    reasons: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))


class CrsFields(SQLModel):
    """What the cybersecurity requirements specification (ZCR 6) says in words; the
    rest of it (zones, SL-T, requirements, tolerable risk) comes from the assessment."""

    suc_description: str = Field(default="", max_length=10000)
    assumptions: str = Field(default="", max_length=10000)  # the operating environment
    threat_environment: str = Field(default="", max_length=10000)
    policies: str = Field(default="", max_length=10000)
    regulatory: str = Field(default="", max_length=10000)


class CrsDraft(CrsFields, Versioned, table=True):
    """The CRS being written; approving it freezes a copy as the next CrsVersion."""

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", unique=True)


class CrsVersion(SQLModel, table=True):
    """An approved CRS (ZCR 7), frozen: the whole document as it was approved, with
    who approved it, when and under which reference. Never changed."""

    __table_args__ = (UniqueConstraint("assessment_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    number: int
    approved_by: str = Field(max_length=200)  # the asset owner's approver, by name
    approved_on: date
    reference: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by: int | None = Field(default=None, foreign_key="user.id")
    document: dict[str, Any] = Field(sa_column=Column(JSON))
