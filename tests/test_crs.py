"""The cybersecurity requirements specification (ZCR 6) and its approval (ZCR 7): the
document built from the assessment, approval refused while zones are unassessed (each
listed), frozen versions that later edits never change, and its workbook."""

from __future__ import annotations

import io

from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import select

from kb.models import CrsVersion

APPROVAL = {
    "approved_by": "Jo Plant, site manager",
    "approved_on": "2026-11-30",
    "reference": "MOC-2026-114",
}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def crs_url(world) -> str:
    return f"/assessments/{world['assessment'].id}/crs"


def assess_everything(client, world):
    """The system and the world's zone assessed; the zone above the line, with its
    scenario (from the world) and an SL-T decided from it."""
    base = f"/assessments/{world['assessment'].id}"
    zone = world["zone"]
    client.post(
        f"{base}/risks/initial", data={"zone_id": "", "consequence": 4, "likelihood": 3}
    )
    client.post(
        f"{base}/risks/initial",
        data={"zone_id": zone.id, "consequence": 4, "likelihood": 3},
    )
    levels = {f"sl_t_{fr}": n for fr, n in enumerate([0, 0, 2, 0, 0, 0, 2], 1)}
    decided = client.post(
        f"{base}/zones/{zone.id}/slt", data=levels | {"version": zone.version}
    )
    assert decided.status_code == 303


def test_approval_is_refused_while_zones_are_unassessed(world, login, org_client, db):
    login("ed@acme.test")
    refused = org_client.post(f"{crs_url(world)}/approve", data=APPROVAL)
    assert refused.status_code == 422
    items = [li.get_text() for li in soup(refused).select("#refused li")]
    assert items == [
        "the system under consideration: no initial assessment",
        "Acme secret-plan zone: no initial assessment",
    ]
    assert db.exec(select(func.count()).select_from(CrsVersion)).one() == 0


def test_an_approved_version_is_frozen_and_edits_make_the_next(
    world, login, org_client, db
):
    login("ed@acme.test")
    assess_everything(org_client, world)
    saved = org_client.post(
        crs_url(world),
        data={
            "version": 0,
            "suc_description": "The water treatment plant at Riverside.",
            "regulatory": "SOCI Act, CIRMP",
        },
    )
    assert saved.status_code == 303
    approved = org_client.post(f"{crs_url(world)}/approve", data=APPROVAL)
    assert approved.status_code == 303 and approved.location.endswith("/crs/1")
    first = soup(org_client.get(approved.location))
    assert (
        "Approved by Jo Plant, site manager on 2026-11-30, reference MOC-2026-114"
        in first.select_one("#approval").get_text()
    )
    zone_row = first.select_one("table.crs-zones tbody tr").get_text(" ", strip=True)
    assert "{0 0 2 0 0 0 2}" in zone_row and "Acme secret-plan sabotage" not in zone_row
    assert "From 1 threat scenario" in zone_row
    assert first.select_one("figure.diagram svg") is not None
    # later edits go into the draft; version 1 stays as approved
    org_client.post(
        crs_url(world), data={"version": 1, "suc_description": "Riverside and Hilltop."}
    )
    again = soup(org_client.get(approved.location)).get_text()
    assert "Riverside." in again and "Hilltop" not in again
    assert "Riverside and Hilltop." in org_client.get(crs_url(world)).text
    second = org_client.post(
        f"{crs_url(world)}/approve", data=APPROVAL | {"reference": "MOC-2026-120"}
    )
    assert second.location.endswith("/crs/2")
    assert org_client.get(f"{crs_url(world)}/3").status_code == 404


def test_bad_approval_input_changes_nothing(world, login, org_client, db):
    login("ed@acme.test")
    assess_everything(org_client, world)
    refused = org_client.post(
        f"{crs_url(world)}/approve", data=APPROVAL | {"reference": ""}
    )
    assert refused.status_code == 422
    assert db.exec(select(func.count()).select_from(CrsVersion)).one() == 0


def test_a_stale_draft_keeps_the_persons_text(world, login, org_client):
    login("ed@acme.test")
    org_client.post(crs_url(world), data={"version": 0, "policies": "POL-SEGMENTATION"})
    stale = org_client.post(
        crs_url(world), data={"version": 0, "policies": "my own words"}
    )
    assert stale.status_code == 409
    assert "my own words" in stale.text and "Someone else saved the draft" in stale.text


def test_the_workbook_holds_the_zones_requirements_and_text(world, login, org_client):
    login("ed@acme.test")
    assess_everything(org_client, world)
    org_client.post(
        crs_url(world), data={"version": 0, "threat_environment": "Criminal groups"}
    )
    response = org_client.get(f"{crs_url(world)}/crs.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames == ["About", "Zones and conduits", "Requirements", "Text"]
    about = dict(book["About"].iter_rows(min_row=3, values_only=True))
    assert about["Status"] == "draft, not approved"
    zones = list(book["Zones and conduits"].iter_rows(values_only=True))
    assert zones[1][0] == "Acme secret-plan zone" and zones[1][6:13] == (
        0,
        0,
        2,
        0,
        0,
        0,
        2,
    )
    text = dict(book["Text"].iter_rows(min_row=2, values_only=True))
    assert text["Threat environment"] == "Criminal groups"
