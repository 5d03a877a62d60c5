"""OSCAL documents: the catalogue as catalogs (public, like the catalogue), an
assessment's profile and assessment results, and an offering's component definition.
Each is built by kb.services.oscal from compliance-trestle's models."""

from __future__ import annotations

from datetime import date

from flask import Response, g, request, url_for
from flask_login import login_required

from kb.db import get_session
from kb.models import utcnow
from kb.services import accounts
from kb.services import assessments as assessment_service
from kb.services import snapshots as snapshot_service
from kb.services.catalogue import get_item
from kb.services.oscal import assessments as oscal_assessments
from kb.services.oscal import catalog, mappings
from kb.services.oscal.offerings import component_definition
from kb.web.api import bp
from kb.web.cache import SharedLRU, cached

# Serialised catalogs by (site, part, content digest): the whole catalogue takes about
# half a second to build, and it changes only when the content is loaded again.
_catalogs = SharedLRU(16)


def _site() -> str:
    return request.host_url.rstrip("/")


def _catalog_href(part: str) -> str:
    return url_for("api.oscal_catalog_part", part=part, _external=True)


def _json(document) -> Response:
    return Response(document.oscal_serialize_json_bytes(), mimetype="application/json")


def _catalog(part: str | None) -> Response:
    """The catalog of `part`, read and built only when the content changed."""
    catalog.check_part(part)
    session = get_session()
    _changed_at, digest = catalog.loaded(session)
    key = (_site(), part, digest)
    body = _catalogs.get(key)
    if body is None:
        rows = catalog.load(session, part)
        body = catalog.build(
            rows, part, _site(), _catalog_href
        ).oscal_serialize_json_bytes()
        _catalogs.put(key, body)
    return Response(body, mimetype="application/json")


@bp.get("/oscal/catalog.json")
@cached
def oscal_catalog() -> Response:
    """The whole catalogue as one OSCAL catalog (a group per part).

    OSCAL 1.2.1 JSON; valid against NIST's catalog schema."""
    return _catalog(None)


@bp.get("/oscal/catalog/<part>.json")
@cached
def oscal_catalog_part(part: str) -> Response:
    """One part (`62443-2-4`, `62443-3-3`, ...) as an OSCAL catalog.

    Groups for its FRs, functional areas, practices or ZCR groups; a control per
    requirement with its enhancements as child controls."""
    return _catalog(part)


@bp.get("/assessments/<int:assessment_id>/oscal/profile.json")
@login_required
def oscal_profile(assessment_id: int) -> Response:
    """The OSCAL profile of an assessment: the requirements in its scope."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    items = oscal_assessments.scope(session, assessment)
    return _json(
        oscal_assessments.profile(
            assessment,
            items,
            url_for("api.oscal_catalog", _external=True),
            utcnow(),
        )
    )


@bp.get("/assessments/<int:assessment_id>/oscal/assessment-results.json")
@login_required
def oscal_results(assessment_id: int) -> Response:
    """OSCAL assessment results of an assessment now, or of one of its snapshots
    (`?snapshot=<id>`): observations and findings per requirement and per zone."""
    session = get_session()
    assessment, _access = assessment_service.get_assessment(
        session, g.user, assessment_id
    )
    if snapshot_id := request.args.get("snapshot", type=int):
        snapshot = snapshot_service.get_snapshot(session, assessment, snapshot_id)
        state, label, taken_at = snapshot.data, snapshot.label, snapshot.taken_at
    else:
        taken_at = utcnow()
        state = snapshot_service.state_of(session, assessment, date.today())
        label = f"as of {taken_at:%Y-%m-%d %H:%M} UTC"
    return _json(
        oscal_assessments.results(
            assessment,
            state,
            label,
            taken_at,
            oscal_assessments.slugs(session),
            url_for("api.oscal_profile", assessment_id=assessment.id, _external=True),
        )
    )


@bp.get("/offerings/<key>/oscal/component-definition.json")
@cached
def oscal_offering(key: str) -> Response:
    """An offering as an OSCAL component definition: the requirements it addresses,
    per part, and how fully."""
    session = get_session()
    offering = get_item(session, "offering", key)
    changed_at, _digest = catalog.loaded(session)
    return _json(
        component_definition(session, offering, _site(), _catalog_href, changed_at)
    )


@bp.get("/orgs/<slug>/frameworks/<int:framework_id>/oscal/mapping-collection.json")
@login_required
def oscal_mappings(slug: str, framework_id: int) -> Response:
    """The requirements an organisation mapped to a framework it imported, as an
    OSCAL mapping collection (our catalog the source, theirs the target)."""
    session = get_session()
    access = accounts.org_access(session, g.user, slug)
    framework = mappings.get_framework(session, access.org, framework_id)
    return _json(
        mappings.mapping_collection(
            session, framework, url_for("api.oscal_catalog", _external=True)
        )
    )
