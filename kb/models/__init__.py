"""SQLModel tables, a module per area; import them from here (`from kb.models import
Score`). `base` comes first: it sets the naming convention before any table."""

from kb.models.accounts import (
    ApiToken,
    AuditEvent,
    LoginAttempt,
    Membership,
    Organisation,
    RequestCount,
    User,
)
from kb.models.assessments import (
    Assessment,
    ImportRun,
    Score,
    ScoreChange,
    ScoreFields,
    Snapshot,
)
from kb.models.base import Change, Versioned, new_revision, utcnow
from kb.models.catalogue import (
    ContentItem,
    ContentLink,
    ContentState,
    ContentTag,
    CrosswalkPair,
)
from kb.models.components import (
    Component,
    ComponentChange,
    ComponentFields,
    ComponentRequirement,
)
from kb.models.evidence import (
    EvidenceChange,
    EvidenceFields,
    EvidenceItem,
    EvidenceLink,
    FileBlob,
    StoredFile,
)
from kb.models.risks import (
    InitialRisk,
    InitialRiskFields,
    RiskMatrix,
    RiskScenario,
    ScenarioFields,
    TargetDecision,
)
from kb.models.zones import (
    ConduitLink,
    Zone,
    ZoneChange,
    ZoneEvidenceLink,
    ZoneFields,
    ZoneRequirement,
)

__all__ = [
    "Change",
    "AuditEvent",
    "ApiToken",
    "RequestCount",
    "Assessment",
    "Component",
    "ComponentChange",
    "ComponentFields",
    "ComponentRequirement",
    "ConduitLink",
    "ContentItem",
    "ContentLink",
    "ContentState",
    "ContentTag",
    "CrosswalkPair",
    "EvidenceChange",
    "EvidenceFields",
    "EvidenceItem",
    "EvidenceLink",
    "FileBlob",
    "ImportRun",
    "LoginAttempt",
    "Membership",
    "Organisation",
    "InitialRisk",
    "InitialRiskFields",
    "RiskMatrix",
    "RiskScenario",
    "ScenarioFields",
    "TargetDecision",
    "Score",
    "ScoreChange",
    "ScoreFields",
    "Snapshot",
    "StoredFile",
    "User",
    "Versioned",
    "Zone",
    "ZoneChange",
    "ZoneEvidenceLink",
    "ZoneFields",
    "ZoneRequirement",
    "new_revision",
    "utcnow",
]
