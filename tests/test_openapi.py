"""The OpenAPI description: valid OpenAPI 3.1, complete (every route of the URL map),
true (real responses match their schemas), and readable as a page."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from kb.services import tokens
from tests.test_tenancy import url_for_rule
from tests.test_workbooks import api_upload, edited, export


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/api/v1/openapi.json").json


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_api_route_is_described_with_a_summary(app, document):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = document["paths"].get(path, {}).get(method.lower())
            assert operation, f"{method} {rule.rule} is missing from openapi.json"
            assert operation["summary"], f"{method} {rule.rule} has no docstring"


def test_request_bodies_come_from_the_models_that_validate_them(document):
    create = document["paths"]["/api/v1/orgs/{slug}/assessments"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert body["additionalProperties"] is False
    assert body["properties"]["parts"]["items"]["enum"] == [
        "62443-2-4",
        "62443-2-1",
        "62443-3-2",
        "62443-3-3",
        "62443-4-1",
        "62443-4-2",
    ]
    current = document["components"]["schemas"]["ScoreBody"]["properties"]["current"]
    assert current["anyOf"][0] == {"maximum": 4, "minimum": 0, "type": "integer"}


# Every operation that declares a response model, with a request that exercises it: a
# JSON body, or a function that makes the request itself.
def _import_preview(client, world):
    data = edited(export(client, world).data, {("SP.09.02 BR", "Owner"): "Priya"})
    return api_upload(client, world, data)


CALLS = {
    ("get", "/api/v1/orgs"): None,
    ("get", "/api/v1/orgs/{slug}/assessments"): None,
    ("post", "/api/v1/orgs/{slug}/assessments"): {
        "name": "FY27",
        "parts": ["62443-2-4"],
    },
    ("get", "/api/v1/orgs/{slug}/audit"): None,
    ("get", "/api/v1/orgs/{slug}/evidence"): None,
    ("post", "/api/v1/orgs/{slug}/evidence"): {
        "type": "EV-ACCOUNT-REGISTER",
        "title": "Account list",
        "url": "https://intranet.example/accounts",
    },
    ("get", "/api/v1/orgs/{slug}/evidence/{evidence_id}"): None,
    ("get", "/api/v1/assessments/{assessment_id}"): None,
    ("patch", "/api/v1/assessments/{assessment_id}"): {"name": "Renamed"},
    ("get", "/api/v1/assessments/{assessment_id}/scores"): None,
    ("get", "/api/v1/assessments/{assessment_id}/scores/{key}"): None,
    ("put", "/api/v1/assessments/{assessment_id}/scores/{key}"): {
        "version": 0,
        "current": 2,
        "due": "2027-03-31",
    },
    ("post", "/api/v1/assessments/{assessment_id}/scores/{key}/evidence"): "evidence",
    ("post", "/api/v1/assessments/{assessment_id}/scores/bulk"): {
        "rows": [{"requirement": "SP.12.05 BR", "version": 0, "target": 3}]
    },
    ("get", "/api/v1/assessments/{assessment_id}/history"): None,
    ("get", "/api/v1/assessments/{assessment_id}/rollups"): None,
    ("get", "/api/v1/assessments/{assessment_id}/snapshots"): None,
    ("post", "/api/v1/assessments/{assessment_id}/snapshots"): {"label": "Board"},
    ("get", "/api/v1/assessments/{assessment_id}/zones"): None,
    ("post", "/api/v1/assessments/{assessment_id}/zones"): {
        "name": "Safety zone",
        "kind": "zone",
        "sl_t": "SL-T = {2 2 0 1 3 1 3}",
    },
    ("get", "/api/v1/zones/{zone_id}"): None,
    ("put", "/api/v1/zones/{zone_id}/requirements/{key}"): {"state": "met"},
    ("get", "/api/v1/zones/{zone_id}/risks"): None,
    ("post", "/api/v1/zones/{zone_id}/risks"): {
        "title": "Contractor laptop brings malware",
        "source": "simple",
        "frs": [3],
        "consequence": 3,
        "likelihood": 4,
        "residual_consequence": 3,
        "residual_likelihood": 3,
        "countering_srs": ["SR 1.1"],
    },
    ("get", "/api/v1/zones/{zone_id}/slt-suggestion"): None,
    ("get", "/api/v1/assessments/{assessment_id}/components"): None,
    ("post", "/api/v1/assessments/{assessment_id}/components"): {
        "name": "Line switch",
        "type": "network device",
        "sl_t": "{2 2 1 1 2 1 2}",
    },
    ("get", "/api/v1/components/{component_id}"): None,
    ("put", "/api/v1/components/{component_id}/requirements/{key}"): {"state": "met"},
    ("post", "/api/v1/assessments/{assessment_id}/imports"): _import_preview,
    ("post", "/api/v1/assessments/{assessment_id}/imports/{run_id}/apply"): {},
    ("get", "/api/v1/assessments/{assessment_id}/proposal"): None,
    ("get", "/api/v1/offerings"): None,
    ("get", "/api/v1/offerings/{key}"): None,
    ("get", "/api/v1/offerings/matrix"): None,
}
KEYS = {
    "/api/v1/zones/{zone_id}/requirements/{key}": "SR 1.1",
    "/api/v1/components/{component_id}/requirements/{key}": "EDR 2.13",
    "/api/v1/offerings/{key}": "off-iam",
}


@pytest.mark.parametrize("through", ["session", "token"])
def test_real_responses_match_their_schemas(
    document, world, login, org_client, db, through
):
    """Every documented route, through a session and through a token (the session
    stays for the workbook export the import needs; API requests go by the token)."""
    login("admin@acme.test")
    if through == "token":
        secret = tokens.create_token(db, world["admin"], "openapi", 1)[1]
        db.commit()
        org_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    documented = {
        (method, path)
        for path, methods in document["paths"].items()
        for method, op in methods.items()
        if any(
            "$ref"
            in response.get("content", {}).get("application/json", {}).get("schema", {})
            for code, response in op["responses"].items()
            if code.startswith("2")
        )
    }
    assert documented == set(CALLS), "give each documented response a call here"
    for (method, path), body in CALLS.items():
        rule = re.sub(r"\{(\w+)\}", r"<\1>", path)
        url = url_for_rule(rule, world)
        if path in KEYS:
            url = url.replace("sp-09-02-br", KEYS[path])
        if callable(body):
            response = body(org_client, world)
        elif body == "evidence":
            response = org_client.open(
                url, method=method, json={"evidence_id": world["evidence"].id}
            )
        else:
            response = org_client.open(url, method=method, json=body)
        operation = document["paths"][path][method]
        status = next(code for code in operation["responses"] if code.startswith("2"))
        assert response.status_code == int(status), (path, response.text[:300])
        schema = operation["responses"][status]["content"]["application/json"]["schema"]
        validator = Draft202012Validator(
            schema | {"components": document["components"]}
        )
        errors = [e.message for e in validator.iter_errors(response.json)]
        assert errors == [], (method, path, errors)


def test_problems_match_the_problem_schema(document, world, login, org_client):
    login("ed@acme.test")
    response = org_client.post(
        "/api/v1/orgs/acme-water/assessments", json={"name": "", "parts": []}
    )
    assert response.status_code == 422
    schema = {"$ref": "#/components/schemas/ProblemOut"}
    validator = Draft202012Validator(schema | {"components": document["components"]})
    assert list(validator.iter_errors(response.json)) == []


def test_the_docs_page_lists_every_route(app, document):
    page = app.test_client().get("/api/v1/docs").text
    for path, methods in document["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}" in page
