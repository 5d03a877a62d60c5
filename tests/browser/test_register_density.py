"""The register of a 62443-2-4 assessment (123 rows of the real catalogue) reads as a
working sheet at 1280x800: four screens at most, one line a row, the same column widths
in every group, long notes behind an expander."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import session_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def real_live(real_app):
    with session_for(real_app) as db:
        org = factories.make_org(db, name="Dense Water")
        factories.make_user(db, email="pm@dense.test", org=org, role="editor")
        assessment = factories.make_assessment(db, org=org, name="Dense FY26")
        db.commit()
        aid = assessment.id
    server = make_server("127.0.0.1", 0, real_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", aid
    server.shutdown()


def test_123_rows_fit_in_four_screens_with_even_columns(page, real_live, artifacts):
    base, aid = real_live
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, "pm@dense.test")
    page.goto(f"{base}/assessments/{aid}")
    rows = page.locator("table.register tbody tr[id^=row-]")
    expect(rows).to_have_count(123)
    height = page.locator("table.register").bounding_box()["height"]
    assert height <= 4 * 800, f"{height / 800:.2f} screens"
    heights = {round(rows.nth(n).bounding_box()["height"]) for n in range(0, 123, 10)}
    assert max(heights) <= 26, heights  # one line a row
    # The owner column starts at the same x in the first and the last group.
    first = (
        page.locator("table.register tbody.group")
        .first.locator("tr[id^=row-] td")
        .nth(2)
    )
    last = (
        page.locator("table.register tbody.group")
        .last.locator("tr[id^=row-] td")
        .nth(2)
    )
    assert first.bounding_box()["x"] == last.bounding_box()["x"]
    page.screenshot(path=str(artifacts / "register-dense.png"))


def test_long_notes_open_from_an_expander_and_headers_stay(page, real_live):
    base, aid = real_live
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, "pm@dense.test")
    page.goto(f"{base}/assessments/{aid}")
    row = page.locator("#row-sp-09-02-br")
    row.get_by_role("link", name="Edit SP.09.02 BR").click()
    notes = "Accounts are reviewed every quarter by the site lead. " * 4
    page.locator("#row-sp-09-02-br textarea[name=notes]").fill(notes)
    page.locator("#row-sp-09-02-br form.row-edit").get_by_role(
        "button", name="Save"
    ).click()
    page.locator("#row-sp-09-02-br:not(.editing)").wait_for()
    summary = row.locator("td.notes summary")
    expect(summary).to_have_text(
        "Accounts are reviewed every quarter by the site lead. Accounts are reviewed..."
    )
    expect(row.locator("td.notes details p")).to_be_hidden()
    summary.click()
    expect(row.locator("td.notes details p")).to_be_visible()
    # Scrolled down, the column header and the current group's header stay in view.
    page.mouse.wheel(0, 2400)
    page.wait_for_timeout(200)
    header = page.locator("table.register thead th").first.bounding_box()
    assert 0 <= header["y"] < 40
