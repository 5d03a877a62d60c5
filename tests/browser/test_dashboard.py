"""A programme manager changes a score and sees the dashboard move, in Chromium."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import session_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def assessment_id(app) -> int:
    with session_for(app) as db:
        org = factories.make_org(db, name="Board Water")
        factories.make_user(db, email="pm@board.test", org=org, role="editor")
        assessment = factories.make_assessment(db, org=org, name="Board FY26")
        db.commit()
        return assessment.id


def test_a_score_moves_the_dashboard(page, live_url, assessment_id, artifacts):
    log_in(page, live_url, "pm@board.test")
    page.goto(f"{live_url}/assessments/{assessment_id}/dashboard")
    assessed = page.locator("dl.figures div", has_text="Assessed").locator("dd")
    assert assessed.inner_text().startswith("0 of 2")
    assert page.locator("svg.bar-chart rect.series-1").count() == 0

    page.get_by_role("link", name="Register (process requirements)").click()
    # until the page has loaded, htmx is not there and Edit would open a page of its own
    page.wait_for_url(re.compile(r"/assessments/\d+$"))
    row = page.locator("#row-sp-09-02-br")
    row.get_by_role("link", name=re.compile("^Edit")).click()
    form = page.locator("#row-sp-09-02-br form.row-edit")
    form.locator("select[name=current]").select_option("1")
    form.locator("select[name=target]").select_option("3")
    form.get_by_role("button", name="Save").click()
    page.locator("#row-sp-09-02-br:not(.editing)").wait_for()

    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    assert assessed.inner_text().startswith("1 of 2")
    assert page.locator("svg.bar-chart rect.series-1").count() == 1
    assert "SP.09.02 BR" in page.locator("table.gaps").inner_text()
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)


def test_the_dashboard_prints_on_one_a4_page_without_controls(
    page, live_url, assessment_id, artifacts
):
    log_in(page, live_url, "pm@board.test")
    page.goto(f"{live_url}/assessments/{assessment_id}/dashboard")
    page.emulate_media(media="print")
    assert not page.locator("nav.tabs").is_visible()
    assert not page.locator("header.site").is_visible()
    assert page.locator("dl.figures").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts / "dashboard.pdf").write_bytes(pdf)
    pages = re.findall(rb"/Type\s*/Page(?![a-z])", pdf)
    assert len(pages) == 1, f"the board summary printed on {len(pages)} pages"
