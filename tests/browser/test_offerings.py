"""A provider reads the coverage matrix and builds a client's proposal, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import session_for

pytestmark = pytest.mark.browser


def test_filter_collapse_and_open_an_offering(page, live_url, artifacts):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_url + "/offerings/matrix")
    rows = page.locator("table.matrix tbody tr")
    expect(rows).to_have_count(10)  # the fixture catalogue's requirements
    page.get_by_label("Coverage").select_option("none")
    expect(rows).to_have_count(7)  # SP.12.05 BR and the 4-1 and 4-2 items
    expect(rows.first).to_contain_text("SP.12.05 BR")
    assert "coverage=none" in page.url
    expect(page.locator("dl.figures")).to_contain_text("30%")  # shares stay whole

    page.get_by_label("Coverage").select_option("")
    expect(rows).to_have_count(10)
    page.get_by_role("button", name="Collapse all").click()
    expect(page.locator("details.matrix-area[open]")).to_have_count(0)
    expect(rows.first).to_be_hidden()
    summary = page.locator("details.matrix-area summary", has_text="CA-08").first
    summary.focus()
    page.keyboard.press("Enter")  # a group opens from the keyboard
    expect(page.locator("details.matrix-area[open]")).to_have_count(1)
    expect(
        page.get_by_role("link", name=re.compile("SP.12.05 BR")).first
    ).to_be_visible()
    page.get_by_role("button", name="Expand all").click()
    expect(page.locator("details.matrix-area[open]")).to_have_count(5)
    page.screenshot(path=str(artifacts / "coverage-matrix.png"), full_page=True)

    page.locator("th.off a", has_text="Identity and Access").first.click()
    expect(page.locator("h1")).to_have_text("Identity and Access Management Service")
    expect(page.locator("aside.owner-job")).to_contain_text(
        "Deciding who may have access"
    )


@pytest.fixture(scope="module")
def client_assessment(app) -> int:
    with session_for(app) as db:
        org = factories.make_org(db, name="Proposal Water")
        factories.make_user(db, email="pm@proposal.test", org=org, role="editor")
        assessment = factories.make_assessment(db, org=org, name="Proposal FY26")
        db.commit()
        return assessment.id


def test_build_a_proposal_from_an_assessment(page, live_url, client_assessment):
    log_in(page, live_url, "pm@proposal.test")
    page.goto(f"{live_url}/assessments/{client_assessment}/proposal")
    expect(page.locator("p.empty")).to_contain_text("no open gap")

    page.get_by_role("link", name="Register (process requirements)").click()
    page.wait_for_url(re.compile(r"/assessments/\d+$"))  # loaded, with htmx
    page.locator("#row-sp-09-02-br").get_by_role(
        "link", name=re.compile("^Edit")
    ).click()
    form = page.locator("#row-sp-09-02-br form.row-edit")
    form.locator("select[name=current]").select_option("1")
    form.locator("select[name=target]").select_option("3")
    form.get_by_role("button", name="Save").click()
    page.locator("#row-sp-09-02-br:not(.editing)").wait_for()

    page.get_by_role("link", name="Proposal of offerings").click()
    steps = page.locator("table.steps tbody tr")
    expect(steps).to_have_count(1)
    expect(steps.first).to_contain_text("OFF-IAM")
    expect(steps.first.locator("td").nth(2)).to_have_text("2")  # running total
    expect(page.locator("table.proposal-gaps")).to_contain_text("Penetration Testing")

    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Download as .xlsx")).to_be_hidden()
    expect(page.locator("table.steps")).to_be_visible()
    with page.expect_download() as download:
        page.emulate_media(media="screen")
        page.get_by_role("link", name="Download as .xlsx").click()
    assert (
        download.value.suggested_filename
        == f"proposal-assessment-{client_assessment}.xlsx"
    )
