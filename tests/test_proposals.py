"""A client's proposal, worked by hand on the fixture catalogue.

Gaps: SP.09.02 BR at 1 of 3 (2 levels), SP.12.05 BR at 2 of 3 (1), and the world's
zone, whose SL-T for FR 1 is 2 with nothing met (SL-A 0: 2 levels); 5 in all.
OFF-IAM covers SP.09.02 BR fully (2) and SR 1.1 fully, which lifts FR 1 to SL-A 1
(SR 1.1 RE(1), needed at SL 2, is only partial): 3 alone. OFF-PENTEST covers
SP.09.02 BR partly (1 alone) and only supports SR 1.1. Ranked: OFF-IAM closes 3;
then OFF-PENTEST adds nothing (SP.09.02 BR is already closed), so the list stops.
SP.12.05 BR has no offering."""

from __future__ import annotations

import io

from bs4 import BeautifulSoup
from openpyxl import load_workbook

from tests.test_dashboard import score
from tests.test_snapshots import score as versioned_score


def gaps_set(world, login, org_client) -> int:
    login("ed@acme.test")
    aid = world["assessment"].id
    assert score(org_client, aid, "sp-09-02-br", "1", "3").status_code == 303
    assert score(org_client, aid, "sp-12-05-br", "2", "3").status_code == 303
    return aid


def test_the_proposal_ranks_offerings_with_the_running_total(world, login, org_client):
    aid = gaps_set(world, login, org_client)
    page = BeautifulSoup(
        org_client.get(f"/assessments/{aid}/proposal").text, "html.parser"
    )
    steps = [
        [c.get_text(" ", strip=True) for c in row.select("td, th")]
        for row in page.select("table.steps tbody tr")
    ]
    assert [s[:5] for s in steps] == [
        ["1", "OFF-IAM Identity and Access Management Service", "3", "3", "60%"]
    ]
    assert "SP.09.02 BR" in steps[0][5] and "FR 1 IAC (+1)" in steps[0][5]
    gaps = {
        row.th.get_text(" ", strip=True): [
            td.get_text(" ", strip=True) for td in row.select("td")
        ]
        for row in page.select("table.proposal-gaps tbody tr")
    }
    sp09 = gaps["SP.09.02 BR Unique user accounts maturity"]
    assert sp09[:3] == ["1", "3", "2"]
    assert "Identity and Access Management Service : full · closes 2" in sp09[3]
    assert "Penetration Testing : partial · closes 1" in sp09[3]
    zone = next(
        v for k, v in gaps.items() if k.startswith("Acme secret-plan zone : FR 1 IAC")
    )
    assert zone[:3] == ["0", "2", "2"]
    assert "SR 1.1 full" in zone[3] and "SR 1.1 RE(1) partial" in zone[3]
    sp12 = next(v for k, v in gaps.items() if k.startswith("SP.12.05 BR"))
    assert sp12[3] == "None: stays with the client"
    figures = {
        d.dt.get_text(): d.dd.get_text(" ", strip=True)
        for d in page.select("dl.figures div")
    }
    assert figures["Gap in levels"] == "5"
    assert figures["Closed by the suggestion"] == "3 60%"
    assert figures["No offering addresses"] == "1"
    assert (
        "partial coverage raises the level by 1" in page.select_one("p.lede").get_text()
    )


def test_the_proposal_api_and_workbook_say_the_same(world, login, org_client):
    aid = gaps_set(world, login, org_client)
    found = org_client.get(f"/api/v1/assessments/{aid}/proposal").json
    assert found["total_gap"] == 5 and found["closed"] == 3
    assert found["ranked"] == [
        {
            "order": 1,
            "offering": "OFF-IAM",
            "title": "Identity and Access Management Service",
            "closes": 3,
            "running_total": 3,
        }
    ]
    zone = next(g for g in found["gaps"] if g["kind"] == "security level")
    assert (zone["fr"], zone["current"], zone["target"], zone["gap"]) == (1, 0, 2, 2)
    assert [o["offering"] for o in zone["offerings"]] == ["OFF-IAM", "OFF-PENTEST"]
    assert [o["closes"] for o in zone["offerings"]] == [1, 0]

    response = org_client.get(f"/assessments/{aid}/proposal.xlsx")
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    steps = list(book["Suggestion"].iter_rows(min_row=2, values_only=True))
    assert steps == [
        (1, "OFF-IAM", "Identity and Access Management Service", 3, 3, 0.6)
    ]
    gaps = {r[0]: r[1:] for r in book["Gaps"].iter_rows(min_row=2, values_only=True)}
    sp12 = next(v for k, v in gaps.items() if k.startswith("SP.12.05 BR"))
    assert sp12 == ("maturity", 2, 3, 1, "none: stays with the client")
    about = dict(book["About"].iter_rows(min_row=3, values_only=True))
    assert about["Organisation"] == "Acme Water" and about["Made by"] == "ed@acme.test"


def test_an_assessment_without_gaps_says_how_to_get_some(world, login, org_client, db):
    login("vi@acme.test")
    zone = world["zone"]
    zone.sl_t = [0] * 7
    db.add(zone)
    db.commit()
    page = org_client.get(f"/assessments/{world['assessment'].id}/proposal").text
    assert "This assessment has no open gap" in page
    assert 'table class="grid steps"' not in page


def test_the_proposal_moves_when_the_register_does(world, login, org_client):
    aid = gaps_set(world, login, org_client)
    assert gap_in_levels(org_client.get(f"/assessments/{aid}/proposal")) == "5"
    # SP.09.02 BR reaches its target: the kept proposal must not be served again.
    assert (
        versioned_score(org_client, aid, "sp-09-02-br", 1, "3", "3").status_code == 303
    )
    assert gap_in_levels(org_client.get(f"/assessments/{aid}/proposal")) == "3"


def gap_in_levels(response) -> str:
    page = BeautifulSoup(response.text, "html.parser")
    box = next(
        d for d in page.select("dl.figures div") if d.dt.get_text() == "Gap in levels"
    )
    return box.dd.get_text(strip=True)
