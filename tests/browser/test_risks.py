"""An assessor assesses a zone's threats, accepts the suggested SL-T and sees it on the
zone's page, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import session_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def zone_ids(app) -> tuple[int, int]:
    with session_for(app) as db:
        org = factories.make_org(db, name="Risk Water")
        user = factories.make_user(db, email="risk@water.test", org=org, role="editor")
        assessment = factories.make_assessment(
            db, org=org, name="Risk FY27", parts=("62443-3-2", "62443-3-3")
        )
        zone = factories.make_zone(
            db, assessment=assessment, user=user, name="Treatment", sl_t=(0,) * 7
        )
        db.commit()
        return assessment.id, zone.id


def test_assess_a_zone_and_accept_its_suggested_slt(
    page, live_url, zone_ids, artifacts
):
    assessment_id, zone_id = zone_ids
    log_in(page, live_url, "risk@water.test")
    page.goto(f"{live_url}/assessments/{assessment_id}/zones/{zone_id}")
    page.get_by_role("link", name="Threat scenarios and SL-T").click()
    page.wait_for_url(re.compile(r"/risks$"))
    page.get_by_label("From the threat catalogue (optional)").select_option(
        "TH-FIXTURE-INTRUDER"
    )
    page.get_by_label("Consequence, unmitigated").select_option("4")
    page.get_by_label("Likelihood, unmitigated").select_option("4")
    page.get_by_label("Consequence, with them").select_option("4")
    page.get_by_label("Likelihood, with them").select_option("3")
    page.get_by_role("button", name="Add scenario").click()
    page.wait_for_url(re.compile(r"/risks$"))
    expect(page.locator("table.scenarios")).to_contain_text(
        "An intruder logs in with a guessed password"
    )
    expect(page.locator("#suggested")).to_have_text("{3 0 0 0 0 0 0}")
    page.screenshot(path=str(artifacts / "zone-risks.png"), full_page=True)
    page.get_by_role("button", name="Make this the zone's SL-T").click()
    expect(page.locator("#sl-t")).to_have_text("{3 0 0 0 0 0 0}")
    page.get_by_role("link", name="Treatment").first.click()
    expect(page.locator("dl.facts")).to_contain_text("{3 0 0 0 0 0 0}")
    expect(page.locator("#risk-summary")).to_contain_text("1 threat scenario")
