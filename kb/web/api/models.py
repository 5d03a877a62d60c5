"""The JSON API's request models: they validate bodies (unknown fields refused) and
make the request side of the OpenAPI description (spec.py); responses.py has the answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kb.schemas import (
    AssessmentCreate,
    ComponentInput,
    EvidenceInput,
    EvidenceLinkInput,
    ScenarioInput,
    ScoreUpdate,
    SnapshotInput,
    StateInput,
    ZoneInput,
)

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


class ZoneBody(ZoneInput):
    """A zone or conduit: name, kind, SL-T (seven fields or the written vector), the
    zones a conduit joins."""

    model_config = ConfigDict(extra="forbid")


class StateBody(StateInput):
    """How a zone meets one SR or RE, or a component one requirement of 62443-4-2;
    without `version` the stored one is taken."""

    model_config = ConfigDict(extra="forbid")


class ComponentBody(ComponentInput):
    """A component: name, type, version, supplier and target SL-C (`sl_t`, seven
    levels or the written vector)."""

    model_config = ConfigDict(extra="forbid")


class ScenarioBody(ScenarioInput):
    """A threat scenario of a zone; with `threat_id`, blanks come from the catalogue."""

    model_config = ConfigDict(extra="forbid")


class SnapshotBody(SnapshotInput):
    model_config = ConfigDict(extra="forbid")


class EvidenceLinkBody(EvidenceLinkInput):
    model_config = ConfigDict(extra="forbid")


class EvidenceBody(EvidenceInput):
    """A new evidence item, as JSON with `url` (or as a multipart form with `file`)."""
