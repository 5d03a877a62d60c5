"""Input models shared by forms, the API and Excel rows: one validation language."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from kb.models import (
    ComponentFields,
    CrsFields,
    EvidenceFields,
    InitialRiskFields,
    ScenarioFields,
    ScoreFields,
    ZoneFields,
)
from kb.vocabulary import AssessedPart, Level, Role, ZoneState

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


TOKEN_MAX_DAYS = 366  # the longest life of an API token


class Form(BaseModel):
    """Blank form fields arrive as "": a field whose default is None reads it as not
    given; any other field keeps it (and a required one says it is too short)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def blank_is_none(cls, value, info: ValidationInfo):
        if value == "" and cls.model_fields[info.field_name].default is None:
            return None
        return value


class EvidenceInput(EvidenceFields, Form):
    """An evidence item as a form or the API submits it; an uploaded file comes apart.
    `version` is the version the person saw (0 for a new item)."""

    version: Annotated[int, Field(ge=0)] = 0
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None

    @field_validator("url")
    @classmethod
    def http_only(cls, value: str) -> str:
        if value and urlsplit(value).scheme.lower() not in ("http", "https"):
            raise ValueError("only http:// and https:// addresses are allowed")
        if value and not urlsplit(value).netloc:
            raise ValueError("give a whole address, such as https://intranet/doc/42")
        return value


class EvidenceLinkInput(Form):
    evidence_id: Annotated[int, Field(ge=1)]


class AssessmentCreate(Form):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    scope: Annotated[str, StringConstraints(max_length=2000)] = ""
    parts: list[AssessedPart] = Field(default_factory=list, validate_default=True)
    assessed_on: date | None = None

    @field_validator("parts")
    @classmethod
    def at_least_one_part(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("choose at least one part")
        return value


class AssessmentRename(Form):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]


class ScoreUpdate(ScoreFields, Form):
    """One row of the register as a person submits it; `version` is what they saw."""

    model_config = ConfigDict(validate_default=True)
    version: Annotated[int, Field(ge=0)]
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None

    @field_validator("na_reason")
    @classmethod
    def reason_when_not_applicable(cls, value, info: ValidationInfo):
        if info.data.get("applicable") is False and not value:
            raise ValueError("say why the requirement does not apply")
        return value


class GroupTarget(Form):
    group: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    target: Level


Email = Annotated[
    str,
    StringConstraints(
        to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]


class MemberAdd(Form):
    email: Email
    role: Role
    password: (
        Annotated[str, StringConstraints(min_length=12, max_length=200)] | None
    ) = None


class MemberRole(Form):
    role: Role


class Login(Form):
    email: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TokenCreate(Form):
    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    days: Annotated[int, Field(ge=1, le=TOKEN_MAX_DAYS)] = 90


class PasswordChange(Form):
    current: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    new: Annotated[str, StringConstraints(min_length=12, max_length=200)]
    confirm: str

    @field_validator("confirm")
    @classmethod
    def same_as_new(cls, value, info: ValidationInfo):
        if info.data.get("new") and value != info.data["new"]:
            raise ValueError("type the same new password twice")
        return value


def seven_levels(value):
    """An SL vector as written (`{2 2 0 1 3 1 3}`) or as seven fields."""
    from kb.services.levels import check_vector, parse_vector

    if isinstance(value, str):
        return parse_vector(value)
    if not isinstance(value, list):
        raise ValueError("give seven levels 0-4, one per FR")
    return check_vector(value)


class ZoneInput(ZoneFields, Form):
    """A zone or conduit as a form or the API submits it; `joins` are the zone ids a
    conduit connects, `version` the version the person saw (0 for a new one)."""

    version: Annotated[int, Field(ge=0)] = 0
    joins: list[int] = []
    reason: Annotated[str, StringConstraints(max_length=500)] | None = None

    _seven_levels = field_validator("sl_t", mode="before")(seven_levels)


class ComponentInput(ComponentFields, Form):
    """A component as a form or the API submits it; `sl_t` is its target SL-C, `version`
    the version the person saw (0 for a new one)."""

    version: Annotated[int, Field(ge=0)] = 0

    _seven_levels = field_validator("sl_t", mode="before")(seven_levels)


class StateInput(Form):
    """How a zone meets one SR or RE of 3-3, or a component one requirement of 4-2;
    `version` is what the person saw."""

    version: Annotated[int, Field(ge=0)] = 0
    state: ZoneState
    reason: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, validate_default=True
    )
    notes: Annotated[str, StringConstraints(max_length=10000)] | None = None

    @field_validator("reason")
    @classmethod
    def reason_when_not_applicable(cls, value, info: ValidationInfo):
        if info.data.get("state") == "not applicable" and not value:
            raise ValueError("say why the requirement does not apply here")
        return value


class SnapshotInput(Form):
    """A snapshot taken by hand: only a label; it is always taken now."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class InitialRiskInput(InitialRiskFields, Form):
    """The initial assessment of the system or of one zone; `version` as seen."""

    version: Annotated[int, Field(ge=0)] = 0


def _listed(value):
    """A list from a list, or from text separated by commas or new lines."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,\n]", value) if part.strip()]
    return value or []


class ScenarioInput(ScenarioFields, Form):
    """A threat scenario as a form or the API submits it; `version` as seen."""

    version: Annotated[int, Field(ge=0)] = 0

    @field_validator("frs", mode="before")
    @classmethod
    def foundational_requirements(cls, value):
        frs = [int(v) for v in _listed(value)]
        if not frs:
            raise ValueError("choose at least one foundational requirement it bears on")
        if any(not 1 <= fr <= 7 for fr in frs) or len(set(frs)) != len(frs):
            raise ValueError("name each FR once, as 1 to 7")
        return sorted(frs)

    @field_validator("countering_srs", mode="before")
    @classmethod
    def srs(cls, value):
        return _listed(value)


class TargetInput(Form):
    """A zone's SL-T as decided from its risk assessment: the seven levels, and a
    reason for each FR set apart from the suggestion (`reason_1` ... `reason_7`)."""

    sl_t: list[int]
    reasons: dict[int, Annotated[str, StringConstraints(max_length=500)]] = {}
    version: Annotated[int, Field(ge=0)] = 0  # the zone's, as seen

    _seven_levels = field_validator("sl_t", mode="before")(seven_levels)


class CrsInput(CrsFields, Form):
    """The words of a CRS draft; `version` is the draft's, as seen."""

    version: Annotated[int, Field(ge=0)] = 0


class CrsApproval(Form):
    """The asset owner's approval of a CRS (ZCR 7): who, when, under which reference."""

    approved_by: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    approved_on: date
    reference: Annotated[str, StringConstraints(min_length=1, max_length=200)]
