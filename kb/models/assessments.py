"""Assessments, their scores with each change, import runs and snapshots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

from kb.models.base import Change, Versioned, utcnow
from kb.vocabulary import Status


class Assessment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str
    scope: str = ""
    parts: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    assessed_on: date | None = None
    status: str = "active"  # active | archived
    created_at: datetime = Field(default_factory=utcnow)
    # The risk matrix version its risk assessment uses (set at its first risk entry).
    risk_matrix_id: int | None = Field(default=None, foreign_key="riskmatrix.id")


class ScoreFields(SQLModel):
    """What a person says about one requirement in one assessment. The table, the
    register's form, the API and the workbook's Register columns derive from these
    fields; each `title` is its column header in the workbook."""

    applicable: bool = Field(default=True, title="Applies")
    na_reason: str = Field(
        default="", max_length=500, sa_type=AutoString, title="Why not applicable"
    )
    current: int | None = Field(default=None, ge=0, le=4, title="Current level")
    target: int | None = Field(default=None, ge=0, le=4, title="Target level")
    owner: str = Field(default="", max_length=120, sa_type=AutoString, title="Owner")
    due: date | None = Field(default=None, title="Due")
    status: Status = Field(default="not started", sa_type=AutoString, title="Status")
    notes: str = Field(default="", max_length=10000, sa_type=AutoString, title="Notes")


class Score(ScoreFields, Versioned, table=True):
    """One requirement's standing in one assessment; `version` guards concurrent edits."""

    __table_args__ = (UniqueConstraint("assessment_id", "requirement_id"),)
    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    requirement_id: str = Field(foreign_key="contentitem.id")


class ScoreChange(Change, table=True):
    """Append-only history: one row per field changed."""

    id: int | None = Field(default=None, primary_key=True)
    score_id: int = Field(foreign_key="score.id", index=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    requirement_id: str = Field(foreign_key="contentitem.id")
    # Set when the change came from a workbook: the import run that made it.
    import_run_id: int | None = Field(default=None, foreign_key="importrun.id")


class ImportRun(SQLModel, table=True):
    """One workbook uploaded to an assessment: its plan (changes and conflicts) when
    previewed, and who applied it and when. Kept after it is applied, as the record."""

    id: int | None = Field(default=None, primary_key=True)
    # An assessment's workbook or table; or, without one, an organisation's evidence
    # list.
    assessment_id: int | None = Field(
        default=None, foreign_key="assessment.id", index=True
    )
    organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True
    )
    # What was imported: "oscal-catalog" for an OSCAL catalog (an organisation's), ""
    # for a workbook, a table or an evidence list (told apart by their assessment).
    kind: str = Field(default="", max_length=20)
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default="previewed", max_length=20)  # previewed | applied
    plan: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    applied_by: int | None = Field(default=None, foreign_key="user.id")
    applied_at: datetime | None = None
    applied: int = 0  # how many values were written


class Snapshot(SQLModel, table=True):
    """An assessment frozen at a moment: its scores, zone states and roll-ups as data,
    so it survives later edits and catalogue reloads. Insert-only."""

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    label: str = Field(max_length=200)
    automatic: bool = False
    taken_at: datetime = Field(default_factory=utcnow, index=True)
    taken_by: int | None = Field(default=None, foreign_key="user.id")
    # The whole-assessment figures again, small, so lists and trends need not load
    # `data`; before it, so that SQLite reaches it without reading through `data`.
    headline: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
