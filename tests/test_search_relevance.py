"""Relevance on the real catalogue: what a person types, and what must come first."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(real_app):
    client = real_app.test_client()
    return lambda q, **p: client.get("/api/v1/search", query_string={"q": q, **p}).json


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("SR 1.1", "SR 1.1"),
        ("sr1.1", "SR 1.1"),
        ("SR 1.1 RE(1)", "SR 1.1 RE(1)"),
        ("sr 1.1 re 1", "SR 1.1 RE(1)"),
        ("SP.09.02", "SP.09.02 BR"),
        ("sp 9.2", "SP.09.02 BR"),
        ("SP.12.05 BR", "SP.12.05 BR"),
        ("ZCR 3", "ZCR 3"),
        ("zcr 5.6", "ZCR 5.6"),
        ("user 1.7", "USER 1.7"),
        ("4.3.3.5", "4.3.3.5"),
        ("fr 3", "FR 3"),
        ("session lock", "SR 2.5"),
        ("penetration testing", "OFF-PENTEST"),
        ("default passwords", "SP.09.07 BR"),
        ("backup restore test", "AVAIL 2.5"),  # the requirement before its record
        ("patch qualification", "SP.11.01 BR"),
        ("patch qualification record", "EV-PATCH-QUALIFICATION"),  # its exact title
        ("background checks", "ORG 1.2"),
        ('"zone and conduit"', "ZCR 3"),
        ("sm-1", "SM-1"),
        ("svv 4", "SVV-4"),
        ("CR 3.14", "CR 3.14"),
        ("cr 1.1 re 2", "CR 1.1 RE(2)"),
        ("edr 3.10", "EDR 3.10"),
        ("ccsc 4", "CCSC 4"),
        ("security update qualification", "SUM-1"),  # its exact title
        ("software bill of materials", "EV-SBOM"),
    ],
)
def test_what_a_person_types_finds_its_item_first(api, query, first):
    assert api(query)["hits"][0]["id"] == first


def test_an_id_brings_its_enhancements_next(api):
    ids = [hit["id"] for hit in api("SR 1.1")["hits"]]
    assert ids[:4] == ["SR 1.1", "SR 1.1 RE(1)", "SR 1.1 RE(2)", "SR 1.1 RE(3)"]


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("pasword", "password"),
        ("malwere", "malware"),
        ("segmantation ", "segmentation"),
    ],
)
def test_a_one_edit_typo_runs_the_word_meant(api, typo, meant):
    body = api(typo)
    assert body["query"] == meant and body["corrected_from"] == typo.strip()
    assert body["total"] > 0


def test_facets_narrow_to_a_part(api):
    body = api("remote access", part="62443-3-3")
    assert body["total"] > 0 and {h["kind"] for h in body["hits"]} == {"requirement"}
    assert all(h["url"].startswith("/requirements/sr-") for h in body["hits"])


def test_the_quick_box_puts_a_title_being_typed_first(real_app):
    client = real_app.test_client()
    quick = client.get(
        "/search/?q=account+regist&quick=1", headers={"HX-Request": "true"}
    ).text
    first = quick.split('<li role="option">', 2)[1]
    assert "EV-ACCOUNT-REGISTER" in first
