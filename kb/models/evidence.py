"""The evidence register: an organisation's own artefacts, their files and links."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary, String
from sqlmodel import Field, SQLModel

from kb.models.base import Change, Versioned, utcnow
from kb.vocabulary import EvidenceStatus


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


class EvidenceChange(Change, table=True):
    """Append-only history of an evidence item: one row per field changed."""

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidenceitem.id", index=True)
