"""The coverage matrix, offering pages, their API and a deployment's extra content,
against the fixture catalogue: OFF-PENTEST (SP.09.02 BR partial, SR 1.1 supports) and
OFF-IAM (SP.09.02 BR and SR 1.1 full, SR 1.1 RE(1) partial).

Hand-computed: 2-4 has SP.09.02 BR (CA-02, covered fully) and SP.12.05 BR (CA-08, a
blind spot); 3-3 has SR 1.1 (full) and SR 1.1 RE(1) (partial), both CA-02. No offering
touches the 4-1 item (SUM-1) or the five 4-2 items (CCSC 1, CR 1.1, CR 1.1 RE(2),
EDR 2.13, HDR 2.13), all CA-01. So 3 of 10 requirements are covered (30%), 2 fully
(20%), and 7 are blind spots."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlmodel import Session, select

from kb.content.loader import read_tree
from kb.db import get_engine
from kb.models import ContentItem
from tests.conftest import FIXTURE_CONTENT, make_app, run_cli

# The fixture's 4-1 and 4-2 requirements, in catalogue order; no offering touches them.
COMPONENT_PARTS = ["SUM-1", "CCSC 1", "CR 1.1", "CR 1.1 RE(2)", "EDR 2.13", "HDR 2.13"]


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text[:300]
    return BeautifulSoup(response.text, "html.parser")


def figure(page, label: str) -> str:
    for box in page.select("dl.figures div"):
        if box.dt.get_text() == label:
            return box.dd.get_text(" ", strip=True)
    raise AssertionError(label)


def share_rows(page) -> dict[str, list[str]]:
    return {
        row.th.get_text(" ", strip=True): [td.get_text() for td in row.select("td")]
        for row in page.select("table.shares tbody tr")
    }


def matrix_cells(page) -> dict[str, list[str]]:
    """Requirement id -> the mark under each offering, in column order."""
    return {
        row.th.select_one(".id").get_text(): [td.get_text() for td in row.select("td")]
        for row in page.select("table.matrix tbody tr")
    }


def test_the_matrix_shows_each_coverage_the_shares_and_the_blind_spots(client):
    page = soup(client.get("/offerings/matrix"))
    headers = [
        th.get_text(strip=True)
        for th in page.select("table.matrix")[0].select("th.off")
    ]
    assert headers == ["Identity and Access Management Service", "Penetration Testing"]
    assert matrix_cells(page) == {
        "SP.09.02 BR": ["●", "◐"],
        "SP.12.05 BR": ["", ""],
        "SR 1.1": ["●", "○"],
        "SR 1.1 RE(1)": ["◐", ""],
    } | {key: ["", ""] for key in COMPONENT_PARTS}
    assert figure(page, "Requirements") == "10"
    assert figure(page, "Covered") == "3 30%"
    assert figure(page, "Covered fully") == "2 20%"
    assert figure(page, "Blind spots") == "7"
    rows = share_rows(page)
    # requirements, full, partial at best, only supported, covered, blind spots
    assert rows["IEC 62443-2-4"] == ["2", "1", "0", "0", "50%", "1"]
    assert rows["CA-08 Resource availability"] == ["1", "0", "0", "0", "0%", "1"]
    assert rows["IEC 62443-3-3"] == ["2", "1", "1", "0", "100%", "0"]
    assert rows["IEC 62443-4-2"] == ["5", "0", "0", "0", "0%", "5"]
    blind = page.select("p.blind-spots")
    assert [p.get_text(" ", strip=True) for p in blind] == [
        "Blind spots (no offering touches them): SP.12.05 BR",
        "Blind spots (no offering touches them): SUM-1",
        "Blind spots (no offering touches them): "
        "CCSC 1 , CR 1.1 , CR 1.1 RE(2) , EDR 2.13 , HDR 2.13",
    ]
    assert page.select("details.matrix-area[open]"), "groups start open"


def test_filters_choose_rows_and_groups_and_htmx_gets_the_region(client, htmx_client):
    blind = soup(client.get("/offerings/matrix?coverage=none"))
    assert list(matrix_cells(blind)) == ["SP.12.05 BR", *COMPONENT_PARTS]
    assert figure(blind, "Requirements") == "10"  # the shares stay the groups' own
    assert blind.select_one("select[name=coverage] option[selected]")["value"] == "none"
    part = soup(client.get("/offerings/matrix?part=62443-3-3&coverage=partial"))
    assert list(matrix_cells(part)) == ["SR 1.1 RE(1)"]
    assert [
        h.get_text(" ", strip=True).split(" ")[1]
        for h in part.select("section.matrix-part h2")
    ] == ["62443-3-3"]
    region = htmx_client.get("/offerings/matrix?area=CA-08")
    assert "<html" not in region.text and "SP.12.05 BR" in region.text
    assert "SR 1.1" not in region.text
    nothing = soup(client.get("/offerings/matrix?part=62443-3-3&area=CA-08"))
    assert "No requirement is in this part and area" in nothing.text
    ignored = soup(client.get("/offerings/matrix?coverage=most&part=nope"))
    assert len(matrix_cells(ignored)) == 10


def test_the_matrix_downloads_as_a_workbook_with_the_same_figures(client):
    response = client.get("/offerings/matrix.xlsx?part=62443-2-4")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames == ["About", "Shares", "Matrix", "Blind spots"]
    matrix = [list(r) for r in book["Matrix"].iter_rows(values_only=True)]
    assert matrix[0] == [
        "Part",
        "Area",
        "Requirement",
        "Title",
        "Identity and Access Management Service",
        "Penetration Testing",
        "Best coverage",
    ]
    by_id = {r[2]: r[4:] for r in matrix[1:]}
    assert by_id["SP.09.02 BR"] == ["full", "partial", "full"]
    assert by_id["SP.12.05 BR"] == [None, None, "none"]
    assert "SR 1.1" not in by_id  # the part filter holds
    shares = {
        r[0] + " " + (r[1] or ""): r[3:]
        for r in book["Shares"].iter_rows(min_row=2, values_only=True)
    }
    assert shares["62443-2-4 "] == (2, 1, 0, 0, 1, 0.5, 1)
    blind = list(book["Blind spots"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in blind] == ["SP.12.05 BR"]
    about = dict(book["About"].iter_rows(min_row=3, values_only=True))
    assert about["Filters"] == "part = 62443-2-4"


def test_an_offering_page_shows_its_coverage_and_the_owners_job(client):
    page = soup(client.get("/offerings/off-iam"))
    assert page.h1.get_text() == "Identity and Access Management Service"
    assert figure(page, "Covers fully") == "2"
    assert figure(page, "Covers partly") == "1"
    job = page.select_one("aside.owner-job")
    assert "Deciding who may have access" in job.get_text()
    rows = share_rows(page)
    assert rows["IEC 62443-2-4"] == ["2", "1", "0", "0", "50%", "1"]
    assert rows["IEC 62443-3-3"] == ["2", "1", "1", "0", "100%", "0"]
    assert "CA-08 Resource availability" not in rows  # areas it does not touch
    sections = {
        s.h2.get_text(): s.get_text(" ", strip=True)
        for s in page.select("section.links")
    }
    assert "SR 1.1 RE(1)" in sections["Requirements it covers: partial"]
    assert "SP.09.02 BR" in sections["Requirements it covers: full"]
    assert page.select_one("p.origin") is None  # csms-kb's own
    assert "planning summary" in page.select_one("aside.notice").get_text()
    assert client.get("/offerings/off-nothing").status_code == 404
    listing = soup(client.get("/offerings/"))
    assert (
        listing.find("a", string="the coverage matrix")["href"] == "/offerings/matrix"
    )


def test_the_api_gives_offerings_their_mappings_and_the_matrix(client):
    listed = client.get("/api/v1/offerings").json
    assert listed["count"] == 2
    iam = next(o for o in listed["offerings"] if o["id"] == "OFF-IAM")
    assert {"requirement": "SR 1.1 RE(1)", "coverage": "partial"} in iam["addresses"]
    one = client.get("/api/v1/offerings/off-pentest").json
    assert one["addresses"] == [
        {"requirement": "SP.09.02 BR", "coverage": "partial"},
        {"requirement": "SR 1.1", "coverage": "supports"},
    ]
    assert one["coverage"]["whole"]["covered"] == 1  # partial on SP.09.02 BR only
    assert one["coverage"]["whole"]["supports"] == 1
    matrix = client.get("/api/v1/offerings/matrix").json
    assert matrix["whole"]["covered_share"] == 0.3
    assert matrix["whole"]["blind_spots"] == ["SP.12.05 BR", *COMPONENT_PARTS]
    part = {p["part"]: p for p in matrix["parts"]}
    assert [a["area"] for a in part["62443-2-4"]["areas"]] == ["CA-02", "CA-08"]
    assert part["62443-2-4"]["areas"][1]["blind_spots"] == ["SP.12.05 BR"]
    assert client.get("/api/v1/offerings/off-nothing").status_code == 404


def test_the_vciso_leaves_the_independent_audit_to_someone_else(real_app):
    vciso = real_app.test_client().get("/api/v1/offerings/OFF-VCISO").json
    given = {a["requirement"]: a["coverage"] for a in vciso["addresses"]}
    assert given["ORG 2.4"] == "partial" and given["4.4.2"] == "partial"
    page = real_app.test_client().get("/offerings/off-vciso").text
    assert "independent" in page


# -- a deployment's extra content folder ------------------------------------------------

OVERRIDE = """---
id: OFF-PENTEST
title: Acme Red Team
addresses:
  - {id: SP.12.05 BR, coverage: full}
---
Our own red team, replacing the catalogue's penetration test in this deployment. This paragraph is long enough to meet the summary rule of forty to one hundred and fifty words, and it says in plain words what the offering is for, who uses it and why an assessor would care about it in a plant.

**What stays the asset owner's job.** Fixing what the red team finds.
"""
ADDED_EVIDENCE = """---
id: EV-RED-TEAM-REPORT
title: Red team report
owner: service provider
review: after each exercise
cadence: yearly
---
The report of a red team exercise, with what was tried, what worked and what to fix first. This paragraph is long enough to meet the summary rule of forty to one hundred and fifty words, and it describes in plain words what the artefact is and why an assessor asks for it when scoring a plant.
"""


@pytest.fixture
def extra(tmp_path: Path) -> Path:
    root = tmp_path / "provider"
    (root / "offerings").mkdir(parents=True)
    (root / "evidence").mkdir()
    (root / "offerings" / "off-pentest.md").write_text(OVERRIDE)
    (root / "evidence" / "ev-red-team-report.md").write_text(ADDED_EVIDENCE)
    return root


def test_an_extra_folder_overrides_one_of_ours_and_adds_its_own(tmp_path, extra):
    app = make_app(tmp_path, EXTRA_CONTENT_DIR=str(extra))
    result = run_cli(app, "load")
    assert result.exit_code == 0, result.output
    assert "loaded 34 items" in result.output  # 33 of ours, one replaced, one added
    client = app.test_client()
    page = soup(client.get("/offerings/off-pentest"))
    assert page.h1.get_text() == "Acme Red Team"
    origin = page.select_one("p.origin").get_text(" ", strip=True)
    assert origin.startswith("This deployment's own, replacing csms-kb's offering")
    assert str(extra / "offerings" / "off-pentest.md") in origin
    cells = matrix_cells(soup(client.get("/offerings/matrix")))
    assert cells["SP.12.05 BR"] == ["", "●"]  # the override's mapping, not ours
    assert cells["SR 1.1"] == ["●", ""]
    evidence = soup(client.get("/evidence/ev-red-team-report"))
    assert (
        evidence.select_one("p.origin")
        .get_text(" ", strip=True)
        .startswith("This deployment's own evidence artefact type, from")
    )
    listing = soup(client.get("/offerings/")).select_one("ul.listing").get_text(" ")
    assert "Acme Red Team this deployment's own, replacing csms-kb's" in " ".join(
        listing.split()
    )
    assert client.get("/api/v1/offerings/off-pentest").json["origin"] == "override"


def test_a_bad_mapping_in_an_extra_folder_names_its_file_and_loads_nothing(
    tmp_path, extra
):
    good = make_app(tmp_path)
    assert run_cli(good, "load").exit_code == 0
    with good.app_context(), Session(get_engine()) as session:
        before = session.exec(select(ContentItem.id, ContentItem.title)).all()
    bad_file = extra / "offerings" / "off-pentest.md"
    bad_file.write_text(OVERRIDE.replace("SP.12.05 BR", "SP.99.99 BR"))
    (extra / "requirements").mkdir()
    (extra / "requirements" / "sr-9-9.md").write_text("---\nid: SR 9.9\n---\n")
    bad = make_app(tmp_path, EXTRA_CONTENT_DIR=f"{extra}:{tmp_path / 'missing'}")
    checked = run_cli(bad, "check")
    assert checked.exit_code == 1
    assert f"{bad_file}:5: unknown requirement id 'SP.99.99 BR'" in checked.output
    assert (
        f"{extra / 'requirements' / 'sr-9-9.md'}: an extra content folder holds only "
        "offerings/, sectors/, evidence/; this file is not read"
    ) in checked.output
    assert (
        f"{tmp_path / 'missing'}: the extra content folder does not exist"
        in checked.output
    )
    assert run_cli(bad, "load").exit_code == 1
    with bad.app_context(), Session(get_engine()) as session:
        assert session.exec(select(ContentItem.id, ContentItem.title)).all() == before


def test_two_extra_folders_cannot_both_replace_the_same_item(tmp_path, extra):
    second = tmp_path / "second"
    (second / "offerings").mkdir(parents=True)
    shutil.copy(extra / "offerings" / "off-pentest.md", second / "offerings")
    problems = [str(p) for p in read_tree(FIXTURE_CONTENT, [extra, second]).problems]
    assert problems == [
        f"{second / 'offerings' / 'off-pentest.md'}:2: duplicate id 'OFF-PENTEST' "
        f"(also in {extra / 'offerings' / 'off-pentest.md'})"
    ]


def test_an_offering_must_say_what_stays_the_asset_owners_job(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    page = root / "offerings" / "off-iam.md"
    page.write_text(page.read_text().split("**What stays")[0])
    problems = [str(p) for p in read_tree(root).problems]
    assert (
        "content/offerings/off-iam.md:2: an offering's body needs a "
        "'**What stays the asset owner's job.**' section"
    ) in problems
