"""An assessor creates two zones and a conduit, marks SRs and sees SL-A move, in Chromium."""

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
        org = factories.make_org(db, name="Zone Water")
        factories.make_user(db, email="ot@zone.test", org=org, role="editor")
        assessment = factories.make_assessment(
            db, org=org, name="OT FY26", parts=("62443-2-4", "62443-3-3")
        )
        db.commit()
        return assessment.id


def test_zones_a_conduit_and_sl_a_moving(page, live_url, assessment_id, artifacts):
    log_in(page, live_url, "ot@zone.test")
    page.goto(f"{live_url}/assessments/{assessment_id}")
    page.get_by_role("link", name="Zones and conduits (62443-3-3)").click()
    zones = f"{live_url}/assessments/{assessment_id}/zones"
    for name, vector in (
        ("Control", "{2 2 0 1 3 1 3}"),
        ("Enterprise", "{1 1 1 1 1 1 1}"),
    ):
        page.fill("input[name=name]", name)
        page.fill("input[name=sl_t_text]", f"SL-T({name}) = {vector}")
        page.get_by_role("button", name="Add").click()
        page.wait_for_url(re.compile(r"/zones/\d+$"))
        page.goto(zones)
    page.select_option("select[name=kind]", "conduit")
    page.fill("input[name=name]", "Plant firewall")
    page.get_by_role("checkbox", name="Control").check()
    page.get_by_role("checkbox", name="Enterprise").check()
    page.select_option("select[name=sl_t_1]", "2")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(re.compile(r"/zones/\d+$"))
    page.goto(zones)
    diagram = page.locator("figure.diagram svg")
    assert diagram.locator("g.box").count() == 2
    assert "Plant firewall" in diagram.locator("g.wire").text_content()

    page.get_by_role("link", name="Control", exact=True).click()
    page.wait_for_url(re.compile(r"/zones/\d+$"))
    sl_a = page.locator("#sl-a")
    assert sl_a.inner_text() == "{0 4 4 4 4 4 4}"
    for key in ("sr-1-1", "sr-1-1-re-1"):
        row = page.locator(f"#req-{key}")
        row.get_by_role("link", name=re.compile("^Set")).click()
        page.locator(f"#req-{key} select[name=state]").select_option("met")
        page.locator(f"#req-{key}").get_by_role("button", name="Save").click()
        page.locator(f"#req-{key}:not(.editing)").wait_for()
    page.reload()
    assert page.locator("#sl-a").inner_text() == "{4 4 4 4 4 4 4}"
    gap = page.locator("#fr-vectors tbody tr").first.locator("td").nth(2)
    assert gap.inner_text() == "–"
    page.screenshot(path=str(artifacts / "zone.png"), full_page=True)
    page.goto(zones)
    page.screenshot(path=str(artifacts / "zones.png"), full_page=True)
