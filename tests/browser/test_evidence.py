"""Compliance staff add evidence from a register row and download it, in Chromium."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import session_for

pytestmark = pytest.mark.browser

CONTENT = b"Restore test record: line 3 HMI rebuilt in 42 minutes.\n" * 20


@pytest.fixture(scope="module")
def assessment_id(app) -> int:
    with session_for(app) as db:
        org = factories.make_org(db, name="Evidence Water")
        factories.make_user(db, email="cs@evidence.test", org=org, role="editor")
        assessment = factories.make_assessment(db, org=org, name="Evidence FY26")
        db.commit()
        return assessment.id


def test_upload_from_a_register_row_then_download(
    page, live_url, assessment_id, artifacts, tmp_path
):
    log_in(page, live_url, "cs@evidence.test")
    page.goto(f"{live_url}/assessments/{assessment_id}")
    row = page.locator("#row-sp-12-05-br")
    row.get_by_role("link", name=re.compile("^Edit")).click()
    section = page.locator("#row-sp-12-05-br section.row-evidence")
    section.wait_for()
    assert "No evidence linked yet." in section.inner_text()
    section.get_by_role("link", name="Backup restore test record").click()
    page.wait_for_url(re.compile(r"/evidence/new\?"))
    assert page.locator("select[name=type]").input_value() == "EV-RESTORE-TEST"
    page.fill("input[name=title]", "Restore test, line 3")
    page.fill("input[name=collected_on]", "2026-11-02")
    upload = tmp_path / "restore-test.txt"
    upload.write_bytes(CONTENT)
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="Add evidence item").click()
    page.wait_for_url(re.compile(rf"/assessments/{assessment_id}#row-sp-12-05-br$"))
    cell = page.locator("#row-sp-12-05-br td.evidence")
    assert "Restore test, line 3" in cell.inner_text()
    page.screenshot(path=str(artifacts / "evidence-on-register.png"), full_page=True)

    cell.get_by_role("link", name="Restore test, line 3").click()
    page.wait_for_url(re.compile(r"/evidence/\d+$"))
    assert hashlib.sha256(CONTENT).hexdigest() in page.content()
    # Yearly cadence: the next review falls a year after collection.
    assert "2027-11-02" in page.locator("dl.facts").inner_text()
    page.screenshot(path=str(artifacts / "evidence-item.png"), full_page=True)
    with page.expect_download() as download_info:
        page.locator("dl.facts a[download]").click()
    download = download_info.value
    assert download.suggested_filename == "restore-test.txt"
    saved = tmp_path / "downloaded"
    download.save_as(saved)
    assert saved.read_bytes() == CONTENT


def test_link_an_existing_item_with_the_picker(page, live_url, assessment_id, app):
    with session_for(app) as db:
        from kb.services.accounts import find_user, get_org

        org = get_org(db, "evidence-water")
        factories.make_evidence(
            db,
            org=org,
            user=find_user(db, "cs@evidence.test"),
            title="Account register, all sites",
            type="EV-ACCOUNT-REGISTER",
        )
        db.commit()
    log_in(page, live_url, "cs@evidence.test")
    page.goto(f"{live_url}/assessments/{assessment_id}")
    page.locator("#row-sp-09-02-br").get_by_role(
        "link", name=re.compile("^Edit")
    ).click()
    section = page.locator("#row-sp-09-02-br section.row-evidence")
    section.locator("select[name=evidence_id]").select_option(
        label="Account register, all sites (EV-ACCOUNT-REGISTER)"
    )
    page.evaluate("window.__marker = 'same page'")
    section.get_by_role("button", name="Link").first.click()
    section.locator("ul").filter(has_text="Account register, all sites").wait_for()
    assert page.evaluate("window.__marker") == "same page"
    page.locator("#row-sp-09-02-br form.row-edit").get_by_role(
        "button", name="Save"
    ).click()
    saved = page.locator("#row-sp-09-02-br:not(.editing) td.evidence")
    saved.wait_for()
    assert "Account register, all sites" in saved.inner_text()
