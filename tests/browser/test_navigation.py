"""A person browsing the catalogue in a real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_browse_from_home_to_evidence_and_back_through_the_backlink(
    page, live_url, artifacts
):
    page.goto(live_url + "/")
    page.get_by_role("link", name="CA-02 Identification and authentication").click()
    assert page.locator("h1").inner_text() == "Identification and authentication"
    page.get_by_role(
        "link", name="SR 1.1 Human user identification and authentication"
    ).click()
    assert page.url.endswith("/requirements/sr-1-1")
    page.locator("section.links").get_by_role(
        "link", name="EV-ACCOUNT-REGISTER Account register"
    ).click()
    assert page.locator("h1").inner_text() == "Account register"
    backlinks = page.locator("section.links", has_text="Requirements it satisfies")
    backlinks.get_by_role("link", name=re.compile(r"^SR 1\.1 Human")).click()
    assert page.url.endswith("/requirements/sr-1-1")
    page.screenshot(path=str(artifacts / "requirement-page.png"), full_page=True)


def test_filters_update_the_list_without_a_reload_and_keep_the_url(page, live_url):
    page.goto(live_url + "/requirements/")
    page.evaluate("window.__marker = 'same page'")
    page.select_option("select[name=part]", "62443-3-3")
    page.wait_for_url(re.compile(r"part=62443-3-3"))
    page.select_option("select[name=level]", "1")
    page.wait_for_url(re.compile(r"level=1"))
    ids = page.locator("td.id").all_inner_texts()
    assert ids == ["SR 1.1"]
    assert page.evaluate("window.__marker") == "same page"
    assert page.locator("button", has_text="Filter").is_hidden()


def test_keyboard_reaches_the_skip_link_first(page, live_url):
    page.goto(live_url + "/requirements/sr-1-1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"


def test_search_as_you_type_then_pick_a_result_with_the_keyboard(page, live_url):
    page.goto(live_url + "/evidence/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-q"
    page.keyboard.type("sr1.1", delay=30)
    first = page.locator("#quick-results a").first
    first.wait_for()
    assert first.inner_text().startswith("SR 1.1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/requirements/sr-1-1$"))
    assert page.locator("h1").inner_text().startswith("SR 1.1")


def test_enter_in_the_search_box_opens_the_shareable_results_page(page, live_url):
    page.goto(live_url + "/")
    page.fill("#site-q", "accounts")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=accounts"))
    assert "6 results" in page.locator(".hits .count").inner_text()


def test_search_filters_show_as_chips_that_remove_and_clear(page, live_url):
    page.goto(live_url + "/search/?q=accounts")
    page.locator("aside.facets a", has_text="requirement").first.click()
    chips = page.locator("p.chips a.chip")
    expect(chips).to_have_text(["Kind: requirement ×"])
    page.locator("aside.facets a", has_text="62443-3-3").first.click()
    expect(chips).to_have_count(2)
    expect(page.locator("p.count")).to_contain_text("2 results")
    page.get_by_role("link", name="Clear all").click()
    expect(chips).to_have_count(0)
    expect(page.locator("p.count")).to_contain_text("6 results")
    page.locator("aside.facets a", has_text="evidence").first.click()
    page.get_by_role("link", name="Remove the filter Kind: evidence").click()
    expect(chips).to_have_count(0)
    expect(page.locator("p.count")).to_contain_text("6 results")
