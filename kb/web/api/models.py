"""The JSON API's own request and response models: the request models validate bodies
(unknown fields refused), and every model feeds the OpenAPI description (spec.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kb.schemas import AssessmentCreate, ScoreUpdate
from kb.vocabulary import Status

BULK_LIMIT = 10_000  # rows in one bulk update


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests ---------------------------------------------------------------------------


class AssessmentBody(AssessmentCreate):
    """A new assessment: its name, scope, parts and date."""

    model_config = ConfigDict(extra="forbid")


class AssessmentPatch(Strict):
    """Rename, archive (`status: archived`) or bring back (`status: active`)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    status: Literal["active", "archived"] | None = None


class ScoreBody(ScoreUpdate):
    """A register row's fields. `version` is the row version the client last saw (0 for
    a row never saved); it may come as `If-Match: "v<version>"` instead. Fields not
    sent keep their stored values."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class BulkRow(ScoreBody):
    requirement: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class BulkBody(Strict):
    """Many rows in one transaction: all are saved, or none."""

    rows: list[dict[str, Any]] = Field(min_length=1, max_length=BULK_LIMIT)


# -- responses --------------------------------------------------------------------------


class Fault(BaseModel):
    field: str
    message: str


class ProblemOut(BaseModel):
    """An error (RFC 9457 problem details), with each fault where it is."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    problems: list[Fault] = []


class OrgOut(BaseModel):
    slug: str
    name: str
    role: str
    url: str


class OrgList(BaseModel):
    organisations: list[OrgOut]


class AssessmentOut(BaseModel):
    id: int
    organisation: str
    name: str
    scope: str
    parts: list[str]
    assessed_on: date | None
    status: str
    created_at: datetime
    url: str


class AssessmentList(BaseModel):
    assessments: list[AssessmentOut]
    next_cursor: str | None = None


class ScoreOut(BaseModel):
    requirement: str
    title: str
    part: str
    area: str
    applicable: bool
    na_reason: str
    current: int | None
    target: int | None
    gap: int | None
    owner: str
    due: date | None
    status: Status
    notes: str
    version: int
    updated_at: datetime | None


class ScoreList(BaseModel):
    scores: list[ScoreOut]
    total: int
    next_cursor: str | None = None


class BulkOut(BaseModel):
    saved: int
    changed: int
    scores: list[ScoreOut]


class ChangeOut(BaseModel):
    id: int
    requirement: str
    field: str
    old: str
    new: str
    reason: str
    by: str | None
    at: datetime


class ChangeList(BaseModel):
    changes: list[ChangeOut]
    next_cursor: str | None = None


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    address: str
    action: str
    target: str
    detail: dict[str, Any]


class AuditList(BaseModel):
    events: list[AuditOut]
    next_cursor: str | None = None
