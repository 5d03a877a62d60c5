"""An OSCAL catalog imported as a framework an organisation maps our requirements to.

The file is read and checked whole (format, model, version, every control's id, no id
twice) before anything is kept; the preview is an import run that says what applying
it would do, and applying it writes all of it or nothing. A catalog imported again (the
same OSCAL uuid) replaces the framework's controls and keeps the mappings of the
controls that remain."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass

import yaml
from pydantic import ValidationError
from sqlmodel import Session, col, delete, func, select
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.catalog import Catalog

from kb.errors import Conflict, InvalidInput, NotFound, Problem
from kb.models import (
    FrameworkControl,
    FrameworkMapping,
    ImportRun,
    MappedFramework,
    Organisation,
    User,
    utcnow,
)

RUN_KIND = "oscal-catalog"
# The OSCAL versions read: 1.2.x, with compliance-trestle's 1.2.1 models. NIST's
# catalog schemas of 1.2.0, 1.2.1 and 1.2.3 define the same catalog structure.
READS = re.compile(r"^1\.2\.\d+$")
FORMATS = (".json", ".yaml", ".yml")
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Control:
    control_id: str
    title: str
    group_title: str
    parent_id: str | None


def read_catalog(data: bytes, filename: str) -> dict:
    """The catalog of an uploaded file as the plan keeps it: title, version, OSCAL
    version, uuid and every control in order.

    Raises InvalidInput saying what is wrong and what is allowed: a file that is not
    JSON or YAML, not a catalog, of another OSCAL version, not valid against the model
    (each fault at its path), with a control id twice, or with no control.
    """
    if not filename.lower().endswith(FORMATS):
        raise InvalidInput(
            [Problem("file", f"{filename}: send an OSCAL catalog as .json or .yaml")]
        )
    try:
        text = data.decode("utf-8-sig")
        document = (
            json.loads(text)
            if filename.lower().endswith(".json")
            else yaml.safe_load(text)
        )
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        raise InvalidInput(
            [Problem("file", f"{filename} is not readable JSON or YAML: {error}")]
        ) from None
    if not isinstance(document, dict) or set(document) != {"catalog"}:
        found = ", ".join(map(str, document)) if isinstance(document, dict) else "none"
        raise InvalidInput(
            [
                Problem(
                    "file",
                    f"{filename} is not an OSCAL catalog: it needs one top-level key, "
                    f"'catalog' (found: {found})",
                )
            ]
        )
    catalog = document["catalog"]
    version = str(
        (catalog.get("metadata") or {}).get("oscal-version", "")
        if isinstance(catalog, dict)
        else ""
    )
    if not READS.match(version):
        raise InvalidInput(
            [
                Problem(
                    "catalog.metadata.oscal-version",
                    f"this catalog is OSCAL {version or '(no version)'}; csms-kb reads "
                    "OSCAL 1.2 catalogs (1.2.0 and later): convert it with NIST's "
                    "oscal-cli, or export it again as OSCAL 1.2",
                )
            ]
        )
    as_read = {
        **catalog,
        "metadata": {**catalog["metadata"], "oscal-version": OSCAL_VERSION},
    }
    try:
        Catalog.model_validate(as_read)
    except ValidationError as error:
        raise InvalidInput(_faults(error)) from None
    controls = list(_controls(catalog))
    problems = [
        Problem(
            "catalog", f"the control id '{cid}' appears {n} times; ids must be unique"
        )
        for cid, n in Counter(c.control_id for c in controls).items()
        if n > 1
    ][:MAX_PROBLEMS]
    if not controls:
        problems.append(Problem("catalog", "the catalog has no controls to map to"))
    if problems:
        raise InvalidInput(problems)
    return {
        "title": catalog["metadata"]["title"],
        "version": str(catalog["metadata"]["version"]),
        "oscal_version": version,
        "uuid": catalog["uuid"],
        "controls": [
            [c.control_id, c.title, c.group_title, c.parent_id] for c in controls
        ],
    }


# A member of a union in trestle's models (a group holds groups, Group1, or controls,
# Group2): a step of pydantic's error path, not of the document.
_VARIANT = re.compile(r"^[A-Z][A-Za-z]*\d+$")
MESSAGES = {
    "missing": "required, and missing",
    "extra_forbidden": "not a field of an OSCAL 1.2 catalog",
    "too_short": "must not be empty",
}


def _faults(error: ValidationError) -> list[Problem]:
    """Each fault at its path in the document. Where a union member fails only for
    holding the other member's field, that fault is left out: the other one says
    what is wrong."""
    faults = error.errors()
    shown = [
        f
        for f in faults
        if not (
            f["type"] == "extra_forbidden"
            and any(isinstance(p, str) and _VARIANT.match(p) for p in f["loc"])
        )
    ] or faults
    out = []
    for fault in shown[:MAX_PROBLEMS]:
        steps = [
            str(p)
            for p in fault["loc"]
            if not (isinstance(p, str) and _VARIANT.match(p))
        ]
        message = MESSAGES.get(fault["type"], fault["msg"])
        out.append(Problem(".".join(["catalog", *steps]), message))
    return out


def _controls(node: dict, group_title: str = "", parent: str | None = None):
    """Every control of a catalog or group in document order, children after their
    parent."""
    for group in node.get("groups") or []:
        yield from _controls(group, group.get("title", ""))
    for control in node.get("controls") or []:
        yield Control(control["id"], control["title"], group_title, parent)
        yield from _controls(
            {"controls": control.get("controls")}, group_title, control["id"]
        )


def framework_of(session: Session, org: Organisation, catalog_uuid: str):
    return session.exec(
        select(MappedFramework).where(
            MappedFramework.organisation_id == org.id,
            MappedFramework.catalog_uuid == catalog_uuid,
        )
    ).first()


def preview(
    session: Session, org: Organisation, data: bytes, filename: str, user: User
) -> ImportRun:
    """Read the file and keep what applying it would do as an import run; nothing
    else changes. Raises InvalidInput as `read_catalog` does."""
    catalog = read_catalog(data, filename)
    plan: dict = {"catalog": catalog, "replaces": None}
    existing = framework_of(session, org, catalog["uuid"])
    if existing is not None:
        old = set(
            session.exec(
                select(FrameworkControl.control_id).where(
                    FrameworkControl.framework_id == existing.id
                )
            )
        )
        new = {c[0] for c in catalog["controls"]}
        dropped = session.exec(
            select(func.count())
            .select_from(FrameworkMapping)
            .where(
                FrameworkMapping.framework_id == existing.id,
                col(FrameworkMapping.control_id).not_in(new),
            )
        ).one()
        plan["replaces"] = {
            "id": existing.id,
            "title": existing.title,
            "version": existing.version,
            "imported_at": existing.imported_at.isoformat(),
            "added": len(new - old),
            "removed": sorted(old - new),
            "mappings_dropped": dropped,
        }
    run = ImportRun(
        organisation_id=org.id,
        kind=RUN_KIND,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        created_by=user.id,
        plan=plan,
    )
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, org: Organisation, run_id: int) -> ImportRun:
    run = session.get(ImportRun, run_id)
    if run is None or run.organisation_id != org.id or run.kind != RUN_KIND:
        raise NotFound(f"There is no catalog import {run_id} here.")
    return run


def apply(
    session: Session, org: Organisation, run: ImportRun, user: User
) -> MappedFramework:
    """Write the previewed catalog: a new framework, or the one it replaces.

    Raises Conflict when the run was applied already, or when the framework changed
    since the preview (another import of the same catalog came first).
    """
    if run.status == "applied":
        raise Conflict("This catalog was imported already.")
    catalog, replaces = run.plan["catalog"], run.plan["replaces"]
    framework = framework_of(session, org, catalog["uuid"])
    if (framework is None) != (replaces is None) or (
        framework is not None
        and framework.imported_at.isoformat() != replaces["imported_at"]
    ):
        raise Conflict(
            "The framework changed since this preview: upload the catalog again to "
            "see what it would change now."
        )
    if framework is None:
        framework = MappedFramework(
            organisation_id=org.id,
            title="",
            version="",
            oscal_version="",
            catalog_uuid=catalog["uuid"],
        )
    framework.title = catalog["title"][:500]
    framework.version = catalog["version"][:200]
    framework.oscal_version = catalog["oscal_version"]
    framework.import_run_id = run.id
    framework.imported_at = utcnow()
    session.add(framework)
    session.flush()
    keep = [c[0] for c in catalog["controls"]]
    session.execute(
        delete(FrameworkMapping).where(
            FrameworkMapping.framework_id == framework.id,
            col(FrameworkMapping.control_id).not_in(keep),
        )
    )
    session.execute(
        delete(FrameworkControl).where(FrameworkControl.framework_id == framework.id)
    )
    session.add_all(
        FrameworkControl(
            framework_id=framework.id,
            control_id=cid[:255],
            title=title[:1000],
            group_title=group[:1000],
            parent_id=parent,
            position=n,
        )
        for n, (cid, title, group, parent) in enumerate(catalog["controls"])
    )
    run.status = "applied"
    run.applied_by = user.id
    run.applied_at = utcnow()
    run.applied = len(catalog["controls"])
    session.add(run)
    session.flush()
    return framework
