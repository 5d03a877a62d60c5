"""Every route of an organisation refuses outsiders, and viewers on every write."""

from __future__ import annotations

import pytest

from tests.conftest import Login, build_world, loaded_app, make_app, session_for

# URL variables that name an organisation or something inside one. The sweep takes every
# route that has one, whatever its blueprint, so a new route is covered the day it lands.
TENANT_ARGS = {
    "slug",
    "assessment_id",
    "evidence_id",
    "zone_id",
    "component_id",
    "scenario_id",
    "snapshot_id",
    "run_id",
    "framework_id",
    "mapping_id",
}


def org_rules():
    """(rule, endpoint, method) for every route that names an organisation's data."""
    app = make_app_for_listing()
    for rule in app.url_map.iter_rules():
        if rule.arguments & TENANT_ARGS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.rule, rule.endpoint, method


def make_app_for_listing():
    import tempfile
    from pathlib import Path

    return make_app(Path(tempfile.mkdtemp()))


ROUTES = list(org_rules())


# Refused requests change nothing, so one app and one world serve the whole module.
@pytest.fixture(scope="module")
def tenancy_app(tmp_path_factory):
    return loaded_app(tmp_path_factory.mktemp("tenancy"))


@pytest.fixture(scope="module")
def world(tenancy_app):
    with session_for(tenancy_app) as db:
        return build_world(db)


@pytest.fixture(scope="module")
def clients(tenancy_app, world):
    """One logged-in client per person, and an anonymous one."""
    out = {"anonymous": tenancy_app.test_client()}
    for name, email in (("stranger", "boss@other.test"), ("viewer", "vi@acme.test")):
        out[name] = tenancy_app.test_client()
        assert Login(out[name])(email).status_code == 303
    return out


def url_for_rule(rule: str, world) -> str:
    values = {
        "slug": world["acme"].slug,
        "assessment_id": world["assessment"].id,
        "user_id": world["editor"].id,
        "evidence_id": world["evidence"].id,
        "zone_id": world["zone"].id,
        "component_id": world["component"].id,
        "scenario_id": world["scenario"].id,
        "number": 1,
        "snapshot_id": world["snapshot"].id,
        "run_id": world["run"].id,
        "framework_id": world["framework"].id,
        "mapping_id": world["mapping"].id,
        "key": "sp-09-02-br",
    }
    for name, value in values.items():
        rule = rule.replace(f"<int:{name}>", str(value)).replace(
            f"<{name}>", str(value)
        )
    return rule


FORM = {
    "name": "x",
    "parts": "62443-2-4",
    "version": "0",
    "status": "in progress",
    "role": "admin",
    "email": "x@acme.test",
    "password": "long-enough-password",
    "group": "CA-02",
    "target": "2",
    "archived": "1",
    "applicable": "true",
}


def test_the_sweep_covers_the_routes():
    endpoints = {endpoint for _rule, endpoint, _method in ROUTES}
    assert {
        "orgs.assessments",
        "orgs.members",
        "orgs.add_member",
        "assessments.show",
        "scores.update",
        "assessments.history",
        "assessments.duplicate",
        "scores.link_evidence",
        "evidence_items.index",
        "evidence_items.file",
        "evidence_items.retire",
        "api.evidence_list",
        "api.evidence_create",
        "api.evidence_link",
        "zones.index",
        "zones.show",
        "zones.set_state",
        "zones.diagram",
        "components.index",
        "components.show",
        "components.set_state",
        "risks.index",
        "risks.zone",
        "risks.add_scenario",
        "risks.update_scenario",
        "risks.decide",
        "risks.matrix",
        "crs.draft",
        "crs.approve",
        "crs.version",
        "crs.workbook",
        "api.zones_create",
        "api.zone_show",
        "api.zone_state",
        "api.rollups",
        "dashboard.show",
        "snapshots.index",
        "snapshots.show",
        "snapshots.compare",
        "api.snapshots",
        "workbooks.export",
        "imports.upload",
        "imports.run",
        "imports.apply",
        "imports.table",
        "imports.columns",
        "workbooks.cirmp_workbook",
        "workbooks.cirmp_page",
        "workbooks.organisation",
        "workbooks.evidence",
        "imports.evidence_table",
        "imports.evidence_columns",
        "imports.evidence_run",
        "imports.evidence_apply",
        "proposals.show",
        "proposals.workbook",
        "api.proposal",
        "api.org_assessments",
        "api.org_assessment_create",
        "api.org_audit",
        "api.assessment",
        "api.assessment_update",
        "api.scores",
        "api.score",
        "api.score_update",
        "api.scores_bulk",
        "api.history",
        "orgs.audit_log",
        "frameworks.index",
        "frameworks.run",
        "frameworks.apply",
        "frameworks.show",
        "frameworks.add_mapping",
        "frameworks.remove_mapping",
        "api.oscal_profile",
        "api.oscal_results",
        "api.oscal_mappings",
    } <= endpoints


def test_every_route_under_an_organisation_or_assessment_is_swept():
    app = make_app_for_listing()
    swept = {rule for rule, _endpoint, _method in ROUTES}
    for rule in app.url_map.iter_rules():
        if any(f"/{area}/<" in rule.rule for area in ("orgs", "assessments", "zones")):
            assert rule.rule in swept, f"{rule.rule} names its tenant in a new way"


@pytest.mark.parametrize(("rule", "endpoint", "method"), ROUTES)
def test_a_member_of_another_organisation_gets_404_and_sees_nothing(
    world, clients, rule, endpoint, method
):
    response = clients["stranger"].open(
        url_for_rule(rule, world), method=method, data=FORM
    )
    assert response.status_code == 404, endpoint
    for secret in ("Acme", "acme-water", "FY26", "ed@acme.test"):
        assert secret not in response.text


@pytest.mark.parametrize(
    ("rule", "endpoint", "method"), [r for r in ROUTES if r[2] == "POST"]
)
def test_a_viewer_is_refused_every_write(world, clients, rule, endpoint, method):
    response = clients["viewer"].open(
        url_for_rule(rule, world), method=method, data=FORM
    )
    assert response.status_code == 403, endpoint
    assert "needs the" in response.text


@pytest.mark.parametrize(("rule", "endpoint", "method"), ROUTES)
def test_anonymous_is_sent_to_login(world, clients, rule, endpoint, method):
    response = clients["anonymous"].open(
        url_for_rule(rule, world), method=method, data=FORM
    )
    if rule.startswith("/api/"):
        assert response.status_code == 401
        assert "Log in" in response.json["detail"]
    else:
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/orgs/other-co/evidence/{id}",
        "/orgs/other-co/evidence/{id}/file",
        "/orgs/other-co/evidence/{id}/edit",
        "/orgs/other-co/evidence/000{id}",
        "/api/v1/orgs/other-co/evidence/{id}",
    ],
)
def test_another_organisations_evidence_id_is_404_under_ones_own_slug(
    world, clients, path
):
    response = clients["stranger"].get(path.format(id=world["evidence"].id))
    assert response.status_code == 404
    assert "Acme" not in response.text and "secret-plan" not in response.text


def test_another_organisations_item_cannot_be_linked_to_ones_own_row(
    tenancy_app, world, clients
):
    theirs = world["theirs"].id
    response = clients["stranger"].post(
        f"/assessments/{theirs}/scores/sp-09-02-br/evidence",
        data={"evidence_id": world["evidence"].id},
    )
    assert response.status_code == 404
    api = clients["stranger"].post(
        f"/api/v1/assessments/{theirs}/scores/sp-09-02-br/evidence",
        json={"evidence_id": world["evidence"].id},
    )
    assert api.status_code == 404


def test_org_list_shows_only_the_users_organisations(clients):
    page = clients["stranger"].get("/orgs/").text
    assert "Other Co" in page and "Acme" not in page


def test_viewer_reads_but_sees_no_edit_controls(world, clients):
    page = clients["viewer"].get(f"/assessments/{world['assessment'].id}")
    assert page.status_code == 200
    assert "/edit" not in page.text and "Target for all of" not in page.text


# -- the same sweep through API tokens ---------------------------------------------------


@pytest.fixture(scope="module")
def tokens_of(tenancy_app, world):
    """A live API token for the stranger and for Acme's viewer."""
    from kb.services import tokens

    with session_for(tenancy_app) as db:
        made = {
            name: tokens.create_token(db, world[name], "sweep", 1)[1]
            for name in ("stranger", "viewer")
        }
        db.commit()
    return made


def token_request(tenancy_app, world, rule, method, secret):
    return tenancy_app.test_client().open(
        url_for_rule(rule, world),
        method=method,
        data=FORM,
        headers={"Authorization": f"Bearer {secret}"},
    )


@pytest.mark.parametrize(("rule", "endpoint", "method"), ROUTES)
def test_another_organisations_token_gets_404_or_no_way_in(
    tenancy_app, world, tokens_of, rule, endpoint, method
):
    response = token_request(tenancy_app, world, rule, method, tokens_of["stranger"])
    if rule.startswith("/api/"):
        assert response.status_code == 404, endpoint
        for secret in ("Acme", "acme-water", "FY26", "ed@acme.test"):
            assert secret not in response.text
    else:  # a token opens the API only: a page sends it to the login form
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("rule", "endpoint", "method"),
    [r for r in ROUTES if r[0].startswith("/api/") and r[2] != "GET"],
)
def test_a_viewers_token_is_refused_every_write(
    tenancy_app, world, tokens_of, rule, endpoint, method
):
    response = token_request(tenancy_app, world, rule, method, tokens_of["viewer"])
    assert response.status_code == 403, endpoint
    assert "needs the" in response.json["detail"]
