"""A product team adds a component, marks its requirements from the keyboard and sees
the achieved SL-C move, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import session_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def assessment_id(app) -> int:
    with session_for(app) as db:
        org = factories.make_org(db, name="Component Works")
        factories.make_user(db, email="pd@component.test", org=org, role="editor")
        assessment = factories.make_assessment(
            db, org=org, name="PLC release 5", parts=("62443-4-1", "62443-4-2")
        )
        db.commit()
        return assessment.id


def test_add_a_component_mark_requirements_and_see_sl_c(
    page, live_url, assessment_id, artifacts
):
    log_in(page, live_url, "pd@component.test")
    page.goto(f"{live_url}/assessments/{assessment_id}")
    page.get_by_role("link", name="Components (62443-4-2)").click()
    page.get_by_label("Name").fill("Filler PLC")
    page.get_by_label("Type").select_option("embedded device")
    page.get_by_label("Version or firmware release").fill("5.0.2")
    page.fill("input[name=sl_t_text]", "SL-C(PLC) = {2 2 0 0 0 0 0}")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(re.compile(r"/components/\d+$"))
    assert page.locator("#sl-c").inner_text() == "{0 1 4 4 4 4 4}"
    assert page.locator("#req-hdr-2-13").count() == 0  # a host device's item

    ccsc = page.locator("#req-ccsc-1")
    ccsc.get_by_role("link", name=re.compile("^Set")).click()
    reason = page.get_by_label("Why it does not apply")
    expect(reason).to_be_hidden()  # only for "not applicable"
    choice = page.locator("#req-ccsc-1 select[name=state]")
    expect(choice).to_be_focused()  # the edit row takes the focus
    choice.select_option("not applicable")
    expect(reason).to_be_visible()
    choice.focus()
    page.keyboard.press("Escape")  # cancels, and the focus goes back to the row
    expect(ccsc.get_by_role("link", name=re.compile("^Set"))).to_be_focused()
    expect(ccsc).to_contain_text("not assessed")

    for key in ("cr-1-1", "edr-2-13"):
        page.locator(f"#req-{key}").get_by_role("link", name=re.compile("^Set")).click()
        state = page.locator(f"#req-{key} select[name=state]")
        expect(state).to_be_focused()
        state.select_option("met")
        page.keyboard.press("Enter")  # Enter on a choice saves
        page.locator(f"#req-{key}:not(.editing)").wait_for()
        expect(page.locator(f"#req-{key}")).to_contain_text("met")
    page.reload()
    assert page.locator("#sl-c").inner_text() == "{2 4 4 4 4 4 4}"
    gap = page.locator("#fr-vectors tbody tr").first.locator("td").nth(2)
    assert gap.inner_text() == "–"
    page.screenshot(path=str(artifacts / "component.png"), full_page=True)
    page.get_by_role("link", name="Components", exact=True).click()
    table = page.locator("#component-vectors")
    assert "Filler PLC" in table.inner_text() and "5.0.2" in table.inner_text()
    page.screenshot(path=str(artifacts / "components.png"), full_page=True)
