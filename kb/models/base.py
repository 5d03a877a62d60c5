"""What every table shares: the constraint naming convention (set before the first
table), timestamps, and the `Versioned` base of rows people edit."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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


class Change(SQLModel):
    """One changed field of a record's append-only history: who, when, from what to
    what (as the history shows them) and why."""

    user_id: int | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow, index=True)
    field: str
    old: str = ""
    new: str = ""
    reason: str = ""
