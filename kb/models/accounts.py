"""Organisations, people and their roles, and the failed logins of the rate limit."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from kb.models.base import new_revision, utcnow


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


class LoginAttempt(SQLModel, table=True):
    """Failed logins, kept where every server sees them, for the rate limit."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True)
    attempted_at: datetime = Field(default_factory=utcnow, index=True)
