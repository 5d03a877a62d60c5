"""SQLModel tables: the loaded catalogue (content rows keyed by their content id)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, Column, LargeBinary, String, UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

from kb.vocabulary import Criticality, EvidenceStatus, Status, ZoneKind

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class ContentItem(SQLModel, table=True):
    """One entity of the catalogue (requirement, evidence type, policy, ...)."""

    id: str = Field(primary_key=True)
    kind: str = Field(index=True)
    slug: str = Field(index=True)
    url: str = ""
    title: str
    summary: str = ""
    body_html: str = ""
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


# -- operational data: organisations, people, assessments ---------------------------


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_revision() -> str:
    return uuid4().hex


class Versioned(SQLModel):
    """A row people edit: `version` guards concurrent edits (see
    services.changes.save_versioned), with who saved it last and when."""

    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class Organisation(SQLModel, table=True):
    """A tenant: everything under /orgs/<slug>/ belongs to one."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    slug: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # Changes with every committed change to the organisation's records (kb.revisions):
    # pages kept rendered are kept under it. Random, so a restored backup never
    # repeats a value that a running server has seen.
    revision: str = Field(default_factory=new_revision, max_length=32)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True)
    password_hash: str
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Membership(SQLModel, table=True):
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    organisation_id: int = Field(
        foreign_key="organisation.id", primary_key=True, index=True
    )
    role: str  # viewer | editor | admin


class Assessment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str
    scope: str = ""
    parts: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    assessed_on: date | None = None
    status: str = "active"  # active | archived
    created_at: datetime = Field(default_factory=utcnow)


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


class ScoreChange(SQLModel, table=True):
    """Append-only history: one row per field changed."""

    id: int | None = Field(default=None, primary_key=True)
    score_id: int = Field(foreign_key="score.id", index=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    requirement_id: str = Field(foreign_key="contentitem.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow, index=True)
    field: str
    old: str = ""
    new: str = ""
    reason: str = ""
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
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default="previewed", max_length=20)  # previewed | applied
    plan: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    applied_by: int | None = Field(default=None, foreign_key="user.id")
    applied_at: datetime | None = None
    applied: int = 0  # how many values were written


class LoginAttempt(SQLModel, table=True):
    """Failed logins, kept where every server sees them, for the rate limit."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True)
    attempted_at: datetime = Field(default_factory=utcnow, index=True)


# -- the evidence register: an organisation's own artefacts ---------------------------


class EvidenceFields(SQLModel):
    """What a person says about an evidence item; the table, the form and the API
    schema derive from these fields."""

    type: str = Field(
        foreign_key="contentitem.id", max_length=80, title="Evidence type"
    )
    title: str = Field(min_length=1, max_length=200, title="Title")
    owner: str = Field(default="", max_length=120, title="Owner")
    collected_on: date | None = Field(default=None, title="Collected on")
    next_review: date | None = Field(default=None, title="Next review")
    status: EvidenceStatus = Field(
        default="current", sa_type=String(20), title="Status"
    )
    url: str = Field(default="", max_length=2000, title="Web address")


class EvidenceItem(EvidenceFields, Versioned, table=True):
    """An organisation's artefact of one evidence type: a URL, or its newest file."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    retired: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class StoredFile(SQLModel, table=True):
    """An uploaded file of an evidence item; the bytes live in the file store under
    `storage_name`. Earlier files of an item stay, so a replaced file is never lost."""

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidenceitem.id", index=True)
    storage_name: str = Field(unique=True, max_length=64)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_at: datetime = Field(default_factory=utcnow)
    uploaded_by: int | None = Field(default=None, foreign_key="user.id")


class FileBlob(SQLModel, table=True):
    """The bytes of a stored file, when the database is the file store."""

    name: str = Field(primary_key=True, max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class EvidenceLink(SQLModel, table=True):
    """An evidence item shown on one register row (assessment, requirement)."""

    evidence_id: int = Field(foreign_key="evidenceitem.id", primary_key=True)
    assessment_id: int = Field(
        foreign_key="assessment.id", primary_key=True, index=True
    )
    requirement_id: str = Field(foreign_key="contentitem.id", primary_key=True)
    linked_at: datetime = Field(default_factory=utcnow)
    linked_by: int | None = Field(default=None, foreign_key="user.id")


class EvidenceChange(SQLModel, table=True):
    """Append-only history of an evidence item: one row per field changed."""

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidenceitem.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow, index=True)
    field: str
    old: str = ""
    new: str = ""
    reason: str = ""


# -- zones and conduits: 62443-3-3 assessed per zone with security levels -------------


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


class ZoneChange(SQLModel, table=True):
    """Append-only history of a zone: its fields, and its SR and RE states."""

    id: int | None = Field(default=None, primary_key=True)
    zone_id: int = Field(foreign_key="zone.id", index=True)
    requirement_id: str | None = Field(default=None, foreign_key="contentitem.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow, index=True)
    field: str
    old: str = ""
    new: str = ""
    reason: str = ""


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
