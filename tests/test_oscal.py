"""OSCAL exports: every document validates against NIST's published JSON schema for its
model and version (build/oscal-schemas, fetched by `make test`), the catalog survives a
round trip through compliance-trestle, and each document says what a person recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jsonschema_rs
import pytest
from trestle.oscal import OSCAL_VERSION
from trestle.oscal.catalog import Catalog

SCHEMAS = Path(__file__).parent.parent / "build" / "oscal-schemas"


@cache
def validator(model: str):
    path = SCHEMAS / f"oscal_{model}_schema.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: `make test` fetches NIST's OSCAL schemas")
    return jsonschema_rs.validator_for(
        json.loads(path.read_text()), validate_formats=True
    )


def assert_valid(document: dict, model: str) -> None:
    faults = [
        f"{'/'.join(map(str, e.instance_path))}: {e.message[:200]}"
        for e in validator(model).iter_errors(document)
    ]
    assert faults == []


def controls_of(node: dict) -> list[dict]:
    """Every control under a catalog or group, child controls included."""
    out = []
    for group in node.get("groups", []):
        out += controls_of(group)
    for control in node.get("controls", []):
        out += [control, *controls_of(control)]
    return out


def label(control: dict) -> str:
    return next(p["value"] for p in control["props"] if p["name"] == "label")


def test_the_schemas_are_nists_for_the_version_trestle_writes():
    for model in ("catalog", "profile", "assessment-results", "component"):
        schema = json.loads((SCHEMAS / f"oscal_{model}_schema.json").read_text())
        assert f"/oscal/{OSCAL_VERSION}/" in schema["$id"]
        assert schema["$id"].startswith("http://csrc.nist.gov/ns/oscal/")


def test_the_real_catalogue_is_a_valid_catalog_that_loses_no_control(real_app):
    client = real_app.test_client()
    whole = client.get("/api/v1/oscal/catalog.json")
    assert whole.status_code == 200
    assert_valid(whole.json, "catalog")
    catalog = whole.json["catalog"]
    assert catalog["metadata"]["oscal-version"] == OSCAL_VERSION
    listed = client.get("/api/v1/requirements?limit=1000").json
    requirements = {r["id"] for r in listed["requirements"] if r.get("type") != "group"}
    assert {label(c) for c in controls_of(catalog)} == requirements
    # through compliance-trestle's models and back: every control, id and title kept
    again = json.loads(Catalog.model_validate(catalog).oscal_serialize_json())[
        "catalog"
    ]
    assert [(c["id"], c["title"]) for c in controls_of(again)] == [
        (c["id"], c["title"]) for c in controls_of(catalog)
    ]
    assert [g["title"] for g in catalog["groups"]] == [
        "IEC 62443-2-4 service provider requirements",
        "IEC 62443-2-1:2024 security programme elements",
        "IEC 62443-3-3 system requirements, per zone and conduit",
        "IEC 62443-3-2 zone, conduit and risk assessment",
        "IEC 62443-4-1 secure product development lifecycle",
        "IEC 62443-4-2 component requirements, per component",
    ]


def test_a_part_is_its_own_catalog_with_groups_levels_and_links(real_app):
    client = real_app.test_client()
    part = client.get("/api/v1/oscal/catalog/62443-3-3.json")
    assert_valid(part.json, "catalog")
    catalog = part.json["catalog"]
    assert [g["id"] for g in catalog["groups"]] == [f"fr-{n}" for n in range(1, 8)]
    sr = next(c for c in controls_of(catalog) if label(c) == "SR 1.1")
    props = {(p["name"], p["value"]) for p in sr["props"]}
    assert {("security-level", "1"), ("foundational-requirement", "FR 1")} <= props
    assert [label(c) for c in sr["controls"]][:1] == ["SR 1.1 RE(1)"]
    parts = {p["name"]: p for p in sr["parts"]}
    assert parts["overview"]["prose"].startswith("Every place where a person")
    links = {(link["rel"], link["href"]) for link in sr["links"]}
    assert ("related", "#sr-1-3") in links
    # a requirement of another part is in that part's catalog
    assert (
        "related",
        "http://localhost/api/v1/oscal/catalog/62443-4-2.json#cr-1-1",
    ) in links
    resources = {r["uuid"]: r for r in catalog["back-matter"]["resources"]}
    evidence = [resources[h[1:]] for rel, h in links if rel == "evidence-type"]
    assert "Account register" in {r["title"] for r in evidence}
    notice = catalog["back-matter"]["resources"][0]
    assert "not the text of the standards" in notice["description"]


def test_process_requirements_carry_their_maturity_levels(real_app):
    catalog = real_app.test_client().get("/api/v1/oscal/catalog/62443-2-4.json").json
    control = next(
        c for c in controls_of(catalog["catalog"]) if label(c) == "SP.03.01 BR"
    )
    levels = next(p for p in control["parts"] if p["name"] == "maturity-levels")
    assert [p["title"] for p in levels["parts"]] == ["ML 1", "ML 2", "ML 3", "ML 4"]
    assert "documented method" in levels["parts"][1]["prose"]


def test_an_unknown_part_is_404_naming_the_parts(client):
    missing = client.get("/api/v1/oscal/catalog/62443-9-9.json")
    assert missing.status_code == 404
    assert "62443-2-4" in missing.json["detail"]


def test_the_profile_selects_the_assessments_scope(world, login, org_client):
    login("vi@acme.test")
    aid = world["assessment"].id
    profile = org_client.get(f"/api/v1/assessments/{aid}/oscal/profile.json").json
    assert_valid(profile, "profile")
    (imported,) = profile["profile"]["imports"]
    assert imported["href"] == "http://localhost/api/v1/oscal/catalog.json"
    register = org_client.get(f"/api/v1/assessments/{aid}/scores?limit=1000").json
    scoped = {s["requirement"] for s in register["scores"]}
    catalog = org_client.get("/api/v1/oscal/catalog.json").json["catalog"]
    by_token = {c["id"]: label(c) for c in controls_of(catalog)}
    (selection,) = imported["include-controls"]
    assert {by_token[t] for t in selection["with-ids"]} == scoped


def test_assessment_results_say_what_was_recorded_now_and_in_a_snapshot(
    world, login, org_client
):
    login("ed@acme.test")
    aid = world["assessment"].id
    base = f"/api/v1/assessments/{aid}"
    saved = org_client.put(
        f"{base}/scores/SP.12.05 BR", json={"version": 0, "current": 1, "target": 3}
    )
    assert saved.status_code == 200
    org_client.put(
        f"/api/v1/zones/{world['zone'].id}/requirements/SR 1.1",
        json={"state": "met"},
    )
    component = world["component"].id
    marked = org_client.put(
        f"/api/v1/components/{component}/requirements/CR 1.1",
        json={"state": "not met"},
    )
    assert marked.status_code == 200
    now = org_client.get(f"{base}/oscal/assessment-results.json").json
    assert_valid(now, "assessment-results")
    (result,) = now["assessment-results"]["results"]
    findings = {f["title"]: f for f in result["findings"]}
    gap = findings["SP.12.05 BR"]
    assert gap["target"]["status"]["state"] == "not-satisfied"
    assert gap["description"] == "Current ML 1, target ML 3; not started."
    assert findings["SR 1.1"]["target"]["status"]["state"] == "satisfied"
    observations = {o["uuid"]: o for o in result["observations"]}
    seen = observations[gap["related-observations"][0]["observation-uuid"]]
    assert {(p["name"], p["value"]) for p in seen["props"]} >= {
        ("current-level", "1"),
        ("target-level", "3"),
    }
    zone = org_client.get(f"/api/v1/zones/{world['zone'].id}").json
    vectors = {(p["name"], p["value"]) for p in result["props"]}
    assert findings["CR 1.1"]["target"]["status"]["state"] == "not-satisfied"
    assert (
        findings["CR 1.1"]["description"] == "Component Acme secret-plan PLC: not met"
    )
    held = org_client.get(f"/api/v1/components/{component}").json
    for which in ("sl_t", "sl_c"):
        written = "{" + " ".join(map(str, held[which])) + "}"
        name = f"component-{which.replace('_', '-')}"
        assert (name, f"Acme secret-plan PLC {written}") in vectors
    for which in ("sl_t", "sl_a"):
        written = "{" + " ".join(map(str, zone[which])) + "}"
        assert (
            f"zone-{which.replace('_', '-')}",
            f"Acme secret-plan zone {written}",
        ) in vectors

    # the world's snapshot was taken before these changes: it still says so
    sid = world["snapshot"].id
    then = org_client.get(f"{base}/oscal/assessment-results.json?snapshot={sid}").json
    assert_valid(then, "assessment-results")
    (old,) = then["assessment-results"]["results"]
    assert old["title"] == "Acme FY26 baseline: Acme secret-plan"
    assert "SP.12.05 BR" not in {f["title"] for f in old.get("findings", [])}
    assert old["start"].startswith(world["snapshot"].taken_at.date().isoformat())
    other = org_client.get(f"{base}/oscal/assessment-results.json?snapshot=999999")
    assert other.status_code == 404


def test_an_offering_is_a_component_definition(client):
    response = client.get(
        "/api/v1/offerings/OFF-PENTEST/oscal/component-definition.json"
    )
    assert_valid(response.json, "component")
    (component,) = response.json["component-definition"]["components"]
    assert component["type"] == "service"
    offering = client.get("/api/v1/offerings/OFF-PENTEST").json
    implemented = {
        (
            label(r),
            next(p["value"] for p in r["props"] if p["name"] == "coverage"),
        )
        for ci in component["control-implementations"]
        for r in ci["implemented-requirements"]
    }
    assert implemented == {
        (a["requirement"], a["coverage"]) for a in offering["addresses"]
    }
    sources = [ci["source"] for ci in component["control-implementations"]]
    assert all(s.startswith("http://localhost/api/v1/oscal/catalog/") for s in sources)


def test_a_kept_catalog_carries_the_address_it_was_asked_at(client):
    """Anonymous catalogue responses are kept; an OSCAL catalog's links are absolute,
    so each host name gets its own."""
    for host in ("kb.example", "kb.example.org", "kb.example"):
        catalog = client.get(
            "/api/v1/oscal/catalog/62443-3-3.json", base_url=f"http://{host}"
        ).json["catalog"]
        sr = next(c for c in controls_of(catalog) if label(c) == "SR 1.1")
        page = next(link["href"] for link in sr["links"] if link["rel"] == "alternate")
        assert page == f"http://{host}/requirements/sr-1-1"


def test_a_persons_text_is_put_on_one_line():
    from kb.services.oscal.common import metadata, prop

    assert prop("owner", "  Priya\n  and Sam ").value == "Priya and Sam"
    assert metadata("Site\nA: Q3", "1", datetime.now(UTC)).title == "Site A: Q3"
