"""A compliance officer imports the organisation's own control catalog from OSCAL,
checks the preview, applies it and maps a 62443 requirement to one of its controls from
the keyboard, in Chromium; then downloads the assessment's OSCAL results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import session_for

pytestmark = pytest.mark.browser
CATALOG = Path(__file__).parent.parent / "data" / "oscal" / "acme-controls.json"


@pytest.fixture(scope="module")
def org(app) -> tuple[str, int]:
    with session_for(app) as db:
        org = factories.make_org(db, name="Catalog Water")
        factories.make_user(db, email="co@catalog.test", org=org, role="editor")
        assessment = factories.make_assessment(db, org=org, name="Catalog FY27")
        db.commit()
        return org.slug, assessment.id


def test_import_a_catalog_and_map_a_requirement(page, live_url, org, artifacts):
    slug, assessment_id = org
    log_in(page, live_url, "co@catalog.test")
    page.goto(f"{live_url}/orgs/{slug}")
    page.get_by_role("link", name="Framework mappings").click()
    expect(page.locator(".empty")).to_contain_text("No framework yet")
    page.get_by_label("Catalog (.json, .yaml)").set_input_files(str(CATALOG))
    page.get_by_role("button", name="Read it").click()
    page.wait_for_url(re.compile(r"/frameworks/imports/\d+$"))
    expect(page.locator("#plan")).to_contain_text("A new framework with 5 controls")
    page.screenshot(path=str(artifacts / "framework-preview.png"), full_page=True)
    page.get_by_role("button", name="Import 5 controls").click()
    page.wait_for_url(re.compile(r"/frameworks/\d+$"))
    expect(page.locator("#controls tbody tr")).to_have_count(5)

    page.get_by_label("Their control").fill("acc-2")
    page.get_by_label("Our requirement").fill("SP.09.02 BR")
    page.get_by_label("Relation").select_option("partial")
    page.get_by_label("Our requirement").press("Enter")  # Enter submits the form
    page.wait_for_url(re.compile(r"q=acc-2"))
    row = page.locator("#controls tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator(".mapping")).to_contain_text("SP.09.02 BR partial")
    page.screenshot(path=str(artifacts / "framework-mapped.png"), full_page=True)

    page.goto(f"{live_url}/assessments/{assessment_id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="OSCAL results").click()
    results = json.loads(Path(download.value.path()).read_text())
    assert results["assessment-results"]["metadata"]["oscal-version"] == "1.2.1"
