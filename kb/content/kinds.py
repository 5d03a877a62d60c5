"""One pydantic model per content kind: the schema of each file's front matter."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kb.vocabulary import TECHNICAL_PARTS, Cadence, CrosswalkRelation, ThreatSource
from kb.vocabulary import Coverage as CoverageLevel

Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
AreaId = Annotated[str, StringConstraints(pattern=r"^CA-0[1-8]$")]
Level = Annotated[int, Field(ge=1, le=4)]
Title = Annotated[str, StringConstraints(min_length=3, max_length=200)]

REQUIREMENT_ID = (
    r"^(FR [1-7]|SR \d+\.\d+( RE\(\d+\))?|SP\.\d{2}(\.\d{2} (BR|RE\(\d+\)))?"
    r"|ZCR \d+(\.\d+)?|SPE \d+|[A-Z]{2,5} \d+(\.\d+)?|4(\.\d+){1,3}"
    r"|Practice [1-8]|[A-Z]{2,3}-\d{1,2}|CR \d+\.\d+ RE\(\d+\)|CCSC|SAR|EDR|HDR|NDR)$"
)


class Part(StrEnum):
    P2_1 = "62443-2-1"
    P2_4 = "62443-2-4"
    P3_2 = "62443-3-2"
    P3_3 = "62443-3-3"
    P4_1 = "62443-4-1"
    P4_2 = "62443-4-2"


PART_ORDER = [
    p.value for p in (Part.P2_4, Part.P2_1, Part.P3_3, Part.P3_2, Part.P4_1, Part.P4_2)
]


class Content(BaseModel):
    """Fields every kind shares. `links` maps a field to the relation it creates."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)
    links: ClassVar[dict[str, str]] = {}
    id: str
    tags: list[Tag] = []

    @property
    def heading(self) -> str:
        return getattr(self, "title", None) or self.name

    def targets(self) -> list[tuple[str, str, tuple, str | None]]:
        """Return (relation, target id, field path, coverage) for each outgoing link."""
        out = []
        for name, relation in self.links.items():
            value = getattr(self, name)
            values = value if isinstance(value, list) else [value]
            for index, target in enumerate(values):
                if target:
                    path = (name, index) if isinstance(value, list) else (name,)
                    out.append((relation, target, path, None))
        return out


class Levels(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sl: list[Level] | None = None
    ml: list[Level] | None = None


class Requirement(Content):
    links: ClassVar[dict[str, str]] = {
        "area": "area",
        "parent": "parent",
        "related": "related",
        "evidence": "evidence",
        "policies": "policy",
    }
    id: Annotated[str, StringConstraints(pattern=REQUIREMENT_ID)]
    title: Title
    part: Part
    edition: Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
    type: Literal["group", "requirement", "enhancement"] | None = None
    area: AreaId
    parent: str | None = None
    levels: Levels = Levels()
    related: list[str] = []
    evidence: list[str] = []
    policies: list[str] = []
    provisional: bool = False
    verify: str | None = None

    @property
    def fr(self) -> int | None:
        """The foundational requirement of a 3-3 or 4-2 item: `SR 3.2 RE(1)` -> 3,
        `EDR 3.10` -> 3, `CR 1` (4-2's group of FR 1) -> 1, `CCSC 1` -> None."""
        match = re.match(r"^(?:FR|SR|CR|SAR|EDR|HDR|NDR) ([1-7])\b", self.id)
        return int(match[1]) if match and self.part in TECHNICAL_PARTS else None

    @property
    def kind_of_item(self) -> str:
        if self.type:
            return self.type
        return "enhancement" if "RE(" in self.id else "requirement"


class Evidence(Content):
    id: Annotated[str, StringConstraints(pattern=r"^EV-[A-Z0-9]+(-[A-Z0-9]+)*$")]
    title: Title
    owner: Literal["asset owner", "service provider", "product supplier", "shared"]
    review: str
    cadence: Cadence  # the default interval between reviews of an organisation's item


class Policy(Content):
    id: Annotated[str, StringConstraints(pattern=r"^POL-[A-Z0-9]+(-[A-Z0-9]+)*$")]
    title: Title
    approver: str
    review: str


class Coverage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    coverage: CoverageLevel


class Offering(Content):
    id: Annotated[str, StringConstraints(pattern=r"^OFF-[A-Z0-9]+(-[A-Z0-9]+)*$")]
    title: Title
    addresses: list[Coverage] = Field(min_length=1)

    def targets(self) -> list[tuple[str, str, tuple, str | None]]:
        return [
            ("addresses", a.id, ("addresses", i, "id"), a.coverage)
            for i, a in enumerate(self.addresses)
        ]


class Sector(Content):
    links: ClassVar[dict[str, str]] = {"areas": "area", "offerings": "offering"}
    id: Annotated[str, StringConstraints(pattern=r"^SEC-[A-Z0-9]+(-[A-Z0-9]+)*$")]
    title: Title
    regulators: list[str] = []
    obligations: list[str] = []
    areas: list[AreaId] = []
    offerings: list[str] = []


class Threat(Content):
    """An OT threat scenario of the threat catalogue (62443-3-2's detailed risk
    assessment picks from it): the FRs it bears on, its typical sources and the SRs
    that counter it."""

    links: ClassVar[dict[str, str]] = {"bears_on": "bears-on", "counters": "counter"}
    id: Annotated[str, StringConstraints(pattern=r"^TH-[A-Z0-9]+(-[A-Z0-9]+)*$")]
    title: Title
    sources: list[ThreatSource] = Field(min_length=1)
    bears_on: list[Annotated[str, StringConstraints(pattern=r"^FR [1-7]$")]] = Field(
        min_length=1
    )
    counters: list[str] = Field(min_length=1)


class Area(Content):
    id: AreaId
    title: Title
    outcome: str


class FrameworkPart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    group: Literal["general", "policies-procedures", "system", "component"]


class Framework(Content):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    name: Title
    issuer: str
    issuer_url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")]
    parts: list[FrameworkPart] = []


class Pair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ours: str
    theirs: str
    theirs_title: str = ""
    relation: CrosswalkRelation
    basis: Literal["published", "derived"]


class Crosswalk(Content):
    links: ClassVar[dict[str, str]] = {"framework": "framework"}
    id: Annotated[str, StringConstraints(pattern=r"^XW-[A-Z0-9]+(-[A-Z0-9]+)*$")]
    title: Title
    framework: str
    source: str
    pairs: list[Pair] = Field(min_length=1)


SynonymTerm = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+([ -][a-z0-9]+)*$", max_length=60)
]


class Synonyms(BaseModel):
    """content/synonyms.yaml: groups of terms that search treats as one."""

    model_config = ConfigDict(extra="forbid")
    groups: list[Annotated[list[SynonymTerm], Field(min_length=2)]] = Field(
        min_length=1
    )


SYNONYMS_FILE = "synonyms.yaml"

# folder under CONTENT_DIR -> (kind name, model, URL prefix)
KINDS: dict[str, tuple[str, type[Content], str]] = {
    "frameworks": ("framework", Framework, "/frameworks/"),
    "areas": ("area", Area, "/areas/"),
    "requirements": ("requirement", Requirement, "/requirements/"),
    "evidence": ("evidence", Evidence, "/evidence/"),
    "policies": ("policy", Policy, "/policies/"),
    "offerings": ("offering", Offering, "/offerings/"),
    "sectors": ("sector", Sector, "/sectors/"),
    "threats": ("threat", Threat, "/threats/"),
    "crosswalks": ("crosswalk", Crosswalk, "/frameworks/"),
}
URL_PREFIX = {kind: prefix for kind, _model, prefix in KINDS.values()}


def slugify(value: str) -> str:
    """`SR 1.1 RE(1)` -> `sr-1-1-re-1`: the file name and URL of an id."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def sort_key(value: str) -> str:
    """Order ids naturally: SR 1.9 before SR 1.10, BR before RE(1)."""
    return re.sub(r"\d+", lambda m: m.group().zfill(4), value.replace(" BR", " AB"))


def url_of(kind: str, item_id: str) -> str:
    return URL_PREFIX[kind] + slugify(item_id)
