"""Organisations, people and their roles, API tokens, and the counters of the login
and token rate limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, Column, event
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
    # Whether members may log in with a password; an admin turns it off when the
    # organisation signs in through single sign-on only.
    password_login: bool = True


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True)
    # None for an account made by single sign-on: it has no password.
    password_hash: str | None = None
    # The single sign-on provider (its configured name) the person signed in with
    # last, if any.
    sso_provider: str | None = Field(default=None, max_length=40)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Membership(SQLModel, table=True):
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    organisation_id: int = Field(
        foreign_key="organisation.id", primary_key=True, index=True
    )
    role: str  # viewer | editor | admin


# On PostgreSQL each committed change to the three tables above is announced on this
# channel: server processes keep who is logged in until they hear of one
# (kb.web.member_memo). An organisation's revision moves with every change to its
# records, so its table announces those too. Migration 7c1e5a9d2b40 adds the same to
# a database made before.
MEMBERS_CHANNEL = "kb_members"
_ANNOUNCE = DDL(
    "CREATE OR REPLACE FUNCTION kb_announce_members() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    f"PERFORM pg_notify('{MEMBERS_CHANNEL}', ''); RETURN NULL; END $$"
).execute_if(dialect="postgresql")
_ANNOUNCE_CHANGES = DDL(
    "CREATE TRIGGER kb_announce_members "
    "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %(fullname)s "
    "FOR EACH STATEMENT EXECUTE FUNCTION kb_announce_members()"
).execute_if(dialect="postgresql")
for _table in (Organisation, User, Membership):
    event.listen(_table.__table__, "after_create", _ANNOUNCE)
    event.listen(_table.__table__, "after_create", _ANNOUNCE_CHANGES)


class LoginAttempt(SQLModel, table=True):
    """Failed logins, kept where every server sees them, for the rate limit."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True)
    attempted_at: datetime = Field(default_factory=utcnow, index=True)


class ApiToken(SQLModel, table=True):
    """A personal API token. Only its SHA-256 is kept; it acts with its owner's roles
    until it expires or is revoked (kb.services.tokens)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    hint: str = Field(max_length=12)  # the token's first characters, to tell them apart
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class RequestCount(SQLModel, table=True):
    """Requests per key in fixed windows, kept where every server sees them: the rate
    limit of token requests."""

    key: str = Field(primary_key=True, max_length=80)
    window: int = Field(primary_key=True)  # seconds since the epoch // window length
    count: int = 0


class AuditEvent(SQLModel, table=True):
    """Something done in an organisation, for its admins: who, when, from which
    address, what. Insert-only."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    actor: str = Field(default="", max_length=254)  # the email, as it was then
    address: str = Field(default="", max_length=64)
    action: str = Field(max_length=40)  # a key of kb.vocabulary.AUDIT_ACTIONS
    target: str = Field(default="", max_length=300)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
