"""The closed vocabularies of the product, each in one place: roles, levels, statuses,
evidence states and review cadences. Models, schemas, content kinds and templates read them
from here."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]

# Maturity levels of the process parts, 0 (not implemented) to 4.
Level = Annotated[int, Field(ge=0, le=4)]
LEVEL_NAMES = {
    0: "Not implemented",
    1: "Initial",
    2: "Managed",
    3: "Defined",
    4: "Improving",
}
# Parts scored on the register with maturity levels.
PROCESS_PARTS = ("62443-2-4", "62443-2-1", "62443-3-2", "62443-4-1")
# Parts with security levels instead: 3-3 assessed per zone and conduit, 4-2 per
# component.
TECHNICAL_PARTS = ("62443-3-3", "62443-4-2")
AssessedPart = Literal[
    "62443-2-4", "62443-2-1", "62443-3-2", "62443-3-3", "62443-4-1", "62443-4-2"
]
ASSESSED_PARTS: tuple[str, ...] = AssessedPart.__args__  # type: ignore[attr-defined]
PART_LABELS = {
    "62443-2-4": "IEC 62443-2-4 service provider requirements",
    "62443-2-1": "IEC 62443-2-1:2024 security programme elements",
    "62443-3-2": "IEC 62443-3-2 zone, conduit and risk assessment",
    "62443-3-3": "IEC 62443-3-3 system requirements, per zone and conduit",
    "62443-4-1": "IEC 62443-4-1 secure product development lifecycle",
    "62443-4-2": "IEC 62443-4-2 component requirements, per component",
}

# Parts (and editions) that define no maturity levels: csms-kb scores them with the
# ML 1-4 scale of 62443-2-4 and 62443-2-1:2024, and says so where they are scored.
BORROWED_SCALE = {("62443-3-2", None), ("62443-2-1", "2010")}
BORROWED_SCALE_NOTE = (
    "{part} defines no maturity levels of its own: csms-kb scores it with the ML 1-4 "
    "scale of IEC 62443-2-4 and 62443-2-1:2024 (ML 1 done ad hoc, up to ML 4 improving "
    "by measurement)."
)
# The short titles of 62443-2-4 items are ours, not the standard's wording.
OWN_TITLES_NOTE = (
    "The titles of IEC 62443-2-4 items here are our own short labels, not the "
    "standard's wording."
)

Status = Literal["not started", "in progress", "implemented", "verified"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]

EvidenceStatus = Literal["draft", "current", "superseded"]
EVIDENCE_STATUSES: tuple[str, ...] = EvidenceStatus.__args__  # type: ignore[attr-defined]

# How often an evidence type is reviewed, and so when a new item's next review falls.
Cadence = Literal["weekly", "monthly", "quarterly", "half-yearly", "yearly"]
CADENCE_DAYS_OR_MONTHS: dict[str, tuple[str, int]] = {
    "weekly": ("days", 7),
    "monthly": ("months", 1),
    "quarterly": ("months", 3),
    "half-yearly": ("months", 6),
    "yearly": ("months", 12),
}

# Where an evidence item stands against its next review date.
REVIEW_STATES = {
    "overdue": "Overdue",
    "due": "Due within 30 days",
    "current": "Current",
}
DUE_WITHIN_DAYS = 30

# The seven foundational requirements of 62443-3-3, in the order of an SL vector.
FOUNDATIONAL_REQUIREMENTS = ("IAC", "UC", "SI", "DC", "RDF", "TRE", "RA")
SECURITY_LEVELS = range(0, 5)

ZoneKind = Literal["zone", "conduit"]
ZONE_KINDS: tuple[str, ...] = ZoneKind.__args__  # type: ignore[attr-defined]
Criticality = Literal["", "low", "medium", "high", "critical"]
CRITICALITIES: tuple[str, ...] = Criticality.__args__  # type: ignore[attr-defined]

# The component types of 62443-4-2, and the prefix of each type's own requirements
# (an embedded device is held to the EDR items besides the CRs).
ComponentType = Literal[
    "software application", "embedded device", "host device", "network device"
]
COMPONENT_TYPES: tuple[str, ...] = ComponentType.__args__  # type: ignore[attr-defined]
COMPONENT_TYPE_PREFIX = {
    "software application": "SAR",
    "embedded device": "EDR",
    "host device": "HDR",
    "network device": "NDR",
}

# The four threat-source profiles by which 62443-3-3 defines SL 1 to SL 4 (our own
# words), keyed as threat scenarios name them, with the level each one sets.
THREAT_SOURCES = {
    "casual": (1, "Casual or accidental: a mistake or a chance misuse"),
    "simple": (2, "Deliberate, simple: common tools, little money, general IT skills"),
    "sophisticated": (
        3,
        "Deliberate, sophisticated: moderate resources and skills specific to "
        "control systems",
    ),
    "extended": (
        4,
        "Deliberate, sophisticated and sustained: extended resources, skills "
        "specific to control systems, strong motivation",
    ),
}
ThreatSource = Literal["casual", "simple", "sophisticated", "extended"]

# What a consequence level of a risk matrix describes, each in its own column.
CONSEQUENCE_DIMENSIONS = (
    "safety",
    "environment",
    "production",
    "finance",
    "reputation",
)

# How a zone or conduit meets one SR or RE of 62443-3-3, and a component one
# requirement of 62443-4-2.
ZoneState = Literal["met", "partly met", "not met", "not applicable"]
ZONE_STATES: tuple[str, ...] = ZoneState.__args__  # type: ignore[attr-defined]

# What the register sorts by, as its "Sort by" control names it; "-key" reverses.
REGISTER_SORTS = {
    "id": "Id",
    "gap": "Largest gap",
    "current": "Current level",
    "target": "Target level",
    "due": "Due date",
    "owner": "Owner",
    "status": "Status",
}

# How fully a service offering meets a requirement, strongest first.
Coverage = Literal["full", "partial", "supports"]
COVERAGES: tuple[str, ...] = Coverage.__args__  # type: ignore[attr-defined]
COVERAGE_MARKS = {"full": "●", "partial": "◐", "supports": "○"}

# How one of our requirements relates to an item of another framework (a crosswalk
# pair, or a mapping to a framework an organisation imported).
CrosswalkRelation = Literal["equivalent", "partial", "related"]
CROSSWALK_RELATIONS: tuple[str, ...] = CrosswalkRelation.__args__  # type: ignore[attr-defined]

# Where a catalogue item comes from: csms-kb's content, or a deployment's own extra
# content folder (EXTRA_CONTENT_DIR), added or replacing one of ours.
ORIGINS = {
    "ours": "csms-kb",
    "added": "this deployment's own",
    "override": "this deployment's own, replacing csms-kb's",
}

# What an organisation's audit log records, as its page names each action.
AUDIT_ACTIONS = {
    "login": "Logged in",
    "login failed": "Failed login",
    "token created": "API token made",
    "token revoked": "API token revoked",
    "member added": "Member added",
    "member changed": "Member's role changed",
    "member removed": "Member removed",
    "assessment created": "Assessment created",
    "assessment archived": "Assessment archived",
    "assessment restored": "Assessment brought back",
    "assessment duplicated": "Assessment duplicated",
    "import applied": "Import applied",
    "mapping added": "Requirement mapped to a framework",
    "mapping removed": "Framework mapping removed",
    "framework removed": "Imported framework removed",
    "export downloaded": "Export downloaded",
    "password login changed": "Password login turned on or off",
}
