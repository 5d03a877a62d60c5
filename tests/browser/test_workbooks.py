"""A compliance officer exports the register, fills it in, and imports it, in
Chromium: the download, the upload, the preview with a conflict, the confirmation."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import session_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def assessment_id(app) -> int:
    with session_for(app) as db:
        org = factories.make_org(db, name="Workbook Water")
        factories.make_user(db, email="co@workbook.test", org=org, role="editor")
        assessment = factories.make_assessment(db, org=org, name="Workbook FY26")
        db.commit()
        return assessment.id


def test_export_fill_in_and_import_with_a_preview(
    page, live_url, assessment_id, tmp_path
):
    log_in(page, live_url, "co@workbook.test")
    page.goto(f"{live_url}/assessments/{assessment_id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export to Excel").click()
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.name.startswith("Workbook-FY26-")

    book = load_workbook(exported)
    sheet = book["Register"]
    headers = {c.value: c.column for c in sheet[1]}
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "SP.09.02 BR")
    row[headers["Current level"] - 1].value = 3
    row[headers["Owner"] - 1].value = "Priya"
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    page.get_by_role("link", name="Import a workbook").click()
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(filled))
    page.get_by_role("button", name="Read it and show the changes").click()
    page.wait_for_url(f"**/assessments/{assessment_id}/imports/*")
    changes = page.locator("table.changes tbody tr")
    assert changes.count() == 2
    assert "3 Defined" in changes.first.inner_text()
    page.get_by_role("button", name="Confirm and save 2 changes").click()
    page.wait_for_url(f"**/assessments/{assessment_id}")
    assert (
        "Imported 2 values from filled.xlsx" in page.locator("#messages").inner_text()
    )
    saved = page.locator("#row-sp-09-02-br")
    assert "3 Defined" in saved.inner_text() and "Priya" in saved.inner_text()


def test_a_bad_workbook_is_explained_on_the_page(
    page, live_url, assessment_id, tmp_path
):
    log_in(page, live_url, "co@workbook.test")
    page.goto(f"{live_url}/assessments/{assessment_id}/import")
    bad = tmp_path / "notes.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="Read it and show the changes").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "nothing has changed" in alert.inner_text()
    assert "not a zip file" in alert.inner_text()
