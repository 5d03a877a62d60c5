"""A programme manager scores a requirement inline in a real Chromium."""

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
        org = factories.make_org(db, name="Browser Water")
        factories.make_user(db, email="pm@browser.test", org=org, role="editor")
        assessment = factories.make_assessment(db, org=org, name="Browser FY26")
        db.commit()
        return assessment.id


def test_log_in_score_inline_and_see_it_in_the_history(
    page, live_url, assessment_id, artifacts
):
    log_in(page, live_url, "pm@browser.test")
    page.get_by_role("link", name="Browser FY26").click()
    page.wait_for_url(re.compile(r"/assessments/\d+$"))  # loaded, with htmx
    page.evaluate("window.__marker = 'same page'")
    row = page.locator("#row-sp-09-02-br")
    row.get_by_role("link", name=re.compile("^Edit")).click()
    form = page.locator("#row-sp-09-02-br form.row-edit")
    form.wait_for()
    assert "ML 2 Managed" in form.locator("aside.guidance").inner_text()
    form.locator("select[name=current]").select_option("2")
    form.locator("select[name=target]").select_option("3")
    form.locator("input[name=owner]").fill("Priya")
    form.get_by_role("button", name="Save").click()
    saved = page.locator("#row-sp-09-02-br:not(.editing)")
    saved.wait_for()
    cells = saved.locator("td").all_inner_texts()
    assert (
        cells[0] == "2 Managed"
        and cells[1].startswith("3 Defined")
        and cells[2] == "Priya"
    )
    assert page.evaluate("window.__marker") == "same page"
    summary = page.locator("#register-summary")
    summary.filter(has_text="1 assessed").wait_for()
    assert "1 below target" in summary.inner_text()
    page.screenshot(path=str(artifacts / "register-scored.png"), full_page=True)
    saved.get_by_role("link", name=re.compile("^History")).click()
    history = page.locator("table.history").inner_text()
    assert (
        "pm@browser.test" in history and "2 Managed" in history and "Priya" in history
    )


def test_keyboard_only_editing(page, live_url, assessment_id):
    log_in(page, live_url, "pm@browser.test")
    page.goto(f"{live_url}/assessments/{assessment_id}")
    page.locator("#row-sp-12-05-br a", has_text="Edit").focus()
    page.keyboard.press("Enter")
    status = page.locator("#row-sp-12-05-br select[name=status]")
    status.wait_for()
    status.focus()
    status.select_option("implemented")
    page.locator("#row-sp-12-05-br button", has_text="Save").focus()
    page.keyboard.press("Enter")
    page.locator("#row-sp-12-05-br:not(.editing)").wait_for()
    assert "implemented" in page.locator("#row-sp-12-05-br").inner_text()


def test_a_group_target_fills_empty_targets_and_asks_before_overwriting(
    page, live_url, app
):
    with session_for(app) as db:
        org = factories.make_org(db, name="Target Water")
        factories.make_user(db, email="pm@target.test", org=org, role="editor")
        aid = factories.make_assessment(db, org=org, name="Target FY26").id
        db.commit()
    log_in(page, live_url, "pm@target.test")
    page.goto(f"{live_url}/assessments/{aid}")
    group = page.locator("#group-CA-08")
    assert group.get_by_label("Target for all of CA-08").input_value() == ""  # not set
    group.get_by_label("Target for all of CA-08").select_option("3")
    group.get_by_role("button", name="Set").click()
    page.wait_for_url(re.compile(r"#group-CA-08$"))
    assert "set for 1 requirement of CA-08" in page.locator("#messages").inner_text()
    group = page.locator("#group-CA-08")
    assert group.get_by_label("Target for all of CA-08").input_value() == "3"

    group.get_by_label("Target for all of CA-08").select_option("1")
    group.get_by_role("button", name="Set").click()
    page.get_by_role("heading", name="Overwrite 1 existing target?").wait_for()
    page.get_by_role("button", name="Fill only the 0 empty targets").click()
    page.wait_for_url(re.compile(r"#group-CA-08$"))
    assert "1 kept its own target" in page.locator("#messages").inner_text()
    assert "3 Defined" in page.locator("#row-sp-12-05-br").inner_text()


def test_one_sort_state_for_headers_and_the_sort_control(page, live_url, assessment_id):
    log_in(page, live_url, "pm@browser.test")
    page.goto(f"{live_url}/assessments/{assessment_id}")
    sort = page.locator("#register-sort")
    page.locator("table.register thead").get_by_role("link", name="Current").click()
    page.wait_for_url(re.compile(r"sort=current"))
    header = page.locator("th[aria-sort]")
    header.wait_for()
    assert header.get_attribute("aria-sort") == "ascending"
    assert sort.input_value() == "current"
    page.locator("select[name=status]").select_option("in progress")  # a filter
    page.wait_for_url(re.compile(r"status=in(\+|%20)progress"))
    assert "sort=current" in page.url and sort.input_value() == "current"
    page.locator("select[name=status]").select_option("")
    page.wait_for_url(re.compile(r"status=&"))
    page.locator("table.register thead").get_by_role(
        "link", name=re.compile("^Current")
    ).click()
    page.wait_for_url(re.compile(r"sort=-current"))
    page.locator("th[aria-sort=descending]").wait_for()
    assert sort.input_value() == "-current"


def test_the_edit_row_answers_to_escape_and_enter(page, live_url, assessment_id):
    log_in(page, live_url, "pm@browser.test")
    page.goto(f"{live_url}/assessments/{assessment_id}")
    row = page.locator("#row-sp-12-05-br")
    row.get_by_role("link", name=re.compile("^Edit")).click()
    form = page.locator("#row-sp-12-05-br form.row-edit")
    form.wait_for()
    reason = form.get_by_label("Why it does not apply")
    expect(reason).to_be_hidden()  # it applies (shown once the row has settled)
    form.get_by_label("Applies").select_option("false")
    expect(reason).to_be_visible()
    form.get_by_label("Applies").select_option("true")
    expect(reason).to_be_hidden()
    form.get_by_label("Owner").fill("Sam")
    form.get_by_label("Owner").press("Escape")  # cancels: nothing saved
    page.locator("#row-sp-12-05-br:not(.editing)").wait_for()
    assert "Sam" not in page.locator("#row-sp-12-05-br").inner_text()
    focused = page.evaluate("document.activeElement.closest('tr').id")
    assert focused == "row-sp-12-05-br"

    page.locator("#row-sp-12-05-br").get_by_role(
        "link", name=re.compile("^Edit")
    ).click()
    form.wait_for()
    form.get_by_label("Owner").fill("Kim")
    form.get_by_label("Owner").press("Enter")  # saves
    saved = page.locator("#row-sp-12-05-br:not(.editing)")
    saved.wait_for()
    assert "Kim" in saved.inner_text()
    page.wait_for_function(
        "document.activeElement && document.activeElement.closest('tr')"
        " && document.activeElement.closest('tr').id === 'row-sp-12-05-br'"
    )


def test_the_print_view_has_who_when_the_figures_and_no_controls(
    page, live_url, assessment_id
):
    log_in(page, live_url, "pm@browser.test")
    page.goto(f"{live_url}/assessments/{assessment_id}")
    page.get_by_role("link", name="Print view").click()
    page.get_by_role("heading", name="Browser FY26").wait_for()
    assert "by pm@browser.test" in page.locator("p.printed").inner_text()
    # shown by the page's script once it runs (js-only): wait for it, not a race
    page.get_by_role("button", name="Print").wait_for(state="visible")
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Print").is_visible()
    assert not page.locator("header.site").is_visible()
    assert page.locator("table.areas tbody tr").count() >= 1
    assert page.locator("table.register-print").is_visible()
    assert (
        page.locator("table.register-print a, table.register-print button").count() == 0
    )


def test_on_a_phone_rows_are_cards_and_the_header_is_a_menu(
    page, live_url, assessment_id
):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_url, "pm@browser.test")
    page.goto(f"{live_url}/assessments/{assessment_id}")
    page.locator("#row-sp-09-02-br").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page itself scrolls sideways: {width}px"
    display = page.evaluate(
        "getComputedStyle(document.querySelector('#row-sp-09-02-br')).display"
    )
    assert display == "block"  # a card, not a table row
    menu = page.get_by_role("button", name="Menu")
    requirements = page.locator("header.site").get_by_role("link", name="Requirements")
    assert menu.is_visible() and not requirements.is_visible()
    menu.click()
    assert requirements.is_visible() and menu.get_attribute("aria-expanded") == "true"
    edit = page.locator("#row-sp-09-02-br").get_by_role(
        "link", name=re.compile("^Edit")
    )
    assert edit.bounding_box()["height"] >= 44  # big enough to tap
