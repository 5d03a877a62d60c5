"""The real catalogue in content/: it passes the checker and matches the reference ids."""

from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest

from kb.config import ROOT
from kb.content.kinds import Requirement
from kb.content.loader import read_tree
from tests.conftest import DATA

REFERENCE = json.loads((DATA / "reference_ids.json").read_text())


@pytest.fixture(scope="module")
def catalogue():
    return read_tree(ROOT / "content")


def test_real_content_passes_kb_check(catalogue):
    assert [str(problem) for problem in catalogue.problems] == []


@pytest.mark.parametrize("part", sorted(REFERENCE))
def test_catalogue_ids_match_the_reference_for_each_part(catalogue, part):
    """Every id of the reference is there and no other (2-1 compares its 2024 edition)."""
    ids = defaultdict(set)
    for entry in catalogue.entries:
        model = entry.model
        if isinstance(model, Requirement) and model.kind_of_item != "group":
            if model.part != "62443-2-1" or model.edition == "2024":
                ids[model.part].add(model.id)
    expected = set(REFERENCE[part])
    assert sorted(expected - ids[part]) == [], "missing"
    assert sorted(ids[part] - expected) == [], "extra"


def test_every_2_1_2024_page_is_provisional(catalogue):
    pages = [
        e.model
        for e in catalogue.entries
        if isinstance(e.model, Requirement) and e.model.edition == "2024"
    ]
    assert pages and all(page.provisional for page in pages)


@pytest.fixture
def real_client(real_app):
    return real_app.test_client()


@pytest.mark.parametrize("part", sorted(REFERENCE))
def test_api_counts_match_the_reference(real_client, part):
    rows = real_client.get(f"/api/v1/requirements?part={part}").json["requirements"]
    scored = [
        r
        for r in rows
        if r["type"] != "group" and (part != "62443-2-1" or r["edition"] == "2024")
    ]
    assert len(scored) == len(REFERENCE[part])


def test_every_requirement_page_carries_the_planning_notice(real_client):
    rows = real_client.get("/api/v1/requirements").json["requirements"]
    for row in rows[:: max(1, len(rows) // 40)]:
        page = real_client.get(row["url"])
        assert page.status_code == 200
        assert "planning summary" in page.text


def test_2_4_and_2_1_pages_show_derived_crosswalks(real_app):
    client = real_app.test_client()
    for key in ("SP.09.07 BR", "USER 1.13"):
        body = client.get(f"/api/v1/requirements/{key}").json
        frameworks = {c["framework"] for c in body["crosswalks"]}
        assert {"nist-csf", "iso-27001"} <= frameworks, (key, frameworks)
        assert {c["basis"] for c in body["crosswalks"]} == {"derived"}
        assert {c["relation"] for c in body["crosswalks"]} == {"related"}


def test_every_cr_with_a_3_3_counterpart_links_it_both_ways(catalogue):
    """`CR 3.2` relates to `SR 3.2` and `SR 3.2` back to `CR 3.2`; the CRs new in
    62443-4-2 say that they have no counterpart."""
    models = {
        e.model.id: e
        for e in catalogue.entries
        if isinstance(e.model, Requirement) and e.model.kind_of_item != "group"
    }
    crs = [k for k in models if re.fullmatch(r"CR \d+\.\d+", k)]
    assert len(crs) == 58
    for cr in crs:
        sr = "SR" + cr[2:]
        if sr in models:
            assert sr in models[cr].model.related, cr
            assert cr in models[sr].model.related, sr
        else:
            assert "no counterpart" in models[cr].doc.body, cr


def test_component_type_items_specialise_their_cr(catalogue):
    """`EDR 3.10` relates to `CR 3.10`, sits under the EDR group, and applies from the
    CR's level."""
    models = {e.model.id: e.model for e in catalogue.entries}
    typed = [k for k in models if re.match(r"(SAR|EDR|HDR|NDR) \d", k)]
    assert len(typed) == 30
    for key in typed:
        prefix, number = key.split(" ")
        item, cr = models[key], models[f"CR {number}"]
        assert item.parent == prefix and f"CR {number}" in item.related, key
        assert item.levels.sl == cr.levels.sl, key
