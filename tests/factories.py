"""make_<model>(db, **overrides): add, flush and return one row (CTFd's gen_* idea)."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlmodel import Session
from werkzeug.security import generate_password_hash

from kb.models import (
    Assessment,
    Component,
    EvidenceItem,
    Organisation,
    RiskScenario,
    User,
    Zone,
)
from kb.schemas import (
    AssessmentCreate,
    ComponentInput,
    EvidenceInput,
    ScenarioInput,
    ZoneInput,
)
from kb.services import accounts, assessments, components, evidence, risks, zones
from kb.storage import DatabaseStore, Upload

PASSWORD = "correct-horse-battery"


def make_org(db: Session, *, name: str = "Acme Water") -> Organisation:
    return accounts.create_org(db, name)


@cache
def password_hash() -> str:
    """PASSWORD hashed once per run: scrypt takes about 0.1 s on purpose."""
    return generate_password_hash(PASSWORD)


def make_user(
    db: Session, *, email: str, org: Organisation, role: str = "editor"
) -> User:
    user = accounts.find_user(db, email)
    if user is None:
        user = User(email=email, password_hash=password_hash())
        db.add(user)
        db.flush()
    accounts.set_membership(db, user, org, role)
    return user


def make_assessment(
    db: Session,
    *,
    org: Organisation,
    name: str = "FY26 baseline",
    parts: tuple[str, ...] = ("62443-2-4",),
) -> Assessment:
    data = AssessmentCreate(
        name=name, parts=list(parts), scope="Main water treatment plant"
    )
    return assessments.create_assessment(db, org, data)


def make_evidence(
    db: Session,
    *,
    org: Organisation,
    user: User,
    title: str = "Firewall rule review 2026",
    type: str = "EV-ACCOUNT-REGISTER",
    url: str = "https://intranet.example/doc/1",
    upload: Upload | None = None,
    next_review: date | None = None,
    **fields,
) -> EvidenceItem:
    data = EvidenceInput(
        type=type,
        title=title,
        url="" if upload else url,
        next_review=next_review,
        **fields,
    )
    return evidence.create_item(db, org, data, upload, user, DatabaseStore())


def make_component(
    db: Session,
    *,
    assessment: Assessment,
    user: User,
    name: str = "Line PLC",
    type: str = "embedded device",
    sl_t: tuple[int, ...] = (2, 2, 0, 0, 0, 0, 0),
    **fields,
) -> Component:
    data = ComponentInput(name=name, type=type, sl_t=list(sl_t), **fields)
    return components.create_component(db, assessment, data, user)


def make_scenario(
    db: Session, *, zone: Zone, user: User, title: str = "Ransomware", **fields
) -> RiskScenario:
    values = {
        "title": title,
        "source": "simple",
        "frs": [3, 7],
        "consequence": 4,
        "likelihood": 3,
        "residual_consequence": 4,
        "residual_likelihood": 2,
    } | fields
    return risks.add_scenario(db, zone, ScenarioInput(**values), user)


def make_zone(
    db: Session,
    *,
    assessment: Assessment,
    user: User,
    name: str = "Control zone",
    sl_t: tuple[int, ...] = (2, 2, 0, 1, 3, 1, 3),
    **fields,
) -> Zone:
    data = ZoneInput(name=name, sl_t=list(sl_t), **fields)
    return zones.create_zone(db, assessment, data, user)
