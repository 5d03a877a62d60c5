"""What the JSON API answers: a model per response, for its OpenAPI description
(spec.py) and for the tests that hold real responses to it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from kb.models import ComponentFields, ScenarioFields
from kb.vocabulary import Status


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


class EvidenceOut(BaseModel):
    id: int
    title: str
    type: str
    owner: str
    status: str
    collected_on: date | None
    next_review: date | None
    review_state: str
    retired: bool
    version: int
    url: str | None
    filename: str | None
    content_type: str | None
    size: int | None
    sha256: str | None
    file_url: str | None
    page_url: str


class EvidenceList(BaseModel):
    count: int
    page: int
    pages: int
    next_cursor: str | None
    items: list[EvidenceOut]


class EvidenceLinkOut(BaseModel):
    assessment: int
    requirement: str
    evidence_id: int


class Linked(BaseModel):
    id: str
    title: str
    url: str


class ZoneOut(BaseModel):
    id: int
    assessment: int
    name: str
    kind: str
    description: str
    joins: list[int]
    sl_t: list[int]
    sl_a: list[int]
    gap: list[int]
    version: int
    url: str
    blockers: dict[str, list[Linked]] | None = None  # one zone's own page only


class ZoneList(BaseModel):
    count: int
    zones: list[ZoneOut]


class ZoneStateOut(BaseModel):
    requirement: str
    state: str
    reason: str
    version: int
    beyond_target: bool
    zone: ZoneOut


class ComponentOut(ComponentFields):
    """A component: its fields, `sl_t` the target SL-C, `sl_c` the achieved SL-C
    derived from its states, and the gap."""

    id: int
    assessment: int
    sl_c: list[int]
    gap: list[int]
    version: int
    url: str
    blockers: dict[str, list[Linked]] | None = None  # one component's own page only


class ComponentList(BaseModel):
    count: int
    components: list[ComponentOut]


class ComponentStateOut(BaseModel):
    requirement: str
    state: str
    reason: str
    version: int
    beyond_target: bool
    component: ComponentOut


class ScenarioOut(ScenarioFields):
    id: int
    zone_id: int
    version: int
    risk_before: int
    risk_after: int
    above_line: bool  # the risk after stays above the tolerable line


class ScenarioList(BaseModel):
    tolerable: int
    count: int
    scenarios: list[ScenarioOut]


class Driver(BaseModel):
    id: int
    title: str
    source: str


class SuggestionOut(BaseModel):
    zone: int
    suggested: list[int]
    sl_t: list[int]  # the zone's SL-T now
    drivers: dict[str, Driver | None]  # "FR n" -> the scenario that drives it


class FiguresOut(BaseModel):
    requirements: int
    applicable: int
    assessed: int
    not_assessed: int
    at_target: int
    below_target: int
    mean_current: float | None
    min_current: int | None
    mean_target: float | None
    gap: int
    overdue: int
    share_assessed: float | None
    share_at_target: float | None


class FrOut(BaseModel):
    fr: int
    zones: int
    at_target: int
    gap: int
    mean_sl_t: float | None
    mean_sl_a: float | None


class RollupsOut(BaseModel):
    assessment: FiguresOut
    areas: dict[str, FiguresOut]
    functions: dict[str, FiguresOut]
    parts: dict[str, FiguresOut]
    frs: list[FrOut]
    evidence_overdue: int


class SnapshotOut(BaseModel):
    id: int
    label: str
    automatic: bool
    taken_at: datetime
    assessment: FiguresOut


class SnapshotList(BaseModel):
    count: int
    snapshots: list[SnapshotOut]


class CellChange(BaseModel):
    requirement: str
    field: str
    old: Any
    new: Any


class CellConflict(BaseModel):
    requirement: str
    field: str
    app: Any
    file: Any


class StateChange(BaseModel):
    zone: int
    requirement: str
    old: str | None
    new: str | None


class StateConflict(BaseModel):
    zone: int
    requirement: str
    app: str | None
    file: str | None


class ImportRunOut(BaseModel):
    id: int
    filename: str
    sha256: str
    status: str
    applied: int
    changes: list[CellChange]
    conflicts: list[CellConflict]
    zone_changes: list[StateChange]
    zone_conflicts: list[StateConflict]
    problems: list[Fault]
